import Foundation
import Hummingbird
import InferenceJobs
import Logging
import ResultsSink

/// Answers every API request: routes it (``GatewayRoute``), checks the key, and runs the route's handler. Whatever
/// goes wrong becomes a problem body; nothing reaches Hummingbird as an error, so no request is answered `500`.
struct GatewayResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let configuration: GatewayConfiguration
    let store: any JobAdmissionStore
    let producer: JobProducer
    let openAPIDocument: [UInt8]
    let logger: Logger
    let metrics: GatewayMetrics

    /// `HTTPField.Name`, reached through the `HTTPFields` Hummingbird exports.
    static let idempotencyKeyField = HTTPFields.Element.Name("Idempotency-Key")!

    func respond(to request: Request, context: Context) async throws -> Response {
        let route = GatewayRoute.match(method: request.method.rawValue, path: request.uri.path)
        let response: Response
        do throws(Problem) {
            response = try await self.respond(to: request, route: route)
        } catch {
            response = .problem(error)
        }
        self.metrics.requestFinished(route: route, status: response.status.code)
        return response
    }

    private func respond(to request: Request, route: GatewayRoute) async throws(Problem) -> Response {
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
}
