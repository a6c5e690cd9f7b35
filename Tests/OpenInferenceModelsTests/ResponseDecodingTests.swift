import InferenceJobs
import Testing

@testable import OpenInferenceModels

@Suite("Inference response bodies")
struct ResponseDecodingTests {
    @Test("MLServer's predict and predict_proba: the label from predict, the scores and confidence from the probabilities")
    func labelsAndScores() throws {
        let body = #"""
            {"model_name":"digits","model_version":"1","outputs":[
             {"name":"predict","shape":[2,1],"datatype":"INT64","data":[4,7]},
             {"name":"predict_proba","shape":[2,3],"datatype":"FP64","data":[0.1,0.2,0.7,0.6,0.3,0.1]}]}
            """#
        let outputs = try InferenceResponseBody.decode(Array(body.utf8), batchSize: 2)
        #expect(outputs == [
            ModelOutput(label: "4", confidence: 0.7, scores: [0.1, 0.2, 0.7]),
            ModelOutput(label: "7", confidence: 0.6, scores: [0.6, 0.3, 0.1]),
        ])
    }

    @Test("Scores alone: the label is the best class's index; nested data is read row-major")
    func scoresOnly() throws {
        let body = #"{"outputs":[{"name":"probabilities","shape":[2,2],"datatype":"FP32","data":[[0.25,0.75],[0.5,0.5]]}]}"#
        let outputs = try InferenceResponseBody.decode(Array(body.utf8), batchSize: 2)
        #expect(outputs.map(\.classification?.label) == ["1", "0"])
        #expect(outputs[0].classification?.confidence == 0.75)
    }

    @Test("Labels alone (here as BYTES): confidence 1, no scores")
    func labelsOnly() throws {
        let body = #"{"outputs":[{"name":"label","shape":[2],"datatype":"BYTES","data":["cat","dog"]}]}"#
        let outputs = try InferenceResponseBody.decode(Array(body.utf8), batchSize: 2)
        #expect(outputs == [ModelOutput(label: "cat", confidence: 1, scores: []), ModelOutput(label: "dog", confidence: 1, scores: [])])
    }

    @Test("A body that is not an answer for this batch is a bad response, which is fatal", arguments: [
        "not json",
        #"{"outputs":[]}"#,
        #"{"outputs":[{"name":"predict","shape":[3,1],"datatype":"INT64","data":[1,2,3]}]}"#,
        #"{"outputs":[{"name":"predict","shape":[2,1],"datatype":"INT64","data":[1]}]}"#,
    ])
    func badResponse(_ body: String) {
        do {
            _ = try InferenceResponseBody.decode(Array(body.utf8), batchSize: 2)
            Issue.record("accepted \(body)")
        } catch {
            #expect(error.code == .badResponse)
            #expect(error.failureClass == .fatal)
        }
    }
}
