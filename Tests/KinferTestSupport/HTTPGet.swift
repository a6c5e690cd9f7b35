import AsyncHTTPClient
import Foundation
import NIOCore

/// A response read by ``httpGet(_:timeout:)``.
public struct HTTPGetResponse: Sendable {
    public let status: Int
    public let body: String
}

/// A real `GET` over the network (loopback in tests); throws when the whole exchange has not finished within
/// `timeout`, and ends when the calling task is cancelled.
///
/// AsyncHTTPClient rather than `URLSession`: FoundationNetworking's session on Linux has known hangs, and a
/// time-limited test cannot cancel one of its requests.
public func httpGet(_ url: String, timeout: Duration = .seconds(10)) async throws -> HTTPGetResponse {
    let deadline = NIODeadline.now() + .nanoseconds(Int64(timeout / .nanoseconds(1)))
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), deadline: deadline)
    let body = try await response.body.collect(upTo: 16 << 20)
    return HTTPGetResponse(status: Int(response.status.code), body: String(buffer: body))
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
