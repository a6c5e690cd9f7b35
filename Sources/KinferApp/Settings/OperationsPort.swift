extension KinferSettings {
    /// The operations endpoint's port (`/metrics`, `/healthz`, `/readyz`); `0` turns it off.
    func operationsPort() throws(CLIError) -> Int {
        let port = try int(.httpPort)
        guard port <= 65_535 else { throw CLIError("the HTTP port must be from 0 (off) to 65535, not \(port)", hint: "fix --http-port or KINFER_HTTP_PORT") }
        return port
    }
}
