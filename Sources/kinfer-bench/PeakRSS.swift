import Foundation

/// The process's peak resident set size (`VmHWM` in `/proc/self/status`), resettable between subjects.
///
/// The figure is the whole process's: with the embedded cluster in this process, it includes the
/// cluster's stored messages, equally for every subject of a case.
enum PeakRSS {
    /// Resets the peak to the current resident size (Linux: `5` to `/proc/self/clear_refs`). Returns whether it could.
    @discardableResult
    static func reset() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Array("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// The peak resident size in MiB, or `nil` where `/proc` is unavailable.
    static var megabytes: Double? { field("VmHWM:") }

    /// The current resident size in MiB.
    static var currentMegabytes: Double? { field("VmRSS:") }

    /// The peak resident size of another process (a child) in MiB.
    static func megabytes(ofProcess pid: Int32) -> Double? { field("VmHWM:", process: "\(pid)") }

    private static func field(_ name: String, process: String = "self") -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            // "VmHWM:	  123456 kB"
            let kilobytes = line.dropFirst(name.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
                .flatMap { Double($0) }
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }
}
