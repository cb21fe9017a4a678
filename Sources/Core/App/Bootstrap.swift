import Foundation

/// Start-up work done once by the master before any worker starts: the data directory,
/// the secrets, the schema, and the first admin account.
public enum Bootstrap {
    /// Prepares everything workers rely on; throws with an operator-readable message.
    public static func prepare(_ config: Config, forceMigrations: Bool = false) throws {
        Store.initializeLibrary()
        // 0710: the group (nginx's user is added to it) may pass through to `files/`
        // for X-Accel-Redirect, but not list the directory; the secrets stay 0600.
        try FileManager.default.createDirectory(
            atPath: config.dataDir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o710])
        try FileManager.default.createDirectory(
            atPath: config.dataDir + "/files", withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o750])
        // A data directory made by an earlier version (0700) opens for the group too.
        var status = stat()
        if stat(config.dataDir, &status) == 0, status.st_mode & 0o777 == 0o700 { chmod(config.dataDir, 0o710) }
        _ = try tokenSigner(config)
        _ = try credentialBox(config)
        guard config.migrateOnStart || forceMigrations else { return }
        let connection = try Connection(config.database)
        defer { connection.close() }  // workers open their own; do not hand this socket down
        let applied = try Migrator(connection: connection, directory: config.sqlDir).migrate()
        if !applied.isEmpty { Log.info("migrations_applied", ["files": .array(applied.map { .string($0) })]) }
        try FirstAdmin.ensure(connection: connection, config: config)
    }

    /// The JWT signer over the key generated on first start (`<data_dir>/jwt-signing.key`).
    public static func tokenSigner(_ config: Config) throws -> JWTSigner {
        JWTSigner(key: try SecretStore.loadOrCreate(named: "jwt-signing", in: config.dataDir))
    }

    /// The box over the key generated on first start (`<data_dir>/credentials.key`) that
    /// seals users' document backend secrets in the database.
    public static func credentialBox(_ config: Config) throws -> SecretBox {
        SecretBox(key: try SecretStore.loadOrCreate(named: "credentials", in: config.dataDir))
    }
}
