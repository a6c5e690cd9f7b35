import AsyncHTTPClient
import Foundation

extension ModelServerError {
    /// The error for an answer with a status other than 200, carrying the server's message: OpenAI's
    /// `{"error": {"message": ...}}`, vLLM's `{"message": ...}`, TGI's and the Open Inference Protocol's
    /// `{"error": "..."}`, else the body as text (at most 1,000 characters).
    public init(status: Int, body: some Collection<UInt8>) {
        var message = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let said = Self.message(in: object) {
            message = said
        }
        if message.isEmpty { message = "(no message)" }
        if message.count > 1_000 { message = String(message.prefix(1_000)) + "..." }
        self.init(.status, status: status, message)
    }

    /// The message of an OpenAI-style error object, in the shapes the common servers write it.
    public static func message(in object: [String: Any]) -> String? {
        if let error = object["error"] as? [String: Any], let message = error["message"] as? String { return message }
        if let error = object["error"] as? String { return error }
        if let message = object["message"] as? String { return message }
        return nil
    }

    /// The error for a request that got no complete answer: a timeout, or a connection that failed or was lost.
    public init(transportError error: any Error) {
        if let error = error as? ModelServerError {
            self = error
        } else if let error = error as? HTTPClientError,
            [.deadlineExceeded, .connectTimeout, .readTimeout, .writeTimeout, .getConnectionFromPoolTimeout].contains(error)
        {
            self.init(.timeout, "no answer in time (\(error))")
        } else {
            self.init(.connection, "\(error)")
        }
    }
}
