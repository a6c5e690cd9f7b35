import Foundation

/// Durations on the command line: a number and a unit, `500ms`, `5s`, `5m`, `2h`.
enum DurationText {
    /// The duration `text` spells, or `nil` if it is not a positive number followed by ms, s, m or h.
    static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, seconds: Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3_600)]
        for unit in units where text.hasSuffix(unit.suffix) {
            guard let number = Double(text.dropLast(unit.suffix.count)), number > 0, number.isFinite else { return nil }
            return .milliseconds(Int64((number * unit.seconds * 1_000).rounded()))
        }
        return nil
    }

    /// A comma-separated list of durations, or `nil` if any is not one.
    static func parseList(_ text: String) -> [Duration]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let durations = parts.compactMap(Self.parse)
        return durations.count == parts.count && !durations.isEmpty ? durations : nil
    }
}
