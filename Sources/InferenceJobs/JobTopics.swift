/// The Kafka topics of the pipeline. Every message on them is keyed by job ID.
public struct JobTopics: Sendable, Hashable {
    /// Jobs submitted by services. Defaults to `inference-jobs`.
    public var jobs: String
    /// One result per processed job. Defaults to `inference-results`.
    public var results: String
    /// Generated text as it is made, for jobs that asked to stream (see `StreamChunk`). Short retention: a reader
    /// follows it live, and every job's whole text is in its result. Defaults to `inference-stream`.
    public var stream: String
    /// Jobs waiting for a retry after a retryable failure. Defaults to `inference-jobs.retry`.
    public var retry: String
    /// Jobs that cannot be processed, with the reason in headers. Defaults to `inference-jobs.dlq`.
    public var deadLetter: String
    /// Result messages the sink cannot store (undecodable, or refused by the database), with the reason in headers.
    /// Defaults to `inference-results.dlq`.
    public var resultsDeadLetter: String
    /// Callback deliveries waiting for their next attempt, with the attempt and not-before time in headers (see
    /// `kinfer notifier`). Defaults to `inference-results.callbacks.retry`.
    public var callbacksRetry: String
    /// Callback deliveries given up (the receiver answered 410, the guard refused the URL, or the attempts ran out),
    /// with the last status and error in headers. Defaults to `inference-results.callbacks.dlq`.
    public var callbacksDeadLetter: String

    public init(
        jobs: String = "inference-jobs",
        results: String = "inference-results",
        stream: String = "inference-stream",
        retry: String = "inference-jobs.retry",
        deadLetter: String = "inference-jobs.dlq",
        resultsDeadLetter: String = "inference-results.dlq",
        callbacksRetry: String = "inference-results.callbacks.retry",
        callbacksDeadLetter: String = "inference-results.callbacks.dlq"
    ) {
        self.jobs = jobs
        self.results = results
        self.stream = stream
        self.retry = retry
        self.deadLetter = deadLetter
        self.resultsDeadLetter = resultsDeadLetter
        self.callbacksRetry = callbacksRetry
        self.callbacksDeadLetter = callbacksDeadLetter
    }

    /// Every topic of the pipeline: what `kinfer topics create` and `kinfer broker` create. A topic outside this list
    /// would exist only where brokers create topics on first use, which production clusters usually turn off.
    public var all: [String] {
        [jobs, results, stream, retry, deadLetter, resultsDeadLetter, callbacksRetry, callbacksDeadLetter]
    }
}
