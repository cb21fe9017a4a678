import Foundation

/// The rule for a user-supplied backend URL. Saving one makes the server send requests
/// there (server-side request forgery is the risk), so:
/// - `http` or `https` only, with a host; no user name or password in it, no query, no
///   fragment (credentials go in their own, sealed fields);
/// - the server never follows a redirect (`HTTPClient`), so an answer cannot send it to
///   another host, and a backend's error body is never passed back to the client, only
///   its status;
/// - private and loopback addresses are allowed: Paperless and Papra are self-hosted,
///   usually on the same LAN or machine as MediKeep (and the tests' fakes are on
///   127.0.0.1). Operators who must forbid that do it where it is enforceable: the
///   service's network namespace or an egress firewall (docs/operations.md).
enum BackendURL {
    /// The URL as stored: scheme and host lowercased, no trailing slash; or the problem.
    static func normalize(_ raw: String) -> Result<String, FieldProblemText> {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { return .failure("is required") }
        guard text.utf8.count <= 500 else { return .failure("must be at most 500 characters") }
        guard let parts = URLComponents(string: text), let scheme = parts.scheme?.lowercased(),
            scheme == "http" || scheme == "https"
        else { return .failure("must be an http:// or https:// URL") }
        guard let host = parts.host, !host.isEmpty else { return .failure("must name a host") }
        guard parts.user == nil, parts.password == nil else {
            return .failure("must not contain a user name or password (use the credential fields)")
        }
        guard parts.query == nil, parts.fragment == nil else { return .failure("must not contain ? or #") }
        var path = parts.percentEncodedPath
        while path.hasSuffix("/") { path.removeLast() }
        let port = parts.port.map { ":\($0)" } ?? ""
        let bracketed = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return .success("\(scheme)://\(bracketed.lowercased())\(port)\(path)")
    }

    /// A problem message, as a `Result` failure.
    struct FieldProblemText: Error, ExpressibleByStringLiteral {
        let message: String
        init(stringLiteral value: String) { message = value }
    }
}
