import COpenSSL

/// Cryptographically secure randomness from OpenSSL's CSPRNG, for salts, keys, token ids
/// and generated passwords. Never use `SystemRandomNumberGenerator` for secrets: its
/// quality is platform-dependent, while `RAND_bytes` is the generator OpenSSL vouches for.
public enum SecureRandom {
    /// `n` random bytes. Stops the process if the CSPRNG fails: continuing without
    /// randomness would silently produce guessable keys and salts.
    public static func bytes(_ n: Int) -> [UInt8] {
        precondition(n >= 0 && n <= Int(Int32.max), "SecureRandom.bytes: bad count \(n)")
        guard n > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: n)
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(n)) }
        if ok != 1 { fatalError("RAND_bytes failed: the system has no usable randomness") }
        return out
    }

    /// `n` random bytes as `2 * n` lowercase hex digits (token ids, file name suffixes).
    public static func hex(_ n: Int) -> String {
        Hex.encode(bytes(n))
    }

    /// A generated password (the initial admin's), drawn uniformly from letters, digits
    /// and symbols and guaranteed to hold at least one of each class so it passes any
    /// sensible strength rule. Look-alike characters (`0O1lI`) are left out because the
    /// password is printed once for a person to type.
    public static func password(length: Int = 20) -> String {
        precondition(length >= PasswordAlphabet.classes.count, "password length must cover every character class")
        let alphabet = PasswordAlphabet.all
        while true {
            var chosen = [UInt8]()
            chosen.reserveCapacity(length)
            for _ in 0..<length { chosen.append(alphabet[uniformIndex(below: alphabet.count)]) }
            // Redrawing the whole password (instead of patching one position) keeps the
            // result uniform over all passwords that satisfy the rule.
            let coversAll = PasswordAlphabet.classes.allSatisfy { cls in chosen.contains(where: cls.contains) }
            if coversAll { return String(decoding: chosen, as: UTF8.self) }
        }
    }

    /// A uniform index in `0..<bound` by rejection sampling, avoiding modulo bias.
    static func uniformIndex(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= 256)
        let limit = 256 - 256 % bound
        while true {
            let byte = Int(bytes(1)[0])
            if byte < limit { return byte % bound }
        }
    }
}

/// The characters `SecureRandom.password` draws from, by class.
enum PasswordAlphabet {
    static let lower = Array("abcdefghijkmnopqrstuvwxyz".utf8)
    static let upper = Array("ABCDEFGHJKLMNPQRSTUVWXYZ".utf8)
    static let digits = Array("23456789".utf8)
    /// Symbols that need no quoting in a shell, URL form or JSON string.
    static let symbols = Array("!#%+-=?@^_~".utf8)
    static let classes = [lower, upper, digits, symbols]
    static let all = classes.flatMap { $0 }
}
