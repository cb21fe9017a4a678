/// One field of a record type: how it is named in JSON and SQL, what values it takes,
/// and whether a client may set it. Validation, SQL and JSON are all derived from this.
public struct FieldSpec: Sendable {
    public let name: String
    public let column: String
    public let kind: FieldKind
    /// Must be present (and not null) on create.
    public let required: Bool
    /// May be set to null.
    public let nullable: Bool
    /// Stored on create when the client leaves the field out.
    public let defaultValue: JSON?
    /// Other names accepted on input for this field (e.g. `diagnosed_date`).
    public let aliases: [String]
    /// Set only on create (e.g. a record's `patient_id`): ignored on update.
    public let immutable: Bool
    /// Answer under the aliases too, not only accept them (where the contract and
    /// upstream name one field twice: `administration_date` / `date_administered`).
    public let rendersAliases: Bool

    public init(
        _ name: String, _ kind: FieldKind, required: Bool = false, nullable: Bool = true,
        default defaultValue: JSON? = nil,
        column: String? = nil, aliases: [String] = [], rendersAliases: Bool = false, immutable: Bool = false
    ) {
        self.name = name
        self.column = column ?? name
        self.kind = kind
        self.required = required
        self.nullable = nullable && !required
        self.defaultValue = defaultValue
        self.aliases = aliases
        self.immutable = immutable
        self.rendersAliases = rendersAliases
    }
}

/// The kinds of values a field holds, each with its own validation and storage.
public enum FieldKind: Sendable {
    /// A short string (VARCHAR) of `minLength...maxLength` characters.
    case string(maxLength: Int, minLength: Int = 0)
    /// Long text (TEXT), capped to keep rows sane.
    case text(maxLength: Int = 10_000)
    /// An e-mail address.
    case email
    /// An http(s) URL.
    case url
    case integer(ClosedRange<Int64>)
    case number(ClosedRange<Double>)
    /// A physical measure: greater than 0 and at most `maximum` (in the field's unit).
    case measure(maximum: Double, unit: String)
    case boolean
    /// `YYYY-MM-DD` within `years`.
    case date(years: ClosedRange<Int> = 1900...2200)
    /// An ISO 8601 date-time (or a date alone), stored in UTC, within `years`.
    case dateTime(years: ClosedRange<Int> = 1900...2200)
    /// One of `choices`; matched case-insensitively, stored as written here. `aliases`
    /// maps other accepted spellings (lower-case) to a choice (`"m"` → `"male"`).
    case choice([String], aliases: [String: String] = [:])
    /// The id of a row in `table` (a shared directory such as pharmacies) that must exist.
    case reference(table: String, label: String)
    /// The id of another record of the *same patient* (a treatment's condition, an
    /// allergy's medication): checked like a link's other end — it must exist and belong
    /// to the patient of the record that holds it, else 422 naming the field.
    case patientRecord(table: String, label: String)
    /// A list of short strings stored as a JSON array (tags): trimmed, de-duplicated.
    case stringList(maxItems: Int, maxLength: Int)
    /// `HH:MM` times of day stored as a JSON array: unique and sorted on save.
    case timesOfDay(maxItems: Int)
    /// A list of weekday names stored as a JSON array.
    case weekdays
    /// An array of objects stored as JSON, each validated by the described sub-fields.
    case objectList(maxItems: Int, fields: [FieldSpec])
    /// A free-form JSON object stored as JSON (an insurance's coverage details): any keys
    /// and values, at most `maxLength` bytes as text.
    case jsonObject(maxLength: Int)
    /// A JSON value computed by SQL (`JSON_OBJECT(...)`) for output: a nested object such
    /// as a linked medication's practitioner. Never accepted as input.
    case json
}

extension FieldKind {
    /// True for kinds stored in a JSON column.
    var isJSONColumn: Bool {
        switch self {
        case .stringList, .timesOfDay, .weekdays, .objectList, .jsonObject, .json: return true
        default: return false
        }
    }
}
