import InferenceJobs

/// Writes the JSON body of one inference request: a batch as a single `[batch, features]` tensor.
///
/// ```json
/// {"inputs":[{"name":"input-0","shape":[2,3],"datatype":"FP64","data":[1.0,2.0,3.0,4.0,5.0,6.0]}],
///  "outputs":[{"name":"predict"},{"name":"predict_proba"}]}
/// ```
///
/// Written by hand rather than through `JSONEncoder`: a batch of 128 digits is 8,192 numbers, and this is the
/// worker's hot path.
enum InferenceRequestBody {
    /// - Parameters:
    ///   - inputName: the model's input tensor name.
    ///   - datatype: how to write the numbers.
    ///   - outputs: the outputs to ask for; empty leaves the choice to the server.
    /// - Throws: `OpenInferenceError` (`badInput`) when the inputs have different lengths, or a feature is not finite
    ///   in `datatype` (say `1e39` as `FP32`).
    static func encode(
        _ batch: [ModelInput], inputName: String, datatype: TensorDatatype, outputs: [String]
    ) throws(OpenInferenceError) -> [UInt8] {
        let featureCount = batch.first?.features.count ?? 0
        guard batch.allSatisfy({ $0.features.count == featureCount }) else {
            let lengths = Set(batch.map(\.features.count)).sorted()
            throw OpenInferenceError(.badInput, "the batch mixes inputs of \(lengths.map(String.init).joined(separator: ", ")) features; one tensor needs one length")
        }
        var json = "{\"inputs\":[{\"name\":"
        json.reserveCapacity(64 + batch.count * featureCount * 6)
        appendString(inputName, to: &json)
        json += ",\"shape\":[\(batch.count),\(featureCount)],\"datatype\":\"\(datatype.rawValue)\",\"data\":["
        var first = true
        for input in batch {
            for feature in input.features {
                if !first { json += "," }
                first = false
                switch datatype {
                case .fp64:
                    guard feature.isFinite else { throw nonFinite(feature, datatype) }
                    json += feature.description
                case .fp32:
                    let narrowed = Float(feature)
                    guard narrowed.isFinite else { throw nonFinite(feature, datatype) }
                    json += narrowed.description
                }
            }
        }
        json += "]}]"
        if !outputs.isEmpty {
            json += ",\"outputs\":["
            for (index, output) in outputs.enumerated() {
                json += index == 0 ? "{\"name\":" : ",{\"name\":"
                appendString(output, to: &json)
                json += "}"
            }
            json += "]"
        }
        json += "}"
        return Array(json.utf8)
    }

    private static func nonFinite(_ feature: Double, _ datatype: TensorDatatype) -> OpenInferenceError {
        OpenInferenceError(.badInput, "feature \(feature) is not a finite \(datatype.rawValue) number")
    }

    /// A JSON string literal; names come from configuration or metadata, so they are escaped, not trusted.
    private static func appendString(_ string: String, to json: inout String) {
        json += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case _ where scalar.value < 0x20: json += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }
}
