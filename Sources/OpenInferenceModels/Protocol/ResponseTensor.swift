/// One output tensor of an inference response. `data` is flattened in row-major order, as the protocol allows it
/// to be sent either flat or nested.
struct ResponseTensor: Decodable, Sendable, Equatable {
    var name: String
    var shape: [Int]
    var datatype: String
    var data: TensorData

    /// Whether the tensor holds floating-point numbers (scores rather than class indices).
    var isFloatingPoint: Bool { self.datatype.hasPrefix("FP") || self.datatype == "BF16" }
}

/// A tensor's elements: numbers, or strings for `BYTES` tensors.
enum TensorData: Decodable, Sendable, Equatable {
    case numbers([Double])
    case strings([String])

    var count: Int {
        switch self {
        case .numbers(let values): values.count
        case .strings(let values): values.count
        }
    }

    init(from decoder: any Decoder) throws {
        var numbers: [Double] = []
        var strings: [String] = []
        var container = try decoder.unkeyedContainer()
        try Self.flatten(&container, into: &numbers, &strings)
        guard numbers.isEmpty || strings.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a tensor mixes numbers and strings"))
        }
        self = strings.isEmpty ? .numbers(numbers) : .strings(strings)
    }

    private static func flatten(_ container: inout any UnkeyedDecodingContainer, into numbers: inout [Double], _ strings: inout [String]) throws {
        while !container.isAtEnd {
            if let number = try? container.decode(Double.self) {
                numbers.append(number)
            } else if let string = try? container.decode(String.self) {
                strings.append(string)
            } else if let bool = try? container.decode(Bool.self) {
                numbers.append(bool ? 1 : 0)
            } else {
                var nested = try container.nestedUnkeyedContainer()
                try flatten(&nested, into: &numbers, &strings)
            }
        }
    }
}
