import ArgumentParser
import Foundation
import InferenceJobs

/// `codec`: the job contract's JSON on one core, no Kafka: jobs and results decoded and encoded per second, the
/// work the worker and the sink do for every message besides moving it.
///
/// Subjects: `decode-job` (the worker bench's 4-feature job), `decode-digits-job` (a 64-feature digits job),
/// `encode-result` and `decode-result` (a completed 10-class result, as the sink reads it).
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "Job and result JSON decoded and encoded per second on one core (no Kafka)."
    )

    @Option(help: "Operations per subject and round.")
    var count = 1_000_000

    @Option(help: "Rounds; each figure is the median.")
    var rounds = 3

    @Option(help: "Only these subjects, comma-separated: decode-job,decode-digits-job,encode-result,decode-result.")
    var subjects: String?

    @Flag(help: "Print one JSON object per measured line instead of a table.")
    var json = false

    func run() throws {
        let submittedAt = Date(timeIntervalSince1970: 1_795_000_000.123)
        let job = JobCodec.encode(InferenceJob(
            jobID: JobID.make(), model: "simulated", inputs: ModelInput(features: [0.25, 0.5, 0.417, 1]), submittedAt: submittedAt
        ))
        let digitsJob = JobCodec.encode(InferenceJob(
            jobID: JobID.make(), model: "digits", inputs: ModelInput(features: (0..<64).map { Double($0 % 17) }), submittedAt: submittedAt
        ))
        let result = JobResult(
            jobID: JobID.make(), status: .completed,
            output: ModelOutput(label: "7", confidence: 0.9312, scores: (0..<10).map { 0.0123 * Double($0) + 0.0004 }),
            attempts: 1, model: "digits", modelVersion: "digits-lr-1", worker: "worker-1",
            submittedAt: submittedAt, startedAt: submittedAt.addingTimeInterval(0.004), completedAt: submittedAt.addingTimeInterval(0.005)
        )
        let encodedResult = JobCodec.encode(result)

        let all: [(String, Int, () throws -> Void)] = [
            ("decode-job", job.count, { _ = try JobCodec.decodeJob(job, fallbackSubmittedAt: submittedAt) }),
            ("decode-digits-job", digitsJob.count, { _ = try JobCodec.decodeJob(digitsJob, fallbackSubmittedAt: submittedAt) }),
            ("encode-result", encodedResult.count, { _ = JobCodec.encode(result) }),
            ("decode-result", encodedResult.count, { _ = try JobCodec.decodeResult(encodedResult) }),
        ]
        var report = BenchmarkReport()
        for (subject, bytes, operation) in all where isWanted(subject, in: subjects) {
            var seconds: [Double] = []
            for _ in 0..<max(1, rounds) {
                let clock = ContinuousClock()
                let start = clock.now
                for _ in 0..<count { try operation() }
                seconds.append((clock.now - start).seconds)
            }
            let median = seconds.sorted()[seconds.count / 2]
            report.add(BenchmarkLine(
                benchCase: "codec", subject: subject, rate: Double(count) / median, unit: "op/s",
                megabytesPerSecond: Double(count * bytes) / median / 1e6, count: count, seconds: median, rounds: rounds
            ))
        }
        report.notes = [
            "One thread, no Kafka; medians of \(rounds) round(s) of \(count) operations on the same message.",
            "Sizes: job \(job.count) B (4 features), digits job \(digitsJob.count) B (64 features), result \(encodedResult.count) B (10 scores).",
        ]
        report.print(json: json)
    }
}
