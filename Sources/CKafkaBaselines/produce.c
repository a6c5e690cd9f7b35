#include "CKafkaBaselines.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void count_delivery(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    int64_t *delivered = opaque;
    if (message->err == RD_KAFKA_RESP_ERR_NO_ERROR) (*delivered)++;
}

int64_t kinfer_baseline_produce(const char *bootstrap, const char *topic, int64_t count, size_t size,
                                const char **properties, size_t property_count,
                                char *error, size_t error_size) {
    int64_t delivered = 0;
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, error, error_size) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    for (size_t i = 0; i + 1 < property_count; i += 2) {
        if (rd_kafka_conf_set(conf, properties[i], properties[i + 1], error, error_size) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return -1;
        }
    }
    rd_kafka_conf_set_opaque(conf, &delivered);
    rd_kafka_conf_set_dr_msg_cb(conf, count_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, error_size);
    if (!rk) return -1;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    char *payload = malloc(size);
    memset(payload, 'x', size);
    char key[32];
    for (int64_t i = 0; i < count;) {
        int key_len = snprintf(key, sizeof key, "%lld", (long long)i);
        if (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, payload, size, key, (size_t)key_len, NULL) == -1) {
            if (rd_kafka_last_error() == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rk, 10);
                continue;
            }
            snprintf(error, error_size, "%s", rd_kafka_err2str(rd_kafka_last_error()));
            break;
        }
        rd_kafka_poll(rk, 0);
        i++;
    }
    rd_kafka_flush(rk, 60000);
    free(payload);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return delivered;
}
