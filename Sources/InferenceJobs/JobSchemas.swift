import Foundation

/// The JSON Schemas (draft 2020-12) of the contract, bundled with this module so tests and tools can check against
/// the same files other languages' clients read.
public enum JobSchemas {
    /// `job.schema.json`: a job in either accepted shape.
    public static var jobSchemaURL: URL { self.url(of: "job.schema") }
    /// `result.schema.json`: a result as the worker writes it.
    public static var resultSchemaURL: URL { self.url(of: "result.schema") }
    /// `stream-chunk.schema.json`: a record of the stream topic, chunks of a job's generated text.
    public static var streamChunkSchemaURL: URL { self.url(of: "stream-chunk.schema") }

    private static func url(of name: String) -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Schemas") else {
            preconditionFailure("\(name).json is missing from the InferenceJobs resource bundle")
        }
        return url
    }
}
