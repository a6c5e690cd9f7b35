import Foundation
import Logging
import ResultStore

/// The two stores; every behaviour test runs against both.
public enum StoreKind: String, CaseIterable, Sendable {
    case postgres
    case sqlite
}

public let quietLogger = Logger(label: "kinfer.tests.results-store") { _ in SwiftLogNoOpLogHandler() }

/// Runs `body` with the URL of an empty database of `kind`, removed afterwards.
public func withEmptyDatabase<Result: Sendable>(_ kind: StoreKind, _ body: (_ url: String) async throws -> Result) async throws -> Result {
    switch kind {
    case .postgres:
        try await withTemporaryPostgres { server in try await body(server.url) }
    case .sqlite:
        try await withTemporarySQLiteURL(body)
    }
}

/// Runs `body` with a running, migrated store of `kind` on an empty database of its own.
public func withFreshStore<Result: Sendable>(
    _ kind: StoreKind,
    _ body: (any ResultStore, _ url: String) async throws -> Result
) async throws -> Result {
    try await withEmptyDatabase(kind) { url in
        try await withResultStore(url: url, logger: quietLogger) { try await body($0, url) }
    }
}

/// Runs `body` with a `sqlite://` URL for a file in a new temporary directory, deleted afterwards.
public func withTemporarySQLiteURL<Result>(_ body: (String) async throws -> Result) async throws -> Result {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kinfer-sqlite-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    return try await body("sqlite://\(directory.path)/results.db")
}
