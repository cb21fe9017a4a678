import Foundation

/// Upstream's VaccineCategory values.
enum VaccineCategory: String, CaseIterable, Sendable {
    case viral = "Viral"
    case bacterial = "Bacterial"
    case combined = "Combined"
    case toxoid = "Toxoid"
    case parasitic = "Parasitic"
    case other = "Other"

    /// A category as a client writes it, in any case; nil when it is none of them.
    init?(anyCase text: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            return nil
        }
        self = match
    }

    /// A category parameter (query or path), 422 naming it when unknown.
    static func read(_ text: String, parameter: String) throws -> VaccineCategory {
        guard let category = VaccineCategory(anyCase: text.trimmingCharacters(in: .whitespaces)) else {
            throw APIError.validation([
                FieldProblem(parameter, "must be one of \(allCases.map(\.rawValue).joined(separator: ", "))")
            ])
        }
        return category
    }
}

/// One row of `standardized_vaccines`, with its JSON and search texts prepared.
struct StandardizedVaccine: Sendable {
    let id: Int64
    let whoCode: String?
    let name: String
    let shortName: String?
    let category: String
    let isCommon: Bool
    let displayOrder: Int64?
    /// The vaccine as upstream's StandardizedVaccineResponse.
    let json: JSON
    /// The vaccine as upstream's VaccineAutocompleteOption.
    let option: JSON
    /// What a search looks at, each with its rank among equally good matches: the names
    /// and the WHO code first, brand and other common names after them.
    let searchTexts: [(text: SearchText, rank: Int)]

    init(row: Row) {
        id = row.int("id") ?? 0
        whoCode = row.string("who_code")
        name = row.string("vaccine_name") ?? ""
        shortName = row.string("short_name")
        category = row.string("category") ?? ""
        isCommon = row.bool("is_common") ?? false
        displayOrder = row.int("display_order")
        let commonNames = Self.strings(row.string("common_names"))
        let components = Self.list(row.string("components"))
        let isCombined = row.bool("is_combined") ?? false
        let categoryJSON: JSON = category.isEmpty ? .null : .string(category)

        var json = JSONObject()
        json.reserveCapacity(10)
        json.appendUnique("id", .int(id))
        json.appendUnique("who_code", .string(whoCode))
        json.appendUnique("vaccine_name", .string(name))
        json.appendUnique("short_name", .string(shortName))
        json.appendUnique("category", categoryJSON)
        json.appendUnique("common_names", commonNames.map { names in .array(names.map { .string($0) }) } ?? .null)
        json.appendUnique("is_combined", .bool(isCombined))
        json.appendUnique("components", components)
        json.appendUnique("default_manufacturer", .string(row.string("default_manufacturer")))
        json.appendUnique("is_common", .bool(isCommon))
        self.json = .object(json)

        var option = JSONObject()
        option.reserveCapacity(7)
        let value = CatalogRanking.nameWithShortName(name, shortName)
        option.appendUnique("value", .string(value))
        option.appendUnique("label", .string(name))
        option.appendUnique("who_code", .string(whoCode))
        option.appendUnique("short_name", .string(shortName))
        option.appendUnique("category", categoryJSON)
        option.appendUnique("is_combined", .bool(isCombined))
        option.appendUnique("components", components)
        self.option = .object(option)

        var texts: [(text: SearchText, rank: Int)] = [(SearchText(name), 0)]
        if let shortName { texts.append((SearchText(shortName), 0)) }
        if let whoCode { texts.append((SearchText(whoCode), 0)) }
        for commonName in commonNames ?? [] { texts.append((SearchText(commonName), 1)) }
        searchTexts = texts.filter { !$0.text.isEmpty }
    }

    /// Catalog order, wherever a list is not ranked by a query: common vaccines first in
    /// their display order, then the rest by name.
    static func catalogOrder(_ lhs: StandardizedVaccine, _ rhs: StandardizedVaccine) -> Bool {
        if lhs.isCommon != rhs.isCommon { return lhs.isCommon }
        let left = lhs.displayOrder ?? .max
        let right = rhs.displayOrder ?? .max
        if left != right { return left < right }
        let leftName = lhs.name.lowercased()
        let rightName = rhs.name.lowercased()
        if leftName != rightName { return leftName < rightName }
        return lhs.id < rhs.id
    }

    /// A JSON column as stored (an array, or null).
    private static func list(_ text: String?) -> JSON {
        guard let text, let value = try? JSON.parse(text), case .array = value else { return .null }
        return value
    }

    /// A JSON column holding an array of strings; non-strings are left out.
    private static func strings(_ text: String?) -> [String]? {
        guard case .array(let items) = list(text) else { return nil }
        return items.compactMap(\.stringValue)
    }
}

/// The standardized vaccines of one database, read once per process at first use.
///
/// The catalog changes only by migration, and migrations are applied before a pool
/// serves (a later one is followed by a reload, which starts new workers), so a
/// process never needs to read it twice. Keyed by database so a process that talks to
/// several (the tests) keeps them apart.
final class VaccineCatalog: Sendable {
    /// Every vaccine, in catalog order.
    let vaccines: [StandardizedVaccine]
    private let byWHOCode: [String: Int]
    private let byName: [String: Int]

    init(vaccines: [StandardizedVaccine]) {
        self.vaccines = vaccines.sorted(by: StandardizedVaccine.catalogOrder)
        var codes: [String: Int] = [:]
        var names: [String: Int] = [:]
        for (index, vaccine) in self.vaccines.enumerated() {
            if let code = vaccine.whoCode { codes[code.lowercased()] = codes[code.lowercased()] ?? index }
            names[vaccine.name.lowercased()] = names[vaccine.name.lowercased()] ?? index
        }
        byWHOCode = codes
        byName = names
    }

    /// The vaccine with this WHO code, in any case.
    func vaccine(whoCode: String) -> StandardizedVaccine? {
        byWHOCode[whoCode.lowercased()].map { vaccines[$0] }
    }

    /// The vaccine with exactly this name, in any case.
    func vaccine(named name: String) -> StandardizedVaccine? {
        byName[name.lowercased()].map { vaccines[$0] }
    }

    /// The vaccines in a category (all when nil), in catalog order.
    func vaccines(in category: VaccineCategory?) -> [StandardizedVaccine] {
        guard let category else { return vaccines }
        return vaccines.filter { $0.category.lowercased() == category.rawValue.lowercased() }
    }

    /// The vaccines matching `query` in `category`, best first: exact, then prefix, then
    /// word-prefix, then substring, then typo-tolerant matches; equally good matches on
    /// a name before those on a brand name, then in catalog order. An empty query
    /// matches everything, in catalog order.
    func search(_ query: String, category: VaccineCategory?) -> [StandardizedVaccine] {
        let candidates = vaccines(in: category)
        let needle = SearchText(query)
        guard !needle.isEmpty else { return candidates }
        return CatalogRanking.ranked(candidates, needle, texts: \.searchTexts).map(\.entry)
    }

    // MARK: loading

    private static let cache = CatalogCache<VaccineCatalog>()

    /// The catalog of the database `db` is connected to.
    static func shared(_ db: Connection) throws -> VaccineCatalog {
        try cache.shared(db) { VaccineCatalog(vaccines: try load($0)) }
    }

    static func load(_ db: Connection) throws -> [StandardizedVaccine] {
        try db.query(
            """
            SELECT id, who_code, vaccine_name, short_name, category, common_names, is_combined, components,
                   default_manufacturer, is_common, display_order
            FROM standardized_vaccines
            """
        ).map(StandardizedVaccine.init(row:))
    }
}
