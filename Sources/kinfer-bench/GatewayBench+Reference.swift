import AsyncHTTPClient
import Foundation
import KinferTestSupport
import NIOCore

/// The reference of the gateway case: the design the project answers, FastAPI on uvicorn in front of Redis
/// (`scripts/bench/gateway_reference.py`), started by the bench on loopback ports of its own and always stopped.
///
/// One uvicorn worker process (`--workers 1`): on 2 cores shared with Redis and the load generator, a second Python
/// process would only contend for the same cores, and one worker per core with Redis beside it is how such a service
/// is usually sized. uvloop and httptools (uvicorn's "standard" extras) and no access log, as it would be deployed
/// for throughput.
final class ReferenceServer: Sendable {
    let redis: ChildProcess
    let uvicorn: ChildProcess
    /// `http://127.0.0.1:<port>`.
    let baseURL: String

    private init(redis: ChildProcess, uvicorn: ChildProcess, baseURL: String) {
        self.redis = redis
        self.uvicorn = uvicorn
        self.baseURL = baseURL
    }

    /// The Python modules the reference imports.
    static let modules = ["fastapi", "uvicorn", "uvloop", "httptools", "redis", "hiredis", "orjson"]

    /// Why the reference cannot run here, with the command that fixes it; `nil` when it can.
    static func unavailable(python: String) async -> String? {
        guard FileManager.default.fileExists(atPath: script.path) else {
            return "no \(script.path) (the bench runs from a checkout)"
        }
        guard ChildProcess.findExecutable("redis-server") != nil else {
            return "no redis-server: run scripts/bench/setup-gateway (or apt-get install redis-server)"
        }
        let check = try? await ChildProcess.run(python, ["-c", "import " + modules.joined(separator: ", ")], timeout: .seconds(60))
        guard let check, check.succeeded else {
            return "\(python) cannot import \(modules.joined(separator: ", ")): run scripts/bench/setup-gateway "
                + "(or: .venv/bin/pip install fastapi uvicorn uvloop httptools 'redis[hiredis]' orjson), or pass --python"
        }
        return nil
    }

    static var script: URL { WorkerBench.repository.appendingPathComponent("scripts/bench/gateway_reference.py") }

    /// Starts `redis-server` (no persistence: no RDB snapshots, no AOF, its working directory in `scratch`, no
    /// configuration file) and uvicorn, and returns once a real submission was answered `202`. Stops whatever it
    /// started if any step fails.
    static func start(python: String, scratch: URL, probeBody: String) async throws -> ReferenceServer {
        let directory = scratch.appendingPathComponent("redis")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let redisPort = try freeLoopbackPort()
        let redis = try ChildProcess.launch("redis-server", [
            "--bind", "127.0.0.1", "--port", "\(redisPort)", "--save", "", "--appendonly", "no",
            "--dir", directory.path, "--logfile", "", "--daemonize", "no",
        ])
        do {
            try await redis.waitForOutput(containing: "Ready to accept connections", timeout: .seconds(20))
        } catch {
            await redis.stop()
            throw BenchFailure("redis-server did not start: \(error)")
        }
        let port = try freeLoopbackPort()
        let uvicorn: ChildProcess
        do {
            uvicorn = try ChildProcess.launch(
                python,
                [
                    "-m", "uvicorn", "--app-dir", script.deletingLastPathComponent().path, "gateway_reference:app",
                    "--host", "127.0.0.1", "--port", "\(port)", "--workers", "1", "--loop", "uvloop", "--http", "httptools",
                    "--no-access-log", "--log-level", "info",
                ],
                environment: ["KINFER_BENCH_REDIS_URL": "redis://127.0.0.1:\(redisPort)/0"]
            )
        } catch {
            await redis.stop()
            throw error
        }
        let server = ReferenceServer(redis: redis, uvicorn: uvicorn, baseURL: "http://127.0.0.1:\(port)")
        do {
            try await uvicorn.waitForOutput(containing: "Application startup complete", timeout: .seconds(60))
            try await server.probe(body: probeBody)
        } catch {
            await server.stop()
            throw BenchFailure("the FastAPI reference did not start: \(error)")
        }
        return server
    }

    /// One submission through the whole reference (uvicorn, FastAPI, Redis), retried until it is answered `202` or
    /// 20 s pass.
    private func probe(body: String) async throws {
        var last = "no answer"
        try await waitUntil("the FastAPI reference to answer 202 (last: \(last))", timeout: .seconds(20), interval: .milliseconds(50)) {
            var request = HTTPClientRequest(url: baseURL + "/v1/jobs")
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
                let text = String(buffer: try await response.body.collect(upTo: 1 << 16))
                last = "\(response.status.code) \(text)"
                return response.status.code == 202
            } catch {
                last = "\(error)"
                return false
            }
        }
    }

    /// CPU seconds used so far by uvicorn and Redis together.
    var cpuSeconds: Double {
        (ProcessCPU.seconds(ofProcess: uvicorn.processIdentifier) ?? 0) + (ProcessCPU.seconds(ofProcess: redis.processIdentifier) ?? 0)
    }

    /// Stops uvicorn, then Redis (`SIGTERM`, `SIGKILL` after 5 s).
    func stop() async {
        await uvicorn.stop()
        await redis.stop()
    }
}
