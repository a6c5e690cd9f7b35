import Foundation

/// The gateway's routes, matched by hand rather than by Hummingbird's router so that a known path with the wrong
/// method is a `405` with `Allow` (the router answers `404`) and every refusal is a problem body.
///
/// A pure value: `GatewayRoute.match(method:path:)` is tested without a server. `template` is the metrics label
/// (bounded: never a job ID).
enum GatewayRoute: Sendable, Hashable {
    case submitJob
    case jobStatus(jobID: String)
    case jobEvents(jobID: String)
    case predict
    case chatCompletions
    case openAPI
    case methodNotAllowed(template: String, allow: [String])
    case notFound

    /// The route template, as metrics label it.
    var template: String {
        switch self {
        case .submitJob: "/v1/jobs"
        case .jobStatus: "/v1/jobs/{id}"
        case .jobEvents: "/v1/jobs/{id}/events"
        case .predict: "/v1/predict"
        case .chatCompletions: "/v1/chat/completions"
        case .openAPI: "/openapi.json"
        case .methodNotAllowed(let template, _): template
        case .notFound: "unmatched"
        }
    }

    /// Whether the route needs an API key; the OpenAPI document is public.
    var requiresKey: Bool {
        switch self {
        case .submitJob, .jobStatus, .jobEvents, .predict, .chatCompletions: true
        case .openAPI, .methodNotAllowed, .notFound: false
        }
    }

    /// Whether refusals carry OpenAI's `error` object too: the OpenAI-compatible route, whose clients are OpenAI SDKs.
    var speaksOpenAI: Bool { self.template == "/v1/chat/completions" }

    /// The route for a request. `path` is the URI's path, without the query; a trailing slash is ignored.
    static func match(method: String, path: String) -> GatewayRoute {
        var segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        if segments.last == "" { segments = segments.dropLast() }
        let isGet = method == "GET"
        switch Array(segments) {
        case ["v1", "jobs"]:
            return method == "POST" ? .submitJob : .methodNotAllowed(template: "/v1/jobs", allow: ["POST"])
        case let parts where parts.count == 3 && parts[0] == "v1" && parts[1] == "jobs" && !parts[2].isEmpty:
            guard isGet else { return .methodNotAllowed(template: "/v1/jobs/{id}", allow: ["GET"]) }
            return .jobStatus(jobID: String(parts[2]).removingPercentEncoding ?? String(parts[2]))
        case let parts where parts.count == 4 && parts[0] == "v1" && parts[1] == "jobs" && !parts[2].isEmpty && parts[3] == "events":
            guard isGet else { return .methodNotAllowed(template: "/v1/jobs/{id}/events", allow: ["GET"]) }
            return .jobEvents(jobID: String(parts[2]).removingPercentEncoding ?? String(parts[2]))
        case ["v1", "predict"]:
            return method == "POST" ? .predict : .methodNotAllowed(template: "/v1/predict", allow: ["POST"])
        case ["v1", "chat", "completions"]:
            return method == "POST" ? .chatCompletions : .methodNotAllowed(template: "/v1/chat/completions", allow: ["POST"])
        case ["openapi.json"]:
            return isGet ? .openAPI : .methodNotAllowed(template: "/openapi.json", allow: ["GET"])
        default:
            return .notFound
        }
    }
}
