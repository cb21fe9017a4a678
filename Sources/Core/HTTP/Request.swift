import Foundation

/// One HTTP request as `Core` sees it, independent of how it arrived (FastCGI or a test).
public struct Request: Sendable {
    public var method: String
    /// The decoded path without the query string, e.g. `/api/v1/medications/12`.
    public var path: String
    public var query: QueryParameters
    /// Header names are lower-cased.
    public var headers: [String: String]
    public var remoteAddress: String
    /// The body, when it is held in memory (every route without a streamed `BodyLimit`).
    public var body: [UInt8]
    /// The body of a route registered with a streamed `BodyLimit`, in a nameless
    /// temporary file that is gone once the request is (nil otherwise, and then `body`
    /// holds it). Handlers of such routes read whichever is there (`bodySource`).
    public var bodyFile: BodyFile?
    /// The parsed body of an upload route (`BodyLimit.upload`): its fields and its file,
    /// already in the file store's directory without a name.
    public var upload: Upload?
    /// The id nginx generated for this request (echoed as `X-Request-ID`).
    public var requestID: String
    /// True when the client reached nginx over TLS (nginx passes `HTTPS=on`).
    public var isSecure: Bool

    public init(
        method: String, path: String, query: QueryParameters = QueryParameters(),
        headers: [String: String] = [:], remoteAddress: String = "127.0.0.1", body: [UInt8] = [],
        requestID: String = "", isSecure: Bool = false, bodyFile: BodyFile? = nil, upload: Upload? = nil
    ) {
        self.upload = upload
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.body = body
        self.requestID = requestID
        self.isSecure = isSecure
        self.bodyFile = bodyFile
    }

    /// The body's length, wherever it is held.
    public var bodyCount: Int { upload?.bodyBytes ?? bodyFile?.count ?? body.count }

    /// The body as random-access bytes, from the file or from memory.
    public var bodySource: any ByteSource { bodyFile ?? MemoryBytes(body) }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The media type of the body without parameters, lower-cased (`application/json`).
    public var contentType: String {
        guard let raw = headers["content-type"] else { return "" }
        let base = raw.split(separator: ";", maxSplits: 1).first ?? ""
        return base.trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// Decoded query parameters in their original order; keys may repeat (`tags=a&tags=b`).
public struct QueryParameters: Sendable, Equatable {
    public var items: [(name: String, value: String)]

    public init(_ items: [(name: String, value: String)] = []) { self.items = items }

    /// Parses an `application/x-www-form-urlencoded` string (a query or a form body).
    public init(parsing encoded: String) {
        var items: [(name: String, value: String)] = []
        for part in encoded.split(separator: "&", omittingEmptySubsequences: true) {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = QueryParameters.decode(pieces[0])
            let value = pieces.count > 1 ? QueryParameters.decode(pieces[1]) : ""
            items.append((name: name, value: value))
        }
        self.items = items
    }

    /// The first value for `name`.
    public subscript(name: String) -> String? { items.first(where: { $0.name == name })?.value }

    /// Every value for `name`, in order (also accepts the `name[]` spelling).
    public func all(_ name: String) -> [String] {
        let bracketed = name + "[]"
        return items.filter { $0.name == name || $0.name == bracketed }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { items.contains(where: { $0.name == name }) }

    public static func == (lhs: QueryParameters, rhs: QueryParameters) -> Bool {
        lhs.items.count == rhs.items.count
            && zip(lhs.items, rhs.items).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    /// Percent-decoding with `+` as space; undecodable bytes become U+FFFD rather than failing,
    /// because a bad query value is then refused by validation with a clear message.
    static func decode(_ raw: Substring) -> String {
        // Byte checks: Character-wise `contains` costs more than the rest of the request's parsing.
        if !raw.utf8.contains(where: { $0 == 0x25 || $0 == 0x2B }) { return String(raw) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.utf8.count)
        var iterator = Array(raw.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "+") {
                bytes.append(0x20)
            } else if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = hexValue(iterator[iterator.startIndex]),
                let low = hexValue(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
