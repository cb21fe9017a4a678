extension JSON {
    /// The compact UTF-8 encoding of this value.
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(into: &out)
        return out
    }

    /// The compact encoding as a `String` (for logs and tests).
    public var serializedString: String { String(decoding: serialized(), as: UTF8.self) }

    /// Appends the encoding to `out`; hand-written because it sits on every request's path.
    public func write(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(let b): out.append(contentsOf: b ? Array("true".utf8) : Array("false".utf8))
        case .int(let i): JSON.writeInteger(i, into: &out)
        case .double(let d):
            if d.isFinite {
                if d.rounded() == d && abs(d) < 1e15 {
                    JSON.writeInteger(Int64(d), into: &out)
                    out.append(contentsOf: [0x2E, 0x30])  // ".0": keep it a float for clients
                } else {
                    out.append(contentsOf: Array(d.description.utf8))
                }
            } else {
                out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
            }
        case .string(let s): JSON.writeString(s, into: &out)
        case .array(let items):
            out.append(0x5B)
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(0x2C) }
                item.write(into: &out)
            }
            out.append(0x5D)
        case .object(let object):
            out.append(0x7B)
            for (index, pair) in object.pairs.enumerated() {
                if index > 0 { out.append(0x2C) }
                JSON.writeString(pair.key, into: &out)
                out.append(0x3A)
                pair.value.write(into: &out)
            }
            out.append(0x7D)
        }
    }

    public static func writeInteger(_ value: Int64, into out: inout [UInt8]) {
        if value == 0 {
            out.append(0x30)
            return
        }
        var magnitude = value.magnitude
        var digits:
            (
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8
            ) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            while magnitude > 0 {
                buffer[count] = UInt8(magnitude % 10) + 0x30
                magnitude /= 10
                count += 1
            }
        }
        if value < 0 { out.append(0x2D) }
        withUnsafeBytes(of: &digits) { buffer in
            for index in stride(from: count - 1, through: 0, by: -1) { out.append(buffer[index]) }
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeString(_ string: String, into out: inout [UInt8]) {
        out.append(0x22)
        var string = string
        string.withUTF8 { writeEscaped($0, into: &out) }
        out.append(0x22)
    }

    /// A string given as UTF-8 bytes (a column read in place). Bytes that are all ASCII
    /// are escaped as they are; anything else goes through `String`, which repairs
    /// invalid UTF-8 exactly as reading the column into a `String` would.
    static func writeString(utf8 bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let ascii = bytes.withMemoryRebound(to: UInt8.self) { $0.allSatisfy { $0 < 0x80 } }
        guard ascii else {
            writeString(String(decoding: bytes, as: UTF8.self), into: &out)
            return
        }
        out.append(0x22)
        bytes.withMemoryRebound(to: UInt8.self) { writeEscaped($0, into: &out) }
        out.append(0x22)
    }

    /// The JSON string escapes of `bytes` (valid UTF-8), without the quotes.
    private static func writeEscaped(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        // Copy runs that need no escaping in one go: most values have no escapes at all.
        var runStart = 0
        for index in 0..<bytes.count {
            let byte = bytes[index]
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
            runStart = index + 1
            switch byte {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x0A: out.append(0x5C); out.append(0x6E)
            case 0x0D: out.append(0x5C); out.append(0x72)
            case 0x09: out.append(0x5C); out.append(0x74)
            default:
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
    }
}
