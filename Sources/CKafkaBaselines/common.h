#ifndef KINFER_CKAFKABASELINES_COMMON_H
#define KINFER_CKAFKABASELINES_COMMON_H

// Helpers shared by the baseline loops (not part of the public header).

#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <time.h>

static inline int64_t kinfer_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/// A configuration with `bootstrap.servers` and the given alternating names and values, or NULL with `error` filled.
rd_kafka_conf_t *kinfer_baseline_conf(const char *bootstrap, const char **properties, size_t property_count,
                                      char *error, size_t error_size);

#endif
