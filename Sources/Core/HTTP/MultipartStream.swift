import CSystemShim

/// A `multipart/form-data` parser fed the body in chunks as it arrives, for uploads that
/// must never be held whole anywhere but in their final file (up to 1 GB). Same rules as
/// `MultipartReader` (strict framing, `maxParts`, `maxHeaderBytes`); it keeps at most one
/// chunk plus a delimiter's length in memory. The part's content goes to `sink` as it is
/// found, so the caller writes it straight to disk.
public final class MultipartStream {
    /// What the parser reports, in order: a part's headers, its content in pieces, its end.
    public protocol Sink: AnyObject {
        func partBegins(_ part: MultipartPart) throws
        func content(_ bytes: UnsafeRawBufferPointer) throws
        func partEnds() throws
    }

    enum State { case start, afterDelimiter, headers, content, done }

    let dashBoundary: [UInt8]
    let delimiter: [UInt8]
    let sink: any Sink
    public var maxParts = 16
    public var maxHeaderBytes = 8192
    private var state = State.start
    private var buffer: [UInt8] = []
    /// Bytes of `buffer` already consumed (compacted once per `feed`).
    private var consumed = 0
    private var partCount = 0

    public init(boundary: [UInt8], sink: any Sink) {
        dashBoundary = Array("--".utf8) + boundary
        delimiter = Array("\r\n".utf8) + dashBoundary
        self.sink = sink
    }

    /// True once the closing delimiter has been read (anything after it is ignored).
    public var isComplete: Bool { state == .done }

    /// Takes the next piece of the body.
    public func feed(_ bytes: UnsafeRawBufferPointer) throws {
        guard state != .done, bytes.count > 0 else { return }
        buffer.append(contentsOf: bytes)
        try process()
        if consumed > 0 {
            buffer.removeSubrange(0..<consumed)
            consumed = 0
        }
    }

    /// The body has ended: throws unless it ended with the closing delimiter.
    public func finish() throws {
        guard state == .done else {
            throw MultipartError(
                state == .start && buffer.isEmpty ? "the body is empty" : "the body ends before its closing boundary")
        }
    }

    private var pending: Int { buffer.count - consumed }

    private func process() throws {
        while true {
            switch state {
            case .start:
                guard pending >= dashBoundary.count else { return }
                guard buffer[consumed..<consumed + dashBoundary.count].elementsEqual(dashBoundary) else {
                    throw MultipartError("the body does not begin with the multipart boundary")
                }
                consumed += dashBoundary.count
                state = .afterDelimiter
            case .afterDelimiter:
                // "--" closes the body; else optional padding, then CRLF.
                guard pending >= 2 else { return }
                if buffer[consumed] == 0x2D && buffer[consumed + 1] == 0x2D {
                    state = .done
                    consumed = buffer.count
                    return
                }
                var index = consumed
                while index < buffer.count, buffer[index] == 0x20 || buffer[index] == 0x09 {
                    index += 1
                    guard index - consumed <= 64 else { throw MultipartError("malformed boundary line") }
                }
                guard buffer.count - index >= 2 else { return }
                guard buffer[index] == 0x0D, buffer[index + 1] == 0x0A else {
                    throw MultipartError("malformed boundary line")
                }
                guard partCount < maxParts else { throw MultipartError("more than \(maxParts) parts") }
                consumed = index + 2
                state = .headers
            case .headers:
                let window = buffer[consumed...]
                let end: Int
                if window.starts(with: [0x0D, 0x0A]) {
                    end = 0  // no headers: refused for the missing name
                } else if let found = MultipartReader.find([0x0D, 0x0A, 0x0D, 0x0A], in: window) {
                    end = found + 2
                } else {
                    guard window.count <= maxHeaderBytes + 4 else {
                        throw MultipartError("a part's headers exceed \(maxHeaderBytes) bytes")
                    }
                    return
                }
                guard end <= maxHeaderBytes else {
                    throw MultipartError("a part's headers exceed \(maxHeaderBytes) bytes")
                }
                let part = try MultipartReader.parseHeaders(Array(buffer[consumed..<consumed + end]))
                consumed += end + 2
                partCount += 1
                state = .content
                try sink.partBegins(part)
            case .content:
                let window = buffer[consumed...]
                if let found = MultipartReader.find(delimiter, in: window) {
                    try emit(consumed, found)
                    consumed += found + delimiter.count
                    state = .afterDelimiter
                    try sink.partEnds()
                } else {
                    // Everything but a tail that could be the start of the delimiter.
                    let safe = window.count - (delimiter.count - 1)
                    if safe > 0 {
                        try emit(consumed, safe)
                        consumed += safe
                    }
                    return
                }
            case .done:
                return
            }
        }
    }

    private func emit(_ start: Int, _ count: Int) throws {
        guard count > 0 else { return }
        try buffer.withUnsafeBytes { all in
            try sink.content(UnsafeRawBufferPointer(rebasing: all[start..<start + count]))
        }
    }
}
