import Foundation

/// The outcome of one job, published to the results topic keyed by `jobID` and stored one row per job.
///
/// Every job the worker takes ends in exactly one result, whatever happened: `completed` with an `output`, or
/// `failed`/`expired` with an `error`. Encoded by `JobCodec`; the JSON keys are given on each property and described
/// by `Schemas/result.schema.json`.
public struct JobResult: Sendable, Equatable {
    /// The job's ID (`job_id`); the results table's primary key.
    public var jobID: String
    /// How the job ended (`status`).
    public var status: JobStatus
    /// The model's output when `status` is `completed`, otherwise `nil` (`output`, omitted when `nil`).
    public var output: ModelOutput?
    /// Why the job did not complete; `nil` when `status` is `completed` (`error`, omitted when `nil`).
    public var error: JobError?
    /// How many attempts were made, counting the last one (`attempts`).
    public var attempts: Int
    /// The name of the model that ran, or would have run, the job (`model`).
    public var model: String
    /// The version of that model (`model_version`).
    public var modelVersion: String
    /// Which worker instance wrote the result (`worker`).
    public var worker: String
    /// When the job was submitted (`submitted_at`).
    public var submittedAt: Date
    /// When the last attempt started running; `nil` if the model never ran, e.g. when the job expired (`started_at`,
    /// omitted when `nil`).
    public var startedAt: Date?
    /// When the result was made (`completed_at`).
    public var completedAt: Date
    /// The job's `callback_url`, carried over so that `kinfer notifier` can deliver the result from the results
    /// topic alone (`callback_url`, omitted when `nil`: the job had none, or could not be read).
    public var callbackURL: String?

    public init(
        jobID: String,
        status: JobStatus,
        output: ModelOutput? = nil,
        error: JobError? = nil,
        attempts: Int,
        model: String,
        modelVersion: String,
        worker: String,
        submittedAt: Date,
        startedAt: Date? = nil,
        completedAt: Date,
        callbackURL: String? = nil
    ) {
        self.jobID = jobID
        self.status = status
        self.output = output
        self.error = error
        self.attempts = attempts
        self.model = model
        self.modelVersion = modelVersion
        self.worker = worker
        self.submittedAt = submittedAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.callbackURL = callbackURL
    }
}
