#include "CKafkaBaselines.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { batch_capacity = 1024, max_partitions = 4096 };

int64_t kinfer_baseline_consume(const char *bootstrap, const char *topic, const char *group, int64_t count,
                                const char **properties, size_t property_count, int timeout_ms, int read_headers,
                                kinfer_baseline_timing *timing,
                                char *error, size_t error_size) {
    rd_kafka_conf_t *conf = kinfer_baseline_conf(bootstrap, properties, property_count, error, error_size);
    if (!conf) return -1;
    if (rd_kafka_conf_set(conf, "group.id", group, error, error_size) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, error_size);
    if (!rk) return -1;
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);

    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(error, error_size, "subscribe: %s", rd_kafka_err2str(err));
        rd_kafka_queue_destroy(queue);
        rd_kafka_destroy(rk);
        return -1;
    }

    // The next offset expected per partition: every partition is read from its beginning, in order.
    int64_t *expected = calloc(max_partitions, sizeof *expected);
    rd_kafka_message_t **batch = malloc(batch_capacity * sizeof *batch);
    int64_t consumed = 0, anomalies = 0, first = 0, last = 0;
    int64_t idle_since = kinfer_now_ns();
    int timed_out = 0;
    while (consumed < count) {
        ssize_t received = rd_kafka_consume_batch_queue(queue, 100, batch, batch_capacity);
        if (received <= 0) {
            if (kinfer_now_ns() - idle_since > (int64_t)timeout_ms * 1000000LL) {
                timed_out = 1;
                break;
            }
            continue;
        }
        if (first == 0) first = kinfer_now_ns();
        for (ssize_t i = 0; i < received; i++) {
            rd_kafka_message_t *message = batch[i];
            if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                if (message->partition < 0 || message->partition >= max_partitions ||
                    message->offset != expected[message->partition]) {
                    anomalies++;
                }
                if (message->partition >= 0 && message->partition < max_partitions) {
                    expected[message->partition] = message->offset + 1;
                }
                if (read_headers) {
                    rd_kafka_headers_t *headers = NULL;
                    rd_kafka_message_headers(message, &headers);
                    rd_kafka_message_timestamp(message, NULL);
                }
                consumed++;
            } else if (message->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                anomalies++;
            }
            rd_kafka_message_destroy(message);
        }
        last = kinfer_now_ns();
        idle_since = last;
    }
    free(batch);
    free(expected);
    if (timing) {
        timing->start_ns = first;
        timing->first_message_ns = first;
        timing->end_ns = last;
        timing->anomalies = anomalies;
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_queue_destroy(queue);
    rd_kafka_destroy(rk);
    if (timed_out) {
        snprintf(error, error_size, "no message for %d ms after %lld of %lld", timeout_ms, (long long)consumed, (long long)count);
        return -1;
    }
    return consumed;
}
