import CRdKafka
import Foundation
import Logging

/// The one place where librdkafka calls into Swift.
///
/// - Delivery reports run on the producer's poll thread, or on a producing caller's thread inside
///   `enqueue`/`send`, which serve the reports already waiting (`ProducerCore.serveDeliveryReports`).
///   Statistics and error callbacks of a producer may run there too. Each message's opaque names where
///   its callback waits in the producer's ``DeliverySlots`` (reached through the handle opaque, below);
///   the report takes it from there exactly once and runs it, so an awaited `send` resumes as soon as
///   librdkafka reports.
/// - Rebalance, statistics and error callbacks run on the thread polling the handle (each client's
///   dedicated poll thread, or a producing caller as above) and reach the handle's
///   ``KafkaCallbackContext`` through the handle opaque, which points at the context unretained:
///   the ``KafkaHandle`` owns both and destroys the handle first.
/// - Log lines may come from librdkafka's internal threads; they only touch the immutable logger.
/// - A background commit's answer runs on the consumer's poll thread, which serves the queue it is posted to; its
///   opaque is the answer's closure, retained for the request and released by the answer.
enum KafkaCallbackBridge {
    static func install(on conf: OpaquePointer, context: KafkaCallbackContext, producer: Bool, statistics: Bool) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(context).toOpaque())
        if producer {
            rd_kafka_conf_set_dr_msg_cb(conf, deliveryReport)
        }
        rd_kafka_conf_set_log_cb(conf, log)
        rd_kafka_conf_set_error_cb(conf, error)
        if statistics {
            rd_kafka_conf_set_stats_cb(conf, statisticsReport)
        }
        if context.rebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf, rebalance)
        }
    }

    /// Asks the group coordinator to commit the stored offsets; `answered` runs with the result when `queue` is served.
    static func commit(_ handle: OpaquePointer, answeredOn queue: OpaquePointer, _ answered: @escaping @Sendable (rd_kafka_resp_err_t) -> Void) {
        let opaque = Unmanaged.passRetained(CommitAnswer(answered)).toOpaque()
        let err = rd_kafka_commit_queue(handle, nil, queue, commitAnswered, opaque)
        // An error here (no consumer group) means the request was not made, and the callback never runs.
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            Unmanaged<CommitAnswer>.fromOpaque(opaque).release()
            answered(err)
        }
    }

    private final class CommitAnswer: Sendable {
        let answered: @Sendable (rd_kafka_resp_err_t) -> Void
        init(_ answered: @escaping @Sendable (rd_kafka_resp_err_t) -> Void) { self.answered = answered }
    }

    private static let commitAnswered: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, err, offsets, opaque in
        guard let opaque else { return }
        // A refusal may name partitions only (an unknown partition, an offset too large): the first one counts.
        var answer = err
        if answer == RD_KAFKA_RESP_ERR_NO_ERROR, let offsets {
            let partitions = UnsafeBufferPointer(start: offsets.pointee.elems, count: Int(offsets.pointee.cnt))
            answer = partitions.first { $0.err != RD_KAFKA_RESP_ERR_NO_ERROR }?.err ?? RD_KAFKA_RESP_ERR_NO_ERROR
        }
        Unmanaged<CommitAnswer>.fromOpaque(opaque).takeRetainedValue().answered(answer)
    }

    private static func context(_ opaque: UnsafeMutableRawPointer?) -> KafkaCallbackContext? {
        opaque.map { Unmanaged<KafkaCallbackContext>.fromOpaque($0).takeUnretainedValue() }
    }

    private static let deliveryReport: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
        _, message, opaque in
        guard let message, let delivery = message.pointee._private, let deliveries = context(opaque)?.deliveries else { return }
        deliveries.complete(delivery, report: message)
    }

    private static let log: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
        handle, level, facility, text in
        guard let handle, let context = context(rd_kafka_opaque(handle)) else { return }
        let line = "\(facility.map { String(cString: $0) } ?? "-"): \(text.map { String(cString: $0) } ?? "")"
        // syslog levels: 0-3 error, 4 warning, 5-6 notice/info, 7 debug.
        switch level {
        case ...3: context.logger.error("\(line)")
        case 4: context.logger.warning("\(line)")
        case 5, 6: context.logger.info("\(line)")
        default: context.logger.debug("\(line)")
        }
    }

    private static let error: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
        _, code, reason, opaque in
        guard let context = context(opaque) else { return }
        let text = reason.map { String(cString: $0) } ?? ""
        context.logger.warning("librdkafka: \(text)", metadata: ["error_code": "\(code)"])
    }

    private static let statisticsReport: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?) -> Int32 = {
        _, json, length, opaque in
        guard let context = context(opaque), let json, let handler = context.statistics else { return 0 }
        let bytes = UnsafeRawBufferPointer(start: json, count: length)
        do {
            handler(try KafkaStatistics.decode(Data(bytes)))
        } catch {
            context.logger.warning("undecodable librdkafka statistics: \(error)")
        }
        return 0  // librdkafka frees the JSON.
    }

    private static let rebalance: @convention(c) (OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?) -> Void = {
        handle, err, partitions, opaque in
        guard let handle, let partitions, let context = context(opaque), let rebalance = context.rebalance else { return }
        let kind: RebalanceRequest.Kind = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS ? .assign : .revoke
        rebalance(RebalanceRequest(kind: kind, partitions: OpaquePointer(partitions), handle: handle))
    }
}
