/// The scheduled tasks `medikeep-jobs` runs, by name. Each is plain `Core` code over a
/// connection; the executable only parses arguments, takes the lease and reports.
public enum Jobs {
    /// A task: its name (the subcommand and the lease), a one-line summary, the longest
    /// it may hold its lease, and the work, which returns a summary for the log.
    public struct Task: Sendable {
        public let name: String
        public let summary: String
        public let leaseSeconds: Int
        public let run: @Sendable (Connection, Config) throws -> JSONObject
    }

    public static let all: [Task] = [
        Task(
            name: "maintenance",
            summary:
                "delete expired token revocations, stale login counters and rate events; end expired shares and invitations",
            leaseSeconds: 600
        ) { db, _ in
            let purged = try AccountMaintenance.purgeExpired(db: db)
            let events = try db.execute("DELETE FROM rate_events WHERE created_at < UTC_TIMESTAMP() - INTERVAL 1 DAY")
            // The sharing cleanup the admin endpoints also run (decisions rule 16).
            let shares = try PatientShares.expireDue(db: db)
            let invitations = try Invitations.expireDue(db: db)
            return [
                "expired_shares": .int(Int64(shares)),
                "expired_invitations": .int(Int64(invitations)),
                "revoked_tokens": .int(Int64(purged.revokedTokens)),
                "login_failures": .int(Int64(purged.loginFailures)),
                "sso_flows": .int(Int64(purged.ssoFlows)),
                "rate_events": .int(Int64(events.affectedRows)),
            ]
        },
        Task(
            name: "files-sweep", summary: "remove stored files no row names (left by a crash) and dead uploads",
            leaseSeconds: 3600
        ) { db, config in
            let result = try FileSweep.run(store: FileStore(dataDir: config.dataDir), db: db)
            return [
                "scanned": .int(Int64(result.scanned)), "removed": .int(Int64(result.removed)),
                "temporary_removed": .int(Int64(result.temporaryRemoved)),
                "directories_removed": .int(Int64(result.directoriesRemoved)),
            ]
        },
        Task(
            name: "document-sync",
            summary: "push large uploads to Paperless-ngx/Papra, settle Paperless uploads still processing",
            leaseSeconds: 1800
        ) { db, config in
            let result = try BackendJob.run(
                db: db, box: try Bootstrap.credentialBox(config), files: FileStore(dataDir: config.dataDir))
            return [
                "pushed": .int(Int64(result.pushed)), "settled": .int(Int64(result.settled)),
                "failed": .int(Int64(result.failed)), "retry": .int(Int64(result.retry)),
            ]
        },
        Task(
            name: "backup",
            summary: "dump the database (one snapshot) and the file store into one archive; prune old ones",
            // Longer than the unit's TimeoutStartSec (2 h), which ends any run before it.
            leaseSeconds: 9000
        ) { db, config in
            let result = try DatabaseBackup.run(db: db, config: config)
            return [
                "archive": .string(result.archive), "bytes": .int(result.bytes), "dump_bytes": .int(result.dumpBytes),
                "includes_files": .bool(result.includesFiles), "removed": .array(result.removed.map(JSON.string)),
            ]
        },
        ReminderJob.task,
        SharingCleanup.task,
    ]

    public static func task(named name: String) -> Task? { all.first { $0.name == name } }
}
