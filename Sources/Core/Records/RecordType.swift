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

    public enum Scope: Sendable {
        /// Owned by a patient through `column`; reads need view access, writes edit access.
        case patient(column: String)
        /// A shared directory any signed-in user may read and maintain.
        case directory
    }

    public enum DeleteStyle: Sendable {
        case noContent
        case message
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
    public struct Embed: Sendable {
        public let key: String
        public let table: String
        public let foreignKey: String
        public let columns: [(name: String, sql: String, kind: FieldKind)]
        public init(
            _ key: String, table: String, foreignKey: String, columns: [(name: String, sql: String, kind: FieldKind)]
        ) {
            self.key = key
            self.table = table
            self.foreignKey = foreignKey
            self.columns = columns
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
        deleteStyle: DeleteStyle = .message, validationStatus: Int = 422
    ) {
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
    }

    public var patientColumn: String? {
        if case .patient(let column) = scope { return column }
        return nil
    }

    public var hasTags: Bool { fields.contains { $0.name == "tags" } }

    public func field(_ name: String) -> FieldSpec? { fields.first { $0.name == name } }
}
