/// How long a `POST /v1/predict` waits: a pure rule, tested without a server.
enum SyncWait {
    /// The configured sync timeout, or the job's own `timeout_ms` when it is smaller (a result after the job's
    /// timeout is an `expired` one, which the call would then wait for in vain).
    static func budget(configured: Duration, requestedMilliseconds: Int?) -> Duration {
        guard let requestedMilliseconds, requestedMilliseconds >= 0 else { return configured }
        return min(configured, .milliseconds(requestedMilliseconds))
    }
}
