import Foundation

/// A lease on a named scheduled task: whoever holds an unexpired lease does the work,
/// everyone else skips. Taken with one conditional upsert, so it works on a single
/// server and on Galera alike.
public struct JobLease {
    public let name: String
    public let holder: String

    /// Takes the lease for `seconds`, or returns nil when another holder has it.
    public static func acquire(_ name: String, seconds: Int, db: Connection) throws -> JobLease? {
        let holder = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(SecureRandom.hex(4))"
        try db.execute(
            """
            INSERT INTO job_leases (name, holder, expires_at, last_started_at)
            VALUES (?, ?, UTC_TIMESTAMP() + INTERVAL ? SECOND, UTC_TIMESTAMP())
            ON DUPLICATE KEY UPDATE
                holder = IF(expires_at <= UTC_TIMESTAMP(), VALUES(holder), holder),
                last_started_at = IF(expires_at <= UTC_TIMESTAMP(), VALUES(last_started_at), last_started_at),
                expires_at = IF(expires_at <= UTC_TIMESTAMP(), VALUES(expires_at), expires_at)
            """, [.text(name), .text(holder), .int(Int64(seconds))])
        let row = try db.queryOne("SELECT holder FROM job_leases WHERE name = ?", [.text(name)])
        guard row?.string("holder") == holder else { return nil }
        return JobLease(name: name, holder: holder)
    }

    /// Ends the lease early and records how the run went.
    public func release(result: String, db: Connection) throws {
        try db.execute(
            """
            UPDATE job_leases SET expires_at = UTC_TIMESTAMP(), last_finished_at = UTC_TIMESTAMP(), last_result = ?
            WHERE name = ? AND holder = ?
            """, [.text(String(result.prefix(1000))), .text(name), .text(holder)])
    }
}
