/// `/patient-management`: the patients a user owns (self, family, dependents) or sees
/// through shares, and the active patient the other endpoints default to.
enum PatientManagementRoutes {
    static let base = "/api/v1/patient-management"
    static let maxPage = 100

    static func register(in routes: RouteTable) {
        routes.post(base, create)
        routes.get(base, list)
        routes.get("\(base)/owned/list", ownedList)
        routes.get("\(base)/self-record", selfRecord)
        routes.post("\(base)/switch", switchActive)
        routes.get("\(base)/active/current", activeCurrent)
        routes.get("\(base)/stats", stats)
        routes.get("\(base)/{patient_id}", get)
        routes.put("\(base)/{patient_id}", update)
        routes.delete("\(base)/{patient_id}", delete)
    }

    /// 201; `is_self_record` (default false) may be true only while the user has no self record.
    static func create(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let body = try context.jsonObject()
        let raw = body["is_self_record"] ?? .null
        let isSelf = raw.boolValue ?? false
        let flagProblems =
            raw == .null || raw.boolValue != nil ? [] : [FieldProblem("is_self_record", "must be a boolean")]
        let values = try PatientFields.parse(
            body, creating: true, today: context.patientToday, db: context.db, also: flagProblems)
        if isSelf, try PatientStore.selfRecord(owner: user.id, db: context.db) != nil {
            throw PatientStore.selfRecordExists
        }
        let row = try PatientStore.create(values, owner: user.id, isSelf: isSelf, db: context.db)
        return .json(PatientFields.json(row), status: 201)
    }

    /// `{"patients", "total", "total_count", "owned_count", "shared_count"}`; the counts are
    /// over all accessible patients, not the page (`total_count` is upstream's name).
    static func list(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let skip = try QueryValues.count(context.query, "skip", default: 0)
        let limit = try QueryValues.count(context.query, "limit", default: maxPage, max: maxPage)
        let includeShared = try QueryValues.flag(context.query, "include_shared", default: true)
        let rows = try PatientStore.accessible(
            user: user.id, includeShared: includeShared, skip: skip, limit: limit, db: context.db)
        let counts = try PatientStore.counts(user: user.id, db: context.db)
        let shared = includeShared ? counts.shared : 0
        return .json([
            "patients": .array(rows.map(PatientFields.json)),
            "total": .int(counts.owned + shared),
            "total_count": .int(counts.owned + shared),
            "owned_count": .int(counts.owned),
            "shared_count": .int(shared),
        ])
    }

    static func get(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("patient_id")
        return .json(PatientFields.json(try PatientStore.find(id, user: user.id, need: .view, db: context.db)))
    }

    /// Needs edit access (owner, or an edit/full share); all fields optional.
    static func update(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("patient_id")
        _ = try PatientStore.find(id, user: user.id, need: .edit, db: context.db)
        let body = try context.jsonObject()
        let row = try PatientStore.update(id, user: user.id, body: body, today: context.patientToday, db: context.db)
        return .json(PatientFields.json(row))
    }

    /// Owner only; refuses the user's last remaining patient (decisions rule 15).
    static func delete(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.id("patient_id")
        let files = try PatientStore.delete(user: user.id, refuseLast: true, db: context.db) {
            try PatientStore.find(id, user: user.id, need: .owner, db: context.db, lock: true)
        }
        context.services.shared.files.remove(files)
        return .message("Patient deleted successfully")
    }

    static func ownedList(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        return .json(.array(try PatientStore.owned(user: user.id, db: context.db).map(PatientFields.json)))
    }

    /// The self record, or JSON null.
    static func selfRecord(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        return .json(try PatientStore.selfRecord(owner: user.id, db: context.db).map(PatientFields.json) ?? .null)
    }

    /// `{"patient_id": n}`: makes a patient the user can view the active one (persisted).
    static func switchActive(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let body = try context.jsonObject()
        guard let raw = body["patient_id"], let id = PatientFields.integer(raw), id >= 0 else {
            throw APIError.validation([
                FieldProblem("patient_id", body["patient_id"] == nil ? "field required" : "must be an integer")
            ])
        }
        let row = try PatientStore.find(id, user: user.id, need: .view, db: context.db)
        try PatientStore.setActive(id, user: user.id, db: context.db)
        return .json(PatientFields.json(row))
    }

    /// The active patient (falling back as `ActivePatient.resolve` does), or JSON null.
    static func activeCurrent(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        guard let id = try ActivePatient.resolve(for: user, db: context.db),
            let row = try PatientStore.viewable(id, user: user.id, db: context.db)
        else { return .json(.null) }
        return .json(PatientFields.json(row))
    }

    static func stats(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let counts = try PatientStore.counts(user: user.id, db: context.db)
        return .json([
            "total_patients": .int(counts.owned + counts.shared),
            "owned_patients": .int(counts.owned),
            "shared_patients": .int(counts.shared),
            "self_record_exists": .bool(counts.hasSelfRecord),
        ])
    }
}
