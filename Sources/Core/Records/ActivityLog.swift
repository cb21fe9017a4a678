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
        let description = String("\(verb) \(model): \(label)".prefix(500))
        _ = try db.execute(
            "INSERT INTO activity_log (user_id, patient_id, model_name, record_id, action, description) VALUES (?, ?, ?, ?, ?, ?)",
            [
                .int(userID), patientID.map { .int($0) } ?? .null, .text(model), recordID.map { .int($0) } ?? .null,
                .text(action.rawValue), .text(description),
            ])
    }
}
