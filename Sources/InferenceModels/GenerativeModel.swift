import InferenceJobs

/// A model that writes text a chunk at a time: a job in, its chunks out as they are made, then the whole text.
///
/// The worker iterates ``generate(_:)`` for a job that asked to stream, publishing chunks as they come; for any other
/// job it calls `predictEach`, which by default runs the batch's generations side by side and keeps only their
/// final texts.
public protocol GenerativeModel: InferenceModel {
    /// The generation for `input`: ``GenerationEvent/chunk(_:)`` for each piece of text as it is made, then one
    /// ``GenerationEvent/finished(_:)`` whose text is the chunks concatenated. Iteration throws what
    /// `failureClass(of:)` classifies, and ends when its task is cancelled.
    func generate(_ input: ModelInput) -> TextGeneration
}

/// One step of a ``TextGeneration``.
public enum GenerationEvent: Sendable, Hashable {
    /// The next piece of text.
    case chunk(String)
    /// The whole text; the last event.
    case finished(GeneratedText)
}

/// The events of one generation, pulled one at a time: a model makes the next chunk only when asked for it.
///
/// A struct over a closure rather than a protocol's associated type, so that the worker can iterate the generation of
/// a model it holds as `any GenerativeModel`.
public struct TextGeneration: AsyncSequence {
    public typealias Element = GenerationEvent

    public struct AsyncIterator: AsyncIteratorProtocol {
        fileprivate var nextEvent: () async throws -> GenerationEvent?

        public mutating func next() async throws -> GenerationEvent? {
            try await self.nextEvent()
        }
    }

    private let makeNextEvent: () -> () async throws -> GenerationEvent?

    /// - Parameter makeNextEvent: Called once per iteration; returns the function that produces the next event, or
    ///   `nil` after the last.
    public init(_ makeNextEvent: @escaping () -> () async throws -> GenerationEvent?) {
        self.makeNextEvent = makeNextEvent
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(nextEvent: self.makeNextEvent())
    }

    /// Runs the generation to its end and returns the whole text.
    ///
    /// - Throws: The generation's failure, or ``ModelFailure`` (retryable) when it ended without a final event.
    public func finalText() async throws -> GeneratedText {
        for try await event in self {
            if case .finished(let text) = event { return text }
        }
        throw ModelFailure(.retryable, "the generation ended without its final text")
    }
}

extension GenerativeModel {
    /// Generative models take text, never a feature vector of a set length.
    public var inputLength: Int? { nil }

    /// Like `predictEach`, but any failing input fails the whole call with the first input failure.
    public func predict(_ batch: [ModelInput]) async throws -> [ModelOutput] {
        try await self.predictEach(batch).map { try $0.get() }
    }

    /// Runs every input's generation at once, as a model server batches concurrent requests; each input fails on its
    /// own, classified by `failureClass(of:)`.
    public func predictEach(_ batch: [ModelInput]) async throws -> [Result<ModelOutput, ModelFailure>] {
        try await withThrowingTaskGroup(of: (Int, Result<ModelOutput, ModelFailure>).self) { group in
            for (position, input) in batch.enumerated() {
                group.addTask {
                    do {
                        return (position, .success(.text(try await self.generate(input).finalText())))
                    } catch let failure as ModelFailure {
                        return (position, .failure(failure))
                    } catch {
                        try Task.checkCancellation()
                        return (position, .failure(ModelFailure(self.failureClass(of: error), "\(error)")))
                    }
                }
            }
            var outcomes = [Result<ModelOutput, ModelFailure>?](repeating: nil, count: batch.count)
            for try await (position, outcome) in group { outcomes[position] = outcome }
            return outcomes.map { $0! }
        }
    }
}
