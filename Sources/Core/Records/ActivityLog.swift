/// Writes the activity entries behind `/patients/me/recent-activity` and the admin
/// dashboard. Called inside the same transaction as the change it describes.
public enum ActivityLog {
    public enum Action: String, Sendable { case created, updated, deleted }

    public static func record(
        _ action: Action, model: String, recordID: Int64?, patientID: Int64?, userID: Int64, label: String,
        db: Connection
    ) throws {
        let verb: String =
            switch action {
            case .created: "Created"
            case .updated: "Updated"
            case .deleted: "Deleted"
            }
        try event(
            action.rawValue, model: model, recordID: recordID, patientID: patientID, userID: userID,
            description: "\(verb) \(model): \(label)", db: db)
    }

    /// An entry whose action and text are the caller's (sharing: `shared`, `accepted`,
    /// `revoked`, `expired`…); `userID` nil for the scheduled task's own entries.
    public static func event(
        _ action: String, model: String, recordID: Int64?, patientID: Int64?, userID: Int64?, description: String,
        db: Connection
    ) throws {
        _ = try db.execute(
            "INSERT INTO activity_log (user_id, patient_id, model_name, record_id, action, description) VALUES (?, ?, ?, ?, ?, ?)",
            [
                userID.map { .int($0) } ?? .null, patientID.map { .int($0) } ?? .null, .text(model),
                recordID.map { .int($0) } ?? .null, .text(String(action.prefix(20))),
                .text(String(description.prefix(500))),
            ])
    }
}
