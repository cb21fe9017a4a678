import Foundation

/// What an upload route takes from its `multipart/form-data` body: one file part (by
/// field name) written straight into the file store's directory while the body streams
/// in, and small text fields kept in memory.
public struct UploadPolicy: Sendable, Equatable {
    /// The form field of the file (`file`).
    public var fileField: String
    /// The largest file accepted; past it the rest of the file is read and dropped.
    public var maxFileBytes: Int
    /// The largest text field (`description`, `category`).
    public var maxFieldBytes = 64 << 10

    public init(fileField: String = "file", maxFileBytes: Int) {
        self.fileField = fileField
        self.maxFileBytes = maxFileBytes
    }

    /// The whole body a route with this policy admits: the file plus room for the
    /// multipart framing and the text fields.
    public var bodyLimit: Int { maxFileBytes + (256 << 10) }
}

/// An upload's body after it was streamed: the text fields, the file (nameless in the
/// store's directory until a handler places it), or the reason the body was refused.
public final class Upload: Sendable {
    public let fields: [String: String]
    public let file: UploadedFile?
    /// Why the body could not be read as multipart (the handler answers 400), if it could not.
    public let problem: String?
    /// The body's length as read (for the route's 413).
    public let bodyBytes: Int

    init(fields: [String: String], file: UploadedFile?, problem: String?, bodyBytes: Int) {
        self.fields = fields
        self.file = file
        self.problem = problem
        self.bodyBytes = bodyBytes
    }

    /// Streams a body held elsewhere (tests, or a body that reached `Request.body`) through
    /// the same receiver the FastCGI adapter uses.
    public static func receive(
        from source: any ByteSource, contentType: String, policy: UploadPolicy, store: FileStore
    ) -> Upload {
        let receiver = UploadReceiver(contentType: contentType, policy: policy, store: store)
        var offset = 0
        while offset < source.count {
            guard let piece = try? source.read(at: offset, count: 1 << 16), !piece.isEmpty else { break }
            piece.withUnsafeBytes { receiver.feed($0) }
            offset += piece.count
        }
        return receiver.finish()
    }
}

/// The uploaded file: an open descriptor on a file in the store's directory with no name
/// yet (or a temporary name, where the file system has no `O_TMPFILE`), so an upload that
/// is refused, fails or is cut short leaves nothing behind. `FileStore.place` names it.
public final class UploadedFile: Sendable {
    public let descriptor: Int32
    /// The temporary name, when the file has one (removed when this value goes away).
    let temporaryPath: String?
    public let size: Int
    /// The client's name as sent (untrusted: never used as a path).
    public let filename: String
    public let contentType: String?
    /// The first bytes, for judging the type by content.
    public let head: [UInt8]
    /// The file was larger than the policy allows (what was kept is incomplete).
    public let tooLarge: Bool

    init(
        descriptor: Int32, temporaryPath: String?, size: Int, filename: String, contentType: String?, head: [UInt8],
        tooLarge: Bool
    ) {
        self.descriptor = descriptor
        self.temporaryPath = temporaryPath
        self.size = size
        self.filename = filename
        self.contentType = contentType
        self.head = head
        self.tooLarge = tooLarge
    }

    deinit {
        close(descriptor)
        if let temporaryPath { unlink(temporaryPath) }
    }
}

/// Receives an upload's body chunk by chunk (`feed`), parsing multipart as it goes and
/// writing the file part to a new file in the store. Errors are remembered, not thrown:
/// the adapter must read the whole body regardless, and the handler answers for them.
public final class UploadReceiver: MultipartStream.Sink {
    let policy: UploadPolicy
    let store: FileStore
    private var stream: MultipartStream?
    private var problem: String?
    private var fields: [String: String] = [:]
    private var received = 0
    // The part being read.
    private var currentField: String?
    private var fieldBytes: [UInt8] = []
    private var writingFile = false
    // The file.
    private var descriptor: Int32 = -1
    private var temporaryPath: String?
    private var fileMeta: MultipartPart?
    private var fileSize = 0
    private var head: [UInt8] = []
    private var tooLarge = false
    static let headBytes = 1024

    public init(contentType: String, policy: UploadPolicy, store: FileStore) {
        self.policy = policy
        self.store = store
        do {
            stream = MultipartStream(boundary: try MultipartReader.boundary(contentType: contentType), sink: self)
        } catch let error as MultipartError {
            problem = error.message
        } catch {
            problem = String(describing: error)
        }
    }

    /// The next piece of the body.
    public func feed(_ bytes: UnsafeRawBufferPointer) {
        received += bytes.count
        guard problem == nil, let stream else { return }
        do {
            try stream.feed(bytes)
        } catch let error as MultipartError {
            problem = error.message
        } catch {
            problem = String(describing: error)
        }
    }

    /// The body has ended (or `limit` bytes were read): the result, its file still nameless.
    public func finish() -> Upload {
        if problem == nil {
            do {
                if let stream { try stream.finish() }
            } catch let error as MultipartError {
                problem = error.message
            } catch {
                problem = String(describing: error)
            }
        }
        var file: UploadedFile?
        if descriptor >= 0, let meta = fileMeta {
            file = UploadedFile(
                descriptor: descriptor, temporaryPath: temporaryPath, size: fileSize, filename: meta.filename ?? "",
                contentType: meta.contentType, head: head, tooLarge: tooLarge)
            descriptor = -1
            temporaryPath = nil
        }
        return Upload(fields: fields, file: problem == nil ? file : nil, problem: problem, bodyBytes: received)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if let temporaryPath { unlink(temporaryPath) }
    }

    // MARK: MultipartStream.Sink

    public func partBegins(_ part: MultipartPart) throws {
        if part.name == policy.fileField, part.filename != nil {
            guard fileMeta == nil else { throw MultipartError("more than one \(policy.fileField) part") }
            let created = try store.temporaryFile()
            descriptor = created.descriptor
            temporaryPath = created.path
            fileMeta = part
            writingFile = true
        } else {
            guard fields[part.name] == nil else { throw MultipartError("the field \(part.name) is repeated") }
            currentField = part.name
            fieldBytes = []
        }
    }

    public func content(_ bytes: UnsafeRawBufferPointer) throws {
        if writingFile {
            if head.count < UploadReceiver.headBytes {
                head.append(contentsOf: bytes.prefix(UploadReceiver.headBytes - head.count))
            }
            fileSize += bytes.count
            if fileSize > policy.maxFileBytes { tooLarge = true }
            // Past the limit the rest is counted and dropped: the handler answers 413.
            guard !tooLarge else { return }
            try FileStore.writeAll(descriptor, bytes)
        } else if currentField != nil {
            guard fieldBytes.count + bytes.count <= policy.maxFieldBytes else {
                throw MultipartError("the field \(currentField ?? "") exceeds \(policy.maxFieldBytes) bytes")
            }
            fieldBytes.append(contentsOf: bytes)
        }
    }

    public func partEnds() throws {
        if writingFile {
            writingFile = false
        } else if let name = currentField {
            guard let text = String(validating: fieldBytes, as: UTF8.self) else {
                throw MultipartError("the field \(name) is not UTF-8 text")
            }
            fields[name] = text
            currentField = nil
            fieldBytes = []
        }
    }
}
