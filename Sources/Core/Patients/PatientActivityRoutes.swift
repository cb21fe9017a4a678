/// `/patients/me/recent-activity` and `/patients/me/dashboard-stats`: what happened
/// lately to the patients a user can see, and one patient's record counts.
enum PatientActivityRoutes {
    static let defaultLimit = 10
    static let maxLimit = 100

    static func register(in routes: RouteTable) {
        routes.get("/api/v1/patients/me/recent-activity", recentActivity)
        routes.get("/api/v1/patients/me/dashboard-stats", dashboardStats)
    }

    /// Newest first: entries about every patient the user can view (whoever made them),
    /// plus the user's own entries about no patient (e.g. a deleted patient).
    static func recentActivity(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let limit = try QueryValues.count(context.query, "limit", default: defaultLimit, max: maxLimit)
        let access = PatientAccess.condition(patientColumn: "p.id", user: user.id, level: .view)
        let columns = """
            a.id, a.model_name, a.action, a.description, a.created_at, a.patient_id, a.user_id,
            (SELECT u.username FROM users u WHERE u.id = a.user_id) AS username
            """
        // Two index-ordered halves (by patient, by user) merged, rather than one OR the
        // optimizer would answer by scanning the whole log.
        let rows = try context.db.query(
            """
            (SELECT \(columns) FROM patients p JOIN activity_log a ON a.patient_id = p.id
             WHERE \(access.sql) ORDER BY a.id DESC LIMIT ?)
            UNION ALL
            (SELECT \(columns) FROM activity_log a WHERE a.user_id = ? AND a.patient_id IS NULL ORDER BY a.id DESC LIMIT ?)
            ORDER BY id DESC LIMIT ?
            """, access.binds + [.int(limit), .int(user.id), .int(limit), .int(limit)])
        return .json(
            .array(
                rows.map { row in
                    [
                        "id": .int(row.int("id") ?? 0),
                        "model_name": .string(row.string("model_name")),
                        "action": .string(row.string("action")),
                        "description": .string(row.string("description")),
                        "timestamp": .string(row.string("created_at")),
                        "patient_id": row.int("patient_id").map(JSON.int) ?? .null,
                        // Who did it; an account deleted since keeps its entries, unnamed,
                        // and an expiry is the clock's doing (the sweep logs it with no user).
                        "user_id": row.int("user_id").map(JSON.int) ?? .null,
                        "username": .string(
                            row.string("username") ?? (row.string("action") == "expired" ? "system" : "deleted user")),
                    ]
                }))
    }

    /// For `patient_id` (default: the active patient); another user's patient is 404.
    static func dashboardStats(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let requested = try QueryValues.id(context.query, "patient_id")
        guard let id = try requested ?? ActivePatient.resolve(for: user, db: context.db) else {
            throw APIError.notFound("Patient")
        }
        _ = try PatientStore.find(id, user: user.id, need: .view, db: context.db)
        return .json(try DashboardStats.json(patient: id, db: context.db))
    }
}
