import ArgumentParser

/// Options every case shares.
struct BenchOptions: ParsableArguments {
    @Option(help: "Messages per measured subject.")
    var messages: Int = 1_000_000

    @Option(help: "Message value size in bytes.")
    var size: Int = 100

    @Option(help: "Partitions per topic. The embedded cluster keeps at most 5 MiB per partition and silently drops older data, so keep messages × (size + ~70) / partitions well below that.")
    var partitions: Int = 64

    @Option(help: "Rounds; subjects alternate their order each round and each figure is the median over rounds.")
    var rounds: Int = 1

    @Option(help: "Only these subjects, comma-separated (for profiling one side); default: all of the case's.")
    var subjects: String?

    @Flag(help: "Print one JSON object per measured line instead of a table.")
    var json = false

    /// `all` narrowed to `--subjects`, in `all`'s order.
    func subjects(of all: [String]) -> [String] {
        guard let subjects else { return all }
        let wanted = Set(subjects.split(separator: ",").map(String.init))
        return all.filter { wanted.contains($0) }
    }

    func validate() throws {
        guard messages > 0, size >= 0, partitions > 0, rounds > 0 else {
            throw ValidationError("--messages, --partitions and --rounds must be positive, --size not negative")
        }
        // ~70 bytes of record and batch overhead per 100-byte message on the mock, plus the key.
        let perPartition = Double(messages) * Double(size + 80) / Double(partitions)
        guard perPartition < 4.5 * 1024 * 1024 else {
            throw ValidationError(
                "\(messages) messages of \(size) bytes over \(partitions) partitions is ~\(Int(perPartition / 1024)) KiB per partition: the embedded cluster keeps at most 5 MiB per partition; use more partitions"
            )
        }
    }
}
