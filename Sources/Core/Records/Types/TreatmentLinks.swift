/// A treatment's links: to medications (with this treatment's overrides and the effective
/// values they give), to encounters (the visits of the plan) and to equipment.
public enum TreatmentLinks {
    static let treatment = LinkType.End(Treatments.type, column: "treatment_id", key: "treatment")

    /// The medication's own prescriber and pharmacy, and the link's overrides of them:
    /// joined once per statement, whichever side lists the link.
    static let ownPrescriber = Practitioners.joined("mp", id: "{right}.practitioner_id")
    static let ownPharmacy = Pharmacies.joined("mph", id: "{right}.pharmacy_id")
    static let specificPrescriber = Practitioners.joined("sp", id: "{link}.specific_prescriber_id")
    static let specificPharmacy = Pharmacies.joined("sph", id: "{link}.specific_pharmacy_id")

    /// What a linked medication shows: its own schedule, prescriber and pharmacy, which
    /// the link's overrides replace in the `effective_*` values.
    static let medicationSummary: [RecordType.Embed.Column] = [
        ("id", "{e}.id", .integer(0...Int64.max)), ("medication_name", "{e}.medication_name", .string(maxLength: 200)),
        ("dosage", "{e}.dosage", .string(maxLength: 100)), ("frequency", "{e}.frequency", .string(maxLength: 100)),
        ("route", "{e}.route", .string(maxLength: 50)), ("status", "{e}.status", .string(maxLength: 20)),
        ("effective_period_start", "{e}.effective_period_start", .date()),
        ("effective_period_end", "{e}.effective_period_end", .date()),
        ("practitioner", ownPrescriber.json, .json),
        ("pharmacy", ownPharmacy.json, .json),
    ]

    /// Each `effective_*` is the override if set, else the medication's own value; the end
    /// date is "smart": an override start without an override end, after the medication's
    /// own end, means ongoing (null) rather than a stale end before the start. An override
    /// id always names a row (its foreign key), so the effective prescriber is the
    /// override's object when there is one, else the medication's.
    static let effectiveValues: [RecordType.Computed] = [
        .init("specific_prescriber", sql: specificPrescriber.json, kind: .json),
        .init("specific_pharmacy", sql: specificPharmacy.json, kind: .json),
        .init("effective_dosage", sql: "COALESCE({link}.specific_dosage, {right}.dosage)"),
        .init("effective_frequency", sql: "COALESCE({link}.specific_frequency, {right}.frequency)"),
        .init(
            "effective_start_date", sql: "COALESCE({link}.specific_start_date, {right}.effective_period_start)",
            kind: .date()),
        .init(
            "effective_end_date",
            sql: """
                CASE WHEN {link}.specific_end_date IS NOT NULL THEN {link}.specific_end_date
                     WHEN {link}.specific_start_date IS NOT NULL
                          AND {right}.effective_period_end < {link}.specific_start_date THEN NULL
                     ELSE {right}.effective_period_end END
                """, kind: .date()),
        .init("effective_prescriber", sql: "COALESCE(\(specificPrescriber.json), \(ownPrescriber.json))", kind: .json),
        .init("effective_pharmacy", sql: "COALESCE(\(specificPharmacy.json), \(ownPharmacy.json))", kind: .json),
    ]

    public static let medications = LinkType(
        name: "Treatment medication relationship", table: "treatment_medications", left: treatment,
        right: .init(Medications.type, column: "medication_id", key: "medication", summary: medicationSummary),
        fields: [
            FieldSpec("specific_dosage", .string(maxLength: 200)),
            FieldSpec("specific_frequency", .string(maxLength: 100)),
            FieldSpec("specific_duration", .string(maxLength: 100)),
            FieldSpec("timing_instructions", .string(maxLength: 300)),
            FieldSpec("relevance_note", .string(maxLength: 500)),
            FieldSpec("specific_prescriber_id", .reference(table: "practitioners", label: "Practitioner")),
            FieldSpec("specific_pharmacy_id", .reference(table: "pharmacies", label: "Pharmacy")),
            FieldSpec("specific_start_date", .date()),
            FieldSpec("specific_end_date", .date()),
        ],
        rules: [.notBefore("specific_end_date", "specific_start_date")],
        computed: effectiveValues,
        joins: [ownPrescriber, ownPharmacy, specificPrescriber, specificPharmacy].flatMap(\.joins),
        doors: [
            .init(
                .left, idParameter: "treatment_id", list: "/api/v1/treatments/{treatment_id}/medications",
                create: "/api/v1/treatments/{treatment_id}/medications",
                bulk: "/api/v1/treatments/{treatment_id}/medications/bulk",
                item: "/api/v1/treatments/{treatment_id}/medications/{relationship_id}", otherIDKey: "medication_id"),
            // The medication's treatment history, each treatment with its condition.
            .init(
                .right, idParameter: "medication_id", list: "/api/v1/medications/{medication_id}/treatments",
                otherIDKey: "treatment_id"),
        ],
        createStatus: 200, deletedMessage: "Medication link removed",
        deletedBody: ["status": "success", "message": "Medication link removed"])

    public static let encounters = LinkType(
        name: "Treatment encounter relationship", table: "treatment_encounters", left: treatment,
        right: .init(Encounters.type, column: "encounter_id", key: "encounter"),
        fields: [
            FieldSpec("visit_label", .string(maxLength: 50)),
            FieldSpec("visit_sequence", .integer(1...10_000)),
            FieldSpec("relevance_note", .string(maxLength: 500)),
        ],
        doors: [
            .init(
                .left, idParameter: "treatment_id", list: "/api/v1/treatments/{treatment_id}/encounters",
                create: "/api/v1/treatments/{treatment_id}/encounters",
                bulk: "/api/v1/treatments/{treatment_id}/encounters/bulk",
                item: "/api/v1/treatments/{treatment_id}/encounters/{relationship_id}", otherIDKey: "encounter_id")
        ],
        createStatus: 200, deletedMessage: "Encounter link removed",
        deletedBody: ["status": "success", "message": "Encounter link removed"])

    public static let equipment = LinkType(
        name: "Treatment equipment relationship", table: "treatment_equipment", left: treatment,
        right: .init(MedicalEquipment.type, column: "equipment_id", key: "equipment"),
        fields: [
            FieldSpec("usage_frequency", .string(maxLength: 100)),
            FieldSpec("specific_settings", .string(maxLength: 300)),
            FieldSpec("relevance_note", .string(maxLength: 500)),
        ],
        doors: [
            .init(
                .left, idParameter: "treatment_id", list: "/api/v1/treatments/{treatment_id}/equipment",
                create: "/api/v1/treatments/{treatment_id}/equipment",
                bulk: "/api/v1/treatments/{treatment_id}/equipment/bulk",
                item: "/api/v1/treatments/{treatment_id}/equipment/{relationship_id}", otherIDKey: "equipment_id")
        ],
        createStatus: 200, deletedMessage: "Equipment link removed",
        deletedBody: ["status": "success", "message": "Equipment link removed"])

    static var all: [LinkType] { [medications, encounters, equipment] }
}
