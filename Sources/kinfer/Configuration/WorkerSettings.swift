import Foundation
import InferenceModels
import InferenceWorker

/// What `kinfer worker` runs with, read and checked from ``KinferSettings``.
struct WorkerSettings: Sendable {
    var group: String
    /// The metrics and health server's port; `0` when it is off.
    var httpPort: Int
    var modelName: String
    var worker: WorkerConfiguration
    var simulatedLatency: Duration
    var simulatedFailureRate: Double

    static let modelNames = ["digits", "simulated"]

    init(_ settings: KinferSettings) throws(CLIError) {
        group = settings.group(defaultingTo: KinferSettings.workerGroup)
        httpPort = try settings.int(.httpPort)
        guard httpPort <= 65_535 else { throw CLIError("the HTTP port must be from 0 (off) to 65535, not \(httpPort)", hint: "fix --http-port or KINFER_HTTP_PORT") }
        modelName = settings.string(.model)!
        guard Self.modelNames.contains(modelName) else {
            throw CLIError("unknown model '\(modelName)'", hint: "use --model digits or --model simulated")
        }
        let name = settings.string(.workerName) ?? "\(ProcessInfo.processInfo.hostName)-\(getpid())"
        var worker = WorkerConfiguration(workerName: name)
        worker.topics = settings.topics
        worker.maxBatchSize = try settings.int(.maxBatchSize, minimum: 1)
        worker.maxBatchDelay = .milliseconds(try settings.int(.maxBatchDelayMs))
        worker.maxInFlight = try settings.int(.maxInFlight, minimum: 1)
        worker.maxConcurrentBatches = try settings.int(.maxConcurrentBatches, minimum: 1)
        worker.maxAttempts = try settings.int(.maxAttempts, minimum: 1)
        worker.gracePeriod = .seconds(try settings.int(.gracePeriodSeconds))
        self.worker = worker
        simulatedLatency = .milliseconds(try settings.int(.simulatedLatencyMs))
        simulatedFailureRate = try settings.double(.simulatedFailureRate, in: 0...1)
    }

    /// The catalog of the one model this worker serves.
    func makeModels() throws(CLIError) -> ModelCatalog {
        switch modelName {
        case "simulated":
            let model = SimulatedModel(configuration: .init(
                batchLatency: simulatedLatency, failureRate: simulatedFailureRate, seed: UInt64(truncatingIfNeeded: getpid())
            ))
            return ModelCatalog([model])
        default:
            do {
                return ModelCatalog([try DigitsClassifier()])
            } catch {
                throw CLIError("cannot load the digits model: \(error)", hint: "reinstall kinfer; its model resources are missing or damaged")
            }
        }
    }
}
