import Foundation
import KinferTestSupport
import Testing

/// The OpenAPI document against the gateway, through an independent generator of requests: schemathesis (PyPI, in
/// `.venv`), which derives valid and invalid requests from `/openapi.json` and checks every answer against it.
@Suite("OpenAPI conformance under generated requests")
struct SchemathesisTests {
    /// schemathesis next to the tests' Python (`KINFER_PYTHON`, the `.venv` scripts/test makes).
    static func schemathesis() throws -> String {
        let python = ProcessInfo.processInfo.environment["KINFER_PYTHON"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.venv/bin/python").standardized.path
        let path = URL(fileURLWithPath: python).deletingLastPathComponent().appendingPathComponent("schemathesis").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ChildProcessError(description: "no schemathesis at \(path): run scripts/test, which installs it into .venv")
        }
        return path
    }

    /// Every check but one: `positive_data_acceptance` expects any schema-valid job to be accepted, but whether the
    /// workers serve a model, and how many features it takes, is the deployment's, not the document's, so such jobs
    /// are `422` by design (with the field named).
    ///
    /// One worker: with two, generating bodies with arrays of objects (`messages`) makes hypothesis describe its
    /// lambdas through `ast.parse` on both threads at once, and CPython 3.11's parser is not safe for that
    /// (`SystemError: AST constructor recursion depth mismatch`, a runtime error of the tool, not a finding).
    @Test("30 s of generated requests, valid and invalid, with and without the API key: no 5xx, and every status, header, content type and body as the document says")
    func generatedRequestsConform() async throws {
        let schemathesis = try Self.schemathesis()
        try await withGateway(configure: {
            $0.syncTimeout = .milliseconds(500)  // /v1/predict without workers: 504 soon, not after 30 s
            $0.heartbeatInterval = .seconds(1)
        }) { gateway in
            let run = try await ChildProcess.run(
                schemathesis,
                [
                    "run", "\(gateway.baseURL)/openapi.json", "--checks", "all", "--exclude-checks", "positive_data_acceptance",
                    "--header", "Authorization: Bearer \(testAPIKey)", "--max-examples", "30", "--workers", "1",
                    "--request-timeout", "5", "--max-time", "30", "--seed", "1",
                ],
                environment: ["NO_COLOR": "1", "SCHEMATHESIS_TELEMETRY": "false"], timeout: .seconds(120)
            )
            let output = run.standardOutputText
            #expect(run.succeeded, "schemathesis found failures:\n\(output.suffix(6_000))")
            #expect(output.contains("passed"), "\(output.suffix(2_000))")
            print(output.split(separator: "\n").filter { $0.contains("generated") }.joined(separator: "\n"))
        }
    }
}
