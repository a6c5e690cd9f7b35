import Foundation

/// One measured line: a subject's rate, and how it compares with its baseline.
struct BenchmarkLine: Sendable {
    var benchCase: String
    var subject: String
    /// The load the line was measured at (the gateway's `saturation` and `half`), where a case measures more than one.
    var load: String? = nil
    /// Client connections held open while measuring (the gateway case's keep-alive HTTP connections).
    var connections: Int? = nil
    var rate: Double
    var unit: String
    var megabytesPerSecond: Double? = nil
    var baseline: String? = nil
    var baselineRate: Double? = nil
    /// A second subject the line is compared with (the worker's `cpp-json`), printed in a column of its own.
    var reference: String? = nil
    var referenceRate: Double? = nil
    var p50Milliseconds: Double? = nil
    var p99Milliseconds: Double? = nil
    var peakRSSMegabytes: Double? = nil
    /// CPU time per unit (message, job) of the measured process, where it runs alone (a child process).
    var cpuMicroseconds: Double? = nil
    var count: Int
    var seconds: Double
    var rounds: Int = 1

    var ratio: Double? {
        guard let baselineRate, baselineRate > 0 else { return nil }
        return rate / baselineRate
    }

    var referenceRatio: Double? {
        guard let referenceRate, referenceRate > 0 else { return nil }
        return rate / referenceRate
    }

    /// What one `unit` counts, for the CPU field's name: `cpu_us_per_job` for jobs/s.
    var unitNoun: String {
        switch unit {
        case "jobs/s": "job"
        case "msg/s": "message"
        case "rows/s": "row"
        case "op/s": "op"
        default: "unit"
        }
    }
}

/// Prints lines as a readable table, or as JSON lines (one object per line, for tracking over time).
struct BenchmarkReport {
    var lines: [BenchmarkLine] = []
    var notes: [String] = []

    mutating func add(_ line: BenchmarkLine) { lines.append(line) }

    func print(json: Bool) {
        if json {
            for line in lines { Swift.print(Self.json(line)) }
        } else {
            Swift.print(table)
            for note in notes { Swift.print("note: \(note)") }
        }
    }

    static func json(_ line: BenchmarkLine) -> String {
        var fields: [(String, String)] = [
            ("case", quoted(line.benchCase)),
            ("subject", quoted(line.subject)),
        ]
        if let load = line.load { fields.append(("load", quoted(load))) }
        if let connections = line.connections { fields.append(("connections", String(connections))) }
        fields += [
            ("rate", number(line.rate, digits: 0)),
            ("unit", quoted(line.unit)),
        ]
        if let mb = line.megabytesPerSecond { fields.append(("mb_per_s", number(mb, digits: 2))) }
        if let baseline = line.baseline { fields.append(("baseline", quoted(baseline))) }
        if let rate = line.baselineRate { fields.append(("baseline_rate", number(rate, digits: 0))) }
        if let ratio = line.ratio { fields.append(("ratio", number(ratio, digits: 3))) }
        if let reference = line.reference, let ratio = line.referenceRatio {
            fields.append(("ratio_to_" + reference.replacingOccurrences(of: "-", with: "_"), number(ratio, digits: 3)))
        }
        if let p50 = line.p50Milliseconds { fields.append(("p50_ms", number(p50, digits: 3))) }
        if let p99 = line.p99Milliseconds { fields.append(("p99_ms", number(p99, digits: 3))) }
        if let rss = line.peakRSSMegabytes { fields.append(("peak_rss_mb", number(rss, digits: 1))) }
        if let cpu = line.cpuMicroseconds { fields.append(("cpu_us_per_\(line.unitNoun)", number(cpu, digits: 2))) }
        fields.append(("count", String(line.count)))
        fields.append(("seconds", number(line.seconds, digits: 3)))
        fields.append(("rounds", String(line.rounds)))
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    var table: String {
        // A column for the reference ratio only when some line has one (the worker's "vs cpp-json").
        let references = Array(Set(lines.compactMap { $0.referenceRatio == nil ? nil : $0.reference })).sorted()
        let referenceHeader = references.isEmpty ? [] : ["vs " + references.joined(separator: "/")]
        // Load and connection columns only when some line has them (the gateway case).
        let hasLoad = lines.contains { $0.load != nil || $0.connections != nil }
        let header = ["case", "subject"] + (hasLoad ? ["load", "conns"] : []) + ["rate", "unit", "MB/s", "vs", "ratio"] + referenceHeader
            + ["p50 ms", "p99 ms", "peak RSS MB", "CPU µs", "count", "s"]
        let rows = lines.map { line -> [String] in
            var cells: [String] = [line.benchCase, line.subject]
            if hasLoad { cells += [line.load ?? "", line.connections.map(String.init) ?? ""] }
            cells += [
                Self.grouped(line.rate), line.unit,
                line.megabytesPerSecond.map { Self.number($0, digits: 1) } ?? "",
                line.baseline ?? "",
                line.ratio.map { Self.number($0, digits: 2) } ?? "",
            ]
            if !referenceHeader.isEmpty { cells.append(line.referenceRatio.map { Self.number($0, digits: 2) } ?? "") }
            return cells + [
                line.p50Milliseconds.map { Self.number($0, digits: 3) } ?? "",
                line.p99Milliseconds.map { Self.number($0, digits: 3) } ?? "",
                line.peakRSSMegabytes.map { Self.number($0, digits: 0) } ?? "",
                line.cpuMicroseconds.map { Self.number($0, digits: 1) } ?? "",
                String(line.count),
                Self.number(line.seconds, digits: 2),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        let leftAligned: Set<Int> = hasLoad ? [0, 1, 2, 5, 7] : [0, 1, 3, 5]
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return leftAligned.contains(column) ? cell + pad : pad + cell  // text left, numbers right
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([render(header), rule] + rows.map(render)).joined(separator: "\n")
    }

    private static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func number(_ value: Double, digits: Int) -> String {
        guard value.isFinite else { return "null" }
        return String(format: "%.\(digits)f", value)
    }

    /// `812345` as `812,345`.
    static func grouped(_ value: Double) -> String {
        let digits = String(Int(value.rounded()))
        var result = ""
        for (index, character) in digits.reversed().enumerated() {
            if index > 0 && index % 3 == 0 && character != "-" { result.append(",") }
            result.append(character)
        }
        return String(result.reversed())
    }
}
