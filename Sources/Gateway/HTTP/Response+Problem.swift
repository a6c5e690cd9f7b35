import Hummingbird

extension Response {
    /// `problem` as `application/problem+json`, with `Retry-After` and `Allow` where it carries them, and
    /// `WWW-Authenticate` on a `401`.
    static func problem(_ problem: Problem) -> Response {
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter = problem.retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        if let location = problem.location { headers[.location] = location }
        if let allow = problem.allow { headers[.allow] = allow.joined(separator: ", ") }
        if problem.status == 401 { headers[.wwwAuthenticate] = "Bearer realm=\"kinfer\"" }
        return Response(
            status: HTTPResponse.Status(code: problem.status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: problem.json))
        )
    }

    /// A JSON body with `status`.
    static func json(_ status: HTTPResponse.Status, _ bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
