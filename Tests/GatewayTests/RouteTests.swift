@testable import Gateway
import Testing

/// Routing as a pure value: every path and method, no server.
@Suite("Routes")
struct RouteTests {
    @Test func knownRoutesMatch() {
        #expect(GatewayRoute.match(method: "POST", path: "/v1/jobs") == .submitJob)
        #expect(GatewayRoute.match(method: "POST", path: "/v1/jobs/") == .submitJob)
        #expect(GatewayRoute.match(method: "GET", path: "/v1/jobs/abc") == .jobStatus(jobID: "abc"))
        #expect(GatewayRoute.match(method: "GET", path: "/v1/jobs/a%20b") == .jobStatus(jobID: "a b"))
        #expect(GatewayRoute.match(method: "GET", path: "/openapi.json") == .openAPI)
        #expect(GatewayRoute.match(method: "POST", path: "/v1/predict") == .predict)
        #expect(GatewayRoute.match(method: "GET", path: "/v1/jobs/abc/events") == .jobEvents(jobID: "abc"))
        #expect(GatewayRoute.match(method: "GET", path: "/v1/jobs/a%20b/events/") == .jobEvents(jobID: "a b"))
        #expect(GatewayRoute.match(method: "POST", path: "/v1/chat/completions") == .chatCompletions)
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() {
        #expect(GatewayRoute.match(method: "GET", path: "/v1/jobs") == .methodNotAllowed(template: "/v1/jobs", allow: ["POST"]))
        #expect(GatewayRoute.match(method: "DELETE", path: "/v1/jobs/x") == .methodNotAllowed(template: "/v1/jobs/{id}", allow: ["GET"]))
        #expect(GatewayRoute.match(method: "POST", path: "/openapi.json") == .methodNotAllowed(template: "/openapi.json", allow: ["GET"]))
        #expect(GatewayRoute.match(method: "GET", path: "/v1/predict") == .methodNotAllowed(template: "/v1/predict", allow: ["POST"]))
        #expect(GatewayRoute.match(method: "POST", path: "/v1/jobs/x/events") == .methodNotAllowed(template: "/v1/jobs/{id}/events", allow: ["GET"]))
        let chat = GatewayRoute.match(method: "GET", path: "/v1/chat/completions")
        #expect(chat == .methodNotAllowed(template: "/v1/chat/completions", allow: ["POST"]))
        #expect(chat.speaksOpenAI && !GatewayRoute.predict.speaksOpenAI)
    }

    @Test func anythingElseIsNotFound() {
        for path in ["/", "/v1", "/v2/jobs", "/v1/jobs/a/b", "/v1/jobs//", "/openapi.yaml", "/v1/jobs//events", "/v1/jobs/a/events/x", "/v1/predict/x"] {
            #expect(GatewayRoute.match(method: "GET", path: path) == .notFound, "\(path)")
        }
    }

    @Test func metricsLabelsAreTemplatesNeverIDs() {
        #expect(GatewayRoute.match(method: "GET", path: "/v1/jobs/secret-id").template == "/v1/jobs/{id}")
        #expect(GatewayRoute.match(method: "GET", path: "/whatever/else").template == "unmatched")
        #expect(GatewayRoute.match(method: "GET", path: "/v1/jobs/secret-id/events").template == "/v1/jobs/{id}/events")
    }

    @Test func onlyTheAPIRoutesNeedAKey() {
        #expect(GatewayRoute.submitJob.requiresKey)
        #expect(GatewayRoute.jobStatus(jobID: "x").requiresKey)
        #expect(GatewayRoute.predict.requiresKey)
        #expect(GatewayRoute.jobEvents(jobID: "x").requiresKey)
        #expect(GatewayRoute.chatCompletions.requiresKey)
        #expect(!GatewayRoute.openAPI.requiresKey)
    }
}
