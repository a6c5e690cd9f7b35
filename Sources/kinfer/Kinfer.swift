import ArgumentParser
import Foundation
import KinferApp

/// `kinfer`: run and operate the asynchronous inference pipeline on Kafka.
@main
struct Kinfer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Asynchronous ML inference on Kafka: run the pipeline and operate it.",
        discussion: """
            Settings come from flags, then KINFER_* environment variables, then a JSON config file (--config), \
            then defaults. Any librdkafka property passes through with --kafka-property name=value or \
            KINFER_KAFKA_<NAME> (KINFER_KAFKA_SASL_PASSWORD is sasl.password).
            """,
        version: KinferVersion.current,
        subcommands: [
            Broker.self, Worker.self, Sink.self, NotifierCommand.self, GatewayCommand.self, Submit.self, Demo.self, Status.self, Tail.self, Lag.self, Topics.self, DLQ.self, Config.self,
        ]
    )

    /// Runs the command line; every failure ends as one line on stderr and a non-zero status, never a trace.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            fail(error)
        }
    }

    private static func fail(_ error: any Error) -> Never {
        if let error = error as? CLIError {
            Terminal.diagnostic("kinfer: error: \(error.description)")
            Foundation.exit(error.exitCode)
        }
        let code = exitCode(for: error)
        if code == .success || error is ExitCode || error is CleanExit {
            exit(withError: error)  // help, --version, or a status a command chose
        }
        if code == .validationFailure {
            let path = commandPath().map { $0 + " " }.joined()
            Terminal.diagnostic("kinfer: error: \(message(for: error)); run 'kinfer \(path)--help' for usage")
        } else {
            Terminal.diagnostic("kinfer: error: \(ErrorReport.line(for: error))")
        }
        Foundation.exit(code.rawValue)
    }

    /// The subcommand names at the start of the command line, for the usage hint.
    private static func commandPath() -> [String] {
        var path: [String] = []
        var command: any ParsableCommand.Type = Kinfer.self
        for argument in CommandLine.arguments.dropFirst() {
            guard let next = command.configuration.subcommands.first(where: { $0._commandName == argument }) else { break }
            path.append(argument)
            command = next
        }
        return path
    }
}
