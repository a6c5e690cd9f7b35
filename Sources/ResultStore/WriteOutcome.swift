/// What a store did with one batch of results.
///
/// `inserted + duplicatesAbsorbed` always equals the number of results in the batch.
public struct WriteOutcome: Sendable, Hashable {
    /// Results that became a new row: the first result the store ever saw for their job.
    public var inserted: Int
    /// Results dropped because their job already had a row, or because an earlier result for the same job came
    /// in the same batch. Each is a redelivery or a repeat the worker published; none changes a stored row.
    public var duplicatesAbsorbed: Int

    public init(inserted: Int, duplicatesAbsorbed: Int) {
        self.inserted = inserted
        self.duplicatesAbsorbed = duplicatesAbsorbed
    }
}
