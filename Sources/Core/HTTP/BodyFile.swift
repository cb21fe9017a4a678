import CSystemShim
import Foundation

/// A request body held in an anonymous temporary file rather than in memory (routes
/// registered with `BodyLimit.streamed`). The file has no name (`O_TMPFILE`, or created
/// with `mkstemp` and unlinked at once), mode 0600, so it disappears with its descriptor:
/// when the request is done, or if the process dies.
public final class BodyFile: Sendable {
    public let descriptor: Int32
    /// Bytes written to it.
    public let count: Int

    /// Takes ownership of `descriptor` (closed when this value goes away).
    public init(descriptor: Int32, count: Int) {
        self.descriptor = descriptor
        self.count = count
    }

    deinit { close(descriptor) }

    /// Up to `length` bytes from `offset` (fewer at the end of the file).
    public func read(at offset: Int, count length: Int) throws -> [UInt8] {
        let wanted = max(0, min(length, count - offset))
        guard wanted > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: wanted)
        var done = 0
        while done < wanted {
            let got = bytes.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress! + done, wanted - done, off_t(offset + done))
            }
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { throw BodyFileError(operation: "read", code: got < 0 ? errno : 0) }
            done += got
        }
        return bytes
    }

    /// A body file holding `bytes` (tests, and callers that already have the bytes).
    public static func holding(_ bytes: [UInt8], in directory: String = NSTemporaryDirectory()) throws -> BodyFile {
        let fd = try TemporaryFile.anonymous(in: directory)
        do {
            try TemporaryFile.writeAll(fd, bytes)
        } catch {
            close(fd)
            throw error
        }
        return BodyFile(descriptor: fd, count: bytes.count)
    }
}

public struct BodyFileError: Error, CustomStringConvertible, Sendable {
    public var operation: String
    public var code: Int32
    public var description: String { "\(operation) failed: \(String(cString: strerror(code))) (errno \(code))" }
}

/// Nameless and private temporary files and directories.
public enum TemporaryFile {
    /// A new, empty, nameless file in `directory`, opened read-write, mode 0600:
    /// `O_TMPFILE` where the file system has it, else `mkstemp` and `unlink` at once.
    public static func anonymous(in directory: String) throws -> Int32 {
        let fd = mk_open_tmpfile(directory)
        if fd >= 0 { return fd }
        var template = Array((directory + "/medikeep-body-XXXXXX").utf8CString)
        let named = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard named >= 0 else { throw BodyFileError(operation: "create a temporary file in \(directory)", code: errno) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        _ = fcntl(named, F_SETFD, FD_CLOEXEC)
        fchmod(named, 0o600)
        return named
    }

    /// A new directory (mode 0700) under `parent`; the caller removes it (`removeTree`).
    public static func directory(in parent: String, prefix: String) throws -> String {
        var template = Array((parent + "/\(prefix)-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw BodyFileError(operation: "create a directory in \(parent)", code: errno) }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Removes a directory made by `directory(in:prefix:)` with the files in it (one level).
    public static func removeTree(_ path: String) {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names { unlink(path + "/" + name) }
        }
        rmdir(path)
    }

    public static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var done = 0
        while done < bytes.count {
            let wrote = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { throw BodyFileError(operation: "write", code: errno) }
            done += wrote
        }
    }

    /// Where temporary bodies and work files go: `<data_dir>/tmp` (created 0700 when
    /// missing) when it can be used, else the system's temporary directory.
    public static func workDirectory(dataDir: String) -> String {
        let path = dataDir + "/tmp"
        if mkdir(path, 0o700) == 0 || errno == EEXIST, access(path, W_OK | X_OK) == 0 { return path }
        let system = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        return system.isEmpty ? "/tmp" : system
    }
}
