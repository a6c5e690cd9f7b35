import Logging

/// Makes the store that `url` names, without connecting: see ``ResultStoreURL`` for the accepted forms.
///
/// The store does nothing until its `run()` is running; see ``ResultStore``.
///
/// - Throws: ``ResultStoreError`` with code ``ResultStoreError/Code-swift.struct/invalidURL``.
public func makeResultStore(url: String, logger: Logger) throws -> any ResultStore {
    switch try ResultStoreURL(url) {
    case .postgres(let configuration):
        PostgresResultStore(configuration: configuration, logger: logger)
    case .sqlite(let path):
        SQLiteResultStore(path: path, logger: logger)
    }
}
