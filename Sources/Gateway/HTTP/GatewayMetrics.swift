import Foundation
import Metrics

/// The gateway's metrics, through swift-metrics (the process bootstraps Prometheus): requests by route template and
/// status, jobs accepted, idempotent replays, waiting predict calls and open event streams, sync timeouts, requests
/// refused because a per-instance limit was full, the result-to-push latency, and the token streams (the cache's size,
/// tokens relayed, texts sent at once). Labels are bounded: route
/// templates, never a job ID.
struct GatewayMetrics: Sendable {
    let factory: any MetricsFactory
    let jobsAccepted: Counter
    let replays: Counter
    /// `POST /v1/predict` calls waiting for their result now.
    let waitingPredicts: Meter
    /// `GET /v1/jobs/{id}/events` streams open now.
    let openStreams: Meter
    /// `POST /v1/predict` calls answered `504`.
    let syncTimeouts: Counter
    /// From a result's record timestamp on the results topic to its waiter answering with it.
    let resultToPush: Timer
    /// Submissions answered `429` because the workers' backlog or the estimated wait was over its limit.
    let backPressureRejections: Counter
    /// The bytes and the streams the instance's stream cache holds, after each batch of the stream topic.
    let streamCacheBytes: Meter
    let streamCacheStreams: Meter
    /// Tokens handed to clients, on event streams and streamed chat completions.
    let tokensRelayed: Counter
    /// Live streams whose last tokens had not arrived by the catch-up deadline after the result, so that the rest of
    /// the text went out at once: a stream follower behind, or a catch-up too short.
    let streamTextFallbacks: Counter

    init(factory: any MetricsFactory) {
        self.factory = factory
        self.jobsAccepted = Counter(label: "kinfer_gateway_jobs_accepted_total", factory: factory)
        self.replays = Counter(label: "kinfer_gateway_idempotent_replays_total", factory: factory)
        self.waitingPredicts = Meter(label: "kinfer_gateway_waiting_predicts", factory: factory)
        self.openStreams = Meter(label: "kinfer_gateway_open_streams", factory: factory)
        self.syncTimeouts = Counter(label: "kinfer_gateway_sync_timeouts_total", factory: factory)
        self.backPressureRejections = Counter(label: "kinfer_gateway_backpressure_rejections_total", factory: factory)
        self.streamCacheBytes = Meter(label: "kinfer_gateway_stream_cache_bytes", factory: factory)
        self.streamCacheStreams = Meter(label: "kinfer_gateway_stream_cache_streams", factory: factory)
        self.tokensRelayed = Counter(label: "kinfer_gateway_stream_tokens_total", factory: factory)
        self.streamTextFallbacks = Counter(label: "kinfer_gateway_stream_text_fallbacks_total", factory: factory)
        self.resultToPush = Timer(label: "kinfer_gateway_result_push_seconds", preferredDisplayUnit: .seconds, factory: factory)
    }

    /// Counts one answered request. The factory caches the counter per label set (Prometheus does).
    func requestFinished(route: GatewayRoute, status: Int) {
        Counter(
            label: "kinfer_gateway_requests_total",
            dimensions: [("route", route.template), ("status", "\(status)")],
            factory: self.factory
        ).increment()
    }

    /// Counts a request refused because the instance's limit on waiting calls or streams was full.
    func limitReached(route: String) {
        Counter(label: "kinfer_gateway_limit_refusals_total", dimensions: [("route", route)], factory: self.factory).increment()
    }

    /// Records the time from a result's record timestamp to now, when it is handed to a client.
    func pushLatency(since produced: Date?) {
        guard let produced else { return }
        self.resultToPush.recordNanoseconds(Int64(max(0, Date().timeIntervalSince(produced)) * 1e9))
    }
}
