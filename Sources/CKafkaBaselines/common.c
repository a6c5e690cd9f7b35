#include "common.h"

rd_kafka_conf_t *kinfer_baseline_conf(const char *bootstrap, const char **properties, size_t property_count,
                                      char *error, size_t error_size) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, error, error_size) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    for (size_t i = 0; i + 1 < property_count; i += 2) {
        if (rd_kafka_conf_set(conf, properties[i], properties[i + 1], error, error_size) != RD_KAFKA_CONF_OK) {
            rd_kafka_conf_destroy(conf);
            return NULL;
        }
    }
    return conf;
}
