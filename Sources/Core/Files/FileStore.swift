import CSystemShim
import Foundation

/// The directory stored files live in (`<data_dir>/files`, which nginx's internal
/// `/_medikeep_files/` location maps), and the file system work on it.
///
/// A stored file's path is made here from ids and a random name, never from anything the
/// client sent. An upload is written to a nameless file in this directory while it
/// streams in and only named (`place`) once it is complete and accepted, *before* its
/// database row is committed: a row never points at a missing file. If the commit then
/// fails, the caller removes the file again; if the process dies in between, the orphan
/// sweep (`medikeep-jobs files-sweep`) removes it. File removals of a delete happen after
/// its commit, never inside a transaction closure (which may run twice).
public struct FileStore: Sendable {
    public let root: String
    /// Where named temporary files go when `O_TMPFILE` is not available.
    static let incoming = ".incoming"

    public init(root: String) { self.root = root }

    public init(dataDir: String) { self.init(root: dataDir + "/files") }

    public func absolute(_ relative: String) -> String { root + "/" + relative }

    /// A new empty file in the store's directory, open for writing, mode 0640 (nginx reads
    /// it through the group): nameless where the file system allows (`path` nil), else
    /// with a temporary name under `.incoming/`.
    public func temporaryFile() throws -> (descriptor: Int32, path: String?) {
        try makeDirectory(root)
        let fd = mk_open_tmpfile(root)
        if fd >= 0 {
            fchmod(fd, 0o640)
            return (fd, nil)
        }
        let incoming = root + "/" + FileStore.incoming
        try makeDirectory(incoming)
        var template = Array((incoming + "/upload-XXXXXX").utf8CString)
        let named = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard named >= 0 else { throw BodyFileError(operation: "create a file in \(incoming)", code: errno) }
        _ = fcntl(named, F_SETFD, FD_CLOEXEC)
        fchmod(named, 0o640)
        return (named, template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
    }

    /// Gives the upload its permanent name `relative` (creating its directories). The data
    /// is flushed first, so a crash after the commit cannot leave a row over an empty file.
    public func place(_ file: UploadedFile, at relative: String) throws {
        let path = absolute(relative)
        try makeDirectory((path as NSString).deletingLastPathComponent, parents: true)
        guard fsync(file.descriptor) == 0 else { throw BodyFileError(operation: "fsync an upload", code: errno) }
        func name() -> Int32 {
            if let temporary = file.temporaryPath { return link(temporary, path) }
            return mk_link_tmpfile(file.descriptor, path)
        }
        var linked = name()
        if linked != 0 && errno == ENOENT {
            // The sweep removed the (old, empty) directory just now: make it again, once.
            try makeDirectory((path as NSString).deletingLastPathComponent, parents: true)
            linked = name()
        }
        guard linked == 0 else { throw BodyFileError(operation: "store \(relative)", code: errno) }
    }

    /// Removes stored files (after the commit that deleted their rows). A file already
    /// gone is fine; any other failure is logged and left to the sweep.
    public func remove(_ relatives: [String]) {
        for relative in relatives where FileStore.isStoredPath(relative) {
            if unlink(absolute(relative)) != 0 && errno != ENOENT {
                Log.error(
                    "file_remove_failed",
                    ["path": .string(relative), "error": .string(String(cString: strerror(errno)))])
            }
        }
    }

    /// A new relative path under `directory` (made of ids): `directory/<32 hex digits>`.
    public static func newPath(in directory: String) -> String {
        directory + "/" + SecureRandom.hex(16)
    }

    /// A path this store made: letters, digits, `-`, `_` and `/`, no empty or dot segment.
    /// Checked before any path read from the database is used on disk or sent to nginx.
    public static func isStoredPath(_ relative: String) -> Bool {
        guard !relative.isEmpty, relative.utf8.count < 512 else { return false }
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
        return segments.allSatisfy { segment in
            !segment.isEmpty && segment.first != "."
                && segment.utf8.allSatisfy { byte in
                    switch byte {
                    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "-"), UInt8(ascii: "_"): true
                    default: false
                    }
                }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) throws {
        var done = 0
        while done < bytes.count {
            let wrote = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { throw BodyFileError(operation: "write an upload", code: errno) }
            done += wrote
        }
    }

    private func makeDirectory(_ path: String, parents: Bool = false) throws {
        if mkdir(path, 0o750) == 0 || errno == EEXIST { return }
        guard parents, errno == ENOENT else { throw BodyFileError(operation: "create \(path)", code: errno) }
        try makeDirectory((path as NSString).deletingLastPathComponent, parents: true)
        guard mkdir(path, 0o750) == 0 || errno == EEXIST else {
            throw BodyFileError(operation: "create \(path)", code: errno)
        }
    }
}
