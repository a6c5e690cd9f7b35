/// One numbered step of a store's schema; a store applies each step once, in order, and records its version.
struct SchemaMigration: Sendable {
    /// Increases by one per step; recorded once applied.
    var version: Int
    /// What the step does, recorded next to the version for operators.
    var description: String
    /// The step's statements, run in one transaction together with recording the version.
    var statements: [String]
}
