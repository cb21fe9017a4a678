import CArgon2

/// Why a password could not be hashed (bad parameters or out of memory); the message is
/// libargon2's.
public struct PasswordHashError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public var description: String { "argon2id: " + String(cString: argon2_error_message(code)) }
}

/// Hashes and checks account passwords with Argon2id, stored as PHC strings
/// (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), so the parameters travel with each
/// hash and can be raised later without invalidating existing ones (see `needsRehash`).
///
/// The defaults are OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane).
public struct PasswordHasher: Sendable {
    public let memoryKiB: UInt32
    public let iterations: UInt32
    public let parallelism: UInt32

    static let saltLength = 16
    static let hashLength = 32

    /// A syntactically valid hash with this hasher's parameters that no password matches
    /// (its hash bytes are zero). Verifying against it costs the same as a real check.
    public let dummyHash: String

    public init(memoryKiB: UInt32 = 19456, iterations: UInt32 = 2, parallelism: UInt32 = 1) {
        precondition(
            iterations >= 1 && parallelism >= 1 && memoryKiB >= 8 * parallelism,
            "Argon2 parameters out of range")
        self.memoryKiB = memoryKiB
        self.iterations = iterations
        self.parallelism = parallelism
        // 22 and 43 'A's are the unpadded base64 of 16 and 32 zero bytes.
        self.dummyHash =
            "$argon2id$v=19$m=\(memoryKiB),t=\(iterations),p=\(parallelism)$"
            + String(repeating: "A", count: 22) + "$" + String(repeating: "A", count: 43)
    }

    /// Hashes `password` with a fresh 16-byte random salt into a PHC string.
    public func hash(_ password: String) throws(PasswordHashError) -> String {
        let salt = SecureRandom.bytes(Self.saltLength)
        let length = argon2_encodedlen(
            iterations, memoryKiB, parallelism, UInt32(Self.saltLength),
            UInt32(Self.hashLength), Argon2_id)
        var encoded = [CChar](repeating: 0, count: length)
        let pwd = Array(password.utf8)
        let code = argon2id_hash_encoded(
            iterations, memoryKiB, parallelism, pwd, pwd.count,
            salt, salt.count, Self.hashLength, &encoded, length)
        guard code == ARGON2_OK.rawValue else { throw PasswordHashError(code: code) }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether `password` matches the PHC string `encoded`. Malformed or non-Argon2id
    /// strings never match. The final comparison in libargon2 is constant-time.
    public func verify(_ password: String, against encoded: String) -> Bool {
        // Refuse before calling libargon2 what it would refuse anyway, and also absurd
        // costs, so a corrupt row cannot make one login allocate gigabytes.
        guard let parameters = PHCParameters(encoded), parameters.memoryKiB <= Self.maximumMemoryKiB,
            parameters.iterations <= Self.maximumIterations, parameters.parallelism <= Self.maximumParallelism
        else { return false }
        let pwd = Array(password.utf8)
        return argon2id_verify(encoded, pwd, pwd.count) == ARGON2_OK.rawValue
    }

    /// Spends the time of one `verify` and returns `false`: called when a login names an
    /// unknown user, so response time does not tell which usernames exist.
    @discardableResult
    public func verifyUnknownUser(_ password: String) -> Bool {
        _ = verify(password, against: dummyHash)
        return false
    }

    /// Whether `encoded` should be replaced by a new hash after a successful login: it is
    /// malformed, not Argon2id v19, or made with parameters other than this hasher's.
    public func needsRehash(_ encoded: String) -> Bool {
        guard let parameters = PHCParameters(encoded) else { return true }
        return parameters.memoryKiB != memoryKiB || parameters.iterations != iterations
            || parameters.parallelism != parallelism
    }

    static let maximumMemoryKiB: UInt32 = 4 * 1024 * 1024
    static let maximumIterations: UInt32 = 100
    static let maximumParallelism: UInt32 = 64
}
