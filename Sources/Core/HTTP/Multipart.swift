import CSystemShim
import Foundation

/// Bytes read by offset: a body in memory or in a temporary file.
public protocol ByteSource {
    var count: Int { get }
    /// Up to `length` bytes from `offset` (fewer at the end).
    func read(at offset: Int, count length: Int) throws -> [UInt8]
}

extension BodyFile: ByteSource {}

/// A body held in memory, as a `ByteSource`.
public struct MemoryBytes: ByteSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public var count: Int { bytes.count }
    public func read(at offset: Int, count length: Int) -> [UInt8] {
        let start = min(max(0, offset), bytes.count)
        return Array(bytes[start..<min(bytes.count, start + max(0, length))])
    }
}

/// One part of a `multipart/form-data` body: its form field name, file name and media
/// type from its headers, and where its content lies in the body (nothing is copied).
public struct MultipartPart: Sendable, Equatable {
    public var name: String
    public var filename: String?
    public var contentType: String?
    public var content: Range<Int>
}

public struct MultipartError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A small, strict `multipart/form-data` reader (RFC 7578 over RFC 2046) that walks a
/// `ByteSource` in chunks, so a body in a file is never held whole. Strict: the body
/// must begin with the first delimiter (no preamble), every part needs a
/// `Content-Disposition: form-data` with a name, header lines are not folded, and the
/// closing delimiter must be there. Limits: `maxParts` parts, `maxHeaderBytes` of
/// headers per part.
public struct MultipartReader {
    public var maxParts = 16
    public var maxHeaderBytes = 8192
    /// How much is read at a time while looking for the next delimiter.
    public var chunkSize = 1 << 16

    public init() {}

    /// The boundary of a `multipart/form-data` Content-Type header value.
    public static func boundary(contentType: String) throws -> [UInt8] {
        let pieces = contentType.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let media = pieces.first, media.lowercased() == "multipart/form-data" else {
            throw MultipartError("the body must be multipart/form-data")
        }
        for parameter in pieces.dropFirst() {
            guard let equals = parameter.firstIndex(of: "=") else { continue }
            guard parameter[..<equals].trimmingCharacters(in: .whitespaces).lowercased() == "boundary" else {
                continue
            }
            var value = parameter[parameter.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            // RFC 2046: 1 to 70 characters, none of them a control character or beyond ASCII.
            guard (1...70).contains(value.utf8.count), value.utf8.allSatisfy({ (0x20...0x7E).contains($0) }),
                value.last != " "
            else { throw MultipartError("the multipart boundary is malformed") }
            return Array(value.utf8)
        }
        throw MultipartError("the multipart/form-data Content-Type has no boundary")
    }

    /// Every part of `source`, in order.
    public func parts(of source: any ByteSource, boundary: [UInt8]) throws -> [MultipartPart] {
        let dashBoundary = Array("--".utf8) + boundary
        let delimiter = Array("\r\n".utf8) + dashBoundary
        guard try source.read(at: 0, count: dashBoundary.count) == dashBoundary else {
            throw MultipartError("the body does not begin with the multipart boundary")
        }
        var position = dashBoundary.count  // just past a delimiter
        var parts: [MultipartPart] = []
        while true {
            // After a delimiter: "--" closes the body; else optional padding, then CRLF.
            let after = try source.read(at: position, count: 2)
            if after == Array("--".utf8) { return parts }
            var lineEnd = position
            var padding = try source.read(at: position, count: 64)[...]
            while let first = padding.first, first == 0x20 || first == 0x09 {
                padding = padding.dropFirst()
                lineEnd += 1
            }
            guard padding.starts(with: [0x0D, 0x0A]) else {
                throw MultipartError(
                    position >= source.count ? "the body ends before its closing boundary" : "malformed boundary line")
            }
            guard parts.count < maxParts else { throw MultipartError("more than \(maxParts) parts") }
            let headerStart = lineEnd + 2
            let window = try source.read(at: headerStart, count: maxHeaderBytes + 4)
            let headerEnd: Int
            if window.starts(with: [0x0D, 0x0A]) {
                headerEnd = 0  // no headers at all: refused below for the missing name
            } else if let end = MultipartReader.find([0x0D, 0x0A, 0x0D, 0x0A], in: window[...]) {
                headerEnd = end + 2
            } else {
                throw MultipartError(
                    window.count < maxHeaderBytes + 4
                        ? "the body ends inside a part's headers" : "a part's headers exceed \(maxHeaderBytes) bytes")
            }
            guard headerEnd <= maxHeaderBytes else {
                throw MultipartError("a part's headers exceed \(maxHeaderBytes) bytes")
            }
            var part = try MultipartReader.parseHeaders(Array(window[..<headerEnd]))
            let contentStart = headerStart + headerEnd + 2
            guard let contentEnd = try find(delimiter, in: source, from: contentStart) else {
                throw MultipartError("the body ends before its closing boundary")
            }
            part.content = contentStart..<contentEnd
            parts.append(part)
            position = contentEnd + delimiter.count
        }
    }

    /// The first offset at or after `start` where `needle` begins, reading `chunkSize`
    /// bytes at a time (consecutive windows overlap by `needle.count - 1`).
    func find(_ needle: [UInt8], in source: any ByteSource, from start: Int) throws -> Int? {
        var offset = start
        while offset < source.count {
            let window = try source.read(at: offset, count: chunkSize + needle.count - 1)
            if let found = MultipartReader.find(needle, in: window[...]) { return offset + found }
            if window.count < needle.count { return nil }
            offset += window.count - (needle.count - 1)
        }
        return nil
    }

    /// `memmem` over a slice: Glibc's search is fast even in a debug build.
    static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        return haystack.withUnsafeBytes { hay in
            needle.withUnsafeBytes { pin -> Int? in
                let hit = mk_memmem(hay.baseAddress, hay.count, pin.baseAddress, pin.count)
                return hit < 0 ? nil : hit
            }
        }
    }

    /// A part's header block (lines ending in CRLF, without the blank line).
    static func parseHeaders(_ block: [UInt8]) throws -> MultipartPart {
        var name: String?
        var filename: String?
        var contentType: String?
        var lines = block.split(separator: 0x0A, omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        for raw in lines {
            guard raw.last == 0x0D else { throw MultipartError("a part's header line does not end in CRLF") }
            let line = raw.dropLast()
            guard let first = line.first, first != 0x20, first != 0x09 else {
                throw MultipartError("folded or empty header lines are not accepted")
            }
            guard line.allSatisfy({ $0 == 0x09 || $0 >= 0x20 && $0 != 0x7F }) else {
                throw MultipartError("a part's header contains a control character")
            }
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { throw MultipartError("malformed part header") }
            let field = text[..<colon].lowercased()
            let value = text[text.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            switch field {
            case "content-disposition":
                guard name == nil else { throw MultipartError("a part has two Content-Disposition headers") }
                let parameters = try dispositionParameters(value)
                guard parameters.kind == "form-data", let partName = parameters.values["name"] else {
                    throw MultipartError("a part's Content-Disposition must be form-data with a name")
                }
                name = partName
                filename = parameters.values["filename*"].flatMap(extendedValue) ?? parameters.values["filename"]
            case "content-type":
                contentType = value
            default:
                continue  // other part headers are allowed and ignored
            }
        }
        guard let name else { throw MultipartError("a part has no Content-Disposition name") }
        return MultipartPart(name: name, filename: filename, contentType: contentType, content: 0..<0)
    }

    /// `form-data; name="file"; filename="a.pdf"`: the disposition type and its
    /// parameters (names lower-cased; values unquoted, `\"` read as a quote).
    static func dispositionParameters(_ value: String) throws -> (kind: String, values: [String: String]) {
        let characters = Array(value)
        var index = 0
        func skipSpaces() {
            while index < characters.count, characters[index] == " " || characters[index] == "\t" { index += 1 }
        }
        func token() -> String {
            let start = index
            while index < characters.count, !";= \t\"".contains(characters[index]) { index += 1 }
            return String(characters[start..<index])
        }
        skipSpaces()
        let kind = token().lowercased()
        var values: [String: String] = [:]
        while true {
            skipSpaces()
            guard index < characters.count else { break }
            guard characters[index] == ";" else { throw MultipartError("malformed Content-Disposition") }
            index += 1
            skipSpaces()
            if index == characters.count { break }
            let key = token().lowercased()
            skipSpaces()
            guard !key.isEmpty, index < characters.count, characters[index] == "=" else {
                throw MultipartError("malformed Content-Disposition parameter")
            }
            index += 1
            skipSpaces()
            var parameter = ""
            if index < characters.count, characters[index] == "\"" {
                index += 1
                var closed = false
                while index < characters.count {
                    let character = characters[index]
                    index += 1
                    // `\"` is a quote; any other backslash is itself, as browsers send
                    // it (a Windows path in `filename`).
                    if character == "\\", index < characters.count, characters[index] == "\"" {
                        parameter.append("\"")
                        index += 1
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        parameter.append(character)
                    }
                }
                guard closed else { throw MultipartError("unterminated quoted string in Content-Disposition") }
            } else {
                parameter = token()
            }
            guard values[key] == nil else { throw MultipartError("Content-Disposition repeats \(key)") }
            values[key] = parameter
        }
        return (kind, values)
    }

    /// RFC 5987 `UTF-8''percent-encoded` (other charsets are ignored).
    static func extendedValue(_ value: String) -> String? {
        let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        var bytes: [UInt8] = []
        var iterator = Array(pieces[2].utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = hex(iterator[iterator.startIndex]), let low = hex(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hex(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}
