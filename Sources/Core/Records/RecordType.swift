/// One record type described once — its table, fields, relations, scope, filters and
/// paging — from which `RecordHandlers` derives list/get/create/update/delete, the
/// validation, the JSON shape and the activity log. Behaviour that is truly special is
/// written beside it by hand (see the files in `Types/`).
public struct RecordType: Sendable {
    /// The model name used in activity entries and messages ("Medication").
    public let name: String
    public let table: String
    /// The collection path, e.g. `/api/v1/medications`.
    public let path: String
    /// The path parameter naming one record (`medication_id`).
    public let idParameter: String
    public let scope: Scope
    public let fields: [FieldSpec]
    /// Output-only values computed in SQL (e.g. a practitioner's `specialty` name).
    public let computed: [Computed]
    /// Related rows embedded in responses as objects (a medication's `practitioner`).
    public let embeds: [Embed]
    public let filters: [Filter]
    /// Cross-field rules checked on create and update with the merged values.
    public let rules: [Rule]
    public let defaultLimit: Int
    public let maxLimit: Int
    /// The field whose value names a record in activity entries.
    public let labelField: String
    public let createStatus: Int
    public let deleteStyle: DeleteStyle
    /// The status for validation failures (422 unless the contract lists 400).
    public let validationStatus: Int
    /// ORDER BY of lists (over alias `r`): newest first unless the type says otherwise
    /// (vitals by reading time, immunizations by date given).
    public let order: String
    /// Extra paths listing one patient's records (`/api/v1/patients/{patient_id}/allergies`),
    /// each with a `{patient_id}` parameter; registered with the generic routes.
    public let patientListPaths: [String]
    /// Input keys that name a row by a code rather than its id, resolved before
    /// validation (an immunization's `standardized_vaccine_who_code`).
    public let lookups: [Lookup]
    /// The columns another record embeds when it shows this one (a link's other end, a
    /// reference's object): `(name, sql over {e}, kind)`.
    public let summary: [Embed.Column]
    /// Runs in the create or update transaction, after validation and the access check and
    /// before the row is written, with the record's values after the change and its id
    /// (nil on create): for a rule over the patient's other records, such as one primary
    /// emergency contact (setting one clears the others in the same transaction).
    public let beforeWrite: BeforeWrite?
    /// The name files are attached under (`/entity-files/{entity_type}/...`: `lab-result`),
    /// for the patient-owned types upstream lets carry files; nil for the others.
    public let fileEntityType: String?
    /// Shares of single rows beside the patient's (`RowShares`), if the type has them.
    public let rowShares: RowShares?
    public typealias BeforeWrite = @Sendable (_ values: JSONObject, _ id: Int64?, _ db: Connection) throws -> Void

    public enum Scope: Sendable {
        /// Owned by a patient through `column`; reads need view access, writes edit access.
        case patient(column: String)
        /// Belongs to a row of a patient-owned `parent` table through `column` (a lab
        /// result's components, a symptom's occurrences): reached through the parent's
        /// access, never on its own.
        case child(parentTable: String, column: String, parentPatientColumn: String = "patient_id")
        /// A shared directory every signed-in user reads and adds to; its creator (or an
        /// admin) changes it.
        case directory
    }

    public enum DeleteStyle: Sendable {
        case noContent
        case message
        /// `{"message", "files_deleted", "files_preserved"}`: the record's attachments
        /// counted as they were removed (a lab result's delete in the contract).
        case withFileCounts(message: String)
    }

    /// A value computed by SQL for responses.
    public struct Computed: Sendable {
        public let name: String
        public let sql: String
        public let kind: FieldKind
        public init(_ name: String, sql: String, kind: FieldKind = .string(maxLength: 1000)) {
            self.name = name
            self.sql = sql
            self.kind = kind
        }
    }

    /// A related row, joined by `foreignKey`, rendered under `key` (null when absent).
    /// When `samePatient`, the join also requires the related row to belong to the same
    /// patient, so nothing of another patient's record is ever embedded.
    public struct Embed: Sendable {
        public typealias Column = (name: String, sql: String, kind: FieldKind)
        public let key: String
        public let table: String
        public let foreignKey: String
        public let columns: [Column]
        public let samePatient: Bool
        public init(_ key: String, table: String, foreignKey: String, columns: [Column], samePatient: Bool = false) {
            self.key = key
            self.table = table
            self.foreignKey = foreignKey
            self.columns = columns
            self.samePatient = samePatient
        }

        /// Embeds `type`'s summary, joined by `foreignKey`; patient-owned types only
        /// from the same patient.
        public init(_ key: String, _ type: RecordType, foreignKey: String) {
            self.init(
                key, table: type.table, foreignKey: foreignKey, columns: type.summary,
                samePatient: type.patientColumn != nil)
        }
    }

    /// A list filter: a query parameter turned into a SQL condition with binds.
    public struct Filter: Sendable {
        public let parameter: String
        public let build: @Sendable (String) throws -> (sql: String, binds: [SQLValue])
        public init(
            _ parameter: String, _ build: @escaping @Sendable (String) throws -> (sql: String, binds: [SQLValue])
        ) {
            self.parameter = parameter
            self.build = build
        }

        /// Case-insensitive substring match on `column`.
        public static func contains(_ parameter: String, column: String) -> Filter {
            Filter(parameter) { value in
                ("r.\(column) LIKE ?", [.text("%" + RecordQuery.escapeLike(value) + "%")])
            }
        }

        /// Equality on an integer column (`specialty_id=3`).
        public static func equalsID(_ parameter: String, column: String) -> Filter {
            Filter(parameter) { value in
                guard let id = Int64(value) else {
                    throw APIError.validation([FieldProblem(parameter, "must be an integer")])
                }
                return ("r.\(column) = ?", [.int(id)])
            }
        }

        /// Rows on or after a date (`YYYY-MM-DD`, or a full ISO date-time).
        public static func onOrAfter(_ parameter: String, column: String) -> Filter {
            Filter(parameter) { value in
                let start = try TemporalFilter.dateTime(value, parameter: parameter, endOfDay: false)
                return ("r.\(column) >= ?", [.text(start)])
            }
        }

        /// Rows on or before a date; a date alone includes that whole day.
        public static func onOrBefore(_ parameter: String, column: String) -> Filter {
            Filter(parameter) { value in
                let end = try TemporalFilter.dateTime(value, parameter: parameter, endOfDay: true)
                return ("r.\(column) <= ?", [.text(end)])
            }
        }

        /// Rows of the last `N` days (`days=30`): back from now (UTC) for a date-time
        /// column, from the start of the day N days ago for a date column (so `days=1`
        /// includes yesterday's records).
        public static func withinDays(_ parameter: String, column: String, dateOnly: Bool) -> Filter {
            Filter(parameter) { value in
                guard let days = Int64(value), (1...36_500).contains(days) else {
                    throw APIError.validation([FieldProblem(parameter, "must be an integer from 1 to 36500")])
                }
                let now = dateOnly ? "UTC_DATE()" : "UTC_TIMESTAMP()"
                return ("r.\(column) >= \(now) - INTERVAL ? DAY", [.int(days)])
            }
        }

        /// The three date filters the contract uses: `start_date`, `end_date`, `days`.
        public static func dateRange(column: String, dateOnly: Bool = true) -> [Filter] {
            [
                .onOrAfter("start_date", column: column), .onOrBefore("end_date", column: column),
                .withinDays("days", column: column, dateOnly: dateOnly),
            ]
        }

        /// Equality on a choice column, validated against its choices.
        public static func equalsChoice(_ parameter: String, column: String, choices: [String]) -> Filter {
            Filter(parameter) { value in
                guard let choice = choices.first(where: { $0.lowercased() == value.lowercased() }) else {
                    throw APIError.validation([
                        FieldProblem(parameter, "must be one of \(choices.joined(separator: ", "))")
                    ])
                }
                return ("r.\(column) = ?", [.text(choice)])
            }
        }

        /// Equality on a boolean column (`is_active=true`).
        public static func flag(_ parameter: String, column: String) -> Filter {
            Filter(parameter) { value in
                ("r.\(column) = ?", [.int(try boolean(value, parameter: parameter) ? 1 : 0)])
            }
        }

        /// A boolean query value in the spellings clients use (true/false, 1/0, yes/no, on/off).
        public static func boolean(_ value: String, parameter: String) throws -> Bool {
            switch value.lowercased() {
            case "true", "1", "yes", "on": return true
            case "false", "0", "no", "off": return false
            default: throw APIError.validation([FieldProblem(parameter, "must be a boolean")])
            }
        }
    }

    /// `input` (a code) resolved to the id of the `table` row whose `column` equals it,
    /// stored in `field`. An unknown code stores null (the contract's "silently ignored");
    /// an explicit null clears the field.
    public struct Lookup: Sendable {
        public let input: String
        public let field: String
        public let table: String
        public let column: String
        public init(_ input: String, field: String, table: String, column: String) {
            self.input = input
            self.field = field
            self.table = table
            self.column = column
        }
    }

    /// Rows that are also shared one by one, outside their patient's shares (a relative's
    /// family history): `table` has `column` (the row's id), `shared_with_user_id`,
    /// `permission_level` (view or edit) and `is_active`. Such a share reaches the row and
    /// its children at view or edit, never the patient or its other records, and never
    /// deletes the row itself.
    public struct RowShares: Sendable {
        public let table: String
        public let column: String
        public init(table: String, column: String) {
            self.table = table
            self.column = column
        }

        /// `access` widened by this table's shares of the row whose id is `rowID`; a level
        /// above edit is never granted through them.
        func widen(_ access: (sql: String, binds: [SQLValue]), rowID: String, user: Int64, level: AccessLevel)
            -> (sql: String, binds: [SQLValue])
        {
            guard level != .full else { return access }
            let levels = level == .view ? "'view', 'edit'" : "'edit'"
            return (
                """
                (\(access.sql) OR \(rowID) IN (SELECT rs.\(column) FROM \(table) rs WHERE rs.shared_with_user_id = ? \
                AND rs.is_active = 1 AND rs.permission_level IN (\(levels))))
                """, access.binds + [.int(user)]
            )
        }
    }

    /// A rule over several fields, given the record's values after the change.
    public struct Rule: Sendable {
        public let check: @Sendable (JSONObject) -> FieldProblem?
        public init(_ check: @escaping @Sendable (JSONObject) -> FieldProblem?) { self.check = check }

        /// `later` may not be before `earlier` (dates compare as strings in ISO form).
        public static func notBefore(_ later: String, _ earlier: String) -> Rule {
            Rule { values in
                guard let end = values[later]?.stringValue, let start = values[earlier]?.stringValue, end < start else {
                    return nil
                }
                return FieldProblem(later, "must not be before \(earlier)")
            }
        }
    }

    public init(
        name: String, table: String, path: String, idParameter: String, scope: Scope, fields: [FieldSpec],
        computed: [Computed] = [], embeds: [Embed] = [], filters: [Filter] = [], rules: [Rule] = [],
        defaultLimit: Int = 100, maxLimit: Int = 100, labelField: String, createStatus: Int = 201,
        deleteStyle: DeleteStyle = .message, validationStatus: Int = 422, order: String = "r.id DESC",
        patientListPaths: [String] = [], summary: [Embed.Column] = [], lookups: [Lookup] = [],
        beforeWrite: BeforeWrite? = nil, fileEntityType: String? = nil, rowShares: RowShares? = nil
    ) {
        self.fileEntityType = fileEntityType
        self.rowShares = rowShares
        self.name = name
        self.table = table
        self.path = path
        self.idParameter = idParameter
        self.scope = scope
        self.fields = fields
        self.computed = computed
        self.embeds = embeds
        self.filters = filters
        self.rules = rules
        self.defaultLimit = defaultLimit
        self.maxLimit = maxLimit
        self.labelField = labelField
        self.createStatus = createStatus
        self.deleteStyle = deleteStyle
        self.validationStatus = validationStatus
        self.order = order
        self.patientListPaths = patientListPaths
        self.lookups = lookups
        self.summary = summary.isEmpty ? [("id", "{e}.id", .integer(0...Int64.max))] : summary
        self.beforeWrite = beforeWrite
    }

    public var patientColumn: String? {
        if case .patient(let column) = scope { return column }
        return nil
    }

    /// The SQL condition (over alias `r`) true when `user` may act on the row at `level`:
    /// through its patient, or its parent's patient (or a share of the row or its parent,
    /// `rowShares`, unless `rowShared` is false); nil for shared directories.
    func access(user: Int64, level: AccessLevel, rowShared: Bool = true) -> (sql: String, binds: [SQLValue])? {
        switch scope {
        case .patient(let column):
            let access = PatientAccess.condition(patientColumn: "r.\(column)", user: user, level: level)
            guard rowShared, let rowShares else { return access }
            return rowShares.widen(access, rowID: "r.id", user: user, level: level)
        case .child(let parentTable, let column, _):
            let access = RecordType.parentAccess(parentTable, scope: scope, user: user, level: level)
            return ("r.\(column) IN (SELECT par.id FROM \(parentTable) par WHERE \(access.sql))", access.binds)
        case .directory:
            return nil
        }
    }

    /// The condition (over alias `par`) true when `user` may reach a parent row of a child
    /// type at `level`: its patient's access, widened by the parent type's row shares.
    static func parentAccess(_ parentTable: String, scope: Scope, user: Int64, level: AccessLevel) -> (
        sql: String, binds: [SQLValue]
    ) {
        guard case .child(_, _, let parentPatientColumn) = scope else { preconditionFailure("not a child scope") }
        let access = PatientAccess.condition(patientColumn: "par.\(parentPatientColumn)", user: user, level: level)
        guard let shares = RecordCatalog.types.first(where: { $0.table == parentTable })?.rowShares else {
            return access
        }
        return shares.widen(access, rowID: "par.id", user: user, level: level)
    }

    /// The SQL expression (over alias `r`) giving the row's patient id, if it has one.
    var patientExpression: String? {
        switch scope {
        case .patient(let column): return "r.\(column)"
        case .child(let parentTable, let column, let parentPatientColumn):
            return "(SELECT par.\(parentPatientColumn) FROM \(parentTable) par WHERE par.id = r.\(column))"
        case .directory: return nil
        }
    }

    /// The error for a `level` action on row `id` that its access check refused: 403 when
    /// the user sees the row through a lower share, else 404 naming the type.
    func refusal(_ level: AccessLevel, id: Int64, user: Int64, db: Connection) throws -> APIError {
        guard let patient = patientExpression else { return .notFound(name) }
        return try PatientAccess.refusal(level, table: table, patient: patient, id: id, user: user, db: db) {
            .notFound(name)
        }
    }

    public var hasTags: Bool { fields.contains { $0.name == "tags" } }

    public func field(_ name: String) -> FieldSpec? { fields.first { $0.name == name } }
}
