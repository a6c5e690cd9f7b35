import AsyncHTTPClient

extension HTTPClient {
    /// A client for one model server: HTTP/1.1 (what every model server speaks), no redirects (a model URL that
    /// moves is a configuration error, not something to follow), `requestTimeout` to connect, and up to
    /// `maxConnections` kept open, idle for a minute at most.
    ///
    /// - Important: Shut it down once no request runs any more.
    public static func forModelServer(requestTimeout: Duration, maxConnections: Int) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .init(requestTimeout))
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConnections)
        )
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
