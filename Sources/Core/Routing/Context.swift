import Foundation

/// Everything a handler needs for one request: the request, its path parameters and the
/// per-thread services (database connection and start-up state). One thread owns it.
public final class Context {
    public let request: Request
    public let parameters: PathParameters
    public let services: Services
    /// The signed-in user, once `requireUser()` has checked the token.
    public var cachedUser: AuthenticatedUser?
    /// Response headers a handler wants added (e.g. `Set-Cookie`).
    public var extraHeaders: [(name: String, value: String)] = []
    /// The route accepts the token as `?token=` too (file view and download).
    public var acceptsQueryToken = false

    public init(request: Request, parameters: PathParameters, services: Services) {
        self.request = request
        self.parameters = parameters
        self.services = services
    }

    public var db: Connection { services.db }
    public var config: Config { services.shared.config }
    public var query: QueryParameters { request.query }

    /// The request body as a JSON object; 422 when it is missing, malformed or not an object.
    public func jsonObject() throws -> JSONObject {
        guard !request.body.isEmpty else {
            throw APIError(422, "Request body is required", detail: "Send a JSON object.")
        }
        let value: JSON
        do {
            value = try JSON.parse(request.body)
        } catch {
            throw APIError(422, "Malformed JSON body", detail: .string(error.message))
        }
        guard case .object(let object) = value else {
            throw APIError(422, "Request body must be a JSON object", detail: .string("got \(value.typeName)"))
        }
        return object
    }
}
