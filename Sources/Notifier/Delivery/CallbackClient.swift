import CallbackSafety
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Posts one signed result to a destination the guard admitted, and classifies what happened.
///
/// The connection goes to ``CallbackDestination/address``, the address the guard checked, while the request
/// (`Host` header, TLS SNI and certificate name) names the URL's host: async-http-client's `dnsOverride` maps that
/// host to the checked address, so no lookup happens between the check and the connection. Redirects are never
/// followed (3xx is a failed attempt), at most ``Configuration/maximumResponseBytes`` of an answer are read, and
/// the whole attempt, connecting included, is bounded by ``Configuration/timeout``.
public struct CallbackClient: Sendable {
    /// How attempts are made.
    public struct Configuration: Sendable, Hashable {
        /// `User-Agent`: `kinfer/<version>`.
        public var userAgent: String
        /// The longest wait for a connection. Defaults to `10` seconds.
        public var connectTimeout: Duration
        /// The longest whole attempt: connecting, sending, and reading the answer. Defaults to `10` seconds.
        public var timeout: Duration
        /// The most of a response body read; the rest is dropped with the connection. Defaults to `4096` bytes.
        public var maximumResponseBytes: Int

        /// - Parameter version: kinfer's version, for the `User-Agent`.
        public init(
            version: String, connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(10),
            maximumResponseBytes: Int = 4096
        ) {
            self.userAgent = "kinfer/\(version)"
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maximumResponseBytes = maximumResponseBytes
        }
    }

    public let configuration: Configuration
    private let eventLoopGroup: any EventLoopGroup

    public init(configuration: Configuration, eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
    }

    /// What one attempt got: the outcome, and the first bytes of the receiver's answer (for the DLQ's last error).
    public struct Attempt: Sendable, Hashable {
        public let outcome: DeliveryOutcome
        public let responseExcerpt: [UInt8]

        public init(outcome: DeliveryOutcome, responseExcerpt: [UInt8]) {
            self.outcome = outcome
            self.responseExcerpt = responseExcerpt
        }
    }

    /// Posts `body` (the result JSON as stored) with the signature `headers` to `destination`.
    public func post(_ body: [UInt8], headers: WebhookHeaders, to destination: CallbackDestination) async -> Attempt {
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.redirectConfiguration = .disallow
        httpConfiguration.timeout = HTTPClient.Configuration.Timeout(connect: .init(self.configuration.connectTimeout))
        httpConfiguration.decompression = .disabled
        // The client is made per destination because the override is a client setting; connections to one
        // receiver are not reused across attempts (a later cache by host and address would).
        httpConfiguration.dnsOverride = [destination.host: destination.address.description]
        let client = HTTPClient(eventLoopGroup: self.eventLoopGroup, configuration: httpConfiguration)
        let attempt = await self.post(body, headers: headers, to: destination, with: client)
        try? await client.shutdown()
        return attempt
    }

    private func post(
        _ body: [UInt8], headers: WebhookHeaders, to destination: CallbackDestination, with client: HTTPClient
    ) async -> Attempt {
        var request = HTTPClientRequest(url: Self.requestURL(destination))
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: self.configuration.userAgent)
        for field in headers.fields { request.headers.add(name: field.name, value: field.value) }
        request.body = .bytes(body)
        do {
            let response = try await client.execute(request, timeout: .init(self.configuration.timeout))
            var excerpt: [UInt8] = []
            for try await chunk in response.body {
                excerpt.append(contentsOf: chunk.readableBytesView.prefix(self.configuration.maximumResponseBytes - excerpt.count))
                if excerpt.count >= self.configuration.maximumResponseBytes { break }
            }
            let outcome = DeliveryOutcome.classify(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "retry-after")
            )
            return Attempt(outcome: outcome, responseExcerpt: excerpt)
        } catch {
            return Attempt(outcome: .classify(Self.failure(error)), responseExcerpt: [])
        }
    }

    /// The URL as the guard read it (normalised host, explicit port), so that the HTTP client's own URL parser
    /// cannot read a different host out of the author's spelling.
    static func requestURL(_ destination: CallbackDestination) -> String {
        let host = destination.host.contains(":") ? "[\(destination.host)]" : destination.host
        return "\(destination.scheme)://\(host):\(destination.port)\(destination.url.requestTarget)"
    }

    private static func failure(_ error: any Error) -> DeliveryFailure {
        if let error = error as? HTTPClientError,
            [.deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout].contains(error)
        {
            return DeliveryFailure(.timeout, "no complete answer in time (\(error))")
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return DeliveryFailure(.timeout, "no connection in time")
        }
        return DeliveryFailure(.connection, "\(error)")
    }
}
