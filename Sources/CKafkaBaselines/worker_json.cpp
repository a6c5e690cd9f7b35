// The C worker loop of worker.c plus the job contract's work, in C++ against simdjson (Debian's libsimdjson-dev):
// the reference a Swift worker that decodes jobs and encodes results is measured against.

#include "CKafkaBaselines.h"
extern "C" {
#include "common.h"
}

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace {

constexpr int batch_capacity = 1024;
constexpr int64_t commit_interval_ns = 200 * 1000000LL;

struct worker_state {
    rd_kafka_topic_t *jobs = nullptr;  // the consumer's handle on the jobs topic, for rd_kafka_offset_store
    int64_t delivered = 0;
    int64_t failed = 0;
    int64_t last_delivery_ns = 0;
};

// Each result's opaque is its job's partition and offset, packed, as in worker.c.
inline void *pack(int32_t partition, int64_t offset) {
    return reinterpret_cast<void *>(static_cast<uintptr_t>(
        (static_cast<uint64_t>(static_cast<uint32_t>(partition)) << 48) | (static_cast<uint64_t>(offset) & 0xFFFFFFFFFFFFULL)));
}

void result_delivered(rd_kafka_t *, const rd_kafka_message_t *message, void *opaque) {
    auto *state = static_cast<worker_state *>(opaque);
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        state->failed++;
        return;
    }
    auto packed = static_cast<uint64_t>(reinterpret_cast<uintptr_t>(message->_private));
    rd_kafka_offset_store(state->jobs, static_cast<int32_t>(packed >> 48), static_cast<int64_t>(packed & 0xFFFFFFFFFFFFULL));
    state->delivered++;
    state->last_delivery_ns = kinfer_now_ns();
}

// A plain growable byte buffer, reused for every result.
struct buffer_writer {
    std::vector<char> bytes;

    void clear() { bytes.clear(); }
    void raw(std::string_view text) { bytes.insert(bytes.end(), text.begin(), text.end()); }
    void byte(char c) { bytes.push_back(c); }

    void string(std::string_view value) {
        byte('"');
        bool plain = true;
        for (unsigned char c : value) {
            if (c < 0x20 || c == '"' || c == '\\') {
                plain = false;
                break;
            }
        }
        if (plain) {
            raw(value);
        } else {
            static const char hex[] = "0123456789abcdef";
            for (unsigned char c : value) {
                switch (c) {
                case '"': raw("\\\""); break;
                case '\\': raw("\\\\"); break;
                case '\n': raw("\\n"); break;
                case '\r': raw("\\r"); break;
                case '\t': raw("\\t"); break;
                default:
                    if (c < 0x20) {
                        raw("\\u00");
                        byte(hex[c >> 4]);
                        byte(hex[c & 0x0F]);
                    } else {
                        byte(static_cast<char>(c));
                    }
                }
            }
        }
        byte('"');
    }

    void integer(int64_t value) {
        char digits[24];
        auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
        bytes.insert(bytes.end(), digits, end);
    }

    // The shortest text that reads back as the same double, integral values without a fraction, non-finite as null:
    // what the Swift JSONWriter writes.
    void number(double value) {
        if (!std::isfinite(value)) {
            raw("null");
        } else if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
            integer(static_cast<int64_t>(value));
        } else {
            char digits[32];
            auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
            bytes.insert(bytes.end(), digits, end);
        }
    }

    // RFC 3339 in UTC with milliseconds, e.g. "2026-11-29T01:46:51.123Z" (the contract's form).
    void timestamp(int64_t milliseconds) {
        constexpr int64_t per_day = 86400000;
        int64_t days = milliseconds >= 0 ? milliseconds / per_day : (milliseconds + 1) / per_day - 1;
        int64_t rest = milliseconds - days * per_day;
        // Howard Hinnant's civil_from_days.
        int64_t z = days + 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        int64_t doe = z - era * 146097;
        int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        int64_t mp = (5 * doy + 2) / 153;
        int64_t day = doy - (153 * mp + 2) / 5 + 1;
        int64_t month = mp < 10 ? mp + 3 : mp - 9;
        int64_t year = yoe + era * 400 + (month <= 2);
        char text[26];
        auto put = [&](int64_t value, int count, int end) {
            for (int i = end - 1; i >= end - count; i--) {
                text[i] = static_cast<char>('0' + value % 10);
                value /= 10;
            }
        };
        text[0] = '"';
        put(year, 4, 5);
        text[5] = '-';
        put(month, 2, 8);
        text[8] = '-';
        put(day, 2, 11);
        text[11] = 'T';
        put(rest / 3600000, 2, 14);
        text[14] = ':';
        put(rest / 60000 % 60, 2, 17);
        text[17] = ':';
        put(rest / 1000 % 60, 2, 20);
        text[20] = '.';
        put(rest % 1000, 3, 24);
        text[24] = 'Z';
        text[25] = '"';
        bytes.insert(bytes.end(), text, text + sizeof text);
    }
};

int64_t days_since_1970(int64_t year, int64_t month, int64_t day) {
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into milliseconds since 1970; false for anything else.
bool parse_timestamp(std::string_view text, int64_t *milliseconds) {
    size_t at = 0;
    auto number = [&](int digits, int64_t *value) {
        if (at + digits > text.size()) return false;
        int64_t result = 0;
        for (int i = 0; i < digits; i++) {
            char c = text[at + i];
            if (c < '0' || c > '9') return false;
            result = result * 10 + (c - '0');
        }
        at += digits;
        *value = result;
        return true;
    };
    auto skip = [&](char c) {
        if (at < text.size() && text[at] == c) {
            at++;
            return true;
        }
        return false;
    };
    int64_t year, month, day, hour, minute, second;
    if (!number(4, &year) || !skip('-') || !number(2, &month) || !skip('-') || !number(2, &day) ||
        !(skip('T') || skip('t') || skip(' ')) || !number(2, &hour) || !skip(':') || !number(2, &minute) ||
        !skip(':') || !number(2, &second))
        return false;
    if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return false;
    int64_t fraction_ms = 0;
    if (skip('.')) {
        int digits = 0;
        int64_t digit;
        while (number(1, &digit)) {
            if (digits < 3) fraction_ms = fraction_ms * 10 + digit;
            digits++;
        }
        if (digits == 0) return false;
        for (int i = digits; i < 3; i++) fraction_ms *= 10;
    }
    int64_t offset_seconds = 0;
    if (!(skip('Z') || skip('z'))) {
        int64_t sign = skip('+') ? 1 : (skip('-') ? -1 : 0);
        int64_t offset_hours, offset_minutes;
        if (sign == 0 || !number(2, &offset_hours) || !skip(':') || !number(2, &offset_minutes)) return false;
        offset_seconds = sign * (offset_hours * 3600 + offset_minutes * 60);
    }
    if (at != text.size()) return false;
    int64_t seconds = days_since_1970(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
    *milliseconds = seconds * 1000 + fraction_ms;
    return true;
}

inline int64_t wall_clock_ms() {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// What the job contract's work reads of one job.
struct job_fields {
    std::string_view job_id;
    std::string_view model;
    int64_t submitted_at_ms;
    int64_t attempt;
};

// Parses one job with simdjson's on-demand API: job_id, model, inputs.features (into `features`), submitted_at and
// attempt. `padded` holds the job's bytes followed by SIMDJSON_PADDING bytes; the strings read point into `parser`.
simdjson::error_code read_job(simdjson::ondemand::parser &parser, const simdjson::padded_string_view padded,
                              std::vector<double> &features, job_fields *job) {
    simdjson::ondemand::document doc;
    if (auto error = parser.iterate(padded).get(doc)) return error;
    if (auto error = doc["job_id"].get_string().get(job->job_id)) return error;
    if (job->job_id.empty()) return simdjson::INCORRECT_TYPE;
    if (auto error = doc["model"].get_string().get(job->model)) return error;
    simdjson::ondemand::array array;
    if (auto error = doc["inputs"]["features"].get_array().get(array)) return error;
    features.clear();
    for (auto element : array) {
        double value;
        if (auto error = element.get_double().get(value)) return error;
        features.push_back(value);
    }
    std::string_view submitted_at;
    if (auto error = doc["submitted_at"].get_string().get(submitted_at)) return error;
    if (!parse_timestamp(submitted_at, &job->submitted_at_ms)) return simdjson::INCORRECT_TYPE;
    simdjson::simdjson_result<int64_t> attempt = doc["attempt"].get_int64();
    if (attempt.error() == simdjson::NO_SUCH_FIELD) {
        job->attempt = 1;
    } else if (auto error = std::move(attempt).get(job->attempt)) {
        return error;
    }
    return simdjson::SUCCESS;
}

// The result of a completed job, in the contract's shape with the top-level label and confidence.
void write_result(buffer_writer &out, const job_fields &job, int64_t started_at_ms, int64_t completed_at_ms) {
    static const double scores[10] = {0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025, 0.025};
    const std::string_view label = "3";
    const double confidence = 0.75;
    out.clear();
    out.raw("{\"job_id\":");
    out.string(job.job_id);
    out.raw(",\"status\":");
    out.string("completed");
    out.raw(",\"label\":");
    out.string(label);
    out.raw(",\"confidence\":");
    out.number(confidence);
    out.raw(",\"output\":{\"label\":");
    out.string(label);
    out.raw(",\"confidence\":");
    out.number(confidence);
    out.raw(",\"scores\":[");
    for (int i = 0; i < 10; i++) {
        if (i > 0) out.byte(',');
        out.number(scores[i]);
    }
    out.raw("]},\"attempts\":");
    out.integer(job.attempt);
    out.raw(",\"model\":");
    out.string(job.model);
    out.raw(",\"model_version\":");
    out.string("simulated-1");
    out.raw(",\"worker\":");
    out.string("bench-cpp-json");
    out.raw(",\"submitted_at\":");
    out.timestamp(job.submitted_at_ms);
    out.raw(",\"started_at\":");
    out.timestamp(started_at_ms);
    out.raw(",\"completed_at\":");
    out.timestamp(completed_at_ms);
    out.byte('}');
}

}  // namespace

extern "C" int64_t kinfer_reference_worker_json(const char *bootstrap, const char *jobs_topic, const char *results_topic,
                                                const char *group, int64_t count,
                                                const char **consumer_properties, size_t consumer_property_count,
                                                const char **producer_properties, size_t producer_property_count,
                                                int timeout_ms, kinfer_baseline_timing *timing,
                                                char *sample, size_t sample_size,
                                                char *error, size_t error_size) {
    worker_state state;

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
    state.jobs = rd_kafka_topic_new(consumer, jobs_topic, nullptr);
    rd_kafka_topic_t *results = rd_kafka_topic_new(producer, results_topic, nullptr);

    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, jobs_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);

    simdjson::ondemand::parser parser;
    std::vector<char> padded;  // the job's bytes and simdjson's padding
    std::vector<double> features;
    features.reserve(16);
    buffer_writer out;
    out.bytes.reserve(512);
    std::vector<rd_kafka_message_t *> batch(batch_capacity);
    int64_t first = 0, taken = 0, parse_failures = 0;
    int64_t last_commit = kinfer_now_ns(), idle_since = last_commit;
    int failed = 0;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        snprintf(error, error_size, "subscribe: %s", rd_kafka_err2str(err));
        failed = 1;
    }
    while (!failed && state.delivered < count) {
        int in_flight = taken > state.delivered + state.failed;
        ssize_t received = rd_kafka_consume_batch_queue(queue, in_flight ? 0 : 10, batch.data(), batch_capacity);
        if (received > 0 && first == 0) first = kinfer_now_ns();
        for (ssize_t i = 0; i < received; i++) {
            rd_kafka_message_t *message = batch[i];
            if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                rd_kafka_message_destroy(message);
                continue;
            }
            int64_t started_at = wall_clock_ms();
            if (padded.size() < message->len + simdjson::SIMDJSON_PADDING) padded.resize(message->len + simdjson::SIMDJSON_PADDING);
            memcpy(padded.data(), message->payload, message->len);
            job_fields job;
            simdjson::error_code parse_error =
                read_job(parser, simdjson::padded_string_view(padded.data(), message->len, padded.size()), features, &job);
            if (parse_error != simdjson::SUCCESS) {
                // Counted and skipped: the run then fails its count check rather than measuring less work.
                if (parse_failures++ == 0)
                    snprintf(error, error_size, "job at offset %lld: %s", static_cast<long long>(message->offset),
                             simdjson::error_message(parse_error));
                rd_kafka_message_destroy(message);
                continue;
            }
            write_result(out, job, started_at, wall_clock_ms());
            void *opaque = pack(message->partition, message->offset);
            for (;;) {
                rd_kafka_resp_err_t produced = rd_kafka_producev(
                    producer, RD_KAFKA_V_RKT(results), RD_KAFKA_V_PARTITION(message->partition),
                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(out.bytes.data(), out.bytes.size()),
                    RD_KAFKA_V_KEY(message->key, message->key_len),
                    RD_KAFKA_V_HEADER("content-type", "application/json", 16),
                    RD_KAFKA_V_HEADER("kinfer-schema-version", "1", 1), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
                if (produced == RD_KAFKA_RESP_ERR_NO_ERROR) break;
                if (produced != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                    snprintf(error, error_size, "produce: %s", rd_kafka_err2str(produced));
                    failed = 1;
                    break;
                }
                rd_kafka_poll(producer, 10);
            }
            if (!failed) taken++;
            rd_kafka_message_destroy(message);
        }
        if (parse_failures > 0) failed = 1;
        rd_kafka_poll(producer, received > 0 ? 0 : (in_flight ? 1 : 0));
        int64_t now = kinfer_now_ns();
        if (now - last_commit >= commit_interval_ns) {
            rd_kafka_commit(consumer, nullptr, 1);  // asynchronous; "no offset" is fine
            last_commit = now;
        }
        if (received > 0 || in_flight) {
            idle_since = now;
        } else if (now - idle_since > static_cast<int64_t>(timeout_ms) * 1000000LL) {
            snprintf(error, error_size, "no job for %d ms after %lld of %lld results", timeout_ms,
                     static_cast<long long>(state.delivered), static_cast<long long>(count));
            failed = 1;
        }
    }
    if (timing) {
        timing->start_ns = first;
        timing->first_message_ns = first;
        timing->end_ns = state.last_delivery_ns;
        timing->anomalies = state.failed;
    }
    if (sample && sample_size > 0) {  // the last result written, for the caller to check against the contract
        size_t length = out.bytes.size() < sample_size - 1 ? out.bytes.size() : sample_size - 1;
        memcpy(sample, out.bytes.data(), length);
        sample[length] = 0;
    }
    rd_kafka_flush(producer, 10000);
    rd_kafka_commit(consumer, nullptr, 0);
    rd_kafka_consumer_close(consumer);
    rd_kafka_topic_destroy(state.jobs);
    rd_kafka_queue_destroy(queue);
    rd_kafka_destroy(consumer);
    rd_kafka_topic_destroy(results);
    rd_kafka_destroy(producer);
    return failed ? -1 : state.delivered;
}
