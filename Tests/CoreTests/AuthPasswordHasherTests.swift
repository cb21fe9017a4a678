import Testing

@testable import Core

/// Argon2 is slow by design, so only the first test uses the production parameters;
/// the rest use a tiny cost that exercises the same code.
@Suite struct AuthPasswordHasherTests {
    let cheap = PasswordHasher(memoryKiB: 64, iterations: 1, parallelism: 1)

    @Test func defaultParametersRoundTrip() throws {
        let hasher = PasswordHasher()
        let encoded = try hasher.hash("correct horse battery staple")
        #expect(encoded.hasPrefix("$argon2id$v=19$m=19456,t=2,p=1$"))
        let parts = encoded.split(separator: "$")
        #expect(parts.count == 5)
        #expect(parts[3].count == 22)  // 16-byte salt, unpadded base64
        #expect(parts[4].count == 43)  // 32-byte hash
        #expect(hasher.verify("correct horse battery staple", against: encoded))
        #expect(!hasher.verify("correct horse battery stapler", against: encoded))
        #expect(!hasher.needsRehash(encoded))
        #expect(cheap.needsRehash(encoded))
    }

    @Test func saltsDifferAndUnicodeWorks() throws {
        let first = try cheap.hash("pässwörd ✓")
        let second = try cheap.hash("pässwörd ✓")
        #expect(first != second)
        #expect(cheap.verify("pässwörd ✓", against: first))
        #expect(cheap.verify("pässwörd ✓", against: second))
        #expect(!cheap.verify("passwörd ✓", against: first))
        #expect(!cheap.verify("", against: first))
    }

    @Test func malformedHashesNeverMatch() throws {
        let good = try cheap.hash("secret")
        let salt = good.split(separator: "$")[3]
        let bad = [
            "", "garbage", "$argon2id$", String(good.dropLast(5)), good + "$",
            good.replacingOccurrences(of: "$argon2id$", with: "$argon2i$"),
            good.replacingOccurrences(of: "v=19", with: "v=16"),
            good.replacingOccurrences(of: "m=64", with: "m=064"),
            "$argon2id$v=19$m=99999999,t=2,p=1$\(salt)$AAAA",  // absurd cost: refused up front
            "$argon2id$v=19$m=64,t=1$\(salt)$AAAA",
        ]
        for encoded in bad {
            #expect(!cheap.verify("secret", against: encoded), "accepted \(encoded)")
        }
        for encoded in [
            "", "garbage", good.replacingOccurrences(of: "v=19", with: "v=16"),
            good.replacingOccurrences(of: "$argon2id$", with: "$argon2i$"), good + "$",
        ] {
            #expect(cheap.needsRehash(encoded), "\(encoded)")
        }
    }

    @Test func unknownUserCheckNeverMatches() {
        #expect(cheap.dummyHash.hasPrefix("$argon2id$v=19$m=64,t=1,p=1$"))
        #expect(!cheap.needsRehash(cheap.dummyHash))
        #expect(!cheap.verifyUnknownUser("anything"))
        #expect(!cheap.verify("", against: cheap.dummyHash))
    }
}
