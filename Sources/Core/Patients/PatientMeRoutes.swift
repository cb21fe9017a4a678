/// `/patients/me`: the signed-in user's own patient record (`is_self_record`).
enum PatientMeRoutes {
    static func register(in routes: RouteTable) {
        routes.get("/api/v1/patients/me", get)
        routes.post("/api/v1/patients/me", create)
        routes.put("/api/v1/patients/me", update)
        routes.delete("/api/v1/patients/me", delete)
    }

    static func get(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        guard let row = try PatientStore.selfRecord(owner: user.id, db: context.db) else { throw notFound }
        return .json(PatientFields.json(row))
    }

    /// 201 with the new record; 400 when the user already has one or a field is invalid.
    static func create(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let body = try context.jsonObject()
        if try PatientStore.selfRecord(owner: user.id, db: context.db) != nil { throw PatientStore.selfRecordExists }
        let values = try PatientFields.parse(body, creating: true, today: context.patientToday, db: context.db)
        let row = try PatientStore.create(values, owner: user.id, isSelf: true, db: context.db)
        return .json(PatientFields.json(row), status: 201)
    }

    /// A partial update: only the fields sent change.
    static func update(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let body = try context.jsonObject()
        guard let current = try PatientStore.selfRecord(owner: user.id, db: context.db), let id = current.int("id")
        else {
            throw notFound
        }
        let row = try PatientStore.update(id, user: user.id, body: body, today: context.patientToday, db: context.db)
        return .json(PatientFields.json(row))
    }

    /// Deletes the self record with all its records; allowed even when it is the user's
    /// last patient (decisions rule 15).
    static func delete(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let files = try PatientStore.delete(user: user.id, refuseLast: false, db: context.db) {
            guard let row = try PatientStore.selfRecord(owner: user.id, db: context.db, lock: true) else {
                throw notFound
            }
            return row
        }
        context.services.shared.files.remove(files)
        return .message("Patient record and all associated medical records deleted successfully")
    }

    static var notFound: APIError { APIError.notFound("Patient record") }
}
