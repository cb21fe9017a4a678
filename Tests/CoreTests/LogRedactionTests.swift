import Testing

@testable import Core

@Suite struct LogRedactionTests {
    @Test func secretsAreRemovedAtAnyDepth() {
        let client: JSON = [
            "message": "login failed",
            "details": ["new_password": "hunter2", "nested": [["paperless_password": "x", "ok": 1]]],
            "header": "Bearer abc.def.ghi",
            "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln",
            "refresh_token": "r",
        ]
        let text = Log.redacted("client", client).serializedString
        for secret in ["hunter2", "\"x\"", "Bearer abc", "eyJhbGci", "\"r\""] {
            #expect(!text.contains(secret), "\(secret) leaked: \(text)")
        }
        #expect(text.contains("login failed"))
        #expect(text.contains("\"ok\":1"))
    }
}
