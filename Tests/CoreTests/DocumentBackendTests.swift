import Foundation
import Testing

@testable import Core

/// The pieces of the document backends that need no server: sealing secrets, the rule for
/// a backend URL, the id shapes that may go into a backend path, and the outbound client's
/// failures (the exchanges themselves are tested end to end against fakes: test_paperless).
@Suite struct DocumentBackendTests {
    @Test func sealedSecretsOpenOnlyWithTheSameKeyAndContext() throws {
        let box = SecretBox(key: SecureRandom.bytes(32))
        let sealed = box.seal("paperless-token-123", context: "document-backend:paperless_api_token:7")
        #expect(sealed.hasPrefix("v1."))
        #expect(!sealed.contains("paperless-token-123"))
        #expect(try box.open(sealed, context: "document-backend:paperless_api_token:7") == "paperless-token-123")
        // Fresh nonce each time: the same secret never seals the same way twice.
        #expect(box.seal("x", context: "c") != box.seal("x", context: "c"))
        // Another user's row, another field, another key, a flipped byte: nothing opens.
        #expect(throws: SecretBoxError.self) {
            try box.open(sealed, context: "document-backend:paperless_api_token:8")
        }
        #expect(throws: SecretBoxError.self) {
            try SecretBox(key: SecureRandom.bytes(32)).open(sealed, context: "document-backend:paperless_api_token:7")
        }
        var bytes = Array(sealed.utf8)
        bytes[10] = bytes[10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(throws: SecretBoxError.self) {
            try box.open(String(decoding: bytes, as: UTF8.self), context: "document-backend:paperless_api_token:7")
        }
        #expect(throws: SecretBoxError.self) { try box.open("v1.", context: "c") }
        #expect(throws: SecretBoxError.self) { try box.open("plain", context: "c") }
        #expect(try box.open(box.seal("", context: "c"), context: "c") == "")
    }

    @Test func backendURLsAreHTTPWithAHostAndNothingElse() {
        func normalized(_ raw: String) -> String? {
            if case .success(let url) = BackendURL.normalize(raw) { return url }
            return nil
        }
        #expect(normalized("HTTPS://Paperless.Example.org/") == "https://paperless.example.org")
        #expect(normalized("http://127.0.0.1:8000/paperless//") == "http://127.0.0.1:8000/paperless")
        #expect(normalized("http://[::1]:8000") == "http://[::1]:8000")
        for bad in [
            "", "ftp://host", "file:///etc/passwd", "gopher://host", "javascript:alert(1)", "host:8000",
            "http://user:secret@host", "http://host/?token=1", "http://host/#x", "http://",
            "http://" + String(repeating: "a", count: 500),
        ] {
            #expect(normalized(bad) == nil, "\(bad)")
        }
    }

    @Test func onlyPlainIdsGoIntoABackendPath() {
        #expect(DocumentIDs.isPaperless("123"))
        #expect(!DocumentIDs.isPaperless("12/../3"))
        #expect(!DocumentIDs.isPaperless(""))
        #expect(!DocumentIDs.isPaperless("1234567890123456789"))
        #expect(DocumentIDs.isTaskUUID("0f8e4d8c-4a4b-4c1e-9a55-2b7f0d9a1c3e"))
        #expect(!DocumentIDs.isTaskUUID("0f8e?x"))
        #expect(DocumentIDs.isPapra("doc_abc-123"))
        #expect(!DocumentIDs.isPapra("doc/../x"))
        #expect(!DocumentIDs.isPapra("doc%2F"))
        #expect(MediaTypeText.clean("Application/PDF") == "application/pdf")
        #expect(MediaTypeText.clean("text/html\r\nX-Evil: 1") == nil)
        #expect(MediaTypeText.clean("nonsense") == nil)
    }

    @Test func theClientReportsWhatWentWrongWithoutTheHeaders() throws {
        // A port nothing listens on: refused at once.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)
        close(fd)
        let request = OutboundRequest(
            url: "http://127.0.0.1:\(port)/api/", headers: [(name: "Authorization", value: "Token s3cret")])
        do {
            _ = try HTTPClient.send(request)
            Issue.record("a closed port answered")
        } catch {
            #expect(error.kind == .unreachable)
            #expect(!error.message.contains("s3cret"))
        }
        // Schemes other than http(s) are refused by the client itself, whatever the caller checked.
        do {
            _ = try HTTPClient.send(OutboundRequest(url: "file:///etc/passwd"))
            Issue.record("file:// was fetched")
        } catch {
            #expect(error.kind == .unreachable)
        }
    }
}
