/// A failure the user can act on: what is wrong, and what to do. Printed as one line on stderr.
public struct CLIError: Error, CustomStringConvertible {
    var problem: String
    var hint: String?
    /// The process's exit status. Defaults to `1`.
    public var exitCode: Int32

    public init(_ problem: String, hint: String? = nil, exitCode: Int32 = 1) {
        self.problem = problem
        self.hint = hint
        self.exitCode = exitCode
    }

    public var description: String {
        hint.map { "\(problem); \($0)" } ?? problem
    }
}
