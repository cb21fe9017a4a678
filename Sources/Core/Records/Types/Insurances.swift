/// Insurances: a patient's policies, one primary per insurance type.
///
/// The contract's `provider_name` / `policy_number` and upstream's `company_name` /
/// `member_id` are one field each, accepted and answered under both names.
public enum Insurances {
    /// Upstream's kinds of coverage, then the contract's ranks ("insurance_type": "primary").
    public static let types = ["medical", "dental", "vision", "prescription", "primary", "secondary", "tertiary"]
    public static let statuses = ["active", "inactive", "expired", "pending"]
    public static let holderRelationships = ["self", "spouse", "child", "dependent", "other"]

    public static let type = RecordType(
        name: "Insurance", table: "insurances", path: "/api/v1/insurances", idParameter: "insurance_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("insurance_type", .choice(types), required: true),
            FieldSpec(
                "company_name", .string(maxLength: 255, minLength: 1), required: true, aliases: ["provider_name"],
                rendersAliases: true),
            FieldSpec("employer_group", .string(maxLength: 200)),
            FieldSpec("member_name", .string(maxLength: 255)),
            FieldSpec("member_id", .string(maxLength: 100), aliases: ["policy_number"], rendersAliases: true),
            FieldSpec("group_number", .string(maxLength: 100)),
            FieldSpec("plan_name", .string(maxLength: 200)),
            FieldSpec("policy_holder_name", .string(maxLength: 255)),
            FieldSpec("relationship_to_holder", .choice(holderRelationships)),
            FieldSpec("effective_date", .date(), required: true),
            FieldSpec("expiration_date", .date()),
            FieldSpec("status", .choice(statuses), nullable: false, default: "active"),
            FieldSpec("is_primary", .boolean, nullable: false, default: false),
            FieldSpec("coverage_details", .jsonObject(maxLength: 10_000)),
            FieldSpec("contact_info", .jsonObject(maxLength: 10_000)),
            FieldSpec("notes", .text(maxLength: 5000)),
        ],
        filters: [
            .equalsChoice("insurance_type", column: "insurance_type", choices: types),
            .equalsChoice("status", column: "status", choices: statuses),
            RecordType.Filter("active_only") { value in
                try RecordType.Filter.boolean(value, parameter: "active_only")
                    ? ("r.status = 'active'", []) : ("TRUE", [])
            },
        ],
        rules: [.notBefore("expiration_date", "effective_date")],
        defaultLimit: 100, maxLimit: 1000, labelField: "company_name",
        beforeWrite: PrimaryFlag.onePerPatient(table: "insurances", sharing: ["insurance_type"]),
        fileEntityType: "insurance")

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        // Active policies whose expiration date is within `days` (1–365, default 30) or
        // already past while still marked active: the ones that need attention.
        routes.get("/api/v1/insurances/expiring") { context in
            let days = try QueryValues.count(context.query, "days", default: 30)
            guard (1...365).contains(days) else {
                throw APIError.validation([FieldProblem("days", "must be an integer from 1 to 365")])
            }
            let expiring = "r.status = 'active' AND r.expiration_date <= UTC_DATE() + INTERVAL ? DAY"
            return try handlers.list(context, extra: [(expiring, [.int(Int64(days))])])
        }
        routes.get("/api/v1/insurances/search") { context in
            let company = try SearchTerm.read(context.query, "company", minLength: 1)
            return try handlers.list(
                context, extra: [("r.company_name LIKE ?", [.text("%" + RecordQuery.escapeLike(company) + "%")])])
        }
        routes.patch("/api/v1/insurances/{insurance_id}/status") { context in
            // A missing status is refused by the update, after its access check (a
            // caller who may not change the insurance hears that first).
            try handlers.update(context, body: ["status": try context.jsonObject()["status"] ?? .null])
        }
        routes.patch("/api/v1/insurances/{insurance_id}/set-primary") { context in
            try handlers.update(context, body: ["is_primary": true])
        }
    }
}
