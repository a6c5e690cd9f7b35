import Foundation
import InferenceJobs
import Notifier
import Testing

@Suite struct WebhookSignerTests {
    /// The Standard Webhooks specification's own example (its reference libraries test the same vector).
    @Test func matchesTheSpecificationsVector() throws {
        let signer = try WebhookSigner(secrets: WebhookSecrets(environmentValue: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let headers = signer.headers(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(headers.signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(headers.fields.map(\.name) == ["webhook-id", "webhook-timestamp", "webhook-signature"])
        #expect(headers.fields[1].value == "1614265330")
    }

    @Test func twoSecretsGiveTwoSignaturesInOrder() throws {
        let one = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let two = "whsec_" + Data((0..<32).map { UInt8($0) }).base64EncodedString()
        let body = Array("{}".utf8)
        let both = try WebhookSigner(secrets: WebhookSecrets(environmentValue: "\(one)  \(two)\n"))
        let first = try WebhookSigner(secrets: WebhookSecrets(environmentValue: one))
        let second = try WebhookSigner(secrets: WebhookSecrets(environmentValue: two))
        let signature = both.headers(id: "m", timestamp: 1, body: body).signature
        let expected = first.headers(id: "m", timestamp: 1, body: body).signature + " "
            + second.headers(id: "m", timestamp: 1, body: body).signature
        #expect(signature == expected)
    }

    @Test(arguments: [
        "", "   ", "whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not*base64", "whsec_c2hvcnQ=",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_bad",
    ])
    func refusesWhatIsNotASecretWithoutRepeatingIt(value: String) {
        #expect {
            try WebhookSecrets(environmentValue: value)
        } throws: { error in
            guard let error = error as? WebhookSecret.InvalidSecret else { return false }
            let parts = value.split(whereSeparator: \.isWhitespace).map { $0.hasPrefix("whsec_") ? $0.dropFirst(6) : $0 }
            return parts.allSatisfy { $0.count < 4 || !error.description.contains($0) }
        }
    }

    @Test func secretsAreNeverPrinted() throws {
        let secrets = try WebhookSecrets(environmentValue: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signer = WebhookSigner(secrets: secrets)
        for text in ["\(secrets)", "\(secrets.secrets[0])", String(reflecting: secrets.secrets[0]), "\(signer)"] {
            #expect(!text.contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), "\(text)")
        }
        #expect("\(secrets.secrets[0])" == "whsec_<redacted>")
    }

    @Test func theMessageIDIsStablePerJobAndResult() {
        let completed = Date(timeIntervalSince1970: 1_764_688_000.123)
        let result = JobResult(
            jobID: "019ad1b2-3c4d-7e5f-8a6b-7c8d9e0f1a2b", status: .completed, attempts: 1, model: "digits",
            modelVersion: "1", worker: "w1", submittedAt: completed, completedAt: completed
        )
        var retried = result
        retried.attempts = 2
        retried.worker = "w2"
        var rerun = result
        rerun.completedAt = completed.addingTimeInterval(1)
        let id = WebhookSigner.messageID(for: result)
        #expect(id.hasPrefix("kinfer_") && id.count == 39)
        #expect(id.dropFirst(7).allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(WebhookSigner.messageID(for: retried) == id)
        #expect(WebhookSigner.messageID(for: rerun) != id)
        var other = result
        other.jobID = "another"
        #expect(WebhookSigner.messageID(for: other) != id)
    }
}
