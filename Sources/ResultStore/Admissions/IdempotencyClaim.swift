/// What a gateway is to do with a submission that carries an idempotency key, as the shared store decided it.
public enum IdempotencyClaim: Sendable, Hashable {
    /// Produce `jobID`: the key is new (or past retention), or its in-progress record was stale and is now this
    /// gateway's. Producing an ID a crashed gateway may already have produced is harmless: the sink keeps one row.
    case produce(jobID: String)
    /// The key's job was accepted already: answer the first answer again, enqueue nothing.
    case replay(jobID: String)
    /// The key was used with a different body (`422`).
    case differentBody(jobID: String)
    /// Another request with the key is being produced right now (`409`).
    case inProgress(jobID: String)
}
