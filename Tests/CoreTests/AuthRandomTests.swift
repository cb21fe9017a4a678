import Foundation
import Testing

@testable import Core

@Suite struct AuthRandomTests {
    @Test func bytesAndHex() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(32).count == 32)
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        let hex = SecureRandom.hex(16)
        #expect(hex.count == 32)
        #expect(hex.allSatisfy { "0123456789abcdef".contains($0) })
        #expect(Hex.decode(Array(hex.utf8)).map(Hex.encode) == hex)
        #expect(Hex.decode(Array("abc".utf8)) == nil)
        #expect(Hex.decode(Array("zz".utf8)) == nil)
    }

    @Test func passwordsCoverEveryClass() {
        for _ in 0..<50 {
            let password = SecureRandom.password()
            #expect(password.count == 20)
            #expect(password.contains(where: { $0.isLowercase }))
            #expect(password.contains(where: { $0.isUppercase }))
            #expect(password.contains(where: { $0.isNumber }))
            #expect(password.contains(where: { !$0.isLetter && !$0.isNumber }))
            #expect(password.allSatisfy { $0.isASCII })
        }
        #expect(SecureRandom.password(length: 4).count == 4)
        #expect(SecureRandom.password() != SecureRandom.password())
    }

    @Test func base64URLMatchesFoundation() {
        for length in 0..<40 {
            let bytes = SecureRandom.bytes(length)
            let expected = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
                .replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == expected)
            #expect(Base64URL.decode(expected) == bytes)
        }
    }

    @Test func base64URLDecodingIsStrict() {
        #expect(Base64URL.decode("") == [])
        #expect(Base64URL.decode("QQ") == [0x41])
        for bad in ["QQ==", "QR", "Q", "QQ=", "a+b/", "QU J", "QUJD\n", "é"] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
        }
    }
}
