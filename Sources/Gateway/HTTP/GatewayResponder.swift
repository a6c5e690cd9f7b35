import Foundation
import Hummingbird
import InferenceJobs
import JobClient
import Logging
import NIOCore
import ResultStore

/// Answers every API request: routes it (``GatewayRoute``), checks the key, and runs the route's handler. Whatever
/// goes wrong becomes a problem body; nothing reaches Hummingbird as an error, so no request is answered `500`.
struct GatewayResponder: HTTPResponder {
    typealias Context = GatewayRequestContext

    let configuration: GatewayConfiguration
    let store: any JobAdmissionStore
    let producer: JobProducer
    /// This instance's requests waiting for results, fed by its ``ResultsFollower``.
    let waiters: ResultWaiters
    /// The recent streams of the stream topic, fed by its ``StreamFollower``.
    let streams: StreamRegistry
    /// The workers' lag and the recorder's progress, read in the background; `nil` when neither group is configured.
    let jobsTopic: JobsTopicWatch?
    /// Results per second, as the follower sees them.
    let completions: CompletionRate
    let openAPIDocument: [UInt8]
    let logger: Logger
    let metrics: GatewayMetrics

    /// `HTTPField.Name`, reached through the `HTTPFields` Hummingbird exports.
    static let idempotencyKeyField = HTTPFields.Element.Name("Idempotency-Key")!

    func respond(to request: Request, context: Context) async throws -> Response {
        let route = GatewayRoute.match(method: request.method.rawValue, path: request.uri.path)
        let response: Response
        do throws(Problem) {
            response = try await self.respond(to: request, route: route, channel: context.channel)
        } catch {
            var problem = error
            problem.speaksOpenAI = route.speaksOpenAI
            response = .problem(problem)
        }
        self.metrics.requestFinished(route: route, status: response.status.code)
        return response
    }

    private func respond(to request: Request, route: GatewayRoute, channel: any Channel) async throws(Problem) -> Response {
        if route.requiresKey, let keys = self.configuration.authentication.keys,
            !keys.authorizes(request.headers[.authorization])
        {
            throw request.headers[.authorization] == nil
                ? Problem.unauthorized("send 'Authorization: Bearer <API key>'")
                : Problem.unauthorized("the API key is not valid")
        }
        switch route {
        case .submitJob:
            return try await self.submit(request)
        case .jobStatus(let jobID):
            return try await self.status(of: jobID)
        case .jobEvents(let jobID):
            return try await self.events(of: jobID, request: request, channel: channel)
        case .predict:
            return try await self.predict(request, channel: channel)
        case .chatCompletions:
            return try await self.chatCompletion(request, channel: channel)
        case .openAPI:
            return .json(.ok, self.openAPIDocument)
        case .methodNotAllowed(_, let allow):
            throw Problem.methodNotAllowed(request.method.rawValue, allow: allow)
        case .notFound:
            throw Problem.notFound(path: request.uri.path)
        }
    }

    /// A `503` for a store that failed, logged with what it was doing.
    func storeUnavailable(_ error: any Error, during operation: String) -> Problem {
        self.logger.warning("the results store failed", metadata: ["operation": "\(operation)", "error": "\(error)"])
        return Problem.unavailable("the results store is unavailable", retryAfter: self.configuration.options.retryAfterSeconds)
    }

    /// Back-pressure, from the cached lag and the measured rate: no broker call on the request path.
    func admission() -> Admission {
        let options = self.configuration.options
        return Admission.decide(
            lag: self.jobsTopic?.lag,
            completionsPerSecond: self.completions.perSecond,
            limits: Admission.Limits(
                maxBacklog: options.maxBacklog, maxWaitSeconds: options.maxWaitSeconds,
                fallbackRetryAfterSeconds: options.retryAfterSeconds
            )
        )
    }

    /// A `503` for `/v1/predict` and `/events` while the follower is not reading the results topic (the brokers
    /// were unreachable when the gateway started, or the follower failed); it keeps trying.
    func notFollowing() -> Problem {
        Problem.unavailable(
            "this instance is not following the results topic yet; retry, or submit with POST /v1/jobs and poll",
            retryAfter: self.configuration.options.retryAfterSeconds
        )
    }
}
