#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a secret could not be loaded or created; the message names the file and the fix.
public struct SecretStoreError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

/// Server secrets (the JWT signing key, later the channel-credential encryption key),
/// generated on first start and kept as files in the data directory. There is no default
/// key: a fresh install makes its own.
///
/// A key file `<directory>/<name>.key` holds the key as lowercase hex on one line (a
/// trailing newline is allowed), so an operator can inspect, back up or provision it with
/// `openssl rand -hex 32 > jwt.key && chmod 600 jwt.key`. It must be a regular file with
/// no permissions for group or others.
public enum SecretStore {
    /// The key stored as `<directory>/<name>.key`, creating it (and the directory, mode
    /// 0700) with `length` random bytes if it does not exist yet.
    ///
    /// Safe against concurrent first starts: the new key is written to a private temp
    /// file and published with `link(2)`, which, unlike `rename(2)`, never replaces an
    /// existing file. The loser of a race discards its key and reads the winner's, so
    /// every process ends up with the same key.
    public static func loadOrCreate(named name: String, in directory: String, length: Int = 32)
        throws(SecretStoreError) -> [UInt8]
    {
        guard !name.isEmpty, !name.hasPrefix("."), !name.contains("/"), length > 0 else {
            throw SecretStoreError(description: "invalid secret name \"\(name)\" or length \(length)")
        }
        let path = directory + "/" + name + ".key"
        if let key = try readKey(path, length: length) { return key }

        try makeDirectory(directory)
        try publish(SecureRandom.bytes(length), at: path, in: directory, name: name)
        guard let key = try readKey(path, length: length) else {
            throw SecretStoreError(description: "\(path) vanished right after it was created")
        }
        return key
    }

    /// Reads and checks a key file; `nil` if it does not exist.
    static func readKey(_ path: String, length: Int) throws(SecretStoreError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw systemError("cannot open", path)
        }
        defer { close(fd) }

        var info = stat()
        guard fstat(fd, &info) == 0 else { throw systemError("cannot stat", path) }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw SecretStoreError(description: "\(path) is not a regular file")
        }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else {
            throw SecretStoreError(
                description: "\(path) has mode 0\(String(mode, radix: 8)), which lets group or "
                    + "others read it; run `chmod 600 \(path)` (and consider the key leaked)")
        }

        // Room for the hex, a line ending, and one byte more to notice a too-long file.
        var buffer = [UInt8](repeating: 0, count: length * 2 + 3)
        var filled = 0
        while filled < buffer.count {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw systemError("cannot read", path)
            }
            if count == 0 { break }
            filled += count
        }
        var text = buffer[..<filled]
        while let last = text.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { text.removeLast() }
        guard let key = Hex.decode(text) else {
            throw SecretStoreError(description: "\(path) must hold the key as hex digits on one line")
        }
        guard key.count == length else {
            throw SecretStoreError(
                description: "\(path) holds a \(key.count)-byte key; expected \(length) bytes "
                    + "(\(length * 2) hex digits)")
        }
        return key
    }

    /// Writes `key` to a temp file, syncs it, and links it into place unless `path`
    /// already exists (then another process won and its key is kept).
    static func publish(_ key: [UInt8], at path: String, in directory: String, name: String)
        throws(SecretStoreError)
    {
        let temp = "\(directory)/.\(name).key.\(getpid()).\(SecureRandom.hex(8)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw systemError("cannot create", temp) }
        defer { unlink(temp) }

        var text = Array(Hex.encode(key).utf8)
        text.append(UInt8(ascii: "\n"))
        // Explicit, as the umask could otherwise leave the file unreadable to its owner.
        var ok = fchmod(fd, 0o600) == 0 && writeAll(fd, text) && fsync(fd) == 0
        ok = close(fd) == 0 && ok
        guard ok else { throw systemError("cannot write", temp) }

        if link(temp, path) != 0 && errno != EEXIST { throw systemError("cannot create", path) }
        syncDirectory(directory)
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += count
        }
        return true
    }

    /// Makes the new directory entry durable, so a crash cannot lose a key already in use.
    private static func syncDirectory(_ directory: String) {
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    /// Creates `directory` and any missing parents with mode 0700.
    private static func makeDirectory(_ directory: String) throws(SecretStoreError) {
        var prefix = directory.hasPrefix("/") ? "/" : ""
        for component in directory.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o700) != 0 && errno != EEXIST { throw systemError("cannot create directory", prefix) }
            prefix += "/"
        }
        var info = stat()
        guard stat(directory, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw SecretStoreError(description: "\(directory) is not a directory")
        }
    }

    private static func systemError(_ what: String, _ path: String) -> SecretStoreError {
        SecretStoreError(description: "\(what) \(path): \(String(cString: strerror(errno)))")
    }
}
