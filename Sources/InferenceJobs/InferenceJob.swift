import Foundation

/// One request for an inference, as submitted to the jobs topic keyed by `jobID`.
///
/// The JSON form (see `JobCodec` and `Schemas/job.schema.json`) can be written by any Kafka client; the JSON key of
/// each property is given in its documentation.
public struct InferenceJob: Sendable, Hashable {
    /// The submitter's ID for the job (`job_id`); results and retries are keyed by it. See `JobID` to make one.
    public var jobID: String
    /// The model to run (`model`), or `nil` for the worker's default model.
    public var model: String?
    /// The payload (`inputs`; in the plain shape, `features` and `image_url` at the top level).
    public var inputs: ModelInput
    /// When the job was submitted (`submitted_at`). When the message has none, the decoder uses the Kafka message's
    /// timestamp.
    public var submittedAt: Date
    /// An absolute time after which the job is no longer worth running (`deadline`).
    public var deadline: Date?
    /// How long after `submittedAt` the job is still worth running, in milliseconds (`timeout_ms`).
    public var timeoutMs: Int?
    /// Where the submitter wants to be told of the result (`callback_url`); carried, not called, by the worker.
    public var callbackURL: String?
    /// Which attempt this is, starting at 1 (`attempt`).
    public var attempt: Int
    /// Whether the submitter wants the generated text as it is made (`stream`): the worker then publishes each chunk
    /// to the stream topic before the result. Defaults to `false`; only generative models stream.
    public var stream: Bool
    /// Top-level fields this version does not know, written back unchanged so that a dead-letter replay keeps them.
    public var extra: [String: JSONValue]

    public init(
        jobID: String,
        model: String? = nil,
        inputs: ModelInput,
        submittedAt: Date,
        deadline: Date? = nil,
        timeoutMs: Int? = nil,
        callbackURL: String? = nil,
        attempt: Int = 1,
        stream: Bool = false,
        extra: [String: JSONValue] = [:]
    ) {
        self.jobID = jobID
        self.model = model
        self.inputs = inputs
        self.submittedAt = submittedAt
        self.deadline = deadline
        self.timeoutMs = timeoutMs
        self.callbackURL = callbackURL
        self.attempt = attempt
        self.stream = stream
        self.extra = extra
    }

    /// The earlier of `deadline` and `submittedAt + timeoutMs`; `nil` when the job never expires.
    public var expiresAt: Date? {
        let timeoutEnd = self.timeoutMs.map { self.submittedAt.addingTimeInterval(Double($0) / 1000) }
        switch (self.deadline, timeoutEnd) {
        case let (deadline?, timeoutEnd?): return min(deadline, timeoutEnd)
        case let (deadline, timeoutEnd): return deadline ?? timeoutEnd
        }
    }
}
