/// Consecutive chunks of one job's generated text, as published to the stream topic keyed by `jobID`.
///
/// Keyed by job ID, one job's records stay in one partition, in the order the worker made them. A job can be run
/// more than once (a retry, or a repeat after a worker crashed before its offset was committed); each run names
/// itself in `run`, so that a reader can tell a repeat's chunks from the first run's and follow only the latest.
/// Encoded by `JobCodec` and described by `Schemas/stream-chunk.schema.json`.
public struct StreamChunk: Sendable, Hashable {
    /// The job's ID (`job_id`).
    public var jobID: String
    /// The job's attempt (`attempt`), as in its result.
    public var attempt: Int
    /// Which run of the job made these chunks (`run`): different for every time a worker starts the generation.
    public var run: String
    /// The index of `tokens[0]` in the job's stream (`index`); a run's first record has index 0.
    public var index: Int
    /// The chunks, in order (`tokens`); chunk `i` has index `index + i`.
    public var tokens: [String]

    public init(jobID: String, attempt: Int, run: String, index: Int, tokens: [String]) {
        self.jobID = jobID
        self.attempt = attempt
        self.run = run
        self.index = index
        self.tokens = tokens
    }
}
