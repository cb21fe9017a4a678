import Foundation
import Testing

@testable import Core

#if canImport(Glibc)
    import Glibc
#endif

/// The outbound client's refusals and limits (its successful exchanges are exercised
/// end to end against the fake identity providers in Tests/e2e/test_sso.py).
@Suite struct OutboundHTTPTests {
    @Test func onlyHTTPAndHTTPSAreSpoken() {
        #expect(throws: OutboundError.self) { try HTTPClient.send(OutboundRequest(url: "file:///etc/passwd")) }
        #expect(throws: OutboundError.self) { try HTTPClient.send(OutboundRequest(url: "gopher://127.0.0.1/")) }
    }

    @Test func aClosedPortIsAnError() throws {
        let port = try Self.listeningSocket { _ in }  // closed again at once
        #expect(throws: OutboundError.self) {
            try HTTPClient.send(OutboundRequest(url: "http://127.0.0.1:\(port)/", timeout: 2))
        }
    }

    @Test func aPeerThatNeverAnswersTimesOut() throws {
        var held: Int32 = -1
        let port = try Self.listeningSocket(keep: true) { held = $0 }
        defer { close(held) }
        let started = Date()
        #expect(throws: OutboundError.self) {
            try HTTPClient.send(OutboundRequest(url: "http://127.0.0.1:\(port)/", timeout: 0.3))
        }
        #expect(Date().timeIntervalSince(started) < 3)
    }

    @Test func formEncodingEscapesEverythingButUnreserved() {
        #expect(FormEncoding.escape("a b&c=d/é~") == "a%20b%26c%3Dd%2F%C3%A9~")
        #expect(FormEncoding.url("https://x/a?y=1", [("k", "v w")]) == "https://x/a?y=1&k=v%20w")
    }

    /// A socket listening on 127.0.0.1 (the kernel completes connections; nobody ever
    /// answers); closed unless `keep`. Answers its port.
    static func listeningSocket(keep: Bool = false, _ hold: (Int32) -> Void) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && listen(fd, 4) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        try #require(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))
        if keep { hold(fd) } else { close(fd) }
        return port
    }
}
