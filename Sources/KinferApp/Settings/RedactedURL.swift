import Foundation

/// A URL with its password replaced by `*****`, for printing and logging (`postgres://kinfer:*****@db/kinfer`).
/// Public for `kinfer status`, which names the database it reads in its errors.
public func redactedURL(_ url: String) -> String {
    guard let schemeEnd = url.range(of: "://") else { return url }
    let rest = url[schemeEnd.upperBound...]
    let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
    guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
    let userInfo = rest[..<at]
    guard let colon = userInfo.firstIndex(of: ":") else { return url }
    return String(url[..<schemeEnd.upperBound]) + userInfo[..<colon] + ":*****" + rest[at...]
}
