/// One measured value of a lab result (LDL in a lipid panel): quantitative, with a value,
/// a unit and a reference range, or qualitative (`positive`, `not detected`). A child of
/// its result, reached only through the result's patient. Listed and created under
/// `/lab-test-components/lab-result/{lab_result_id}/components`, reached one by one at
/// `/lab-test-components/components/{component_id}`; statistics and the patient's
/// trend of one test are in `LabTrends`.
///
/// `canonical_test_name` is the catalogue's name for the test; a client may set it, and
/// otherwise the LOINC catalogue fills it where it knows the test.
public enum LabTestComponents {
    /// The same readings as a result's `labs_result`.
    public static let statuses = LabResults.readings
    public static let resultTypes = ["quantitative", "qualitative"]

    /// A quantitative value needs `value` and `unit`, a qualitative one `qualitative_value`.
    static func requires(_ field: String, for resultType: String) -> RecordType.Rule {
        RecordType.Rule { values in
            let kind = values["result_type"]?.stringValue ?? "quantitative"
            guard kind == resultType, values[field] == nil || values[field] == .null else { return nil }
            return FieldProblem(field, "is required for a \(resultType) component")
        }
    }

    public static let type = RecordType(
        name: "Lab test component", table: "lab_test_components",
        path: "/api/v1/lab-test-components/lab-result/{lab_result_id}/components", idParameter: "component_id",
        scope: .child(parentTable: "lab_results", column: "lab_result_id"),
        fields: [
            FieldSpec("lab_result_id", .integer(1...Int64.max), required: true, immutable: true),
            FieldSpec("test_name", .string(maxLength: 200, minLength: 1), required: true),
            FieldSpec("abbreviation", .string(maxLength: 30)),
            FieldSpec("test_code", .string(maxLength: 50)),
            FieldSpec("value", .number(-1.0e12...1.0e12)),
            FieldSpec("unit", .string(maxLength: 50)),
            FieldSpec("ref_range_min", .number(-1.0e12...1.0e12)),
            FieldSpec("ref_range_max", .number(-1.0e12...1.0e12)),
            FieldSpec("ref_range_text", .string(maxLength: 100)),
            FieldSpec("qualitative_value", .string(maxLength: 50)),
            FieldSpec("textual_value", .string(maxLength: 500)),
            FieldSpec("status", .choice(statuses)),
            FieldSpec("category", .string(maxLength: 50)),
            FieldSpec("result_type", .choice(resultTypes), nullable: false, default: "quantitative"),
            FieldSpec("display_order", .integer(0...100_000)),
            FieldSpec("canonical_test_name", .string(maxLength: 200)),
            FieldSpec("notes", .text(maxLength: 2000)),
        ],
        embeds: [
            RecordType.Embed(
                "lab_result", table: "lab_results", foreignKey: "lab_result_id", columns: LabResults.type.summary)
        ],
        filters: [
            RecordType.Filter("category") { ("r.category = ?", [.text($0)]) },
            .equalsChoice("status", column: "status", choices: statuses),
        ],
        rules: [
            requires("value", for: "quantitative"), requires("unit", for: "quantitative"),
            requires("qualitative_value", for: "qualitative"),
            RecordType.Rule { values in
                guard let low = values["ref_range_min"]?.doubleValue, let high = values["ref_range_max"]?.doubleValue,
                    high < low
                else { return nil }
                return FieldProblem("ref_range_max", "must not be below ref_range_min")
            },
        ],
        defaultLimit: 100, maxLimit: 1000, labelField: "test_name", deleteStyle: .noContent,
        order: "r.display_order IS NULL, r.display_order, r.id")

    static let handlers = RecordHandlers(type)

    /// Most components one bulk call may create (a full metabolic panel has a few dozen).
    static let maxBulk = 200

    static func register(in routes: RouteTable) {
        let item = "/api/v1/lab-test-components/components/{component_id}"
        routes.get(type.path) { try handlers.listChildren($0) }
        routes.post(type.path) { try handlers.createChild($0) }
        routes.post(type.path + "/bulk", bulk)
        routes.get(item) { try handlers.get($0) }
        routes.put(item) { try handlers.update($0) }
        routes.delete(item) { try handlers.delete($0) }
        routes.get("/api/v1/lab-test-components/lab-result/{lab_result_id}/statistics", LabTrends.statistics)
        routes.get("/api/v1/lab-test-components/patient/{patient_id}/trends/{test_name}", LabTrends.trend)
        routes.get("/api/v1/lab-test-components/patient/{patient_id}/trends", LabTrends.trend)
    }

    /// `{created_count, components, errors}`: the good items saved, each bad one reported
    /// by its index with its problems.
    static func bulk(_ context: Context) throws -> Response {
        let (created, errors) = try handlers.createChildren(context, key: "components", maxItems: maxBulk)
        return .json(
            ["created_count": .int(Int64(created.count)), "components": .array(created), "errors": .array(errors)],
            status: 201)
    }
}
