import Foundation
import JobsCore

/// The arguments of each action and the fields of each input object type, read from the project's
/// `hasura/metadata/actions.graphql`, so the handlers are tested against what Hasura will send them
/// rather than against a copy of it.
struct ActionInputTypes: Sendable {
    /// The declared GraphQL type of one argument or input field.
    typealias Field = ActionOutputTypes.Field

    /// The arguments of each action (a field of `type Mutation`), by name.
    var argumentsOfAction: [String: [String: Field]]
    /// The fields of every `input` type.
    var fieldsOfInputType: [String: [String: Field]]

    static func load() throws -> ActionInputTypes {
        try ActionInputTypes(parsing: ActionOutputTypes.actionsSDL())
    }

    init(parsing sdl: String) throws {
        let text = try ActionOutputTypes.withoutDescriptions(sdl)
        func fields(_ list: Substring) throws -> [String: Field] {
            var fields: [String: Field] = [:]
            for field in list.matches(of: try Regex(#"(\w+)\s*:\s*(\w+)\s*(!?)"#)) {
                fields[String(field.output[1].substring ?? "")] = Field(
                    typeName: String(field.output[2].substring ?? ""),
                    isRequired: field.output[3].substring == "!"
                )
            }
            return fields
        }
        var actions: [String: [String: Field]] = [:]
        for block in text.matches(of: try Regex(#"type\s+Mutation\s*\{([^}]*)\}"#)) {
            for action in (block.output[1].substring ?? "").matches(of: try Regex(#"(\w+)\s*\(([^)]*)\)\s*:\s*\w+"#)) {
                actions[String(action.output[1].substring ?? "")] = try fields(action.output[2].substring ?? "")
            }
        }
        var inputs: [String: [String: Field]] = [:]
        for block in text.matches(of: try Regex(#"input\s+(\w+)\s*\{([^}]*)\}"#)) {
            inputs[String(block.output[1].substring ?? "")] = try fields(block.output[2].substring ?? "")
        }
        self.argumentsOfAction = actions
        self.fieldsOfInputType = inputs
    }

    /// Whether `value` is what Hasura sends for a GraphQL value of the scalar `typeName`; nil for a
    /// type this check does not know (the caller fails then).
    static func value(_ value: JSONValue, fits typeName: String) -> Bool? {
        switch typeName {
        case "String": return value.stringValue != nil
        case "Int": return value.integerValue != nil
        case "Boolean": return value.boolValue != nil
        case "uuid": return value.stringValue.flatMap(UUID.init(uuidString:)) != nil
        case "timestamptz": return value.stringValue.flatMap { try? Date($0, strategy: .iso8601) } != nil
        case "jsonb": return value.objectValue != nil
        default: return nil
        }
    }

    /// A value of another kind than `typeName`'s, which a handler must refuse.
    static func wrongKind(for typeName: String) -> JSONValue {
        switch typeName {
        case "Int", "Boolean": return .string("not a \(typeName)")
        case "jsonb": return [1, 2]
        default: return 42
        }
    }
}
