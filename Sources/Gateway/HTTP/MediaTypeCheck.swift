import Foundation

/// Whether a `Content-Type` names JSON: `application/json` or any `application/*+json`, parameters ignored,
/// case-insensitive (RFC 9110 §8.3.1).
enum MediaTypeCheck {
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let essence = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return essence == "application/json" || (essence.hasPrefix("application/") && essence.hasSuffix("+json"))
    }
}
