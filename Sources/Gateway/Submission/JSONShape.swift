/// A quick pass over a request body that finds how deeply it nests and which keys its top-level object has, before
/// the contract's decoder reads it.
///
/// The decoder refuses nesting past 128 levels; the gateway's limit is lower (see
/// ``GatewayConfiguration/Options-swift.struct/maxJSONDepth``), since no job needs more than a few. The top-level
/// keys tell the canonical shape (`inputs`) from the plain one, so that a refusal names the field as the client
/// wrote it. Syntax is left to the decoder: this pass only needs strings and brackets to be told apart.
struct JSONShape: Sendable, Hashable {
    /// The deepest nesting of arrays and objects; `1` for a flat object.
    var depth: Int
    /// The top-level object's keys as written (escapes not undone), when the body is an object.
    var topLevelKeys: Set<String>

    /// Scans `bytes`, stopping once nesting passes `maxDepth` (then `depth` is `maxDepth + 1`).
    init(scanning bytes: some Collection<UInt8>, maxDepth: Int) {
        var depth = 0
        var deepest = 0
        var keys: Set<String> = []
        // Whether the next string at depth 1 is a key: after `{` or `,` in the top-level object.
        var expectingKey = false
        var topIsObject = false
        var index = bytes.startIndex
        scan: while index != bytes.endIndex {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                deepest = max(deepest, depth)
                if depth > maxDepth { break scan }
                if depth == 1 {
                    topIsObject = byte == UInt8(ascii: "{")
                    expectingKey = topIsObject
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ",") where depth == 1 && topIsObject:
                expectingKey = true
            case UInt8(ascii: "\""):
                var text: [UInt8] = []
                index = bytes.index(after: index)
                while index != bytes.endIndex, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") {
                        text.append(bytes[index])
                        index = bytes.index(after: index)
                        if index == bytes.endIndex { break }
                    }
                    text.append(bytes[index])
                    index = bytes.index(after: index)
                }
                if depth == 1 && expectingKey {
                    keys.insert(String(decoding: text, as: UTF8.self))
                    expectingKey = false
                }
                if index == bytes.endIndex { break scan }
            default:
                break
            }
            index = bytes.index(after: index)
        }
        self.depth = deepest
        self.topLevelKeys = keys
    }
}
