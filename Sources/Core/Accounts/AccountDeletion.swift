/// `DELETE /users/me`: removes the account and everything it owns in one transaction.
///
/// The foreign keys cascade from the user to its patients and from them to every record,
/// share and activity entry; this code only counts what will go (for the summary, over
/// `RecordCatalog.patientTables`, so it grows as record types land) and guards the last admin.
enum AccountDeletion {
    static func delete(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let db = context.db
        var files: [String] = []
        let (selfPatient, summary) = try db.transaction { () throws -> (Int64?, JSONObject) in
            if user.isAdmin {
                // Locking the other admins' rows makes two admins deleting themselves at
                // once take turns, so one of them always remains.
                let others = try db.query(
                    "SELECT id FROM users WHERE role = 'admin' AND is_active = 1 AND id <> ? FOR UPDATE",
                    [.int(user.id)])
                if others.isEmpty {
                    throw APIError.badRequest(
                        "Cannot delete last admin user", detail: "Make another user an administrator first.")
                }
            }
            guard try db.queryOne("SELECT id FROM users WHERE id = ? FOR UPDATE", [.int(user.id)]) != nil else {
                throw APIError.notFound("User")
            }
            let selfPatient = try db.queryOne(
                "SELECT id FROM patients WHERE owner_user_id = ? AND is_self_record = 1", [.int(user.id)])?.int("id")
            let summary = try countOwnedRecords(of: user.id, db: db)
            // The stored files of every owned patient; their rows go by cascade, the
            // files after the commit.
            files = try db.query("SELECT id FROM patients WHERE owner_user_id = ?", [.int(user.id)])
                .compactMap { $0.int("id") }.flatMap { try EntityFiles.pathsOfPatient($0, db: db) }
            // The user row points at one of its own patients; clear that first so the
            // cascade does not have to update the row it is deleting.
            try db.execute("UPDATE users SET active_patient_id = NULL WHERE id = ?", [.int(user.id)])
            try db.execute("DELETE FROM users WHERE id = ?", [.int(user.id)])
            try TokenIssuer.revoke(user, db: db)
            try db.execute("DELETE FROM login_failures WHERE account = ?", [.text(LoginThrottle.key(userID: user.id))])
            return (selfPatient, summary)
        }
        context.services.shared.files.remove(files)
        Log.info(
            "account_deleted", ["category": "security", "user_id": .int(user.id), "deletion_summary": .object(summary)])
        return .json([
            "message": "Account and all associated data deleted successfully",
            "deleted_user_id": .int(user.id),
            "deleted_patient_id": selfPatient.map { .int($0) } ?? .null,
            "deletion_summary": .object(summary),
        ])
    }

    /// `{"patients": n, "<record table key>": n, ...}` for everything the user owns.
    static func countOwnedRecords(of userID: Int64, db: Connection) throws -> JSONObject {
        var summary = JSONObject()
        let patients = try db.queryOne("SELECT COUNT(*) AS n FROM patients WHERE owner_user_id = ?", [.int(userID)])
        summary["patients"] = .int(patients?.int("n") ?? 0)
        let counted = try RecordCatalog.count(
            patientFilter: "patient_id IN (SELECT id FROM patients WHERE owner_user_id = ?)", value: .int(userID),
            db: db)
        for key in RecordCatalog.summaryKeys { summary[key] = .int(counted[key] ?? 0) }
        return summary
    }
}
