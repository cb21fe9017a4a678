/// The cost parameters read from an Argon2id PHC string
/// (`$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`).
///
/// Only the shape and the numbers are checked here; libargon2 validates the rest when it
/// verifies. Anything but Argon2id version 19 (0x13) is refused.
struct PHCParameters: Equatable {
    let memoryKiB: UInt32
    let iterations: UInt32
    let parallelism: UInt32

    init?(_ encoded: String) {
        let fields = encoded.utf8.split(separator: UInt8(ascii: "$"), omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0].isEmpty,
            fields[1].elementsEqual("argon2id".utf8), fields[2].elementsEqual("v=19".utf8),
            !fields[4].isEmpty, !fields[5].isEmpty
        else { return nil }
        let costs = fields[3].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard costs.count == 3,
            let m = Self.number(costs[0], named: "m"),
            let t = Self.number(costs[1], named: "t"),
            let p = Self.number(costs[2], named: "p")
        else { return nil }
        memoryKiB = m
        iterations = t
        parallelism = p
    }

    /// Parses `name=digits` as written by libargon2 (no sign, no leading zeros).
    private static func number(_ field: some Collection<UInt8>, named name: Unicode.Scalar) -> UInt32? {
        let bytes = Array(field)
        guard bytes.count >= 3, bytes.count <= 12, bytes[0] == UInt8(ascii: name), bytes[1] == UInt8(ascii: "="),
            bytes[2] != UInt8(ascii: "0")
        else { return nil }
        var value: UInt64 = 0
        for byte in bytes[2...] {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return value <= UInt64(UInt32.max) ? UInt32(value) : nil
    }
}
