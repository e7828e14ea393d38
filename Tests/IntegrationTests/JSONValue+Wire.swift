import JobsCore

extension JSONValue {
    /// JSON text with the object keys in alphabetical order, or in reverse alphabetical order.
    ///
    /// Hasura encodes its payloads through an aeson `Value`, so keys arrive alphabetically; the
    /// reversed order shows the service does not depend on that.
    func wireText(reversingKeys: Bool = false) -> String {
        switch self {
        case .object(let members):
            let keys = reversingKeys ? members.keys.sorted(by: >) : members.keys.sorted()
            let fields = keys.map { key in
                JSONValue.string(key).serialized() + ":" + members[key]!.wireText(reversingKeys: reversingKeys)
            }
            return "{" + fields.joined(separator: ",") + "}"
        case .array(let elements):
            return "[" + elements.map { $0.wireText(reversingKeys: reversingKeys) }.joined(separator: ",") + "]"
        default:
            return self.serialized()
        }
    }

    /// A copy with the member at `path` set to `value`; objects on the way are created when missing.
    func setting(_ path: [String], to value: JSONValue) -> JSONValue {
        self.updating(path) { $0 = value }
    }

    /// A copy without the member at `path`.
    func removing(_ path: [String]) -> JSONValue {
        self.updating(path) { $0 = Optional<JSONValue>.none }
    }

    private func updating(_ path: [String], _ change: (inout JSONValue?) -> Void) -> JSONValue {
        guard let key = path.first else { return self }
        var members = self.objectValue ?? [:]
        if path.count == 1 {
            change(&members[key])
        } else {
            members[key] = (members[key] ?? .object([:])).updating(Array(path.dropFirst()), change)
        }
        return .object(members)
    }

    /// A copy of an object with every key renamed by `rename`.
    func renamingKeys(_ rename: (String) -> String) -> JSONValue {
        .object(Dictionary((self.objectValue ?? [:]).map { (rename($0.key), $0.value) }) { first, _ in first })
    }
}
