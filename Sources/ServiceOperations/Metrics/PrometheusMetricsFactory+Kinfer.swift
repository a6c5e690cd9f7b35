import Prometheus

extension PrometheusMetricsFactory {
    /// A factory for `registry` with histogram buckets fitted to each of kinfer's histograms: job ages from 10 ms to
    /// 10 minutes (the alert rules read the 1 s, 60 s, 120 s and 300 s buckets), model and database calls from
    /// half a millisecond to 10 seconds, batch sizes in powers of two.
    ///
    /// The `kinfer` command bootstraps `MetricsSystem` with this once per process; tests give each service a
    /// factory over a registry of their own instead, since bootstrapping can happen only once.
    public static func kinfer(registry: PrometheusCollectorRegistry) -> PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        let ages: [Duration] = [
            .milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10), .seconds(30), .seconds(60), .seconds(120),
            .seconds(300), .seconds(600),
        ]
        let calls: [Duration] = [
            .microseconds(500), .milliseconds(1), .microseconds(2_500), .milliseconds(5), .milliseconds(10),
            .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10),
        ]
        factory.defaultDurationHistogramBuckets = calls
        factory.durationHistogramBuckets = [
            "kinfer_job_age_seconds": ages,
            "kinfer_job_queue_wait_seconds": ages,
            "kinfer_model_batch_duration_seconds": calls,
            "kinfer_sink_write_duration_seconds": calls,
        ]
        factory.valueHistogramBuckets = ["kinfer_model_batch_size": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1_024]]
        return factory
    }
}
