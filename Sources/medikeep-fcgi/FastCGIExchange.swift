import CFastCGI
import Core
import Foundation

/// Converts between libfcgi's request (params + stdin) and `Core`'s values.
enum FastCGIExchange {
    /// Reads params and body. The path comes from `DOCUMENT_URI` (nginx's decoded,
    /// normalised URI; PATH_INFO is empty without `fastcgi_split_path_info`).
    ///
    /// `bodyLimit` gives the matched route's limit from the method and path, asked only
    /// when there is a body: up to one byte past it is read, into memory or — for a
    /// streamed route — into a nameless temporary file in `temporaryDirectory`, 64 KiB at
    /// a time. A body past the limit is then answered 413 by `App` without being held.
    static func readRequest(
        _ request: UnsafeMutablePointer<FCGX_Request>, temporaryDirectory: String, fileStore: FileStore,
        bodyLimit: (_ method: String, _ path: String) -> BodyLimit
    ) -> Request {
        let envp = request.pointee.envp
        var method = "GET"
        var path = "/"
        var queryString = ""
        var remoteAddress = ""
        var requestID = ""
        var isSecure = false
        var contentLength = 0
        var headers: [String: String] = [:]
        var cursor = envp
        // Params are `NAME=value` C strings; they are split as bytes, and only the names
        // we use become Strings (this runs for every request).
        while let entry = cursor?.pointee {
            cursor = cursor?.advanced(by: 1)
            let length = strlen(entry)
            let bytes = UnsafeRawBufferPointer(start: entry, count: length)
            guard let equals = bytes.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = UnsafeRawBufferPointer(rebasing: bytes[..<equals])
            let value = { String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(equals + 1)...]), as: UTF8.self) }
            if name.starts(with: httpPrefix) {
                // Only the headers Core reads become Strings; nginx passes a dozen more.
                if name.elementsEqual(requestIDParam) {
                    requestID = sanitizedRequestID(value())
                } else if let header = passedHeaders.first(where: { name.elementsEqual($0.param) })?.name {
                    headers[header] = value()
                }
                continue
            }
            // Compared as bytes: nginx sends ~20 other params a String would be made for.
            guard let known = Param.allCases.first(where: { name.elementsEqual($0.bytes) }) else { continue }
            switch known {
            case .method: method = value()
            case .path: path = value()
            case .query: queryString = value()
            case .remoteAddress: remoteAddress = value()
            case .contentType: headers["content-type"] = value()
            case .contentLength: contentLength = Int(value()) ?? 0
            case .https: isSecure = value().lowercased() == "on"
            }
        }
        var body: [UInt8] = []
        var bodyFile: BodyFile?
        var upload: Upload?
        if contentLength > 0 {
            // Read at most one byte past the cap: enough for `App` to see the body is too
            // large without buffering an unbounded body.
            let limit = bodyLimit(method, path)
            let wanted = min(contentLength, limit.bytes + 1)
            if let policy = limit.upload {
                upload = receive(
                    request, wanted: wanted, contentType: headers["content-type"] ?? "", policy: policy,
                    store: fileStore)
            } else if limit.streamed {
                bodyFile = spool(request, wanted: wanted, directory: temporaryDirectory)
            } else {
                body = [UInt8](repeating: 0, count: wanted)
                let read = body.withUnsafeMutableBufferPointer { buffer in
                    buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: wanted) {
                        FCGX_GetStr($0, Int32(wanted), request.pointee.in)
                    }
                }
                body.removeLast(wanted - Int(max(read, 0)))
            }
        }
        return Request(
            method: method, path: path, query: QueryParameters(parsing: queryString), headers: headers,
            remoteAddress: remoteAddress, body: body, requestID: requestID, isSecure: isSecure, bodyFile: bodyFile,
            upload: upload)
    }

    /// Reads and drops what is left of stdin, up to its end: usually nothing is left but
    /// the closing empty record, already buffered (no system call).
    static func drainInput(_ request: UnsafeMutablePointer<FCGX_Request>) {
        guard FCGX_GetChar(request.pointee.in) != -1 else { return }  // the usual case: at the end
        var scratch = [CChar](repeating: 0, count: 16 * 1024)
        while scratch.withUnsafeMutableBufferPointer({
            FCGX_GetStr($0.baseAddress, Int32($0.count), request.pointee.in)
        })
            > 0
        {}
    }

    /// Copies up to `wanted` bytes of the body into a nameless temporary file, one chunk at
    /// a time. When no file can be made or written, the body is read and dropped (logged),
    /// and the request carries none: its handler answers as for a missing body.
    static func spool(_ request: UnsafeMutablePointer<FCGX_Request>, wanted: Int, directory: String) -> BodyFile? {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var descriptor: Int32 = -1
        do {
            descriptor = try TemporaryFile.anonymous(in: directory)
        } catch {
            Log.error("body_spool_failed", ["error": .string(String(describing: error))])
        }
        var total = 0
        var failed = descriptor < 0
        while total < wanted {
            let want = min(chunk.count, wanted - total)
            let read = chunk.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: want) {
                    Int(FCGX_GetStr($0, Int32(want), request.pointee.in))
                }
            }
            guard read > 0 else { break }
            if !failed {
                do {
                    try TemporaryFile.writeAll(descriptor, Array(chunk[..<read]))
                } catch {
                    Log.error("body_spool_failed", ["error": .string(String(describing: error))])
                    failed = true
                }
            }
            total += read
        }
        if failed {
            if descriptor >= 0 { close(descriptor) }
            return nil
        }
        return BodyFile(descriptor: descriptor, count: total)
    }

    /// Streams up to `wanted` bytes of an upload's body through `UploadReceiver`: multipart
    /// is parsed as the chunks arrive and the file part goes straight into a nameless file
    /// in the file store, so neither memory nor a second temporary copy holds the body.
    static func receive(
        _ request: UnsafeMutablePointer<FCGX_Request>, wanted: Int, contentType: String, policy: UploadPolicy,
        store: FileStore
    ) -> Upload {
        let receiver = UploadReceiver(contentType: contentType, policy: policy, store: store)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        while total < wanted {
            let want = min(chunk.count, wanted - total)
            let read = chunk.withUnsafeMutableBufferPointer { buffer in
                buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: want) {
                    Int(FCGX_GetStr($0, Int32(want), request.pointee.in))
                }
            }
            guard read > 0 else { break }
            chunk.withUnsafeBytes { receiver.feed(UnsafeRawBufferPointer(rebasing: $0[..<read])) }
            total += read
        }
        return receiver.finish()
    }

    /// The non-header params Core uses.
    enum Param: String, CaseIterable {
        case method = "REQUEST_METHOD", path = "DOCUMENT_URI", query = "QUERY_STRING", remoteAddress = "REMOTE_ADDR"
        case contentType = "CONTENT_TYPE", contentLength = "CONTENT_LENGTH", https = "HTTPS"
        var bytes: String.UTF8View { rawValue.utf8 }
    }

    static let httpPrefix = Array("HTTP_".utf8)
    static let requestIDParam = Array("HTTP_X_REQUEST_ID".utf8)
    /// The request headers handlers read (`Request.headers`), by their FastCGI names. A
    /// handler that needs another header adds it here.
    static let passedHeaders: [(param: [UInt8], name: String)] = ["authorization", "cookie", "if-none-match", "range"]
        .map { (Array(("HTTP_" + $0.uppercased().replacingOccurrences(of: "-", with: "_")).utf8), $0) }

    /// A client-supplied request id is echoed in headers and logs: keep it short and plain.
    static func sanitizedRequestID(_ value: String) -> String {
        // ASCII letters, digits and -_. only: checked as bytes (per request, so no
        // Unicode character properties).
        let kept = value.utf8.prefix(64).filter { byte in
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."): true
            default: false
            }
        }
        return String(decoding: kept, as: UTF8.self)
    }

    /// Writes status line and headers (built as bytes; a CR or LF in a header value is
    /// dropped, so no value can start a header of its own), then the body.
    static func write(_ response: Response, to request: UnsafeMutablePointer<FCGX_Request>) {
        var head: [UInt8] = []
        head.reserveCapacity(256)
        head.append(contentsOf: "Status: ".utf8)
        JSON.writeInteger(Int64(response.status), into: &head)
        head.append(0x20)
        head.append(contentsOf: HTTPStatus.reason(response.status).utf8)
        head.append(contentsOf: [0x0D, 0x0A])
        for header in response.headers {
            head.append(contentsOf: header.name.utf8)
            head.append(contentsOf: [0x3A, 0x20])
            for byte in header.value.utf8 where byte != 0x0D && byte != 0x0A { head.append(byte) }
            head.append(contentsOf: [0x0D, 0x0A])
        }
        if response.status != 204 {
            head.append(contentsOf: "Content-Length: ".utf8)
            JSON.writeInteger(Int64(response.bodyFile?.count ?? response.body.count), into: &head)
            head.append(contentsOf: [0x0D, 0x0A])
        }
        head.append(contentsOf: [0x0D, 0x0A])
        if let file = response.bodyFile {
            put(head, request)
            stream(file, request)
        } else {
            writeWhole(head: head, body: response.body, request)
        }
    }

    /// The most one FastCGI record carries (content length is 16 bits), kept a multiple
    /// of 8 so no record needs padding.
    static let recordContent = 65528

    /// Sends head and body as FCGI_STDOUT records, the empty record that ends stdout and
    /// FCGI_END_REQUEST in one `writev`, then marks libfcgi's stdout closed so that
    /// FCGX_Finish_r adds nothing. libfcgi would copy the body into its 8 KiB buffer and
    /// write each time it fills: a 20 kB list took three writes (and woke nginx three
    /// times); this takes one, whatever the size, and copies nothing.
    private static func writeWhole(head: [UInt8], body: [UInt8], _ request: UnsafeMutablePointer<FCGX_Request>) {
        let id = UInt16(truncatingIfNeeded: request.pointee.requestId)
        func header(_ type: UInt8, _ length: Int) -> [UInt8] {
            [1, type, UInt8(id >> 8), UInt8(id & 0xFF), UInt8(length >> 8), UInt8(length & 0xFF), 0, 0]
        }
        // Record headers, in order: one per chunk of head or body, then stdout's end and
        // FCGI_END_REQUEST (application status 0, FCGI_REQUEST_COMPLETE) as one piece.
        var frames: [UInt8] = []
        var pieces: [(frame: Int, source: Int, start: Int, count: Int)] = []  // source 0: head, 1: body
        for (source, bytes) in [head, body].enumerated() {
            var start = 0
            while start < bytes.count {
                let count = min(recordContent, bytes.count - start)
                pieces.append((frames.count, source, start, count))
                frames += header(6, count)
                start += count
            }
        }
        let closing = frames.count
        frames += header(6, 0) + header(3, 8) + [0, 0, 0, 0, 0, 0, 0, 0]
        head.withUnsafeBytes { headBytes in
            body.withUnsafeBytes { bodyBytes in
                frames.withUnsafeBytes { frameBytes in
                    var vectors: [iovec] = []
                    vectors.reserveCapacity(pieces.count * 2 + 1)
                    for piece in pieces {
                        let source = piece.source == 0 ? headBytes : bodyBytes
                        vectors.append(
                            iovec(
                                iov_base: UnsafeMutableRawPointer(mutating: frameBytes.baseAddress! + piece.frame),
                                iov_len: 8))
                        vectors.append(
                            iovec(
                                iov_base: UnsafeMutableRawPointer(mutating: source.baseAddress! + piece.start),
                                iov_len: piece.count))
                    }
                    vectors.append(
                        iovec(
                            iov_base: UnsafeMutableRawPointer(mutating: frameBytes.baseAddress! + closing), iov_len: 24)
                    )
                    writeAll(request.pointee.ipcFd, &vectors)
                }
            }
        }
        // libfcgi's stdout holds nothing; FCGX_Finish_r must not end it a second time.
        if let out = request.pointee.out {
            out.pointee.wasFCloseCalled = 1
            out.pointee.isClosed = 1
        }
    }

    /// `writev` until every vector is written (a signal or a full socket buffer may cut
    /// one short); gives up on an error (nginx gone: nothing to tell it).
    private static func writeAll(_ fd: Int32, _ vectors: inout [iovec]) {
        var first = 0
        while first < vectors.count {
            let written = vectors[first...].withUnsafeBufferPointer { writev(fd, $0.baseAddress, Int32($0.count)) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            var remaining = written
            while first < vectors.count && remaining >= vectors[first].iov_len {
                remaining -= vectors[first].iov_len
                first += 1
            }
            if remaining > 0 {
                vectors[first].iov_base += remaining
                vectors[first].iov_len -= remaining
            }
        }
    }

    /// Sends a body file 256 kB at a time (memory stays flat whatever its size). A read
    /// that fails ends the body short; nginx then sees less than Content-Length and drops
    /// the connection rather than passing on a truncated file as whole.
    private static func stream(_ file: BodyFile, _ request: UnsafeMutablePointer<FCGX_Request>) {
        var offset = 0
        while offset < file.count {
            guard let chunk = try? file.read(at: offset, count: 256 << 10), !chunk.isEmpty else {
                Log.error("body_file_read_failed", ["offset": .int(Int64(offset))])
                return
            }
            put(chunk, request)
            offset += chunk.count
        }
    }

    private static func put(_ bytes: [UInt8], _ request: UnsafeMutablePointer<FCGX_Request>) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                _ = FCGX_PutStr($0, Int32(buffer.count), request.pointee.out)
            }
        }
    }

    /// The watchdog's answer for a request past `request_timeout`.
    static func answerTimeout(_ request: UnsafeMutablePointer<FCGX_Request>) {
        var requestID = ""
        if let raw = FCGX_GetParam("HTTP_X_REQUEST_ID", request.pointee.envp) {
            requestID = sanitizedRequestID(String(cString: raw))
        }
        var response = APIError(
            504, "Request timed out", detail: "The request took longer than the server allows; it was stopped."
        ).response
        if !requestID.isEmpty { response.addHeader("X-Request-ID", requestID) }
        write(response, to: request)
        FCGX_Finish_r(request)
    }
}
