import Foundation
import Gateway
import InferenceModels
import KinferTestSupport
import Testing

/// `POST /v1/chat/completions` through OpenAI's own Python client (PyPI `openai`, in the `.venv` scripts/test makes),
/// against a worker running the simulated generator: what an application written for OpenAI sees.
@Suite("OpenAI's Python client")
struct OpenAIClientTests {
    static let script = """
        import json, sys
        import openai
        base_url, key = sys.argv[1], sys.argv[2]
        client = openai.OpenAI(base_url=base_url + "/v1", api_key=key, max_retries=0, timeout=20)
        messages = [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "How do tokens reach me?"}]
        parts, ids, finish, roles = [], set(), None, []
        for chunk in client.chat.completions.create(model="generator", messages=messages, stream=True, max_tokens=12, temperature=0.3):
            ids.add(chunk.id)
            choice = chunk.choices[0]
            if choice.delta.role: roles.append(choice.delta.role)
            if choice.delta.content: parts.append(choice.delta.content)
            if choice.finish_reason: finish = choice.finish_reason
        whole = client.chat.completions.create(model="generator", messages=messages, max_tokens=12)
        try:
            client.chat.completions.create(model="digits", messages=messages)
            refusal = None
        except openai.APIStatusError as error:
            refusal = {"status": error.status_code, "message": error.message, "param": (error.body or {}).get("param")}
        keyed = [client.chat.completions.create(model="generator", messages=messages, max_tokens=5,
                                                extra_headers={"Idempotency-Key": "chat-key-1"}) for _ in range(2)]
        try:
            client.chat.completions.create(model="generator", messages=messages, max_tokens=6, extra_headers={"Idempotency-Key": "chat-key-1"})
            reused = None
        except openai.APIStatusError as error:
            reused = error.status_code
        failures = []
        for stream in (False, True):
            try:
                answer = client.chat.completions.create(model="simulated", messages=messages, stream=stream)
                if stream:
                    for _ in answer: pass
                failures.append(None)
            except openai.APIError as error:
                failures.append({"status": getattr(error, "status_code", None), "message": error.message})
        print(json.dumps({
            "failures": failures, "keyed": [answer.id for answer in keyed], "reused": reused,
            "ids": sorted(ids), "parts": parts, "finish": finish, "roles": roles,
            "whole": {"id": whole.id, "content": whole.choices[0].message.content, "finish": whole.choices[0].finish_reason,
                      "completion_tokens": whole.usage.completion_tokens},
            "refusal": refusal,
        }))
        """

    @Test("A streamed chat completion reads the result's text a token at a time; its events resume after a token; the plain completion is the same text, once per Idempotency-Key; a classifier model is refused with the field named, and a job without text is an error the SDK raises")
    func streamsThroughTheOpenAIClient() async throws {
        let python = ProcessInfo.processInfo.environment["KINFER_PYTHON"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../.venv/bin/python").standardized.path
        try #require(FileManager.default.isExecutableFile(atPath: python), "no Python at \(python): run scripts/test, which installs openai into .venv")
        let generator = SimulatedGenerator(configuration: .init(tokenInterval: .milliseconds(5), tokenCount: 20))
        try await withGateway(models: ModelRules(inputWidths: ["generator": nil, "simulated": nil, "digits": 64], defaultModel: "digits")) { gateway in
            // `simulated` is a classifier of any width: the gateway cannot tell it from a generator, and its job
            // ends without text.
            try await gateway.withWorkerAndSink(models: ModelCatalog([generator, SimulatedModel()])) {
                let run = try await ChildProcess.run(
                    python, ["-c", Self.script, gateway.baseURL, testAPIKey],
                    // Loopback only, whatever proxy the environment names.
                    environment: ["NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", "HTTP_PROXY": "", "HTTPS_PROXY": "", "ALL_PROXY": ""],
                    timeout: .seconds(60)
                )
                _ = try run.requireSuccess()
                let output = try #require(
                    try JSONSerialization.jsonObject(with: Data(run.standardOutputText.utf8)) as? [String: Any], "\(run.standardOutputText)"
                )
                let ids = try #require(output["ids"] as? [String])
                #expect(ids.count == 1)
                let jobID = String(try #require(ids.first).dropFirst("chatcmpl-".count))
                let result = try await gateway.send(.GET, "/v1/jobs/\(jobID)")
                let text = try #require((result.object?["output"] as? [String: Any])?["text"] as? String, "\(result.text)")
                let parts = try #require(output["parts"] as? [String])
                #expect(parts.joined() == text)
                #expect(parts.count == 12, "a delta per token, as the worker streamed them: \(parts)")
                #expect(!text.isEmpty)
                // The same job's events, resumed after its sixth token: the worker's own records, from the cache.
                let resumed = try await gateway.followEvents(jobID, lastEventID: "5", timeout: .seconds(10))
                #expect(resumed.events.compactMap { $0.object?["index"] as? Int } == Array(6..<12))
                #expect(parts[6...].joined() == resumed.events.compactMap { $0.object?["token"] as? String }.joined())
                #expect(resumed.events.last?.name == "result")
                #expect(output["finish"] as? String == "length")
                #expect(output["roles"] as? [String] == ["assistant"])
                let whole = try #require(output["whole"] as? [String: Any])
                #expect(whole["content"] as? String == text, "the same conversation gives the same text")
                #expect(whole["finish"] as? String == "length" && whole["completion_tokens"] as? Int == 12)
                let refusal = try #require(output["refusal"] as? [String: Any])
                #expect(refusal["status"] as? Int == 422)
                #expect(refusal["param"] as? String == "model")
                #expect((refusal["message"] as? String)?.contains("does not generate text") == true, "\(refusal)")
                // Idempotency-Key as on every route: a retry answers the same job; another body with the key is refused.
                let keyed = try #require(output["keyed"] as? [String])
                #expect(keyed.count == 2 && keyed[0] == keyed[1], "\(keyed)")
                #expect(output["reused"] as? Int == 422)
                // A job that ends without text: 502 for the plain call, an error event in the stream; the SDK raises both.
                let failures = try #require(output["failures"] as? [[String: Any]], "\(output)")
                #expect(failures.count == 2)
                #expect(failures.first?["status"] as? Int == 502)
                for failure in failures {
                    #expect((failure["message"] as? String)?.contains("answered without text") == true, "\(failure)")
                }
            }
        }
    }
}
