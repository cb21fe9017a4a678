import Foundation

/// Practitioners: a shared directory; each has a medical specialty and may belong to a practice.
public enum Practitioners {
    public static let type = RecordType(
        name: "Practitioner", table: "practitioners", path: "/api/v1/practitioners", idParameter: "practitioner_id",
        scope: .directory,
        fields: [
            FieldSpec("name", .string(maxLength: 100, minLength: 1), required: true),
            FieldSpec(
                "specialty_id", .reference(table: "medical_specialties", label: "Medical specialty"), required: true),
            FieldSpec("practice_id", .reference(table: "practices", label: "Practice")),
            // The legacy free-text practice, still accepted for older clients.
            FieldSpec("practice", .string(maxLength: 150)),
            FieldSpec("phone_number", .string(maxLength: 30)),
            FieldSpec("email", .email),
            FieldSpec("website", .url),
            FieldSpec("rating", .number(0...5)),
        ],
        computed: [
            .init("specialty", sql: "SELECT ms.name FROM medical_specialties ms WHERE ms.id = r.specialty_id"),
            .init("specialty_name", sql: "SELECT ms.name FROM medical_specialties ms WHERE ms.id = r.specialty_id"),
            .init("practice_name", sql: "SELECT pc.name FROM practices pc WHERE pc.id = r.practice_id"),
        ],
        filters: [
            .equalsID("specialty_id", column: "specialty_id"),
            .equalsID("practice_id", column: "practice_id"),
            .contains("name", column: "name"),
        ],
        labelField: "name")

    static let handlers = RecordHandlers(type)

    /// How a record shows the practitioner its `practitioner_id` names.
    public static let embed = RecordType.Embed(
        "practitioner", table: "practitioners", foreignKey: "practitioner_id",
        columns: [
            ("id", "{e}.id", .integer(0...Int64.max)), ("name", "{e}.name", .string(maxLength: 100)),
            (
                "specialty", "(SELECT ms.name FROM medical_specialties ms WHERE ms.id = {e}.specialty_id)",
                .string(maxLength: 100)
            ),
            ("phone_number", "{e}.phone_number", .string(maxLength: 30)),
        ])

    /// The practitioner field every clinical record has.
    public static let field = FieldSpec("practitioner_id", .reference(table: "practitioners", label: "Practitioner"))

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/practitioners/search/by-name") { context in
            let term = try SearchTerm.read(context.query, "name", minLength: 2)
            return try handlers.list(
                context, patientID: nil, extra: [("r.name LIKE ?", [.text("%\(RecordQuery.escapeLike(term))%")])])
        }
    }
}

/// A required search term from the query, with its documented minimum length.
enum SearchTerm {
    static func read(_ query: QueryParameters, _ name: String, minLength: Int) throws -> String {
        let term = (query[name] ?? "").trimmingCharacters(in: .whitespaces)
        guard term.count >= minLength else {
            throw APIError.validation([
                FieldProblem(name, "is required, at least \(minLength) character\(minLength == 1 ? "" : "s")")
            ])
        }
        guard term.count <= 100 else {
            throw APIError.validation([FieldProblem(name, "must be at most 100 characters")])
        }
        return term
    }
}
