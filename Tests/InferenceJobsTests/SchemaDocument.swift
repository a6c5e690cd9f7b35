import Foundation
import InferenceJobs
import Testing

/// One of the contract's JSON Schemas, read as JSON, with the few parts of the draft 2020-12 vocabulary the
/// contract uses: `properties`, `type`, `items`, `$ref` into `$defs`, and `required` combined with `anyOf` and `not`.
struct SchemaDocument {
    let root: [String: JSONValue]

    init(_ url: URL) throws {
        guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url)) else {
            throw SchemaFailure("\(url.lastPathComponent) is not an object")
        }
        self.root = object
    }

    func definition(_ name: String) -> [String: JSONValue]? {
        guard case .object(let definitions)? = self.root["$defs"] else { return nil }
        return definitions[name]?.objectValue
    }

    /// `node` with its `$ref` merged in (its own members win).
    func resolved(_ node: [String: JSONValue]) -> [String: JSONValue] {
        guard case .string(let reference)? = node["$ref"], reference.hasPrefix("#/$defs/"),
            let definition = self.definition(String(reference.dropFirst("#/$defs/".count)))
        else { return node }
        return node.merging(definition) { local, _ in local }
    }

    /// The JSON types a node allows: its `type`, its `$ref`'s, or the union over its `anyOf` branches.
    func types(of node: [String: JSONValue]) -> Set<String> {
        let node = self.resolved(node)
        switch node["type"] {
        case .string(let type)?: return [type]
        case .array(let types)?: return Set(types.compactMap(\.stringValue))
        default: break
        }
        return self.branches(of: node).reduce(into: []) { $0.formUnion(self.types(of: $1)) }
    }

    /// Whether an object with exactly `keys` meets `node`'s `required`, `anyOf` and `not` (ignoring values).
    func admits(_ node: [String: JSONValue], keys: Set<String>) -> Bool {
        let node = self.resolved(node)
        guard Self.required(node).isSubset(of: keys) else { return false }
        if case .array = node["anyOf"], !self.branches(of: node).contains(where: { self.admits($0, keys: keys) }) { return false }
        if case .object(let negated)? = node["not"], self.admits(negated, keys: keys) { return false }
        return true
    }

    /// The `anyOf` branches of `node`, each resolved.
    func branches(of node: [String: JSONValue]) -> [[String: JSONValue]] {
        guard case .array(let branches)? = node["anyOf"] else { return [] }
        return branches.compactMap(\.objectValue).map(self.resolved)
    }

    /// The object schema that describes `object`: `node` itself, or the one `anyOf` branch that admits its keys.
    func objectSchema(_ node: [String: JSONValue], for object: [String: JSONValue]) throws -> [String: JSONValue] {
        let node = self.resolved(node)
        let branches = self.branches(of: node)
        guard !branches.isEmpty else { return node }
        let admitting = branches.filter { self.admits($0, keys: Set(object.keys)) }
        guard admitting.count == 1 else { throw SchemaFailure("\(admitting.count) branches admit \(object.keys.sorted())") }
        return admitting[0]
    }

    /// Checks each field's JSON type, and the type of array items, against `schema`'s properties.
    func expectConforms(_ object: [String: JSONValue], to schema: [String: JSONValue], path: String) {
        let properties = Self.properties(of: schema)
        for (key, value) in object {
            guard let property = properties[key]?.objectValue else {
                Issue.record("\(path).\(key) is written but not in the schema")
                continue
            }
            let types = self.types(of: property)
            #expect(Self.matches(value, types), "\(path).\(key): \(value) is not \(types.sorted())")
            if case .array(let elements) = value, let items = self.resolved(property)["items"]?.objectValue {
                let itemTypes = self.types(of: items)
                #expect(elements.allSatisfy { Self.matches($0, itemTypes) }, "\(path).\(key) items are not \(itemTypes.sorted())")
            }
        }
    }

    static func matches(_ value: JSONValue, _ types: Set<String>) -> Bool {
        switch value {
        case .null: types.contains("null")
        case .bool: types.contains("boolean")
        case .integer: types.contains("integer") || types.contains("number")
        case .number: types.contains("number")
        case .string: types.contains("string")
        case .array: types.contains("array")
        case .object: types.contains("object")
        }
    }

    static func properties(of schema: [String: JSONValue]) -> [String: JSONValue] {
        guard case .object(let properties)? = schema["properties"] else { return [:] }
        return properties
    }

    static func required(_ schema: [String: JSONValue]) -> Set<String> {
        guard case .array(let names)? = schema["required"] else { return [] }
        return Set(names.compactMap(\.stringValue))
    }

    static func example(of property: JSONValue, named key: String) throws -> JSONValue {
        guard case .array(let examples)? = property.objectValue?["examples"], let example = examples.first else {
            throw SchemaFailure("schema property '\(key)' has no example")
        }
        return example
    }

    static func object(_ bytes: [UInt8]) throws -> [String: JSONValue] {
        try JSONDecoder().decode([String: JSONValue].self, from: Data(bytes))
    }

    static func bytes(_ object: [String: JSONValue]) throws -> [UInt8] {
        Array(try JSONEncoder().encode(object))
    }

    /// Every subset of `keys`: for checking required rules that combine several keys (`anyOf`).
    static func subsets(of keys: [String]) -> [Set<String>] {
        precondition(keys.count <= 14, "too many keys to try every subset")
        return (0..<(1 << keys.count)).map { mask in Set(keys.indices.filter { mask & (1 << $0) != 0 }.map { keys[$0] }) }
    }
}

struct SchemaFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    var objectValue: [String: JSONValue]? {
        if case .object(let object) = self { object } else { nil }
    }

    var stringValue: String? {
        if case .string(let string) = self { string } else { nil }
    }
}
