#ifndef KINFER_CKAFKABASELINES_H
#define KINFER_CKAFKABASELINES_H

#include <stddef.h>
#include <stdint.h>

/// Minimal C loops over librdkafka: the limits kinfer-bench measures the Swift client against.
/// Each returns the number of messages handled, or -1 with `error` filled.

/// Produces `count` messages of `size` bytes to `topic` with the given extra `name=value` properties
/// (`properties` is an array of `property_count` alternating names and values), then flushes.
int64_t kinfer_baseline_produce(const char *bootstrap, const char *topic, int64_t count, size_t size,
                                const char **properties, size_t property_count,
                                char *error, size_t error_size);

/// Consumes `count` messages from `topic` in consumer group `group` with `rd_kafka_consume_batch_queue`.
int64_t kinfer_baseline_consume(const char *bootstrap, const char *topic, const char *group, int64_t count,
                                char *error, size_t error_size);

/// The minimal worker: consumes jobs, produces a fixed result to `results_topic` for each, stores each
/// job's offset once its result's delivery report arrives, and commits every 100 ms.
int64_t kinfer_baseline_worker(const char *bootstrap, const char *jobs_topic, const char *results_topic,
                               const char *group, int64_t count, char *error, size_t error_size);

#endif
