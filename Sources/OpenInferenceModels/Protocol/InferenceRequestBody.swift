import InferenceJobs

/// Writes the JSON body of one inference request: a batch as a single `[batch, features]` tensor.
///
/// ```json
/// {"inputs":[{"name":"input-0","shape":[2,3],"datatype":"FP64","data":[1.0,2.0,3.0,4.0,5.0,6.0]}],
///  "outputs":[{"name":"predict"},{"name":"predict_proba"}]}
/// ```
///
/// Written through the contract's `JSONWriter` rather than `JSONEncoder`: a batch is thousands of numbers, and this
/// is the worker's hot path. Names come from configuration or metadata, so they are escaped, not trusted.
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
        var json = JSONWriter(capacity: 64 + batch.count * featureCount * 6)
        json.raw("{\"inputs\":[{\"name\":")
        json.string(inputName)
        json.raw(",\"shape\":[")
        json.integer(batch.count)
        json.raw(",")
        json.integer(featureCount)
        json.raw("],\"datatype\":")
        json.string(datatype.rawValue)
        json.raw(",\"data\":[")
        var first = true
        for input in batch {
            for feature in input.features {
                if !first { json.raw(",") }
                first = false
                switch datatype {
                case .fp64:
                    guard feature.isFinite else { throw nonFinite(feature, datatype) }
                    feature.write(to: &json)
                case .fp32:
                    let narrowed = Float(feature)
                    guard narrowed.isFinite else { throw nonFinite(feature, datatype) }
                    narrowed.write(to: &json)
                }
            }
        }
        json.raw("]}]")
        if !outputs.isEmpty {
            json.raw(",\"outputs\":[")
            for (index, output) in outputs.enumerated() {
                json.raw(index == 0 ? "{\"name\":" : ",{\"name\":")
                json.string(output)
                json.raw("}")
            }
            json.raw("]")
        }
        json.raw("}")
        return json.bytes
    }

    private static func nonFinite(_ feature: Double, _ datatype: TensorDatatype) -> OpenInferenceError {
        OpenInferenceError(.badInput, "feature \(feature) is not a finite \(datatype.rawValue) number")
    }
}
