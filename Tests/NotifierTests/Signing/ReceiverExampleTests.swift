import Foundation
import KinferTestSupport
import Notifier
import Testing

/// Runs the README's Python verification example, as a receiver would, against deliveries this module signed.
@Suite struct ReceiverExampleTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").standardized

    /// The ```python block between the README's `verify-webhook` markers.
    static func readmeExample() throws -> String {
        let readme = try String(contentsOf: repository.appendingPathComponent("README.md"), encoding: .utf8)
        guard let begin = readme.range(of: "<!-- verify-webhook:begin -->\n```python\n"),
            let end = readme.range(of: "```\n<!-- verify-webhook:end -->", range: begin.upperBound..<readme.endIndex)
        else { throw ChildProcessError(description: "README.md has no verify-webhook example") }
        return String(readme[begin.upperBound..<end.lowerBound])
    }

    static func python() throws -> String {
        let venv = repository.appendingPathComponent(".venv/bin/python").path
        let python = ProcessInfo.processInfo.environment["KINFER_PYTHON"]
            ?? (FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3")
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw ChildProcessError(description: "no Python at \(python)")
        }
        return python
    }

    /// Each case: the secret the receiver holds, and whether it must accept.
    @Test func theREADMEExampleVerifiesWhatTheNotifierSigns() async throws {
        let old = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let new = "whsec_" + Data((0..<32).map { UInt8($0 &* 7 &+ 3) }).base64EncodedString()
        let unrelated = "whsec_" + Data(repeating: 0x42, count: 24).base64EncodedString()
        let body = Array(#"{"job_id":"019ad1b2-3c4d-7e5f-8a6b-7c8d9e0f1a2b","status":"completed","attempts":1}"#.utf8)
        let now = Int64(Date().timeIntervalSince1970)
        let rotating = try WebhookSigner(secrets: WebhookSecrets(environmentValue: "\(new) \(old)"))
        let headers = rotating.headers(id: "kinfer_0123456789abcdef0123456789abcdef", timestamp: now, body: body)
        let stale = rotating.headers(id: headers.id, timestamp: now - 3600, body: body)
        var tampered = body
        tampered[tampered.count - 2] = UInt8(ascii: "2")

        let cases: [(secret: String, headers: WebhookHeaders, body: [UInt8], accepts: Bool)] = [
            (old, headers, body, true),
            (new, headers, body, true),
            (unrelated, headers, body, false),
            (new, headers, tampered, false),
            (new, stale, body, false),
        ]
        let verdicts = try await Self.verify(cases.map { entry in
            [
                "secret": entry.secret,
                "headers": Dictionary(uniqueKeysWithValues: entry.headers.fields.map { ($0.name, $0.value) }),
                "body": String(decoding: entry.body, as: UTF8.self),
            ] as [String: Any]
        })
        #expect(verdicts == cases.map { $0.accepts ? "accept" : "refuse" })
    }

    /// Runs the README's `verify` on each case (`secret`, `headers`, `body`); "accept" or "refuse" for each.
    static func verify(_ cases: [[String: Any]]) async throws -> [String] {
        let driver = """
            import json, sys
            for case in json.load(sys.stdin):
                print("accept" if verify(case["secret"], case["headers"], case["body"].encode()) else "refuse")
            """
        let input = try JSONSerialization.data(withJSONObject: cases)
        let run = try await ChildProcess.run(
            try Self.python(), ["-c", try Self.readmeExample() + "\n" + driver], input: input, timeout: .seconds(30)
        ).requireSuccess()
        return run.standardOutputText.split(separator: "\n").map(String.init)
    }
}
