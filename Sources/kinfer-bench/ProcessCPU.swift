import Foundation

/// A process's CPU time (user and system) from `/proc/<pid>/stat`: the work it did, which on a machine shared with
/// other jobs varies far less than its wall-clock rate.
enum ProcessCPU {
    /// CPU seconds used so far by process `pid`, or `nil` where `/proc` is unavailable.
    static func seconds(ofProcess pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let commandEnd = stat.lastIndex(of: ")")
        else { return nil }
        // After "pid (command) ": state is field 3, utime and stime are fields 14 and 15, in clock ticks.
        let fields = stat[stat.index(after: commandEnd)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// CPU seconds used so far by this process, to the microsecond (`getrusage`).
    static var ownSeconds: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
