import Hummingbird
import NIOCore

/// Hummingbird's basic context plus the request's channel: a waiting `/v1/predict` or event stream watches the
/// channel's close so that a client that disconnects is forgotten at once, not at the next heartbeat's failed write
/// (Hummingbird does not cancel a handler whose client has gone).
struct GatewayRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = CoreRequestContextStorage(source: source)
        self.channel = source.channel
    }
}
