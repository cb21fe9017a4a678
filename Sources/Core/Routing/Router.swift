/// Handles one routed request.
public typealias Handler = @Sendable (Context) throws -> Response

/// The route table: built once at start-up, then read concurrently by every thread.
///
/// Paths are matched segment by segment in a small trie. A literal segment beats a
/// parameter (`/medications/patient/{id}` before `/medications/{id}`), `/x` and `/x/`
/// are the same route, and a parameter segment named `*_id` or `id` must be an integer.
public final class Router: Sendable {
    private let root: Node

    init(root: Node) { self.root = root }

    /// The outcome of looking up a method and path.
    public enum Match {
        case found(Handler, PathParameters)
        /// The path exists but not for this method; carries the methods that do exist.
        case wrongMethod(allowed: [String])
        case notFound
    }

    public func match(method: String, path: String) -> Match { lookup(method: method, path: path).match }

    /// The body limit of the route `method path`, or nil when the route has none of its
    /// own (or does not exist): the adapter asks before it reads a body.
    public func bodyLimit(method: String, path: String) -> BodyLimit? { lookup(method: method, path: path).limit }

    /// The match and the matched route's own body limit, in one walk of the trie.
    func lookup(method: String, path: String) -> (match: Match, limit: BodyLimit?) {
        var node = root
        var values: [(String, String)] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if let next = node.literals[Substring(segment)] {
                node = next
            } else if let (name, next) = node.parameter {
                values.append((name, String(segment)))
                node = next
            } else {
                return (.notFound, nil)
            }
        }
        if node.handlers.isEmpty { return (.notFound, nil) }
        let effective = method == "HEAD" ? "GET" : method
        guard let route = node.handlers[effective] else {
            return (.wrongMethod(allowed: node.handlers.keys.sorted()), nil)
        }
        return (.found(route.handler, PathParameters(values)), route.bodyLimit)
    }

    struct Route {
        let handler: Handler
        let bodyLimit: BodyLimit?
    }

    final class Node: @unchecked Sendable {
        // Mutated only while the table is built, before it is shared between threads.
        var literals: [Substring: Node] = [:]
        var parameter: (String, Node)?
        var handlers: [String: Route] = [:]
    }
}

/// Builds a `Router`; resources add their routes with `get`/`post`/`put`/`delete`.
public struct RouteTable {
    let root = Router.Node()
    /// `METHOD /pattern` of each route added, in order (for `Routes.list`).
    let registered = Registered()

    final class Registered: @unchecked Sendable {
        // Appended to only while the table is built, on one thread.
        var entries: [String] = []
    }

    public init() {}

    public func get(_ pattern: String, _ handler: @escaping Handler) { add("GET", pattern, handler) }
    public func post(_ pattern: String, _ handler: @escaping Handler) { add("POST", pattern, handler) }
    /// A POST route with a body limit of its own (`BodyLimit`): e.g. an upload taking
    /// `bodyLimit` bytes, `streamed` to a temporary file rather than memory.
    public func post(_ pattern: String, bodyLimit: Int, streamed: Bool = false, _ handler: @escaping Handler) {
        add("POST", pattern, bodyLimit: BodyLimit(bytes: bodyLimit, streamed: streamed), handler)
    }
    /// A POST route taking a `multipart/form-data` upload, streamed by the adapter into
    /// the file store as it arrives (`Request.upload`), never held whole.
    public func post(_ pattern: String, upload: UploadPolicy, _ handler: @escaping Handler) {
        add("POST", pattern, bodyLimit: BodyLimit(bytes: upload.bodyLimit, streamed: true, upload: upload), handler)
    }
    public func put(_ pattern: String, bodyLimit: Int, streamed: Bool = false, _ handler: @escaping Handler) {
        add("PUT", pattern, bodyLimit: BodyLimit(bytes: bodyLimit, streamed: streamed), handler)
    }
    public func put(_ pattern: String, _ handler: @escaping Handler) { add("PUT", pattern, handler) }
    public func patch(_ pattern: String, _ handler: @escaping Handler) { add("PATCH", pattern, handler) }
    public func delete(_ pattern: String, _ handler: @escaping Handler) { add("DELETE", pattern, handler) }

    /// Adds a route; `pattern` segments in braces (`{medication_id}`) are parameters.
    /// `bodyLimit` nil: the configured `max_body_bytes`, read into memory.
    public func add(_ method: String, _ pattern: String, bodyLimit: BodyLimit? = nil, _ handler: @escaping Handler) {
        var node = root
        for segment in pattern.split(separator: "/", omittingEmptySubsequences: true) {
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                let name = String(segment.dropFirst().dropLast())
                if let (existing, next) = node.parameter {
                    precondition(existing == name, "conflicting parameter names \(existing) and \(name) in \(pattern)")
                    node = next
                } else {
                    let next = Router.Node()
                    node.parameter = (name, next)
                    node = next
                }
            } else if let next = node.literals[segment] {
                node = next
            } else {
                let next = Router.Node()
                node.literals[segment] = next
                node = next
            }
        }
        precondition(node.handlers[method] == nil, "duplicate route \(method) \(pattern)")
        node.handlers[method] = Router.Route(handler: handler, bodyLimit: bodyLimit)
        registered.entries.append("\(method) \(pattern)")
    }

    public func build() -> Router { Router(root: root) }
}

/// How large a body a route takes and where the adapter puts it while the handler runs.
public struct BodyLimit: Sendable, Equatable {
    /// The largest body accepted; a larger one is answered 413 without being held whole.
    public var bytes: Int
    /// Read into a temporary file (`Request.bodyFile`) in chunks rather than memory.
    public var streamed: Bool
    /// A multipart upload parsed while it streams, its file written into the file store
    /// (`Request.upload`) rather than the body into a temporary file.
    public var upload: UploadPolicy?

    public init(bytes: Int, streamed: Bool, upload: UploadPolicy? = nil) {
        precondition(bytes >= 0, "a body limit is a number of bytes")
        self.bytes = bytes
        self.streamed = streamed
        self.upload = upload
    }
}

/// The values of a matched route's parameters.
public struct PathParameters: Sendable {
    let values: [(String, String)]

    init(_ values: [(String, String)]) { self.values = values }

    public subscript(name: String) -> String? { values.first(where: { $0.0 == name })?.1 }

    /// An integer id parameter; a non-integer answers 422 naming the parameter, as a typed
    /// path parameter does in the contract's framework.
    public func id(_ name: String) throws -> Int64 {
        guard let raw = self[name], let value = Int64(raw), value >= 0 else {
            throw APIError.validation([FieldProblem(name, "must be an integer")])
        }
        return value
    }
}
