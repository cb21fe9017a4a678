import Foundation

/// The application: routes a request, runs its handler and turns every error into the
/// contract's error shape. Thread-safe; one instance serves every thread of a worker.
public final class App: Sendable {
    public let router: Router
    public let shared: SharedState

    public init(shared: SharedState) {
        self.shared = shared
        let table = RouteTable()
        Routes.register(in: table, config: shared.config)
        self.router = table.build()
    }

    /// Every route of the site as `METHOD /pattern` (`medikeep-fcgi routes`).
    public static func routeList(config: Config) -> [String] { Routes.list(config: config) }

    /// An app serving only `routes` (tests of a mechanism on a type of their own).
    init(shared: SharedState, routes: RouteTable) {
        self.shared = shared
        self.router = routes.build()
    }

    /// The body limit of `method path`, asked by the adapter before it reads a body: the
    /// route's own (`RouteTable.post(_:bodyLimit:streamed:_:)`) or else `max_body_bytes`
    /// in memory (also for a path that has no route: it is answered 404 or 405 anyway).
    public func bodyLimit(method: String, path: String) -> BodyLimit {
        router.bodyLimit(method: method, path: path) ?? BodyLimit(bytes: shared.config.maxBodyBytes, streamed: false)
    }

    /// Answers one request. Never throws: a handler's error becomes its response.
    public func handle(_ request: Request, services: Services) -> Response {
        var response: Response
        var context: Context?
        let (match, ownLimit) = router.lookup(method: request.method, path: request.path)
        let limit = ownLimit?.bytes ?? shared.config.maxBodyBytes
        switch match {
        case .found where request.bodyCount > limit:
            // The adapter reads at most one byte past the route's limit (`bodyLimit`), so
            // a larger body is never held whole, in memory or in a file.
            response =
                APIError(413, "Request body too large", detail: .string("The limit is \(limit) bytes.")).response
        case .found(let handler, let parameters):
            let ctx = Context(request: request, parameters: parameters, services: services)
            context = ctx
            response = App.run(handler, ctx, request: request)
        case .wrongMethod(let allowed):
            var error = APIError(
                405, "Method Not Allowed", detail: .string("\(request.method) is not allowed on \(request.path)"))
            error.headers.append((name: "Allow", value: allowed.joined(separator: ", ")))
            response = error.response
        case .notFound:
            response = APIError(404, "Not Found", detail: .string("No endpoint \(request.path)")).response
        }
        if let context { response.headers.append(contentsOf: context.extraHeaders) }
        if !request.requestID.isEmpty { response.addHeader("X-Request-ID", request.requestID) }
        if request.method == "HEAD" {
            response.body = []
            response.bodyFile = nil
        }
        return response
    }

    static func run(_ handler: Handler, _ context: Context, request: Request) -> Response {
        do {
            return try handler(context)
        } catch let error as APIError {
            return error.response
        } catch let error as StoreError {
            return App.response(for: error, request: request)
        } catch {
            Log.error(
                "unhandled_error",
                [
                    "request_id": .string(request.requestID), "path": .string(request.path),
                    "error": .string(String(describing: error)),
                ])
            return APIError(500, "Internal server error", detail: .string("request \(request.requestID)")).response
        }
    }

    /// Database failures the client can act on get a 4xx; an unreachable database a 503.
    static func response(for error: StoreError, request: Request) -> Response {
        switch error {
        case .unavailable(let message):
            Log.warning("database_unavailable", ["request_id": .string(request.requestID), "error": .string(message)])
            return APIError.serviceUnavailable.response
        case .duplicate:
            return APIError(409, "Resource already exists", detail: "A record with the same unique value exists.")
                .response
        case .foreignKey:
            return APIError(422, "Referenced record does not exist or is still in use").response
        case .invalidData(let message):
            // Validation should have caught it; if a value still does not fit its column
            // (1406 "Data too long for column 'x'"), the answer names the field.
            if let column = StoreError.columnName(inMessage: message) {
                return APIError.validation([FieldProblem(column, "does not fit: \(message)")]).response
            }
            return APIError(422, "Invalid value", detail: .string(message)).response
        case .deadlock:
            return APIError(503, "Service busy, try again", detail: "The database was busy; nothing was changed.")
                .response
        case .other(let code, let message):
            Log.error(
                "database_error",
                ["request_id": .string(request.requestID), "code": .int(Int64(code)), "error": .string(message)])
            return APIError(500, "Internal server error", detail: .string("request \(request.requestID)")).response
        }
    }
}
