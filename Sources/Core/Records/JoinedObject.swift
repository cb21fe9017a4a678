/// A directory record (a practitioner, a pharmacy) shown as a JSON object inside a link
/// row, read through LEFT JOINs of its own rather than a correlated subquery per row: a
/// subquery is set up and run again for every row of a list, a join is one more step of
/// the same plan (a treatment's 20 medications carried nine such subqueries a row).
///
/// `alias` names the joined table and must be unique in the statement; `json` is NULL
/// when the id is NULL or names no row.
public struct JoinedObject: Sendable {
    public let joins: [String]
    public let json: String

    public init(joins: [String], json: String) {
        self.joins = joins
        self.json = json
    }
}

extension Practitioners {
    /// `{id, name, specialty}` of the practitioner `id` names.
    public static func joined(_ alias: String, id: String) -> JoinedObject {
        JoinedObject(
            joins: [
                "LEFT JOIN practitioners \(alias) ON \(alias).id = \(id)",
                "LEFT JOIN medical_specialties \(alias)_s ON \(alias)_s.id = \(alias).specialty_id",
            ],
            json: """
                IF(\(alias).id IS NULL, NULL,
                   JSON_OBJECT('id', \(alias).id, 'name', \(alias).name, 'specialty', \(alias)_s.name))
                """)
    }
}

extension Pharmacies {
    /// `{id, name, brand}` of the pharmacy `id` names.
    public static func joined(_ alias: String, id: String) -> JoinedObject {
        JoinedObject(
            joins: ["LEFT JOIN pharmacies \(alias) ON \(alias).id = \(id)"],
            json:
                "IF(\(alias).id IS NULL, NULL, JSON_OBJECT('id', \(alias).id, 'name', \(alias).name, 'brand', \(alias).brand))"
        )
    }
}
