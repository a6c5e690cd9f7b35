import AsyncHTTPClient

/// The demo's HTTP client to the gateway: keep-alive connections enough for every sender and every followed stream
/// at once. (`HTTPClient.shared` keeps at most 8 connections per host, so the rest would queue behind them, and a
/// queued stream would count its wait as push latency.) Shut it down (`shutdown()`) before releasing it.
enum DemoHTTPClient {
    static func make(connections: Int = 512) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
