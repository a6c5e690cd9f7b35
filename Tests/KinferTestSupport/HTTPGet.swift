import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A response read by ``httpGet(_:timeout:)``.
public struct HTTPGetResponse: Sendable {
    public let status: Int
    public let body: String
}

/// A real `GET` over the network (loopback in tests), with no caching; throws when nothing answers within `timeout`.
public func httpGet(_ url: String, timeout: Duration = .seconds(10)) async throws -> HTTPGetResponse {
    var request = URLRequest(url: URL(string: url)!)
    request.cachePolicy = .reloadIgnoringLocalCacheData
    request.timeoutInterval = Double(timeout.components.seconds)
    let (data, response) = try await URLSession.shared.data(for: request)
    let status = (response as? HTTPURLResponse)?.statusCode ?? 0
    return HTTPGetResponse(status: status, body: String(decoding: data, as: UTF8.self))
}

/// The samples of a Prometheus text exposition, keyed by series (`name{label="value",...}` as written), for tests
/// to look values up in.
public struct PrometheusSamples: Sendable {
    public let values: [String: Double]

    public init(_ text: String) {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        self.values = values
    }

    /// The value of the series `name` whose labels include every pair of `labels`; `nil` when there is none.
    /// With several matches, their sum.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matches = values.filter { series, _ in
            let (seriesName, seriesLabels) = Self.split(series)
            return seriesName == name && labels.allSatisfy { seriesLabels[$0.key] == $0.value }
        }
        return matches.isEmpty ? nil : matches.values.reduce(0, +)
    }

    /// Every series of `name`, as their labels.
    public func series(_ name: String) -> [[String: String]] {
        values.keys.map(Self.split).filter { $0.0 == name }.map(\.1)
    }

    private static func split(_ series: String) -> (String, [String: String]) {
        guard let brace = series.firstIndex(of: "{") else { return (series, [:]) }
        let name = String(series[..<brace])
        let inner = series[series.index(after: brace)..<(series.lastIndex(of: "}") ?? series.endIndex)]
        var labels: [String: String] = [:]
        for pair in inner.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2 else { continue }
            labels[String(parts[0])] = String(parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")))
        }
        return (name, labels)
    }
}
