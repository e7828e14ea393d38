import Foundation
import JobsCore
import TestSupport

/// The output type of each action, read from the project's `hasura/metadata/actions.graphql`, so a
/// handler's 2xx answer is checked against the types Hasura will apply to it, not against a copy.
///
/// Hasura turns a 2xx body into the action's value: a non-null field that is missing or null is an
/// error for the GraphQL client, and older engines also refuse fields the type does not declare. So
/// the answer must carry exactly the declared fields, each of the declared scalar kind.
struct ActionOutputTypes: Sendable {
    /// One field of an output type: its GraphQL type name and whether it is non-null (`!`).
    struct Field: Sendable, Equatable {
        var typeName: String
        var isRequired: Bool
    }

    /// The output type's name per action (a field of `type Mutation`).
    var outputTypeOfAction: [String: String]
    /// The fields of every object type.
    var fieldsOfType: [String: [String: Field]]

    /// The project's `hasura/metadata/actions.graphql`.
    static func actionsSDL() throws -> String {
        let file = TestDatabase.repositoryRoot.appendingPathComponent("hasura/metadata/actions.graphql")
        return try String(contentsOf: file, encoding: .utf8)
    }

    /// `sdl` without its descriptions and comments, which the readers of its blocks skip.
    static func withoutDescriptions(_ sdl: String) throws -> String {
        let text = sdl.replacing(try Regex(#"\"\"\"[\s\S]*?\"\"\""#), with: "")
        return text.replacing(try Regex(#"#[^\n]*"#), with: "")
    }

    static func load() throws -> ActionOutputTypes {
        try ActionOutputTypes(parsing: Self.actionsSDL())
    }

    /// Reads the `type X { ... }` blocks of an SDL document; descriptions and comments are skipped.
    init(parsing sdl: String) throws {
        let text = try Self.withoutDescriptions(sdl)
        var actions: [String: String] = [:]
        var types: [String: [String: Field]] = [:]
        for block in text.matches(of: try Regex(#"type\s+(\w+)\s*\{([^}]*)\}"#)) {
            let name = String(block.output[1].substring ?? "")
            let body = String(block.output[2].substring ?? "")
            if name == "Mutation" || name == "Query" {
                for field in body.matches(of: try Regex(#"(\w+)\s*\([^)]*\)\s*:\s*(\w+)"#)) {
                    actions[String(field.output[1].substring ?? "")] = String(field.output[2].substring ?? "")
                }
            } else {
                var fields: [String: Field] = [:]
                for field in body.matches(of: try Regex(#"(\w+)\s*:\s*(\w+)\s*(!?)"#)) {
                    fields[String(field.output[1].substring ?? "")] = Field(
                        typeName: String(field.output[2].substring ?? ""),
                        isRequired: field.output[3].substring == "!"
                    )
                }
                types[name] = fields
            }
        }
        self.outputTypeOfAction = actions
        self.fieldsOfType = types
    }

    /// What is wrong with `value` as the answer of `action`; empty when Hasura would accept it.
    func problems(with value: JSONValue, forAction action: String) -> [String] {
        guard let typeName = self.outputTypeOfAction[action], let fields = self.fieldsOfType[typeName] else {
            return ["actions.graphql declares no output type for '\(action)'"]
        }
        guard let members = value.objectValue else {
            return ["\(typeName): expected an object, got \(value.kindName)"]
        }
        var problems: [String] = []
        for extra in Set(members.keys).subtracting(fields.keys).sorted() {
            problems.append("\(typeName) has no field '\(extra)'")
        }
        for (name, field) in fields.sorted(by: { $0.key < $1.key }) {
            let member = members[name] ?? .null
            if member == .null {
                if field.isRequired {
                    problems.append("\(typeName).\(name) is non-null but \(members[name] == nil ? "absent" : "null")")
                } else if members[name] == nil {
                    // A nullable field is still expected in the answer, as an explicit null.
                    problems.append("\(typeName).\(name) is absent")
                }
            } else if !Self.value(member, fits: field.typeName) {
                problems.append("\(typeName).\(name) = \(member.serialized()) is not a \(field.typeName)")
            }
        }
        return problems
    }

    /// Whether `value` is a valid JSON form of the scalar `typeName` (Hasura's Postgres scalars included).
    static func value(_ value: JSONValue, fits typeName: String) -> Bool {
        switch typeName {
        case "uuid": value.stringValue.flatMap(UUID.init(uuidString:)) != nil
        case "timestamptz": value.stringValue.flatMap(ISO8601Parsing.date(from:)) != nil
        case "String": value.stringValue != nil
        case "Boolean": value.boolValue != nil
        case "Int": value.integerValue != nil
        case "jsonb": true
        default: false
        }
    }
}
