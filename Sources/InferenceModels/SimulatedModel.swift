import InferenceJobs
import Synchronization

/// A stand-in model with a chosen latency and chosen failures, for load tests and for testing the worker's retry and
/// dead-letter paths without a real model.
///
/// Outputs are a deterministic function of the input's features. Failures come from two sources: requests carried
/// by the inputs (see `SimulatedFailure`), and a seeded random rate of retryable failures. Copies of a model share
/// their state (prediction counts, random generator), so a test can hand the same model to several workers.
public struct SimulatedModel: InferenceModel {
    public struct Configuration: Sendable {
        /// The name jobs use. Defaults to `simulated`.
        public var name: String
        /// Defaults to `simulated-1`.
        public var version: String
        /// The required feature count, or `nil` to accept any. Defaults to `nil`.
        public var inputLength: Int?
        /// Time each call takes regardless of batch size. Defaults to zero.
        public var batchLatency: Duration
        /// Time each call takes per input, on top of `batchLatency`. Defaults to zero.
        public var itemLatency: Duration
        /// The fraction of inputs, `0...1`, that fail as retryable at random. Defaults to `0`.
        public var failureRate: Double
        /// The seed of the random failures; the same seed and the same sequence of calls fail the same inputs.
        /// Defaults to `0`.
        public var seed: UInt64
        /// How many classes the outputs have; labels are `"0"`, `"1"`, .... Defaults to `10`.
        public var classCount: Int

        public init(
            name: String = "simulated",
            version: String = "simulated-1",
            inputLength: Int? = nil,
            batchLatency: Duration = .zero,
            itemLatency: Duration = .zero,
            failureRate: Double = 0,
            seed: UInt64 = 0,
            classCount: Int = 10
        ) {
            precondition(classCount > 0, "a model needs at least one class")
            self.name = name
            self.version = version
            self.inputLength = inputLength
            self.batchLatency = batchLatency
            self.itemLatency = itemLatency
            self.failureRate = failureRate
            self.seed = seed
            self.classCount = classCount
        }
    }

    public let configuration: Configuration
    public var name: String { self.configuration.name }
    public var version: String { self.configuration.version }
    public var inputLength: Int? { self.configuration.inputLength }

    /// A reference, so that copies of the model share it.
    private let state: SharedState

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        self.state = SharedState(State(random: SplitMix64(seed: configuration.seed)))
    }

    /// Like `predictEach`, but any failing input fails the whole call with the first input failure.
    public func predict(_ batch: [ModelInput]) async throws -> [ModelOutput] {
        try await self.predictEach(batch).map { try $0.get() }
    }

    public func predictEach(_ batch: [ModelInput]) async throws -> [Result<ModelOutput, ModelFailure>] {
        let latency = self.configuration.batchLatency + self.configuration.itemLatency * batch.count
        if latency > .zero {
            try await Task.sleep(for: latency)
        }
        if batch.contains(where: { SimulatedFailure(requestedBy: $0) == .wholeBatch }) {
            throw ModelFailure(.retryable, "simulated failure of the whole batch")
        }
        return self.state.mutex.withLock { state in
            batch.map { input in
                if let failure = self.failure(of: input, state: &state) {
                    return .failure(failure)
                }
                return .success(self.output(for: input))
            }
        }
    }

    /// Failures this model throws carry their class; anything else (e.g. cancellation) is worth retrying.
    public func failureClass(of error: any Error) -> FailureClass {
        (error as? ModelFailure)?.failureClass ?? .retryable
    }

    private func failure(of input: ModelInput, state: inout State) -> ModelFailure? {
        switch SimulatedFailure(requestedBy: input) {
        case .always(let failureClass)?:
            return ModelFailure(failureClass, "simulated \(failureClass.rawValue) failure")
        case .first(let times, let failureClass)?:
            let previous = state.predictions[input, default: 0]
            state.predictions[input] = previous + 1
            guard previous < times else { return nil }
            return ModelFailure(failureClass, "simulated \(failureClass.rawValue) failure \(previous + 1) of \(times)")
        case .wholeBatch?, nil:
            break
        }
        guard self.configuration.failureRate > 0 else { return nil }
        let draw = Double(state.random.next() >> 11) / Double(1 << 53)
        guard draw < self.configuration.failureRate else { return nil }
        return ModelFailure(.retryable, "simulated random failure")
    }

    /// A fixed pseudo-random distribution chosen by hashing the features' bit patterns (FNV-1a), so equal inputs
    /// always get equal outputs.
    private func output(for input: ModelInput) -> ModelOutput {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for feature in input.features {
            hash = (hash ^ feature.bitPattern) &* 0x0000_0100_0000_01b3
        }
        let classCount = self.configuration.classCount
        let best = Int(hash % UInt64(classCount))
        let confidence = classCount == 1 ? 1 : 0.5 + Double((hash >> 32) % 500) / 1000
        let rest = classCount == 1 ? 0 : (1 - confidence) / Double(classCount - 1)
        var scores = [Double](repeating: rest, count: classCount)
        scores[best] = confidence
        return ModelOutput(label: String(best), confidence: confidence, scores: scores)
    }

    private struct State {
        var random: SplitMix64
        /// How often each input that asked to fail its first predictions has been predicted.
        var predictions: [ModelInput: Int] = [:]
    }

    private final class SharedState: Sendable {
        let mutex: Mutex<State>

        init(_ state: State) {
            self.mutex = Mutex(state)
        }
    }
}

/// SplitMix64: a tiny seeded generator, so that random failures repeat from run to run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9e37_79b9_7f4a_7c15
        var mixed = self.state
        mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
        return mixed ^ (mixed >> 31)
    }
}
