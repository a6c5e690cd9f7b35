#include "CKafkaBaselines.h"
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { batch_capacity = 1024, commit_interval_ns = 100 * 1000000 };

typedef struct {
    rd_kafka_topic_t *jobs;  // the consumer's handle on the jobs topic, for rd_kafka_offset_store
    int64_t delivered;
    int64_t failed;
    int64_t last_delivery_ns;
} worker_state;

// Each result's opaque is its job's partition and offset, packed: no allocation per job.
static inline void *pack(int32_t partition, int64_t offset) {
    return (void *)(uintptr_t)(((uint64_t)(uint32_t)partition << 48) | ((uint64_t)offset & 0xFFFFFFFFFFFFULL));
}

static void result_delivered(rd_kafka_t *rk, const rd_kafka_message_t *message, void *opaque) {
    (void)rk;
    worker_state *state = opaque;
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        state->failed++;  // not stored: the job is read again by the group's next owner
        return;
    }
    uint64_t packed = (uint64_t)(uintptr_t)message->_private;
    int32_t partition = (int32_t)(packed >> 48);
    int64_t offset = (int64_t)(packed & 0xFFFFFFFFFFFFULL);
    rd_kafka_offset_store(state->jobs, partition, offset);  // stores offset + 1, the next to read
    state->delivered++;
    state->last_delivery_ns = kinfer_now_ns();
}

int64_t kinfer_baseline_worker(const char *bootstrap, const char *jobs_topic, const char *results_topic,
                               const char *group, int64_t count, size_t result_size,
                               const char **consumer_properties, size_t consumer_property_count,
                               const char **producer_properties, size_t producer_property_count,
                               int timeout_ms, kinfer_baseline_timing *timing,
                               char *error, size_t error_size) {
    worker_state state = {NULL, 0, 0, 0};

    rd_kafka_conf_t *pconf = kinfer_baseline_conf(bootstrap, producer_properties, producer_property_count, error, error_size);
    if (!pconf) return -1;
    rd_kafka_conf_set_opaque(pconf, &state);
    rd_kafka_conf_set_dr_msg_cb(pconf, result_delivered);
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, error, error_size);
    if (!producer) return -1;

    rd_kafka_conf_t *cconf = kinfer_baseline_conf(bootstrap, consumer_properties, consumer_property_count, error, error_size);
    if (!cconf ||
        rd_kafka_conf_set(cconf, "group.id", group, error, error_size) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(cconf, "enable.auto.offset.store", "false", error, error_size) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(cconf, "enable.auto.commit", "false", error, error_size) != RD_KAFKA_CONF_OK) {
        if (cconf) rd_kafka_conf_destroy(cconf);
        rd_kafka_destroy(producer);
        return -1;
    }
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, error, error_size);
    if (!consumer) {
        rd_kafka_destroy(producer);
        return -1;
    }
    rd_kafka_poll_set_consumer(consumer);
    rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(consumer);
    state.jobs = rd_kafka_topic_new(consumer, jobs_topic, NULL);
    rd_kafka_topic_t *results = rd_kafka_topic_new(producer, results_topic, NULL);

    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, jobs_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);

    char *payload = malloc(result_size ? result_size : 1);
    memset(payload, 'r', result_size);
    rd_kafka_message_t **batch = malloc(batch_capacity * sizeof *batch);
    int64_t first = 0, taken = 0;
    int64_t last_commit = kinfer_now_ns(), idle_since = last_commit;
    int failed = 0;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(error, error_size, "subscribe: %s", rd_kafka_err2str(err));
        failed = 1;
    }
    while (!failed && state.delivered < count) {
        // While results are in flight and no job is waiting, wait on the producer rather than the consumer.
        int in_flight = taken > state.delivered + state.failed;
        ssize_t received = rd_kafka_consume_batch_queue(queue, in_flight ? 0 : 10, batch, batch_capacity);
        if (received > 0 && first == 0) first = kinfer_now_ns();
        for (ssize_t i = 0; i < received; i++) {
            rd_kafka_message_t *job = batch[i];
            if (job->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                rd_kafka_message_destroy(job);
                continue;
            }
            void *opaque = pack(job->partition, job->offset);
            while (rd_kafka_produce(results, job->partition, RD_KAFKA_MSG_F_COPY, payload, result_size,
                                    job->key, job->key_len, opaque) == -1) {
                if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                    snprintf(error, error_size, "produce: %s", rd_kafka_err2str(rd_kafka_last_error()));
                    failed = 1;
                    break;
                }
                rd_kafka_poll(producer, 10);
            }
            if (!failed) taken++;
            rd_kafka_message_destroy(job);
        }
        rd_kafka_poll(producer, received > 0 ? 0 : (in_flight ? 1 : 0));
        int64_t now = kinfer_now_ns();
        if (now - last_commit >= commit_interval_ns) {
            rd_kafka_commit(consumer, NULL, 1);  // asynchronous; "no offset" is fine
            last_commit = now;
        }
        if (received > 0 || in_flight) {
            idle_since = now;
        } else if (now - idle_since > (int64_t)timeout_ms * 1000000LL) {
            snprintf(error, error_size, "no job for %d ms after %lld of %lld results", timeout_ms,
                     (long long)state.delivered, (long long)count);
            failed = 1;
        }
    }
    if (timing) {
        timing->start_ns = first;
        timing->first_message_ns = first;
        timing->end_ns = state.last_delivery_ns;
        timing->anomalies = state.failed;
    }
    rd_kafka_flush(producer, 10000);
    rd_kafka_commit(consumer, NULL, 0);
    free(batch);
    free(payload);
    rd_kafka_consumer_close(consumer);
    rd_kafka_topic_destroy(state.jobs);
    rd_kafka_queue_destroy(queue);
    rd_kafka_destroy(consumer);
    rd_kafka_topic_destroy(results);
    rd_kafka_destroy(producer);
    return failed ? -1 : state.delivered;
}
