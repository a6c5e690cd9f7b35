/// Latency samples and their percentiles (nearest rank).
struct LatencySamples {
    private(set) var milliseconds: [Double] = []

    init(capacity: Int = 0) {
        milliseconds.reserveCapacity(capacity)
    }

    mutating func record(_ duration: Duration) {
        milliseconds.append(duration.seconds * 1000)
    }

    var count: Int { milliseconds.count }

    /// The `p`th percentile (0...100), nearest-rank; `nil` with no samples.
    func percentile(_ p: Double) -> Double? {
        guard !milliseconds.isEmpty else { return nil }
        let sorted = milliseconds.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// The median of some figures (the mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
