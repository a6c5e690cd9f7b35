#include "CKafkaBaselines.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t delivered;
    int64_t failed;
} produce_state;

static void count_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    produce_state *state = opaque;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) state->delivered++;
    else state->failed++;
}

int64_t kinfer_baseline_produce(const char *bootstrap, const char *topic, int64_t count, size_t size,
                                const char **properties, size_t property_count,
                                kinfer_baseline_timing *timing,
                                char *error, size_t error_size) {
    produce_state state = {0, 0};
    rd_kafka_conf_t *conf = kinfer_baseline_conf(bootstrap, properties, property_count, error, error_size);
    if (!conf) return -1;
    rd_kafka_conf_set_opaque(conf, &state);
    rd_kafka_conf_set_dr_msg_cb(conf, count_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, error_size);
    if (!rk) return -1;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    char *payload = malloc(size ? size : 1);
    memset(payload, 'x', size);
    char key[32];
    int64_t start = kinfer_now_ns();
    int failed = 0;
    for (int64_t i = 0; i < count;) {
        int key_len = snprintf(key, sizeof key, "%lld", (long long)i);
        if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload, size, key, (size_t)key_len, NULL) == -1) {
            if (rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rk, 10);
                continue;
            }
            snprintf(error, error_size, "%s", rd_kafka_err2str(rd_kafka_last_error()));
            failed = 1;
            break;
        }
        rd_kafka_poll(rk, 0);
        i++;
    }
    rd_kafka_resp_err_t flushed = rd_kafka_flush(rk, 60000);
    int64_t end = kinfer_now_ns();
    if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR && !failed) {
        snprintf(error, error_size, "flush: %s", rd_kafka_err2str(flushed));
        failed = 1;
    }
    free(payload);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    if (timing) {
        timing->start_ns = start;
        timing->first_message_ns = start;
        timing->end_ns = end;
        timing->anomalies = state.failed;
    }
    return failed ? -1 : state.delivered;
}
