/// Family history: a patient's relatives and, as a child type, their conditions.
///
/// The contract's `birth_date` and `medical_history` and upstream's `birth_year`,
/// `death_year`, `gender` and `notes` are all kept (different facts, none derived from
/// another). Every family member is answered with its conditions (`family_conditions`).
public enum FamilyMembers {
    /// Upstream's relationships (the contract's "Father" is `father`).
    public static let relationships = [
        "father", "mother", "brother", "sister", "paternal_grandfather", "paternal_grandmother",
        "maternal_grandfather", "maternal_grandmother", "uncle", "aunt", "cousin", "other",
    ]

    public static let type = RecordType(
        name: "Family Member", table: "family_members", path: "/api/v1/family-members",
        idParameter: "family_member_id", scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("name", .string(maxLength: 100, minLength: 1), required: true),
            FieldSpec("relationship", .choice(relationships), required: true),
            FieldSpec("gender", .choice(["male", "female", "other"], aliases: ["m": "male", "f": "female"])),
            FieldSpec("birth_date", .date()),
            FieldSpec("birth_year", .integer(1900...2030)),
            FieldSpec("death_year", .integer(1900...2030)),
            FieldSpec("is_deceased", .boolean, nullable: false, default: false),
            FieldSpec("medical_history", .text(maxLength: 5000)),
            FieldSpec("notes", .text(maxLength: 5000)),
        ],
        computed: [RecordType.Computed("family_conditions", sql: FamilyConditions.jsonArray(of: "r.id"), kind: .json)],
        filters: [.equalsChoice("relationship", column: "relationship", choices: relationships)],
        rules: [
            RecordType.Rule { values in
                guard let death = values["death_year"]?.intValue, let birth = values["birth_year"]?.intValue,
                    death < birth
                else { return nil }
                return FieldProblem("death_year", "must not be before birth_year")
            },
            RecordType.Rule { values in
                guard values["death_year"]?.intValue != nil, values["is_deceased"] != .bool(true) else { return nil }
                return FieldProblem("death_year", "may only be set when is_deceased is true")
            },
        ],
        labelField: "name",
        // A relative's history shared on its own (`/family-history-sharing`).
        rowShares: RecordType.RowShares(table: "family_history_shares", column: "family_member_id"))

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/family-members/dropdown", dropdown)
        routes.get("/api/v1/family-members/search") { context in
            let name = try SearchTerm.read(context.query, "name", minLength: 2)
            return try handlers.list(
                context, extra: [("r.name LIKE ?", [.text("%" + RecordQuery.escapeLike(name) + "%")])])
        }
    }

    /// `[{id, name, relationship}]` of the active patient (or `patient_id`), by name.
    static func dropdown(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        guard
            let patientID = try ActivePatient.requested(context)
        else { return .json(.array([])) }
        try PatientAccess.require(.view, patient: patientID, user: user.id, db: context.db)
        let rows = try context.db.query(
            "SELECT id, name, relationship FROM family_members WHERE patient_id = ? ORDER BY name, id LIMIT 1000",
            [.int(patientID)])
        return .json(
            .array(
                rows.map {
                    [
                        "id": .int($0.int("id") ?? 0), "name": .string($0.string("name")),
                        "relationship": .string($0.string("relationship")),
                    ]
                }))
    }
}

/// A family member's conditions, reached through the family member
/// (`/family-members/{family_member_id}/conditions`).
public enum FamilyConditions {
    public static let severities = ["mild", "moderate", "severe", "critical"]
    public static let statuses = ["active", "resolved", "chronic"]
    public static let conditionTypes = [
        "cardiovascular", "diabetes", "cancer", "mental_health", "neurological", "autoimmune", "genetic",
        "respiratory", "endocrine", "other",
    ]

    public static let type = RecordType(
        name: "Family Condition", table: "family_conditions",
        path: "/api/v1/family-members/{family_member_id}/conditions",
        idParameter: "condition_id", scope: .child(parentTable: "family_members", column: "family_member_id"),
        fields: [
            FieldSpec("family_member_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("condition_name", .string(maxLength: 200, minLength: 2), required: true),
            FieldSpec("diagnosis_age", .integer(0...120)),
            FieldSpec("severity", .choice(severities)),
            FieldSpec("status", .choice(statuses)),
            FieldSpec("condition_type", .choice(conditionTypes)),
            FieldSpec("icd10_code", .string(maxLength: 10)),
            FieldSpec("notes", .text(maxLength: 5000)),
        ],
        defaultLimit: 1000, maxLimit: 1000, labelField: "condition_name")

    /// SQL for the conditions of the family member whose id is `memberID` as a JSON array
    /// (newest first, like their own list), `[]` when there are none.
    static func jsonArray(of memberID: String) -> String {
        let pairs = ["id", "family_member_id"] + type.fields.dropFirst().map(\.column)
        let values = pairs.map { "'\($0)', fc.\($0)" }.joined(separator: ", ")
        return """
            COALESCE((SELECT JSON_ARRAYAGG(JSON_OBJECT(\(values), \
            'created_at', DATE_FORMAT(fc.created_at, '%Y-%m-%dT%H:%i:%sZ'), \
            'updated_at', DATE_FORMAT(fc.updated_at, '%Y-%m-%dT%H:%i:%sZ')) ORDER BY fc.id DESC) \
            FROM family_conditions fc WHERE fc.family_member_id = \(memberID)), '[]')
            """
    }

    static func register(in routes: RouteTable) {
        RecordHandlers(type).registerChildRoutes(in: routes)
    }
}
