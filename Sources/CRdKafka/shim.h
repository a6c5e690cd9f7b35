#ifndef KINFER_CRDKAFKA_SHIM_H
#define KINFER_CRDKAFKA_SHIM_H

// The only C that kinfer writes against librdkafka's API: Swift cannot call
// variadic C functions, so each one it needs gets a fixed-argument wrapper here.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/// Produces one message, copying key and value: through `rd_kafka_produce`, or `rd_kafka_producev`
/// when it has headers (only that one takes them).
/// `headers` becomes librdkafka's on success and stays the caller's on failure.
static inline rd_kafka_resp_err_t kinfer_produce(rd_kafka_t *rk,
                                                 rd_kafka_topic_t *rkt,
                                                 int32_t partition,
                                                 const void *key, size_t key_len,
                                                 const void *value, size_t value_len,
                                                 rd_kafka_headers_t *headers,
                                                 void *opaque) {
    if (headers == NULL) {
        // The plain call, as a C produce loop makes it: no argument list to walk.
        if (rd_kafka_produce(rkt, partition, RD_KAFKA_MSG_F_COPY, (void *)value, value_len, key, key_len, opaque) == -1)
            return rd_kafka_last_error();
        return RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    return rd_kafka_producev(rk,
                             RD_KAFKA_V_RKT(rkt),
                             RD_KAFKA_V_PARTITION(partition),
                             RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                             RD_KAFKA_V_KEY(key, key_len),
                             RD_KAFKA_V_VALUE(value, value_len),
                             RD_KAFKA_V_HEADERS(headers),
                             RD_KAFKA_V_OPAQUE(opaque),
                             RD_KAFKA_V_END);
}

#endif
