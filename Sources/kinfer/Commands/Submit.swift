import ArgumentParser
import Foundation
import InferenceJobs
import JobClient
import KinferApp

extension Kinfer {
    /// `kinfer submit`: one job from flags, or many from a JSON-lines file or stdin.
    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit jobs to the jobs topic and print each receipt (job ID, partition, offset).",
            discussion: """
                One job: --features 0,1,2,... or --features-file PATH. Many: --file PATH (or --file - for stdin), \
                one job per line in the contract's JSON ({"job_id": "...", "inputs": {"features": [...]}}, or \
                features at the top level); a line without job_id gets a new one, and --model / --timeout-ms fill \
                in lines that lack them. A malformed line is reported on stderr with its number and not sent; \
                the exit status is then 1.
                """
        )

        @OptionGroup(title: "Connection")
        var common: CommonOptions

        @Option(help: ArgumentHelp("The job's features, comma-separated, e.g. 0,0,5,13,9,1 (64 for the digits model).", valueName: "x,y,..."))
        var features: String?

        @Option(help: ArgumentHelp("A file holding the features: a JSON array or numbers separated by commas or whitespace.", valueName: "path"))
        var featuresFile: String?

        @Option(help: ArgumentHelp("A prompt for a generative model (e.g. --model generator).", valueName: "text"))
        var prompt: String?

        @Option(help: ArgumentHelp("--prompt only: the most tokens to generate.", valueName: "n"))
        var maxTokens: Int?

        @Flag(help: "--prompt only: publish the text to the stream topic as it is made (kinfer tail --stream shows it).")
        var stream = false

        @Option(name: .customLong("file"), help: ArgumentHelp("A JSON-lines file of jobs, or - for stdin.", valueName: "path"))
        var jobsFile: String?

        @Option(help: ArgumentHelp("The model to run (e.g. digits); defaults to the worker's model.", valueName: "name"))
        var model: String?

        @Option(help: ArgumentHelp("The job ID; defaults to a new UUIDv7. Not with --file.", valueName: "id"))
        var jobID: String?

        @Option(help: ArgumentHelp("How long after submission the job is still worth running, in milliseconds.", valueName: "ms"))
        var timeoutMs: Int?

        @Flag(help: "Print receipts as JSON lines.")
        var json = false

        @OptionGroup(title: "Topics")
        var topics: TopicOptions

        func validate() throws {
            let sources = [features != nil, featuresFile != nil, prompt != nil, jobsFile != nil].filter { $0 }.count
            guard sources == 1 else {
                throw ValidationError("give exactly one of --features, --features-file, --prompt or --file")
            }
            if prompt == nil && (maxTokens != nil || stream) {
                throw ValidationError("--max-tokens and --stream go with --prompt")
            }
            if let maxTokens, maxTokens < 1 { throw ValidationError("--max-tokens must be at least 1, got \(maxTokens)") }
            if jobID != nil && jobsFile != nil {
                throw ValidationError("--job-id applies to a single job; put job_id in each line of --file instead")
            }
            if let jobID, jobID.isEmpty { throw ValidationError("--job-id must not be empty") }
            if let timeoutMs, timeoutMs < 0 { throw ValidationError("--timeout-ms must not be negative") }
        }

        func run() async throws {
            var flags = SettingsLayer(origin: "flag")
            topics.apply(to: &flags)
            let settings = try common.settings(flags)
            let submission = try JobSubmission(settings: settings)

            let (jobs, malformed): ([InferenceJob], Int)
            if let jobsFile {
                (jobs, malformed) = try readJobLines(jobsFile)
            } else {
                (jobs, malformed) = ([try singleJob()], 0)
            }
            try await submission.submit(jobs) { receipt in print(receipt) }
            if malformed > 0 {
                throw CLIError("\(malformed) malformed line\(malformed == 1 ? "" : "s") not sent (\(jobs.count) sent)", hint: "fix the lines reported above and submit them again")
            }
        }

        private func print(_ receipt: JobReceipt) {
            if json {
                Terminal.output("{\"job_id\":\(JSONText.quoted(receipt.jobID)),\"partition\":\(receipt.partition),\"offset\":\(receipt.offset)}")
            } else {
                Terminal.output("\(receipt.jobID) partition=\(receipt.partition) offset=\(receipt.offset)")
            }
        }

        private func singleJob() throws(CLIError) -> InferenceJob {
            if let prompt {
                return InferenceJob(
                    jobID: jobID ?? "", model: model, inputs: ModelInput(prompt: prompt, maxTokens: maxTokens), submittedAt: Date(),
                    timeoutMs: timeoutMs, stream: stream
                )
            }
            let values: [Double]
            if let features {
                values = try FeatureList.parse(features, source: "--features")
            } else {
                let path = featuresFile!
                guard let data = FileManager.default.contents(atPath: path) else {
                    throw CLIError("cannot read the features file \(path)", hint: "check the path given to --features-file")
                }
                values = try FeatureList.parse(String(decoding: data, as: UTF8.self), source: path)
            }
            return InferenceJob(jobID: jobID ?? "", model: model, inputs: ModelInput(features: values), submittedAt: Date(), timeoutMs: timeoutMs)
        }

        /// Decodes every line; malformed ones are reported on stderr (with their number) and counted.
        private func readJobLines(_ path: String) throws(CLIError) -> ([InferenceJob], Int) {
            let data: Data
            if path == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: path) else {
                    throw CLIError("cannot read the jobs file \(path)", hint: "check the path given to --file (use - for stdin)")
                }
                data = contents
            }
            var jobs: [InferenceJob] = []
            var malformed = 0
            let now = Date()
            for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
                let bytes = Array(line.last == UInt8(ascii: "\r") ? line.dropLast() : line[...])
                guard bytes.contains(where: { !$0.isASCIIWhitespace }) else { continue }
                do {
                    jobs.append(try JobLine.decode(bytes, now: now, model: model, timeoutMs: timeoutMs))
                } catch {
                    malformed += 1
                    Terminal.diagnostic("kinfer: \(path == "-" ? "stdin" : path) line \(index + 1): \(error.message); not sent")
                }
            }
            return (jobs, malformed)
        }
    }
}

extension UInt8 {
    var isASCIIWhitespace: Bool { self == 0x20 || self == 0x09 || self == 0x0A || self == 0x0D }
}
