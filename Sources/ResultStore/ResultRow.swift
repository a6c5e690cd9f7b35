import Foundation
import InferenceJobs

/// One result in the flat shape of a table row, shared by both stores so that they map columns identically.
///
/// Times are microseconds since 1970 (see `Date.unixMicroseconds`); the model output is its stored JSON text.
struct ResultRow: Sendable {
    var jobID: String
    var status: String
    var label: String?
    var confidence: Double?
    var outputJSON: String?
    var errorClass: String?
    var errorMessage: String?
    var attempts: Int
    var model: String
    var modelVersion: String
    var worker: String
    var submittedAt: Int64
    var startedAt: Int64?
    var completedAt: Int64
    var sourcePartition: Int32
    var sourceOffset: Int64

    /// The row of `stored`, its text made storable: PostgreSQL's `text` and `jsonb` refuse U+0000 (JSON can carry
    /// it, as `\u0000`), and a batch it refused would be retried for ever, so every U+0000 is stored as U+FFFD, in
    /// both stores alike. The result on the results topic keeps the original.
    init(_ stored: StoredResult) {
        let result = stored.result
        let output: ModelOutput? = switch result.output {
        case .classification(let output)?: ModelOutput(label: output.label.storable, confidence: output.confidence, scores: output.scores)
        case .text(let output)?: .text(GeneratedText(text: output.text.storable, tokens: output.tokens, finishReason: output.finishReason.storable))
        case nil: nil
        }
        self.jobID = result.jobID.storable
        self.status = result.status.rawValue
        self.label = output?.classification?.label
        self.confidence = output?.classification?.confidence
        self.outputJSON = output?.storedJSON
        self.errorClass = result.error?.errorClass.rawValue.storable
        self.errorMessage = result.error?.message.storable
        self.attempts = result.attempts
        self.model = result.model.storable
        self.modelVersion = result.modelVersion.storable
        self.worker = result.worker.storable
        self.submittedAt = result.submittedAt.unixMicroseconds
        self.startedAt = result.startedAt?.unixMicroseconds
        self.completedAt = result.completedAt.unixMicroseconds
        self.sourcePartition = stored.partition
        self.sourceOffset = stored.offset
    }

    /// A row read back, without the derived `label` and `confidence` columns, which the output JSON repeats.
    init(
        jobID: String,
        status: String,
        outputJSON: String?,
        errorClass: String?,
        errorMessage: String?,
        attempts: Int,
        model: String,
        modelVersion: String,
        worker: String,
        submittedAt: Int64,
        startedAt: Int64?,
        completedAt: Int64,
        sourcePartition: Int32,
        sourceOffset: Int64
    ) {
        self.jobID = jobID
        self.status = status
        self.outputJSON = outputJSON
        self.errorClass = errorClass
        self.errorMessage = errorMessage
        self.attempts = attempts
        self.model = model
        self.modelVersion = modelVersion
        self.worker = worker
        self.submittedAt = submittedAt
        self.startedAt = startedAt
        self.completedAt = completedAt
        self.sourcePartition = sourcePartition
        self.sourceOffset = sourceOffset
    }

    /// The result this row holds.
    ///
    /// - Throws: ``ResultStoreError`` with code ``ResultStoreError/Code-swift.struct/corruptRow`` when the row
    ///   holds a status or output this version cannot read.
    func storedResult() throws -> StoredResult {
        guard let status = JobStatus(rawValue: self.status) else {
            throw ResultStoreError.corruptRow("job \(self.jobID) has unknown status '\(self.status)'")
        }
        let output: ModelOutput?
        do {
            output = try self.outputJSON.map(ModelOutput.init(storedJSON:))
        } catch {
            throw ResultStoreError.corruptRow("job \(self.jobID) has an unreadable output: \(error)")
        }
        let error = self.errorClass.map {
            JobError(errorClass: JobErrorClass(rawValue: $0), message: self.errorMessage ?? "")
        }
        let result = JobResult(
            jobID: self.jobID,
            status: status,
            output: output,
            error: error,
            attempts: self.attempts,
            model: self.model,
            modelVersion: self.modelVersion,
            worker: self.worker,
            submittedAt: Date(unixMicroseconds: self.submittedAt),
            startedAt: self.startedAt.map(Date.init(unixMicroseconds:)),
            completedAt: Date(unixMicroseconds: self.completedAt)
        )
        return StoredResult(result: result, partition: self.sourcePartition, offset: self.sourceOffset)
    }
}

extension String {
    /// This text with U+0000, which PostgreSQL cannot store, replaced by U+FFFD (see `ResultRow.init(_:)`).
    var storable: String {
        guard self.utf8.contains(0) else { return self }
        return self.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}")
    }
}
