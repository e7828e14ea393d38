public import Foundation

/// One schema migration in the Hasura CLI layout: `<13-digit version>_<name>/up.sql` and `down.sql`.
public struct Migration: Sendable, Hashable {
    /// The millisecond timestamp the Hasura CLI uses as the version.
    public var version: Int64
    public var name: String
    public var upSQL: String
    public var downSQL: String?

    public init(version: Int64, name: String, upSQL: String, downSQL: String? = nil) {
        self.version = version
        self.name = name
        self.upSQL = upSQL
        self.downSQL = downSQL
    }

    /// Reads every migration below `directory` (for example `migrations/default`), in version order.
    ///
    /// - Throws: `PostgresError` (`.migration`) naming a folder whose name or files do not fit the layout.
    public static func load(from directory: URL) throws -> [Migration] {
        let fileManager = FileManager.default
        let entries: [String]
        do {
            entries = try fileManager.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw PostgresError(code: .migration, message: "cannot read the migrations folder \(directory.path)")
        }
        var migrations: [Migration] = []
        var seen: [Int64: String] = [:]
        for entry in entries.sorted() where !entry.hasPrefix(".") {
            let folder = directory.appendingPathComponent(entry)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                continue
            }
            let parts = entry.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, parts[0].count == 13, let version = Int64(parts[0]) else {
                throw PostgresError(
                    code: .migration,
                    message: "migration folder \(entry) must be named <13-digit version>_<name>"
                )
            }
            if let other = seen[version] {
                throw PostgresError(code: .migration, message: "migrations \(other) and \(entry) share a version")
            }
            seen[version] = entry
            guard let up = try? String(contentsOf: folder.appendingPathComponent("up.sql"), encoding: .utf8) else {
                throw PostgresError(code: .migration, message: "migration \(entry) has no readable up.sql")
            }
            let down = try? String(contentsOf: folder.appendingPathComponent("down.sql"), encoding: .utf8)
            migrations.append(Migration(version: version, name: String(parts[1]), upSQL: up, downSQL: down))
        }
        return migrations.sorted { $0.version < $1.version }
    }
}
