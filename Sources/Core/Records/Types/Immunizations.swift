import Foundation

/// Immunizations, linked (by the client's pick, or by name) to the standardized vaccine
/// catalog so a combined vaccine shows under every disease it covers.
///
/// `administration_date` (contract) and `date_administered` (upstream) are one field,
/// accepted and answered under both names (decisions rule 10).
public enum Immunizations {
    public static let type = RecordType(
        name: "Immunization", table: "immunizations", path: "/api/v1/immunizations", idParameter: "immunization_id",
        scope: .patient(column: "patient_id"),
        fields: [
            FieldSpec("patient_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("vaccine_name", .string(maxLength: 200, minLength: 2), required: true),
            FieldSpec("vaccine_trade_name", .string(maxLength: 200)),
            FieldSpec("vaccine_type", .string(maxLength: 100)),
            FieldSpec(
                "date_administered", .date(), required: true, aliases: ["administration_date"], rendersAliases: true),
            FieldSpec("dose_number", .integer(1...100)),
            FieldSpec("lot_number", .string(maxLength: 50)),
            FieldSpec("ndc_number", .string(maxLength: 50)),
            FieldSpec("manufacturer", .string(maxLength: 200)),
            FieldSpec("site", .string(maxLength: 100)),
            FieldSpec("route", .string(maxLength: 50)),
            FieldSpec("expiration_date", .date()),
            FieldSpec("location", .string(maxLength: 200)),
            Practitioners.field,
            FieldSpec(
                "standardized_vaccine_id", .reference(table: "standardized_vaccines", label: "Standardized vaccine")),
            FieldSpec("notes", .text(maxLength: 5000)),
            FieldSpec("tags", .stringList(maxItems: 20, maxLength: 50), default: []),
        ],
        embeds: [Practitioners.embed],
        filters: [.contains("vaccine_name", column: "vaccine_name")]
            + RecordType.Filter.dateRange(column: "date_administered"),
        labelField: "vaccine_name", order: "r.date_administered DESC, r.id DESC",
        patientListPaths: [
            "/api/v1/immunizations/patient/{patient_id}/immunizations", "/api/v1/patients/{patient_id}/immunizations",
        ],
        lookups: [
            .init(
                "standardized_vaccine_who_code", field: "standardized_vaccine_id", table: "standardized_vaccines",
                column: "who_code")
        ], fileEntityType: "immunization")

    static let handlers = RecordHandlers(type)

    static func register(in routes: RouteTable) {
        handlers.register(in: routes)
        routes.get("/api/v1/immunizations/patient/{patient_id}/upcoming") { context in
            let patientID = try context.parameters.id("patient_id")
            return try handlers.list(context, patientID: patientID, extra: [("r.date_administered > UTC_DATE()", [])])
        }
        routes.get("/api/v1/immunizations/patient/{patient_id}/history", history)
    }

    /// The library entry an immunization matches: its chosen vaccine, else the first
    /// whose name, short name or one of its common names equals the record's vaccine name
    /// (case-insensitively: the columns' collation; the JSON names lower-cased both sides).
    static let libraryMatch = """
        COALESCE(r.standardized_vaccine_id, (SELECT sv2.id FROM standardized_vaccines sv2
            WHERE sv2.vaccine_name = r.vaccine_name OR sv2.short_name = r.vaccine_name
               OR JSON_CONTAINS(LOWER(sv2.common_names), JSON_QUOTE(LOWER(r.vaccine_name)))
            ORDER BY sv2.is_common DESC, sv2.id LIMIT 1))
        """

    /// The immunizations with the diseases each covers, an index from disease to records,
    /// and how many matched no library entry. 404 for a patient that does not exist, 403
    /// for one the caller may not see (the contract lists both here).
    static func history(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patientID = try context.parameters.id("patient_id")
        let access = PatientAccess.condition(patientColumn: "p.id", user: user.id, level: .view)
        guard
            let patient = try context.db.queryOne(
                "SELECT \(access.sql) AS allowed FROM patients p WHERE p.id = ?", access.binds + [.int(patientID)])
        else { throw APIError.notFound("Patient") }
        guard patient.int("allowed") == 1 else { throw APIError.forbidden("Patient access denied") }

        let query = handlers.query
        var sql = """
            SELECT \(query.columns), sv.id AS library_id, sv.is_combined AS library_combined,
                sv.disease_keys AS library_diseases
            \(query.from) LEFT JOIN standardized_vaccines sv ON sv.id = \(libraryMatch)
            WHERE r.patient_id = ?
            """
        var binds: [SQLValue] = [.int(patientID)]
        for filter in RecordType.Filter.dateRange(column: "date_administered").prefix(2) {
            guard let value = context.query[filter.parameter], !value.isEmpty else { continue }
            let condition = try filter.build(value)
            sql += " AND " + condition.sql
            binds += condition.binds
        }
        let rows = try context.db.query(sql + " ORDER BY r.date_administered DESC, r.id DESC", binds)
        var items: [JSON] = []
        var diseases: [(String, [JSON])] = []
        var unmatched = 0
        for row in rows {
            guard case .object(var item) = RecordJSON.render(row, layout: query.layout) else { continue }
            let matched = row.int("library_id") != nil
            let components = matched ? diseaseNames(row.string("library_diseases")) : []
            item["components"] = .array(components.map(JSON.string))
            item["is_combined"] = .bool(matched && row.int("library_combined") == 1)
            item["is_library_matched"] = .bool(matched)
            if !matched { unmatched += 1 }
            let id = item["id"] ?? .null
            for disease in components {
                if let index = diseases.firstIndex(where: { $0.0 == disease }) {
                    diseases[index].1.append(id)
                } else {
                    diseases.append((disease, [id]))
                }
            }
            items.append(.object(item))
        }
        return .json([
            "items": .array(items),
            "diseases_index": .object(JSONObject(diseases.map { ($0.0, JSON.array($0.1)) })),
            "unmatched_count": .int(Int64(unmatched)),
        ])
    }

    static func diseaseNames(_ json: String?) -> [String] {
        guard let json, case .array(let names)? = try? JSON.parse(json) else { return [] }
        return names.compactMap(\.stringValue)
    }
}
