import Metrics

/// The gateway's metrics, through swift-metrics (the process bootstraps Prometheus): requests by route template and
/// status, and jobs accepted. Labels are bounded: route templates, never a job ID.
struct GatewayMetrics: Sendable {
    let jobsAccepted = Counter(label: "kinfer_gateway_jobs_accepted_total")
    let replays = Counter(label: "kinfer_gateway_idempotent_replays_total")

    func requestFinished(route: GatewayRoute, status: Int) {
        Counter(label: "kinfer_gateway_requests_total", dimensions: [("route", route.template), ("status", "\(status)")])
            .increment()
    }
}
