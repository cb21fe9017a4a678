import Foundation

/// The standardized vaccines catalog (`/api/v1/standardized-vaccines/*`): search,
/// autocomplete and lookups over the vaccines migration 0005 loads, for every signed-in
/// user. Read-only; the catalog changes only by migration.
enum StandardizedVaccines {
    static let path = "/api/v1/standardized-vaccines"

    /// Search and autocomplete terms longer than this are refused (422): no vaccine name
    /// comes close, and typo matching costs grow with the term.
    static let maxQueryLength = 100

    static func register(in routes: RouteTable) {
        routes.get("\(path)/search") { context in
            let (catalog, query, category) = try searchInput(context)
            let limit = try QueryValues.count(context.query, "limit", default: 200, max: 1000)
            let found = catalog.search(query, category: category)
            return .json(["vaccines": .array(found.prefix(limit).map(\.json)), "total": .int(found.count)])
        }
        routes.get("\(path)/autocomplete") { context in
            let (catalog, query, category) = try searchInput(context)
            let limit = try QueryValues.count(context.query, "limit", default: 50, max: 200)
            return .json(.array(catalog.search(query, category: category).prefix(limit).map(\.option)))
        }
        routes.get("\(path)/common") { context in
            let catalog = try signedIn(context)
            let category = try categoryParameter(context)
            let limit = try QueryValues.count(context.query, "limit", default: 100, max: 500)
            let common = catalog.vaccines(in: category).filter(\.isCommon)
            return .json(.array(common.prefix(limit).map(\.json)))
        }
        routes.get("\(path)/by-category/{category}") { context in
            let catalog = try signedIn(context)
            let category = try VaccineCategory.read(context.parameters["category"] ?? "", parameter: "category")
            return .json(.array(catalog.vaccines(in: category).map(\.json)))
        }
        routes.get("\(path)/by-who-code/{who_code}") { context in
            let catalog = try signedIn(context)
            let code = context.parameters["who_code"] ?? ""
            guard let vaccine = catalog.vaccine(whoCode: code) else {
                throw APIError(
                    404, "Vaccine not found", detail: .string("No standardized vaccine has WHO code \(code)"))
            }
            return .json(vaccine.json)
        }
        routes.get("\(path)/by-name/{vaccine_name}") { context in
            try byName(context, context.parameters["vaccine_name"] ?? "")
        }
        // nginx hands the path over decoded, so a name with a slash ("DTaP-IPV/Hib", sent
        // as DTaP-IPV%2FHib) arrives as two segments; the catalog has no name with two.
        routes.get("\(path)/by-name/{vaccine_name}/{name_rest}") { context in
            try byName(
                context, (context.parameters["vaccine_name"] ?? "") + "/" + (context.parameters["name_rest"] ?? ""))
        }
        routes.get("\(path)/count") { context in
            let catalog = try signedIn(context)
            let category = try categoryParameter(context)
            return .json([
                "category": category.map { .string($0.rawValue) } ?? .null,
                "count": .int(catalog.vaccines(in: category).count),
            ])
        }
    }

    /// The catalog, once the caller is known to be signed in (401 otherwise).
    private static func signedIn(_ context: Context) throws -> VaccineCatalog {
        _ = try context.requireUser()
        return try VaccineCatalog.shared(context.db)
    }

    /// The optional `category` query parameter (any case); 422 when it is not a category.
    private static func categoryParameter(_ context: Context) throws -> VaccineCategory? {
        guard let raw = context.query["category"], !raw.trimmingCharacters(in: .whitespaces).isEmpty else {
            return nil
        }
        return try VaccineCategory.read(raw, parameter: "category")
    }

    /// What search and autocomplete share: the catalog, the term (`query`, or `q` as a
    /// shorthand; empty matches everything) and the category.
    private static func searchInput(_ context: Context) throws -> (VaccineCatalog, String, VaccineCategory?) {
        let catalog = try signedIn(context)
        let name = context.query["query"] != nil ? "query" : "q"
        let query = (context.query[name] ?? "").trimmingCharacters(in: .whitespaces)
        guard query.count <= maxQueryLength else {
            throw APIError.validation([FieldProblem(name, "must be at most \(maxQueryLength) characters")])
        }
        return (catalog, query, try categoryParameter(context))
    }

    private static func byName(_ context: Context, _ name: String) throws -> Response {
        let catalog = try signedIn(context)
        guard let vaccine = catalog.vaccine(named: name) else {
            throw APIError(404, "Vaccine not found", detail: .string("No standardized vaccine is named \(name)"))
        }
        return .json(vaccine.json)
    }
}
