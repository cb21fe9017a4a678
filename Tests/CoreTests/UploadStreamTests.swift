import Foundation
import Testing

@testable import Core

/// The streaming multipart parser and the upload receiver: the same parts as the
/// random-access reader whatever the chunking, the file written to a nameless file in
/// the store and named only by `place`, limits, and the file-type judge.
@Suite struct UploadStreamTests {
    static let boundary = MultipartTests.boundary
    static let contentType = "multipart/form-data; boundary=\(boundary)"

    final class Collector: MultipartStream.Sink {
        var parts: [(MultipartPart, [UInt8])] = []
        func partBegins(_ part: MultipartPart) { parts.append((part, [])) }
        func content(_ bytes: UnsafeRawBufferPointer) { parts[parts.count - 1].1.append(contentsOf: bytes) }
        func partEnds() {}
    }

    /// Feeds `body` in pieces of the given sizes (cycled).
    static func stream(_ body: [UInt8], pieces: [Int]) throws -> [(MultipartPart, [UInt8])] {
        let collector = Collector()
        let stream = MultipartStream(boundary: Array(boundary.utf8), sink: collector)
        var offset = 0
        var index = 0
        while offset < body.count {
            let size = min(pieces[index % pieces.count], body.count - offset)
            try body[offset..<offset + size].withUnsafeBytes { try stream.feed($0) }
            offset += size
            index += 1
        }
        try stream.finish()
        return collector.parts
    }

    static func temporaryStore() throws -> FileStore {
        FileStore(root: try TemporaryFile.directory(in: NSTemporaryDirectory(), prefix: "store"))
    }

    @Test func sameAsTheReaderWhateverTheChunking() throws {
        // Content that nearly contains the delimiter, to catch a split match.
        let tricky =
            Array("a\r\n--\(UploadStreamTests.boundary.dropLast())x\r\n-".utf8) + (0..<3000).map { UInt8($0 % 251) }
        let body = MultipartTests.body([
            ("Content-Disposition: form-data; name=\"description\"", Array("CT scan".utf8)),
            MultipartTests.file(tricky, filename: "scan.dcm"),
            ("Content-Disposition: form-data; name=\"category\"", []),
        ])
        let expected = try MultipartReader().parts(of: MemoryBytes(body), boundary: Array(Self.boundary.utf8))
        for pieces in [[1], [2, 3], [7], [64], [1000], [body.count]] {
            let parts = try Self.stream(body, pieces: pieces)
            #expect(parts.map(\.0.name) == expected.map(\.name), "\(pieces)")
            #expect(parts.map(\.0.filename) == expected.map(\.filename))
            for (part, reference) in zip(parts, expected) {
                #expect(part.1 == Array(body[reference.content]), "\(pieces) \(part.0.name)")
            }
        }
    }

    @Test func malformedBodiesAreRefused() throws {
        let good = MultipartTests.body([MultipartTests.file(Array("x".utf8))])
        for bad in [
            Array(good.dropLast(8)),  // no closing delimiter
            Array("garbage".utf8) + good,  // a preamble
            Array("--\(Self.boundary)\r\nX: y\r\n\r\nz\r\n--\(Self.boundary)--".utf8),  // no disposition
            Array("--\(Self.boundary)\r\n".utf8) + [UInt8](repeating: 0x41, count: 9000),  // endless headers
        ] {
            #expect(throws: MultipartError.self) { try Self.stream(bad, pieces: [100]) }
        }
    }

    @Test func receiverWritesTheFileNamelessUntilPlaced() throws {
        let store = try Self.temporaryStore()
        defer { TemporaryFile.removeTree(store.root) }
        let content = Array("%PDF-1.4\n".utf8) + [UInt8](repeating: 7, count: 200_000)
        let body = MultipartTests.body([
            ("Content-Disposition: form-data; name=\"description\"", Array("letter".utf8)),
            MultipartTests.file(content, filename: "../../etc/passwd.pdf"),
        ])
        let upload = Upload.receive(
            from: MemoryBytes(body), contentType: Self.contentType, policy: UploadPolicy(maxFileBytes: 1 << 20),
            store: store)
        #expect(upload.problem == nil)
        #expect(upload.fields == ["description": "letter"])
        let file = try #require(upload.file)
        #expect(file.size == content.count && !file.tooLarge)
        #expect(file.head == Array(content.prefix(1024)))
        // Nothing has a name in the store yet.
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.root).filter { $0 != ".incoming" } == [])
        #expect(
            FileTypes.judge(filename: file.filename, head: file.head)
                == .accepted(mediaType: "application/pdf", inline: true))
        #expect(FileTypes.displayName(file.filename) == "passwd.pdf")
        let path = FileStore.newPath(in: "entity/lab-result/1")
        try store.place(file, at: path)
        #expect(FileManager.default.contents(atPath: store.absolute(path)) == Data(content))
        store.remove([path])
        #expect(!FileManager.default.fileExists(atPath: store.absolute(path)))
    }

    @Test func tooLargeAndMissingFilesAreReported() throws {
        let store = try Self.temporaryStore()
        defer { TemporaryFile.removeTree(store.root) }
        let policy = UploadPolicy(maxFileBytes: 1000)
        let big = MultipartTests.body([MultipartTests.file([UInt8](repeating: 1, count: 5000))])
        let upload = Upload.receive(from: MemoryBytes(big), contentType: Self.contentType, policy: policy, store: store)
        #expect(upload.file?.tooLarge == true)
        let none = MultipartTests.body([("Content-Disposition: form-data; name=\"description\"", Array("x".utf8))])
        #expect(
            Upload.receive(from: MemoryBytes(none), contentType: Self.contentType, policy: policy, store: store).file
                == nil)
        let notMultipart = Upload.receive(
            from: MemoryBytes(Array("{}".utf8)), contentType: "application/json", policy: policy, store: store)
        #expect(notMultipart.problem != nil)
        let twoFiles = MultipartTests.body([MultipartTests.file([1]), MultipartTests.file([2])])
        #expect(
            Upload.receive(from: MemoryBytes(twoFiles), contentType: Self.contentType, policy: policy, store: store)
                .problem != nil)
    }

    @Test func fileKindsAreJudgedByNameAndContent() {
        let dicom = [UInt8](repeating: 0, count: 128) + Array("DICM".utf8)
        #expect(
            FileTypes.judge(filename: "scan.DCM", head: dicom)
                == .accepted(mediaType: "application/dicom", inline: false))
        #expect(FileTypes.judge(filename: "scan.pdf", head: dicom) == .contentMismatch("pdf"))
        #expect(FileTypes.judge(filename: "run.exe", head: Array("MZ".utf8)) == .extensionNotAllowed("exe"))
        #expect(FileTypes.judge(filename: "page.html", head: Array("<html>".utf8)) == .extensionNotAllowed("html"))
        #expect(
            FileTypes.judge(filename: "brain.nii.gz", head: [0x1F, 0x8B, 8])
                == .accepted(mediaType: "application/gzip", inline: false))
        #expect(FileTypes.judge(filename: "notes.txt", head: [0x41, 0x00]) == .contentMismatch("txt"))
        #expect(
            FileTypes.judge(filename: "x.pdf", head: Array("%PDF-".utf8), among: FileTypes.photoExtensions)
                == .extensionNotAllowed("pdf"))
    }

    @Test func namesAndPathsAreSafe() {
        #expect(FileTypes.displayName("C:\\Users\\me\\scan.pdf") == "scan.pdf")
        #expect(FileTypes.displayName("../..") == "file")
        #expect(FileTypes.displayName("a\u{0}b\"c.pdf") == "abc.pdf")
        #expect(
            FileTypes.contentDisposition("attachment", name: "Zoë.pdf")
                == "attachment; filename=\"Zo_.pdf\"; filename*=UTF-8''Zo%C3%AB.pdf")
        #expect(FileStore.isStoredPath("entity/lab-result/1/0123abcd"))
        for bad in ["", "../x", "a//b", "a/./b", "a/.hidden", "/abs", "a b", "a/b\n"] {
            #expect(!FileStore.isStoredPath(bad), "\(bad)")
        }
    }
}
