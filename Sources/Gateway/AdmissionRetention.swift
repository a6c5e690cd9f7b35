import Foundation
import Logging
import ResultStore
import ServiceLifecycle

/// Deletes what the gateway keeps past its time: idempotency keys older than their retention, and pending rows that
/// a result has superseded or that are older than the pending retention. Once at start, then every `interval`.
///
/// Every gateway instance may run one: the deletes are idempotent. A `Service`, ended by graceful shutdown or
/// cancellation (the wait between sweeps is a cancellable sleep).
public struct AdmissionRetention: Service {
    public struct Configuration: Sendable {
        /// How long keys are kept from their first use. Defaults to 24 hours (the gateway's option of that name).
        public var keyRetention: Duration = .seconds(24 * 3600)
        /// How long a pending row with no result is kept. Defaults to 7 days, the sink's default result retention.
        public var pendingRetention: Duration = .seconds(7 * 24 * 3600)
        /// Between sweeps. Defaults to 10 minutes.
        public var interval: Duration = .seconds(600)

        public init() {}
    }

    private let store: any JobAdmissionStore
    private let configuration: Configuration
    private let logger: Logger

    public init(store: any JobAdmissionStore, configuration: Configuration = Configuration(), logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    public func run() async {
        // Graceful shutdown cancels the sleep; that is the way out, not a failure.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.sweep(now: Date())
                try await Task.sleep(for: self.configuration.interval)
            }
        }
    }

    /// One sweep; a failure is logged and the next sweep tries again.
    func sweep(now: Date) async {
        do {
            let deleted = try await self.store.deleteExpiredAdmissions(
                keysCreatedBefore: now.addingTimeInterval(-Self.seconds(self.configuration.keyRetention)),
                pendingAcceptedBefore: now.addingTimeInterval(-Self.seconds(self.configuration.pendingRetention))
            )
            if deleted > 0 { self.logger.info("deleted expired admissions", metadata: ["rows": "\(deleted)"]) }
        } catch {
            self.logger.warning("could not delete expired admissions", metadata: ["error": "\(error)"])
        }
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
