import Foundation
import Testing

@testable import OpenInferenceModels

@Suite("Model metadata")
struct ModelMetadataTests {
    @Test("A declared [-1, N] input gives the input length; MLServer's empty lists give none")
    func inputLength() throws {
        let declared = #"""
            {"name":"digits","versions":["1"],"platform":"","inputs":[{"name":"features","datatype":"FP32","shape":[-1,64]}],
             "outputs":[{"name":"predict","datatype":"INT64","shape":[-1,1]}]}
            """#
        let metadata = try JSONDecoder().decode(ModelMetadata.self, from: Data(declared.utf8))
        #expect(metadata.inputLength == 64)
        #expect(metadata.inputs?.first?.datatype == "FP32")
        #expect(metadata.versions == ["1"])

        let undeclared = #"{"name":"digits","versions":[],"platform":"","inputs":[],"outputs":[],"parameters":{}}"#
        #expect(try JSONDecoder().decode(ModelMetadata.self, from: Data(undeclared.utf8)).inputLength == nil)
        let variable = #"{"inputs":[{"name":"x","datatype":"FP64","shape":[-1,-1]}]}"#
        #expect(try JSONDecoder().decode(ModelMetadata.self, from: Data(variable.utf8)).inputLength == nil)
    }
}
