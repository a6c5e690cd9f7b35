import Foundation

/// How fast the demo submits: as fast as possible, at a steady rate, or a base rate with a 10x burst in the middle.
public enum DemoLoad: Sendable, CustomStringConvertible {
    case fullSpeed
    case steady(Double)
    /// `base` jobs/s for the first 40% of jobs, 10x for the next 30%, `base` again for the rest.
    case spike(base: Double)

    /// Seconds after the start at which job `index` of `total` is due; `nil` means at once.
    func offset(of index: Int, total: Int) -> Double? {
        switch self {
        case .fullSpeed: return nil
        case .steady(let rate): return Double(index) / rate
        case .spike(let base):
            let burstStart = total * 4 / 10, burstEnd = total * 7 / 10
            if index < burstStart { return Double(index) / base }
            let afterBase = Double(burstStart) / base
            if index < burstEnd { return afterBase + Double(index - burstStart) / (base * 10) }
            return afterBase + Double(burstEnd - burstStart) / (base * 10) + Double(index - burstEnd) / base
        }
    }

    public var description: String {
        switch self {
        case .fullSpeed: "full speed"
        case .steady(let rate): "\(Int(rate)) jobs/s"
        case .spike(let base): "\(Int(base)) jobs/s with a 10x burst (\(Int(base * 10)) jobs/s) from 40% to 70% of the jobs"
        }
    }
}
