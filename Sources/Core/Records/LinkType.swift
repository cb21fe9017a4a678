/// A many-to-many link between two patient-owned record types, described once — its
/// table, its two ends, its own fields, and the doors (paths) through which each side
/// reaches it — from which `LinkHandlers` derives list (embedding the other end), link,
/// bulk link, update, unlink and the reverse list. The rule every door enforces: both
/// ends must be reachable by the caller and belong to the same patient.
public struct LinkType: Sendable {
    /// One end of the link: the record type and the link table's column naming it.
    public struct End: Sendable {
        public let type: RecordType
        public let column: String
        /// The key the end is embedded under when seen from the other side ("medication").
        public let key: String
        /// The columns embedded for this end (`{e}` is its alias); the type's summary
        /// unless the link shows more (a medication with its prescriber and pharmacy).
        public let summary: [RecordType.Embed.Column]
        public init(_ type: RecordType, column: String, key: String, summary: [RecordType.Embed.Column]? = nil) {
            self.type = type
            self.column = column
            self.key = key
            self.summary = summary ?? type.summary
        }
    }

    public enum Side: Sendable { case left, right }

    /// A set of routes from one side: `{<idParameter>}` in each path names that side's
    /// record; `{relationship_id}` in `item` names the link; in `unlink` (DELETE only) the
    /// other end's column (`{condition_id}`) names the link by its other record, for
    /// paths that say which record to unlink rather than which link. Any path may be absent.
    public struct Door: Sendable {
        public let side: Side
        public let idParameter: String
        public let list: String?
        public let create: String?
        public let bulk: String?
        public let item: String?
        /// The body key naming the other end on create (`medication_id`) and in bulk
        /// (`medication_ids`).
        public let otherIDKey: String
        public let bulkKey: String
        public let unlink: String?
        /// The delete answer's message through this door, where the two sides word it
        /// differently (an encounter's lab result, a lab result's encounter).
        public let deletedMessage: String?
        public init(
            _ side: Side, idParameter: String, list: String? = nil, create: String? = nil, bulk: String? = nil,
            item: String? = nil, otherIDKey: String, bulkKey: String? = nil, unlink: String? = nil,
            deletedMessage: String? = nil
        ) {
            self.side = side
            self.idParameter = idParameter
            self.list = list
            self.create = create
            self.bulk = bulk
            self.item = item
            self.otherIDKey = otherIDKey
            self.bulkKey = bulkKey ?? otherIDKey + "s"
            self.unlink = unlink
            self.deletedMessage = deletedMessage
        }
    }

    /// "Condition medication relationship": used in messages.
    public let name: String
    public let table: String
    public let left: End
    public let right: End
    /// The link's own fields (a note, a purpose, overrides), validated like a record's;
    /// `.reference` fields (an override's prescriber) are checked like a record's.
    public let fields: [FieldSpec]
    /// Rules over the link's fields after a change (an override's end after its start).
    public let rules: [RecordType.Rule]
    /// Values computed for every link row: SQL over `{link}`, `{left}` and `{right}`
    /// (the link row and its two ends, whichever side the door is), e.g. an effective
    /// dosage that is the link's override or else the medication's own.
    public let computed: [RecordType.Computed]
    /// LEFT JOINs that the computed values and the ends' summaries read (`{link}`,
    /// `{left}`, `{right}` as in `computed`): a directory record shown inside a link row
    /// is joined once (`JoinedObject`) rather than looked up per row.
    public let joins: [String]
    public let doors: [Door]
    public let createStatus: Int
    public let bulkStatus: Int
    /// Status of "already linked" and of "the other end is another patient's".
    public let duplicateStatus: Int
    public let otherPatientStatus: Int
    /// The delete answer: `{"message": deletedMessage}` unless `deletedBody` is given.
    public let deletedMessage: String
    public let deletedBody: JSON?
    /// Most ids one bulk call may link.
    public let maxBulk: Int

    public init(
        name: String, table: String, left: End, right: End, fields: [FieldSpec], rules: [RecordType.Rule] = [],
        computed: [RecordType.Computed] = [], joins: [String] = [], doors: [Door],
        createStatus: Int = 201, bulkStatus: Int = 200, duplicateStatus: Int = 400, otherPatientStatus: Int = 400,
        deletedMessage: String, deletedBody: JSON? = nil, maxBulk: Int = 100
    ) {
        self.name = name
        self.table = table
        self.left = left
        self.right = right
        self.fields = fields
        self.rules = rules
        self.computed = computed
        self.joins = joins
        self.doors = doors
        self.createStatus = createStatus
        self.bulkStatus = bulkStatus
        self.duplicateStatus = duplicateStatus
        self.otherPatientStatus = otherPatientStatus
        self.deletedMessage = deletedMessage
        self.deletedBody = deletedBody
        self.maxBulk = maxBulk
    }

    func end(_ side: Side) -> End { side == .left ? left : right }
    func other(_ side: Side) -> End { side == .left ? right : left }
}
