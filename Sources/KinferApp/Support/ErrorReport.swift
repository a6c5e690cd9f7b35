import Kafka
import ResultStore

/// Turns any error a command throws into the one line `kinfer` prints for it, with a hint for the Kafka and
/// database errors that the services let through. Public for the command's last-resort error line.
public enum ErrorReport {
    public static func line(for error: any Error) -> String {
        switch error {
        case let error as CLIError:
            return error.description
        case let error as KafkaError:
            return "Kafka: \(error.message); \(hint(for: error))"
        case let error as ResultStoreError:
            return "results database: \(error.message); check --database or KINFER_DATABASE_URL"
        default:
            return "\(error)"
        }
    }

    private static func hint(for error: KafkaError) -> String {
        switch error.code {
        case .transport, .timedOut:
            "check --bootstrap-servers (or KINFER_BOOTSTRAP_SERVERS) and that the brokers are up and reachable"
        case .configuration:
            "check --kafka-property, KINFER_KAFKA_* and the config file's \"kafka\" object"
        case .invalidTopicName:
            "check the topic flags (--jobs-topic, --results-topic, --retry-topic, --dlq-topic)"
        default:
            "run with --log-level info for librdkafka's details"
        }
    }
}
