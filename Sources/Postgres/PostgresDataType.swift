/// A column's type, identified by the server's type OID.
public struct PostgresDataType: Hashable, Sendable, CustomStringConvertible {
    public var oid: UInt32

    public init(oid: UInt32) {
        self.oid = oid
    }

    public static let bool = Self(oid: 16)
    public static let int8 = Self(oid: 20)
    public static let int2 = Self(oid: 21)
    public static let int4 = Self(oid: 23)
    public static let text = Self(oid: 25)
    public static let json = Self(oid: 114)
    public static let float8 = Self(oid: 701)
    public static let varchar = Self(oid: 1043)
    public static let date = Self(oid: 1082)
    public static let timestamp = Self(oid: 1114)
    public static let timestamptz = Self(oid: 1184)
    public static let numeric = Self(oid: 1700)
    public static let uuid = Self(oid: 2950)
    public static let jsonb = Self(oid: 3802)

    public var description: String {
        switch self {
        case .bool: "bool"
        case .int8: "int8"
        case .int2: "int2"
        case .int4: "int4"
        case .text: "text"
        case .json: "json"
        case .float8: "float8"
        case .varchar: "varchar"
        case .date: "date"
        case .timestamp: "timestamp"
        case .timestamptz: "timestamptz"
        case .numeric: "numeric"
        case .uuid: "uuid"
        case .jsonb: "jsonb"
        default: "oid \(self.oid)"
        }
    }
}
