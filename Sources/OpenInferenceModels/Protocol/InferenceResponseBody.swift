import Foundation
import InferenceJobs

/// Reads the JSON body of an inference response into one `ModelOutput` per input.
///
/// A classifier served over the protocol answers with a label per input (`[batch]` or `[batch, 1]`, as MLServer's
/// scikit-learn `predict`), class scores per input (`[batch, classes]` floats, as `predict_proba`), or both:
/// - label: the label tensor's value, else the index of the highest score (`"0"`, `"1"`, ...);
/// - scores: the score tensor's row, else empty;
/// - confidence: the highest score, else `1` (the server says nothing about its certainty).
enum InferenceResponseBody {
    /// - Throws: `OpenInferenceError` (`badResponse`) when the body is not an inference response with a label or
    ///   score tensor for exactly `batchSize` inputs.
    static func decode(_ body: some Collection<UInt8>, batchSize: Int) throws(OpenInferenceError) -> [ModelOutput] {
        let outputs: [ResponseTensor]
        do {
            outputs = try JSONDecoder().decode(Body.self, from: Data(body)).outputs
        } catch {
            throw OpenInferenceError(.badResponse, "the response is not an inference response: \(error)")
        }
        let labels = outputs.first { $0.shape.first == batchSize && ($0.shape.count == 1 || $0.shape.dropFirst() == [1]) }
        let scores = outputs.first { $0.isFloatingPoint && $0.shape.count == 2 && $0.shape[0] == batchSize && $0.shape[1] > 1 }
        guard labels != nil || scores != nil else {
            let shapes = outputs.map { "\($0.name) \($0.datatype) \($0.shape)" }.joined(separator: ", ")
            throw OpenInferenceError(.badResponse, "no label ([\(batchSize)] or [\(batchSize), 1]) or score ([\(batchSize), classes]) output for \(batchSize) inputs among: \(shapes.isEmpty ? "none" : shapes)")
        }
        for tensor in [labels, scores].compactMap({ $0 }) where tensor.data.count != tensor.shape.reduce(1, *) {
            throw OpenInferenceError(.badResponse, "output \(tensor.name) has shape \(tensor.shape) but \(tensor.data.count) elements")
        }
        let classCount = scores?.shape[1] ?? 0
        return try (0..<batchSize).map { (index) throws(OpenInferenceError) -> ModelOutput in
            var row: [Double] = []
            if let scores, case .numbers(let values) = scores.data {
                row = Array(values[(index * classCount)..<((index + 1) * classCount)])
            }
            let best = row.indices.max { row[$0] < row[$1] }
            let label: String
            switch labels?.data {
            case .strings(let values)?: label = values[index]
            case .numbers(let values)?: label = Self.labelText(values[index])
            case nil: label = String(best!)
            }
            return ModelOutput(label: label, confidence: best.map { row[$0] } ?? 1, scores: row)
        }
    }

    /// `4` rather than `4.0` for a class index sent as a number.
    private static func labelText(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : value.description
    }

    private struct Body: Decodable {
        var outputs: [ResponseTensor]
    }
}
