import CallbackSafety
import Foundation
@testable import Gateway
import InferenceJobs
import Testing

/// Reading and checking a submission body: pure, no server.
@Suite("Submission")
struct SubmissionTests {
    let rules = ModelRules(inputWidths: ["digits": 3, "free": nil], defaultModel: "digits")
    let now = Date(timeIntervalSince1970: 1_764_000_000)

    /// Test receivers live on loopback: plain http to 127.0.0.0/8 is admitted, as `--allow-http
    /// --callback-allow-cidr 127.0.0.0/8` would.
    static let loopbackReceivers = CallbackGuard(allowHTTP: true, allowedRanges: [try! CIDR("127.0.0.0/8")])

    func submission(_ json: String, key: String? = nil, callbackGuard: CallbackGuard = loopbackReceivers) throws(Problem) -> Submission {
        try Submission(
            body: Array(json.utf8), idempotencyKeyHeader: key, candidateJobID: "cand", now: now, maxDepth: 8, rules: rules,
            callbackGuard: callbackGuard
        )
    }

    func problem(_ json: String, key: String? = nil, callbackGuard: CallbackGuard = loopbackReceivers) -> Problem? {
        do {
            _ = try submission(json, key: key, callbackGuard: callbackGuard)
            return nil
        } catch {
            return error
        }
    }

    @Test func bothShapesDecodeToTheCanonicalJob() throws {
        let canonical = try submission(#"{"model": "digits", "inputs": {"features": [1, 2, 3]}}"#)
        #expect(canonical.job.jobID == "cand")
        #expect(canonical.job.inputs.features == [1, 2, 3])
        #expect(canonical.key == nil)
        #expect(canonical.job.submittedAt == now)
        let plain = try submission(#"{"image_url": "http://127.0.0.1/x.png", "features": [1, 2, 3], "timeout_ms": 500, "callback_url": "http://127.0.0.1/cb"}"#)
        #expect(plain.job.inputs.imageURL == "http://127.0.0.1/x.png")
        #expect(plain.job.timeoutMs == 500)
        #expect(plain.job.callbackURL == "http://127.0.0.1/cb")
        #expect(plain.job.model == nil)
        let empty = try submission(#"{"features":[1,2,3]}"#)
        #expect(JobCodec.encode(empty.job).starts(with: Array(#"{"job_id":"cand""#.utf8)))
    }

    @Test func aClientJobIDIsKeptAndIsTheKey() throws {
        let chosen = try submission(#"{"job_id": "mine", "features": [1, 2, 3]}"#)
        #expect(chosen.job.jobID == "mine")
        #expect(chosen.key == IdempotencyKey.jobID("mine"))
        let both = try submission(#"{"job_id": "mine", "features": [1, 2, 3]}"#, key: "k-1")
        #expect(both.key == IdempotencyKey(storedKey: "key:k-1"))
        #expect(both.fingerprint == SHA256Hex.digest(Array(#"{"job_id": "mine", "features": [1, 2, 3]}"#.utf8)))
    }

    @Test func malformedBodiesAre400() {
        for body in ["", "not json", "[1,2]", "{\"features\": [1,2,3]", "\"text\"", "{\"a\":[[[[[[[[[1]]]]]]]]]}"] {
            #expect(problem(body)?.status == 400, "\(body)")
        }
    }

    @Test func invalidJobsAre422NamingTheField() {
        let cases: [(String, String)] = [
            (#"{"inputs": {}}"#, "inputs.features"),
            (#"{"inputs": {"features": "no"}}"#, "inputs.features"),
            (#"{"inputs": {"features": [1, "x", 3]}}"#, "inputs.features[1]"),
            (#"{"features": [1, 2]}"#, "features"),
            (#"{"inputs": {"features": [1, 2]}}"#, "inputs.features"),
            (#"{"model": "nope", "features": [1, 2, 3]}"#, "model"),
            (#"{"model": 7, "features": [1, 2, 3]}"#, "model"),
            (#"{"job_id": "", "features": [1, 2, 3]}"#, "job_id"),
            (#"{"job_id": 5.5, "features": [1, 2, 3]}"#, "job_id"),
            (#"{"job_id": null, "features": [1, 2, 3]}"#, "job_id"),
            (#"{"features": [1, 2, 3], "timeout_ms": -1}"#, "timeout_ms"),
            (#"{"features": [1, 2, 3], "deadline": "tomorrow"}"#, "deadline"),
            (#"{"features": [1, 2, 3], "callback_url": 3}"#, "callback_url"),
        ]
        for (body, field) in cases {
            let refusal = problem(body)
            #expect(refusal?.status == 422, "\(body)")
            #expect(refusal?.errors.map(\.field) == [field], "\(body)")
        }
        // An optional field the worker would ignore is refused here, where the caller can still fix it.
        #expect(problem(#"{"features": [1, 2, 3], "submitted_at": "yesterday", "attempt": 0}"#)?.errors.map(\.field) == ["submitted_at", "attempt"])
        // Integer job IDs are the contract's: read as their digits.
        #expect(problem(#"{"job_id": 5, "features": [1, 2, 3]}"#) == nil)
        // A model without a width takes any count.
        #expect(problem(#"{"model": "free", "features": [1]}"#) == nil)
    }

    @Test func aBadIdempotencyKeyIs400NamingTheHeader() {
        for key in ["", "has space", String(repeating: "k", count: 256), "ünï"] {
            #expect(problem(#"{"features": [1, 2, 3]}"#, key: key)?.errors.map(\.field) == ["Idempotency-Key"], "\(key)")
        }
    }

    @Test func theShapeScanFindsDepthAndTopLevelKeys() {
        let shape = JSONShape(scanning: Array(#"{"a": {"b": [1, {"c": "x,\"y"}]}, "d": "{"}"#.utf8), maxDepth: 10)
        #expect(shape.depth == 4)
        #expect(shape.topLevelKeys == ["a", "d"])
        #expect(JSONShape(scanning: Array("[[[[[[".utf8), maxDepth: 3).depth == 4)
    }

    @Test func aBodyWithoutJobIDTakesTheCandidateAndOneWithNullIsRefused() throws {
        let made = try Submission(
            body: Array(#"{"features": [1, 2, 3]}"#.utf8), idempotencyKeyHeader: nil, candidateJobID: "candidate",
            now: Date(), maxDepth: 32, rules: .unchecked
        )
        #expect(made.job.jobID == "candidate")
        #expect(made.key == nil)
        #expect(throws: Problem.self) {
            try Submission(
                body: Array(#"{"job_id": null, "features": [1, 2, 3]}"#.utf8), idempotencyKeyHeader: nil,
                candidateJobID: "candidate", now: Date(), maxDepth: 32, rules: .unchecked
            )
        }
    }

    @Test func mediaTypesThatNameJSON() {
        for named in ["application/json", "Application/JSON; charset=utf-8", " application/json ;x=y", "application/problem+json", "application/vnd.kinfer+JSON"] {
            #expect(MediaTypeCheck.isJSON(named), "\(named)")
        }
        for other in [nil, "", "text/plain", "application/jsonx", "application/xjson", "text/json", "application/json-seq", "json"] as [String?] {
            #expect(!MediaTypeCheck.isJSON(other), "\(other ?? "nil")")
        }
    }

    @Test func locationsEncodeOnlyWhatAPathSegmentCannotHold() {
        #expect(Acceptance.pathSegment("019ad1b2-3c4d-7e5f-8a6b_x.y~z") == "019ad1b2-3c4d-7e5f-8a6b_x.y~z")
        #expect(Acceptance.pathSegment("a/b?c#d e") == "a%2Fb%3Fc%23d%20e")
    }

    /// The notifier's guard, first step, at submit: what it would refuse whatever DNS says is 422 naming
    /// `callback_url`; a name is left for the notifier to resolve. Decided on the text alone: nothing is resolved
    /// or connected to.
    @Test(arguments: [
        ("http://hooks.example.com/cb", "scheme"),
        ("ftp://hooks.example.com/cb", "scheme"),
        ("https://hooks.example.com:8443/cb", "port"),
        ("https://10.0.0.7/cb", "forbidden"),
        ("https://169.254.169.254/latest/meta-data", "forbidden"),
        ("https://127.0.0.1/cb", "forbidden"),
        ("https://[::1]/cb", "forbidden"),
        ("https://[::ffff:192.168.1.1]/cb", "forbidden"),
        ("https://user:secret@hooks.example.com/cb", "userinfo"),
        ("not a url", "URL"),
    ])
    func aCallbackURLTheNotifierWouldRefuseIs422(url: String, why: String) {
        let body = #"{"features": [1, 2, 3], "callback_url": "\#(url)"}"#
        let refused = problem(body, callbackGuard: CallbackGuard())
        #expect(refused?.status == 422, "\(url)")
        #expect(refused?.errors.map(\.field) == ["callback_url"], "\(url)")
        #expect(refused?.errors.first?.reason == "callback_refused")
        #expect(refused?.detail.contains(why) == true, "\(url): \(refused?.detail ?? "")")
    }

    @Test func aCallbackURLTheGuardAdmitsOrLeavesToResolutionIsAccepted() throws {
        for url in ["https://hooks.example.com/cb", "https://93.184.216.34/cb", "https://[2606:4700::1111]/cb"] {
            let accepted = try submission(#"{"features": [1, 2, 3], "callback_url": "\#(url)"}"#, callbackGuard: CallbackGuard())
            #expect(accepted.job.callbackURL == url)
        }
        // Configured like a notifier with --callback-allow-cidr 10.0.0.0/8 --callback-allow-port 8443.
        let internalReceivers = CallbackGuard(allowedPorts: [8443], allowedRanges: [try CIDR("10.0.0.0/8")])
        #expect(try submission(#"{"features": [1, 2, 3], "callback_url": "https://10.0.0.7:8443/cb"}"#, callbackGuard: internalReceivers).job.callbackURL != nil)
    }
}
