import Foundation

/// How to reach one user's Paperless-ngx or Papra: base URL, credentials, and (Papra)
/// the organization. Builds requests and turns a backend's failures into our errors;
/// the credentials go only into the `Authorization` header, which is never logged.
struct BackendAccount {
    enum Auth {
        case token(String)  // Paperless: "Authorization: Token …"
        case basic(String, String)  // Paperless with user name and password
        case bearer(String)  // Papra API key
    }

    let backend: DocumentBackend
    let url: String
    let auth: Auth
    var organizationID: String?

    init(_ backend: DocumentBackend, url: String, auth: Auth, organizationID: String? = nil) {
        self.backend = backend
        self.url = url
        self.auth = auth
        self.organizationID = organizationID
    }

    var authorization: String {
        switch auth {
        case .token(let token): "Token \(token)"
        case .basic(let user, let password): "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        case .bearer(let token): "Bearer \(token)"
        }
    }

    /// A request to `path` (from the base URL; already percent-encoded) with our credentials.
    func request(
        _ method: String = "GET", _ path: String, form: OutboundForm? = nil, timeout: Int = 30
    ) -> OutboundRequest {
        OutboundRequest(
            method: method, url: url + path,
            headers: [(name: "Authorization", value: authorization), (name: "Accept", value: "application/json")],
            form: form, timeout: timeout)
    }

    /// Sends and checks: an answer in 200...299 is returned; 401/403 and every other
    /// failure become a 502 naming the backend and the status (never the backend's body,
    /// which could echo anything).
    func send(_ request: OutboundRequest, maxBodyBytes: Int = HTTPClient.defaultMaxBodyBytes, notFound: String? = nil)
        throws -> OutboundResponse
    {
        let response: OutboundResponse
        do {
            response = try HTTPClient.send(request, maxBodyBytes: maxBodyBytes)
        } catch {
            throw unreachable(error)
        }
        try check(response.status, notFound: notFound)
        return response
    }

    func check(_ status: Int, notFound: String? = nil) throws {
        switch status {
        case 200..<300: return
        case 404 where notFound != nil: throw APIError.notFound(notFound!)
        case 401, 403:
            throw APIError(
                502, "\(backend.title) refused the credentials",
                detail: .string("\(backend.title) answered \(status); check the token in the settings."))
        default:
            throw APIError(
                502, "\(backend.title) request failed", detail: .string("\(backend.title) answered \(status)."))
        }
    }

    func unreachable(_ error: OutboundError) -> APIError {
        switch error.kind {
        case .timedOut:
            APIError(504, "\(backend.title) did not answer in time", detail: .string(error.message))
        case .tooLarge:
            APIError(502, "\(backend.title) answer too large", detail: .string(error.message))
        case .unreachable, .writeFailed:
            APIError(502, "\(backend.title) is unreachable", detail: .string(error.message))
        }
    }

    /// The JSON of a 2xx answer, or 502 when it is not JSON.
    func json(_ response: OutboundResponse) throws -> JSON {
        guard let json = response.json else {
            throw APIError(502, "\(backend.title) answered something that is not JSON")
        }
        return json
    }

    /// Percent-encodes one path segment or query value.
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
