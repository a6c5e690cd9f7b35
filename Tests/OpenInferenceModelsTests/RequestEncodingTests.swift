import Foundation
import InferenceJobs
import Testing

@testable import OpenInferenceModels

@Suite("Inference request bodies")
struct RequestEncodingTests {
    private func json(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test("A batch is one [batch, features] tensor, row-major, with the requested outputs")
    func batchTensor() throws {
        let batch = [ModelInput(features: [1, 2.5, 0.1]), ModelInput(features: [4, 5, 1e-5])]
        let body = try InferenceRequestBody.encode(batch, inputName: "features", datatype: .fp64, outputs: ["predict", "predict_proba"])
        #expect(String(decoding: body, as: UTF8.self) == #"{"inputs":[{"name":"features","shape":[2,3],"datatype":"FP64","data":[1.0,2.5,0.1,4.0,5.0,1e-05]}],"outputs":[{"name":"predict"},{"name":"predict_proba"}]}"#)
        let parsed = try json(body)
        let input = try #require((parsed["inputs"] as? [NSDictionary])?.first)
        #expect(input["data"] as? [Double] == [1, 2.5, 0.1, 4, 5, 1e-5])
    }

    @Test("FP32 rounds each feature to a Float; no outputs leaves the choice to the server")
    func fp32() throws {
        let body = try InferenceRequestBody.encode([ModelInput(features: [0.1, 16])], inputName: "in\"put", datatype: .fp32, outputs: [])
        #expect(String(decoding: body, as: UTF8.self) == #"{"inputs":[{"name":"in\"put","shape":[1,2],"datatype":"FP32","data":[0.1,16.0]}]}"#)
        #expect(try json(body)["outputs"] == nil)
    }

    @Test("Inputs that cannot form one tensor are refused as bad input, which is fatal")
    func badInput() {
        #expect(throws: OpenInferenceError.self) {
            try InferenceRequestBody.encode([ModelInput(features: [1, 2]), ModelInput(features: [1])], inputName: "x", datatype: .fp64, outputs: [])
        }
        do {
            _ = try InferenceRequestBody.encode([ModelInput(features: [1e39])], inputName: "x", datatype: .fp32, outputs: [])
            Issue.record("1e39 is no FP32")
        } catch {
            #expect(error.code == .badInput)
            #expect(error.failureClass == .fatal)
        }
    }
}
