import ArgumentParser
import KinferApp
import Notifier

extension Kinfer {
    /// `kinfer notifier`: every result with a callback_url POSTed to it, signed, until SIGTERM or SIGINT.
    struct NotifierCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "notifier",
            abstract: "Run the callback notifier: each result with a callback_url is POSTed to it, signed, at least once.",
            discussion: """
                Joins the notifier group on the results topic and the callbacks retry topic. Deliveries are signed as \
                Standard Webhooks specify (webhook-id, webhook-timestamp, webhook-signature) with the secret in \
                KINFER_WEBHOOK_SECRET or the config file's webhook_secret (whsec_...; two, space-separated, while \
                rotating). Only 2xx succeeds; 410 and \
                a refused URL are given up at once; other failures go to the retry topic on the --retry-delays \
                schedule until --max-delivery-age, then to the callbacks dead-letter topic. Only https to public \
                addresses on the default port is called unless --allow-http, --callback-allow-cidr and \
                --callback-allow-port admit more. SIGTERM or SIGINT stops reading, lets running attempts finish \
                within --grace-period-seconds, commits and leaves the group. /metrics, /healthz and /readyz are on \
                --http-port (0 turns them off).
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Option(help: ArgumentHelp("The consumer group. Defaults to kinfer-notifier; also KINFER_GROUP.", valueName: "group"))
        var group: String?

        @Option(help: ArgumentHelp(
            "Port for the HTTP server: /metrics, /healthz, /readyz; 0 turns it off. Defaults to 8080; also KINFER_HTTP_PORT.",
            valueName: "port"
        ))
        var httpPort: Int?

        @OptionGroup(title: "Callback URLs")
        var callbacks: CallbackGuardOptions

        @Option(help: ArgumentHelp("Deliveries posting at once in this instance. Defaults to 64.", valueName: "n"))
        var maxConcurrency = 64

        @Option(help: ArgumentHelp("Deliveries posting at once to one host. Defaults to 8.", valueName: "n"))
        var maxPerHost = 8

        @Option(help: ArgumentHelp("Results read and not yet finished before reading pauses (waiting retries do not count). Defaults to 1000.", valueName: "n"))
        var maxInFlight = 1_000

        @Option(help: ArgumentHelp("The longest attempt, connecting included. Defaults to 10000.", valueName: "ms"))
        var timeoutMs = 10_000

        @Option(help: ArgumentHelp("The waits after failed attempt 1, 2, ...; the last repeats. Defaults to 5s,5m,30m,2h,5h,10h.", valueName: "durations"))
        var retryDelays = "5s,5m,30m,2h,5h,10h"

        @Option(help: ArgumentHelp("How long after its first attempt a delivery may still be tried. Defaults to 32h.", valueName: "duration"))
        var maxDeliveryAge = "32h"

        @Option(help: ArgumentHelp("How long shutdown lets running attempts finish. Defaults to 20.", valueName: "seconds"))
        var gracePeriodSeconds = 20.0

        @Option(help: ArgumentHelp("The callbacks retry topic. Defaults to inference-results.callbacks.retry; also KINFER_CALLBACKS_RETRY_TOPIC.", valueName: "topic"))
        var callbacksRetryTopic: String?

        @Option(help: ArgumentHelp("The callbacks dead-letter topic. Defaults to inference-results.callbacks.dlq; also KINFER_CALLBACKS_DLQ_TOPIC.", valueName: "topic"))
        var callbacksDlqTopic: String?

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func validate() throws {
            if let httpPort, !(0...65_535).contains(httpPort) { throw ValidationError("--http-port must be from 0 (off) to 65535, got \(httpPort)") }
            if maxConcurrency < 1 { throw ValidationError("--max-concurrency must be at least 1, got \(maxConcurrency)") }
            if maxPerHost < 1 { throw ValidationError("--max-per-host must be at least 1, got \(maxPerHost)") }
            if maxInFlight < 1 { throw ValidationError("--max-in-flight must be at least 1, got \(maxInFlight)") }
            if timeoutMs < 1 { throw ValidationError("--timeout-ms must be at least 1, got \(timeoutMs)") }
            if DurationText.parseList(retryDelays) == nil {
                throw ValidationError("--retry-delays takes durations separated by commas, like 5s,5m,2h; got '\(retryDelays)'")
            }
            if DurationText.parse(maxDeliveryAge) == nil {
                throw ValidationError("--max-delivery-age takes a duration like 90s, 30m or 32h; got '\(maxDeliveryAge)'")
            }
            if !(gracePeriodSeconds >= 0) { throw ValidationError("--grace-period-seconds must be 0 or more, got \(gracePeriodSeconds)") }
        }

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            flags.set(.group, group)
            flags.set(.httpPort, httpPort)
            flags.set(.callbacksRetryTopic, callbacksRetryTopic)
            flags.set(.callbacksDLQTopic, callbacksDlqTopic)
            topics.apply(to: &flags)
            let settings = try common.settings(flags, defaultLogLevel: .info)
            try await NotifierService.run(settings, options: NotifierService.Options(
                callbackGuard: try callbacks.callbackGuard(),
                maxConcurrency: maxConcurrency, maxPerHost: maxPerHost, maxInFlight: maxInFlight,
                timeout: .milliseconds(timeoutMs),
                retrySchedule: CallbackRetrySchedule(delays: DurationText.parseList(retryDelays)!, maximumAge: DurationText.parse(maxDeliveryAge)!),
                gracePeriod: .milliseconds(Int64(gracePeriodSeconds * 1_000))
            ))
        }
    }
}
