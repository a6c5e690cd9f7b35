#ifndef KINFER_CKAFKABASELINES_H
#define KINFER_CKAFKABASELINES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Minimal C loops over librdkafka: the limits kinfer-bench measures the Swift client against.
/// Each returns the number of messages handled, or -1 with `error` filled.
///
/// `properties` is an array of `property_count` alternating names and values, applied after
/// `bootstrap.servers` (the bench passes exactly the properties its Swift subject uses).
/// `timing`, when not NULL, receives the measured interval on CLOCK_MONOTONIC.

typedef struct kinfer_baseline_timing {
    /// When the measured interval starts and ends, in nanoseconds of CLOCK_MONOTONIC.
    int64_t start_ns;
    int64_t end_ns;
    /// Consumers: when the first message arrived (for the produce loop, the first produce call).
    int64_t first_message_ns;
    /// Messages that arrived out of order or twice, or failed (consumers); failed deliveries (producers).
    int64_t anomalies;
} kinfer_baseline_timing;

/// Produces `count` messages of `size` bytes to `topic` (keys "0", "1", ...), then flushes.
/// Returns the number of successful delivery reports. Timed from the first produce call to the end of the flush.
int64_t kinfer_baseline_produce(const char *bootstrap, const char *topic, int64_t count, size_t size,
                                const char **properties, size_t property_count,
                                kinfer_baseline_timing *timing,
                                char *error, size_t error_size);

/// Consumes `count` messages from `topic` in consumer group `group` with `rd_kafka_consume_batch_queue`
/// on the consumer queue (`rd_kafka_poll_set_consumer`), checking that each partition's offsets arrive
/// contiguously. Timed from the first message to the `count`th, so the group join is excluded.
/// Gives up after `timeout_ms` without a message. With `read_headers`, each message's headers and timestamp are
/// also read (`rd_kafka_message_headers`, which parses and allocates even an empty list), as any consumer that
/// hands them to its application must.
int64_t kinfer_baseline_consume(const char *bootstrap, const char *topic, const char *group, int64_t count,
                                const char **properties, size_t property_count, int timeout_ms, int read_headers,
                                kinfer_baseline_timing *timing,
                                char *error, size_t error_size);

/// The minimal worker: consumes jobs, produces a fixed result (`result_size` bytes, keyed by the job's key)
/// to `results_topic` for each, to the job's partition number (so `results_topic` needs at least as many
/// partitions as `jobs_topic`: per job partition, results are then acknowledged in job order), stores each
/// job's offset once its result's delivery report arrives, and commits stored offsets every 100 ms.
/// No JSON. Runs until `count` results are delivered; timed from the first job to the `count`th delivery.
/// `consumer_properties` and `producer_properties` as above.
int64_t kinfer_baseline_worker(const char *bootstrap, const char *jobs_topic, const char *results_topic,
                               const char *group, int64_t count, size_t result_size,
                               const char **consumer_properties, size_t consumer_property_count,
                               const char **producer_properties, size_t producer_property_count,
                               int timeout_ms, kinfer_baseline_timing *timing,
                               char *error, size_t error_size);

/// The C worker loop above plus the job contract's work, in C++ against simdjson (`worker_json.cpp`): each job
/// parsed with simdjson's on-demand API (`job_id`, `model`, `inputs.features`, `submitted_at`, `attempt`), its
/// result written with a plain buffer writer in the contract's shape (top-level `label` and `confidence` included),
/// with the two result headers (`content-type`, `kinfer-schema-version`). Offsets are stored on delivery reports and
/// committed every 200 ms. A job that does not parse fails the run. `sample`, when not NULL, receives the last
/// result written, NUL-terminated and cut at `sample_size - 1` bytes. Otherwise as `kinfer_baseline_worker`.
int64_t kinfer_reference_worker_json(const char *bootstrap, const char *jobs_topic, const char *results_topic,
                                     const char *group, int64_t count,
                                     const char **consumer_properties, size_t consumer_property_count,
                                     const char **producer_properties, size_t producer_property_count,
                                     int timeout_ms, kinfer_baseline_timing *timing,
                                     char *sample, size_t sample_size,
                                     char *error, size_t error_size);

#ifdef __cplusplus
}
#endif

#endif
