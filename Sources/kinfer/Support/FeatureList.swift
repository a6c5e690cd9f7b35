import Foundation
import KinferApp

/// Reads a feature vector typed by a person: `0,1,2`, `0 1 2`, or a JSON array `[0, 1, 2]`.
enum FeatureList {
    static func parse(_ text: String, source: String) throws(CLIError) -> [Double] {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.hasPrefix("[") && body.hasSuffix("]") { body = String(body.dropFirst().dropLast()) }
        let items = body.split { $0 == "," || $0.isWhitespace }
        guard !items.isEmpty else {
            throw CLIError("\(source) holds no features", hint: "give numbers separated by commas, e.g. 0,0,5,13")
        }
        var values: [Double] = []
        values.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard let value = Double(item), value.isFinite else {
                throw CLIError("\(source): feature \(index + 1) ('\(item)') is not a number", hint: "give numbers separated by commas, e.g. 0,0,5,13")
            }
            values.append(value)
        }
        return values
    }
}
