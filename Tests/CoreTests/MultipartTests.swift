import Foundation
import Testing

@testable import Core

@Suite struct MultipartTests {
    static let boundary = "----mkBoundary7MA4YWxk"

    static func body(_ parts: [(headers: String, content: [UInt8])], boundary: String = boundary) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            out += Array("--\(boundary)\r\n\(part.headers)\r\n\r\n".utf8) + part.content + Array("\r\n".utf8)
        }
        return out + Array("--\(boundary)--\r\n".utf8)
    }

    static func file(_ content: [UInt8], filename: String = "report.pdf") -> (headers: String, content: [UInt8]) {
        (
            "Content-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/pdf",
            content
        )
    }

    func parse(_ bytes: [UInt8], reader: MultipartReader = MultipartReader()) throws -> [MultipartPart] {
        try reader.parts(of: MemoryBytes(bytes), boundary: Array(MultipartTests.boundary.utf8))
    }

    @Test func boundaryFromContentType() throws {
        #expect(try MultipartReader.boundary(contentType: "multipart/form-data; boundary=abc") == Array("abc".utf8))
        #expect(
            try MultipartReader.boundary(contentType: "Multipart/Form-Data;charset=utf-8; BOUNDARY=\"a b:c\"")
                == Array("a b:c".utf8))
        for bad in [
            "application/json", "multipart/form-data", "multipart/form-data; boundary=",
            "multipart/form-data; boundary=" + String(repeating: "x", count: 71), "multipart/mixed; boundary=a",
            "multipart/form-data; boundary=\"caf\u{e9}\"", "",
        ] {
            #expect(throws: MultipartError.self, "\(bad)") { try MultipartReader.boundary(contentType: bad) }
        }
    }

    @Test func readsPartsWithNamesFilenamesAndContentRanges() throws {
        let pdf = Array("%PDF-1.4\r\n--not-the-boundary\r\n\r\n binary \0\u{1} end".utf8)
        let bytes = MultipartTests.body([
            ("Content-Disposition: form-data; name=\"note\"", Array("hello".utf8)),
            MultipartTests.file(pdf),
        ])
        let parts = try parse(bytes)
        #expect(parts.map(\.name) == ["note", "file"])
        #expect(parts[0].filename == nil)
        #expect(parts[1].filename == "report.pdf")
        #expect(parts[1].contentType == "application/pdf")
        #expect(Array(bytes[parts[0].content]) == Array("hello".utf8))
        #expect(Array(bytes[parts[1].content]) == pdf)
    }

    @Test func emptyContentAndEscapedOrExtendedFilenames() throws {
        let bytes = MultipartTests.body([
            ("Content-Disposition: form-data; name=\"a\"; filename=\"x\\\"y.pdf\"", []),
            ("content-disposition: FORM-DATA; NAME=b; filename*=UTF-8''r%C3%A9sultat.pdf; filename=\"plain.pdf\"", [1]),
            ("Content-Disposition: form-data; name=\"c\"; filename=\"C:\\scans\\lab.pdf\"", [2]),
        ])
        let parts = try parse(bytes)
        #expect(parts[0].filename == "x\"y.pdf")
        #expect(parts[0].content.isEmpty)
        #expect(parts[1].name == "b")
        #expect(parts[1].filename == "résultat.pdf")
        #expect(parts[2].filename == "C:\\scans\\lab.pdf")  // a backslash is itself, as browsers send it
    }

    /// The delimiter search reads in chunks: a delimiter straddling two chunks, at every
    /// offset, is still found, from memory and from a body file alike.
    @Test func delimiterAcrossChunkEdges() throws {
        var reader = MultipartReader()
        reader.chunkSize = 7
        for length in 0..<40 {
            let content = (0..<length).map { UInt8($0 % 251) }
            let bytes = MultipartTests.body([MultipartTests.file(content)])
            let fromMemory = try parse(bytes, reader: reader)
            let file = try BodyFile.holding(bytes)
            let fromFile = try reader.parts(of: file, boundary: Array(MultipartTests.boundary.utf8))
            #expect(fromMemory == fromFile)
            #expect(Array(bytes[fromFile[0].content]) == content)
        }
    }

    @Test func hostileBodiesAreRefused() throws {
        let good = MultipartTests.body([MultipartTests.file(Array("%PDF-1.4".utf8))])
        let b = MultipartTests.boundary
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("a preamble", Array("preamble\r\n".utf8) + good),
            ("no closing delimiter", Array(good.dropLast("--\(b)--\r\n".utf8.count))),
            ("truncated inside the content", Array(good.prefix(good.count / 2 + 20))),
            ("truncated inside the headers", Array("--\(b)\r\nContent-Disposition: form-da".utf8)),
            ("no headers", Array("--\(b)\r\n\r\nx\r\n--\(b)--".utf8)),
            ("no name", Array("--\(b)\r\nContent-Disposition: form-data; filename=\"a\"\r\n\r\nx\r\n--\(b)--".utf8)),
            ("not form-data", Array("--\(b)\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nx\r\n--\(b)--".utf8)),
            (
                "folded header",
                Array("--\(b)\r\nContent-Disposition: form-data;\r\n name=\"a\"\r\n\r\nx\r\n--\(b)--".utf8)
            ),
            ("bare LF headers", Array("--\(b)\nContent-Disposition: form-data; name=\"a\"\n\nx\n--\(b)--".utf8)),
            (
                "unterminated quote",
                Array("--\(b)\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--\(b)--".utf8)
            ),
            (
                "repeated parameter",
                Array("--\(b)\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--\(b)--".utf8)
            ),
            (
                "two dispositions",
                Array(
                    "--\(b)\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n\r\nx\r\n--\(b)--"
                        .utf8)
            ),
            (
                "control character in a header",
                Array("--\(b)\r\nContent-Disposition: form-data; name=\"a\u{1}\"\r\n\r\nx\r\n--\(b)--".utf8)
            ),
            ("garbage after the delimiter", Array("--\(b)xyz\r\n".utf8) + good),
            ("a different boundary", MultipartTests.body([MultipartTests.file([1])], boundary: "other")),
        ]
        for (what, bytes) in cases {
            #expect(throws: MultipartError.self, "\(what)") { try parse(bytes) }
        }
    }

    @Test func limitsOnPartsAndHeaders() throws {
        var reader = MultipartReader()
        reader.maxParts = 3
        let four = MultipartTests.body((0..<4).map { ("Content-Disposition: form-data; name=\"p\($0)\"", [UInt8]()) })
        #expect(throws: MultipartError("more than 3 parts")) { try parse(four, reader: reader) }
        let three = MultipartTests.body((0..<3).map { ("Content-Disposition: form-data; name=\"p\($0)\"", [UInt8]()) })
        #expect(try parse(three, reader: reader).count == 3)

        let huge = "Content-Disposition: form-data; name=\"a\"\r\nX-Pad: " + String(repeating: "y", count: 9000)
        #expect(throws: MultipartError.self) { try parse(MultipartTests.body([(huge, [1])])) }
        // Many parts of nothing at all, past the default limit.
        let many = MultipartTests.body((0..<1000).map { _ in ("Content-Disposition: form-data; name=x", []) })
        #expect(throws: MultipartError("more than 16 parts")) { try parse(many) }
    }

    /// Random bytes, and random damage to a good body: an answer or a MultipartError,
    /// never a crash or a hang.
    @Test func randomInputNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let good = MultipartTests.body([
            ("Content-Disposition: form-data; name=\"note\"", Array("hi".utf8)),
            MultipartTests.file((0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }),
        ])
        for round in 0..<2000 {
            var bytes = good
            if round % 4 == 0 {
                bytes = (0..<Int.random(in: 0...200)).map { _ in UInt8.random(in: 0...255) }
            } else {
                for _ in 0..<Int.random(in: 1...6) {
                    let index = Int.random(in: 0..<bytes.count)
                    switch Int.random(in: 0...2) {
                    case 0: bytes[index] = UInt8.random(in: 0...255)
                    case 1: bytes.remove(at: index)
                    default: bytes.insert(contentsOf: Array("\r\n--".utf8), at: index)
                    }
                }
            }
            do {
                for part in try parse(bytes) {
                    #expect(
                        part.content.lowerBound <= part.content.upperBound && part.content.upperBound <= bytes.count)
                }
            } catch is MultipartError {
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test func bodyFileIsNamelessAndPrivate() throws {
        let file = try BodyFile.holding(Array("abcdef".utf8))
        #expect(try file.read(at: 2, count: 3) == Array("cde".utf8))
        #expect(try file.read(at: 4, count: 100) == Array("ef".utf8))
        #expect(try file.read(at: 6, count: 1) == [])
        var info = stat()
        #expect(fstat(file.descriptor, &info) == 0)
        #expect(info.st_nlink == 0)  // no name in any directory
        #expect(info.st_mode & 0o777 == 0o600)
    }
}
