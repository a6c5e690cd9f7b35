import Foundation
import KinferTestSupport
import Testing

/// One MLServer for a whole suite (it takes seconds to start), serving the digits model trained by
/// `scripts/train_digits.py` twice over:
/// - `digits`: the stock scikit-learn runtime, with its input (`FP64 [-1, 64]`) and outputs declared, as a
///   production deployment would;
/// - `digits-checked`: no declared input, so the worker cannot check lengths itself, and a runtime that refuses a
///   tensor of the wrong width with 400 and a message, as Triton and KServe do. (The stock runtime lets
///   scikit-learn's `ValueError` through as a bare 500, which is retryable.)
struct ModelServerFixture: SuiteTrait, TestScoping {
    struct Server: Sendable {
        let mlserver: MLServer
        let python: String
        /// The fitted model, for asking scikit-learn directly.
        let joblib: String

        func modelURL(_ name: String) -> String { "\(mlserver.url)/v2/models/\(name)/versions/\(Self.version)" }
        static let version = "digits-lr-1"
    }

    @TaskLocal static var current: Server?

    /// The suite's server; fails the test when the fixture is missing.
    static func server() throws -> Server {
        try #require(current, "the suite needs the .modelServer trait")
    }

    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let python = try await kinferPython(importing: ["mlserver", "mlserver_sklearn", "sklearn", "joblib"])
        let directory = NSTemporaryDirectory() + "/" + uniqueName("kinfer-digits")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let joblib = "\(directory)/model.joblib"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/train_digits.py").standardized.path
        try await ChildProcess.run(python, [script, "--joblib", joblib, "--output-dir", directory], timeout: .seconds(120)).requireSuccess()

        let declared = """
            "inputs": [{"name": "features", "datatype": "FP64", "shape": [-1, 64]}],
            "outputs": [{"name": "predict", "datatype": "INT64", "shape": [-1, 1]},
                        {"name": "predict_proba", "datatype": "FP64", "shape": [-1, 10]}]
            """
        let models = [
            MLServer.Model(name: "digits", version: Server.version, joblib: joblib, extraSettings: declared),
            MLServer.Model(
                name: "digits-checked", version: Server.version, implementation: "shape_checking.ShapeCheckingSKLearnModel",
                joblib: joblib, files: ["shape_checking.py": Self.shapeChecking]
            ),
        ]
        try await withMLServer(python: python, models: models) { mlserver in
            try await Self.$current.withValue(Server(mlserver: mlserver, python: python, joblib: joblib)) {
                try await function()
            }
        }
    }

    private static let shapeChecking = """
        from mlserver.errors import InferenceError
        from mlserver_sklearn import SKLearnModel


        class ShapeCheckingSKLearnModel(SKLearnModel):
            async def predict(self, payload):
                width = self._model.n_features_in_
                for tensor in payload.inputs:
                    if len(tensor.shape) != 2 or tensor.shape[1] != width:
                        raise InferenceError(f"{self.name} takes [batch, {width}] inputs, got {tensor.shape}")
                return await super().predict(payload)
        """
}

extension Trait where Self == ModelServerFixture {
    /// Runs the suite with ``ModelServerFixture/current`` set to a running MLServer.
    static var modelServer: Self { Self() }
}
