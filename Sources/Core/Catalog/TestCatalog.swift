import Foundation

/// One row of `standardized_tests`, with its JSON and search texts prepared.
struct StandardizedTest: Sendable {
    let id: Int64
    let loincCode: String?
    let name: String
    let shortName: String?
    let category: String
    let commonNames: [String]
    let isCommon: Bool
    let displayOrder: Int64?
    /// The test as upstream's StandardizedTestResponse.
    let json: JSON
    /// The test as upstream's AutocompleteOption.
    let option: JSON
    /// What a search looks at, each with its rank among equally good matches: the name,
    /// abbreviation and LOINC code first, the common names after them.
    let searchTexts: [(text: SearchText, rank: Int)]
    /// The same texts for whole-name matching (batch-match): name, abbreviation, common names.
    let nameText: SearchText
    let shortNameText: SearchText?
    let commonNameTexts: [SearchText]

    init(row: Row) {
        id = row.int("id") ?? 0
        loincCode = row.string("loinc_code")
        name = row.string("test_name") ?? ""
        shortName = row.string("short_name")
        category = row.string("category") ?? ""
        isCommon = row.bool("is_common") ?? false
        displayOrder = row.int("display_order")
        let names = row.string("common_names").flatMap { try? JSON.parse($0) }?.arrayValue
        commonNames = names?.compactMap(\.stringValue) ?? []
        let unit = row.string("default_unit")
        let categoryJSON: JSON = category.isEmpty ? .null : .string(category)

        var json = JSONObject()
        json.reserveCapacity(8)
        json.appendUnique("id", .int(id))
        json.appendUnique("loinc_code", .string(loincCode))
        json.appendUnique("test_name", .string(name))
        json.appendUnique("short_name", .string(shortName))
        json.appendUnique("default_unit", .string(unit))
        json.appendUnique("category", categoryJSON)
        json.appendUnique("common_names", names == nil ? .null : .array(commonNames.map { .string($0) }))
        json.appendUnique("is_common", .bool(isCommon))
        self.json = .object(json)

        var option = JSONObject()
        option.reserveCapacity(5)
        let label = CatalogRanking.nameWithShortName(name, shortName)
        option.appendUnique("value", .string(name))
        option.appendUnique("label", .string(label))
        option.appendUnique("loinc_code", .string(loincCode))
        option.appendUnique("default_unit", .string(unit))
        option.appendUnique("category", categoryJSON)
        self.option = .object(option)

        nameText = SearchText(name)
        shortNameText = shortName.map(SearchText.init)
        commonNameTexts = commonNames.map(SearchText.init).filter { !$0.isEmpty }
        var texts: [(text: SearchText, rank: Int)] = [(nameText, 0)]
        if let shortNameText { texts.append((shortNameText, 0)) }
        if let loincCode { texts.append((SearchText(loincCode), 0)) }
        for text in commonNameTexts { texts.append((text, 1)) }
        searchTexts = texts.filter { !$0.text.isEmpty }
    }

    /// Catalog order, wherever a list is not ranked by a query: the library's display
    /// order (which groups tests by category), then by name.
    static func catalogOrder(_ lhs: StandardizedTest, _ rhs: StandardizedTest) -> Bool {
        let left = lhs.displayOrder ?? .max
        let right = rhs.displayOrder ?? .max
        if left != right { return left < right }
        let leftName = lhs.name.lowercased()
        let rightName = rhs.name.lowercased()
        if leftName != rightName { return leftName < rightName }
        return lhs.id < rhs.id
    }
}

/// How batch-match found a test for a name, best first.
enum TestMatchKind: String, Sendable {
    /// The input is the test's LOINC code.
    case loincCode = "loinc_code"
    /// The input is the test's name (ignoring case, accents and punctuation).
    case name
    /// The input is the test's abbreviation.
    case abbreviation
    /// The input is one of the test's common names.
    case commonName = "common_name"
    /// Every word of the input is within the typo allowance of a word of a name.
    case fuzzy
    /// The input begins the test's name or one of its words (at least 3 letters).
    case partial

    var confidence: Double {
        switch self {
        case .loincCode, .name: 1.0
        case .abbreviation: 0.95
        case .commonName: 0.9
        case .fuzzy: 0.7
        case .partial: 0.5
        }
    }
}

/// The standardized lab tests of one database, read once per process at first use
/// (see `VaccineCatalog`: the catalog changes only by migration).
final class TestCatalog: Sendable {
    /// Every test, in catalog order.
    let tests: [StandardizedTest]
    /// The categories, as stored, in order of first appearance.
    let categories: [String]
    private let byLOINC: [String: Int]
    private let byName: [String: Int]

    init(tests: [StandardizedTest]) {
        self.tests = tests.sorted(by: StandardizedTest.catalogOrder)
        var codes: [String: Int] = [:]
        var names: [String: Int] = [:]
        var categories: [String] = []
        for (index, test) in self.tests.enumerated() {
            if let code = test.loincCode { codes[code.lowercased()] = codes[code.lowercased()] ?? index }
            names[test.name.lowercased()] = names[test.name.lowercased()] ?? index
            if !categories.contains(where: { $0.lowercased() == test.category.lowercased() }) {
                categories.append(test.category)
            }
        }
        byLOINC = codes
        byName = names
        self.categories = categories
    }

    /// The test with this LOINC code.
    func test(loincCode: String) -> StandardizedTest? {
        byLOINC[loincCode.trimmingCharacters(in: .whitespaces).lowercased()].map { tests[$0] }
    }

    /// The test with exactly this name, in any case.
    func test(named name: String) -> StandardizedTest? {
        byName[name.lowercased()].map { tests[$0] }
    }

    /// The tests in a category (any case; all when nil), in catalog order. Categories are
    /// free text upstream, so an unknown one simply has no tests.
    func tests(in category: String?) -> [StandardizedTest] {
        guard let category else { return tests }
        let wanted = category.lowercased()
        return tests.filter { $0.category.lowercased() == wanted }
    }

    /// The tests matching `query` in `category`, best first (`CatalogRanking`). An empty
    /// query matches everything, in catalog order.
    func search(_ query: String, category: String?) -> [StandardizedTest] {
        let candidates = tests(in: category)
        let needle = SearchText(query)
        guard !needle.isEmpty else { return candidates }
        return CatalogRanking.ranked(candidates, needle, texts: \.searchTexts).map(\.entry)
    }

    /// The one test a name printed on a lab report stands for, and how it was found:
    /// its LOINC code, else a whole name (the test's name, then its abbreviation, then a
    /// common name), else the best search hit when it is a typo-tolerant match of whole
    /// words or, for an input of at least 3 letters, a prefix of the name or of one of its
    /// words. Nil when nothing fits that well.
    func match(_ input: String) -> (test: StandardizedTest, kind: TestMatchKind)? {
        let trimmed = input.trimmingCharacters(in: .whitespacesAndNewlines)
        if let test = test(loincCode: trimmed) { return (test, .loincCode) }
        let needle = SearchText(trimmed)
        guard !needle.isEmpty else { return nil }
        if let test = tests.first(where: { $0.nameText.compact == needle.compact }) { return (test, .name) }
        if let test = tests.first(where: { $0.shortNameText?.compact == needle.compact }) {
            return (test, .abbreviation)
        }
        if let test = tests.first(where: { $0.commonNameTexts.contains { $0.compact == needle.compact } }) {
            return (test, .commonName)
        }
        // Long inputs are no test name; their typo matching would only cost time.
        guard trimmed.count <= StandardizedTests.maxQueryLength,
            let best = CatalogRanking.ranked(tests, needle, texts: \.searchTexts).first
        else { return nil }
        switch best.match.kind {
        case .fuzzy where !best.match.partial: return (best.entry, .fuzzy)
        case .prefix, .wordPrefix: return needle.compact.count >= 3 ? (best.entry, .partial) : nil
        default: return nil
        }
    }

    // MARK: loading

    private static let cache = CatalogCache<TestCatalog>()

    /// The catalog of the database `db` is connected to.
    static func shared(_ db: Connection) throws -> TestCatalog {
        try cache.shared(db) { TestCatalog(tests: try load($0)) }
    }

    static func load(_ db: Connection) throws -> [StandardizedTest] {
        try db.query(
            """
            SELECT id, loinc_code, test_name, short_name, default_unit, category, common_names, is_common,
                   display_order
            FROM standardized_tests
            """
        ).map(StandardizedTest.init(row:))
    }
}
