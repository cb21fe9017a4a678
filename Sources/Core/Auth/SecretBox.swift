import COpenSSL

/// Why a sealed value could not be opened: made under another key, or altered.
public struct SecretBoxError: Error, Sendable {}

/// Encryption at rest for secrets the server must use again later (a user's Paperless
/// or Papra token and password): AES-256-GCM under a server key kept beside the JWT key
/// (`SecretStore`, `<data_dir>/credentials.key`). A sealed value is text for a database
/// column: `v1.` + base64url(12-byte nonce ‖ ciphertext ‖ 16-byte tag). `context` (e.g.
/// "paperless:token:<user id>") is authenticated with it, so a value copied into another
/// user's row or another field does not open.
public struct SecretBox: Sendable {
    let key: [UInt8]
    static let prefix = "v1."
    static let nonceLength = 12
    static let tagLength = 16

    public init(key: [UInt8]) {
        precondition(key.count == 32, "AES-256 needs a 32-byte key")
        self.key = key
    }

    public func seal(_ plaintext: String, context: String) -> String {
        let nonce = SecureRandom.bytes(Self.nonceLength)
        let input = Array(plaintext.utf8)
        var output = [UInt8](repeating: 0, count: input.count)
        var tag = [UInt8](repeating: 0, count: Self.tagLength)
        let ok = run(encrypt: true, nonce: nonce, aad: Array(context.utf8), input: input, output: &output, tag: &tag)
        guard ok else { fatalError("AES-256-GCM encryption failed") }
        return Self.prefix + Base64URL.encode(nonce + output + tag)
    }

    public func open(_ sealed: String, context: String) throws(SecretBoxError) -> String {
        guard sealed.hasPrefix(Self.prefix), let raw = Base64URL.decode(String(sealed.dropFirst(Self.prefix.count))),
            raw.count >= Self.nonceLength + Self.tagLength
        else { throw SecretBoxError() }
        let nonce = Array(raw.prefix(Self.nonceLength))
        var tag = Array(raw.suffix(Self.tagLength))
        let input = Array(raw.dropFirst(Self.nonceLength).dropLast(Self.tagLength))
        var output = [UInt8](repeating: 0, count: input.count)
        guard run(encrypt: false, nonce: nonce, aad: Array(context.utf8), input: input, output: &output, tag: &tag)
        else { throw SecretBoxError() }
        return String(decoding: output, as: UTF8.self)
    }

    /// One GCM pass; on decryption `tag` is checked (false when it does not match).
    private func run(
        encrypt: Bool, nonce: [UInt8], aad: [UInt8], input: [UInt8], output: inout [UInt8], tag: inout [UInt8]
    ) -> Bool {
        guard let context = EVP_CIPHER_CTX_new() else { return false }
        defer { EVP_CIPHER_CTX_free(context) }
        let cipher = EVP_aes_256_gcm()
        var length: Int32 = 0
        var scratch = [UInt8](repeating: 0, count: 16)
        if encrypt {
            guard EVP_EncryptInit_ex(context, cipher, nil, nil, nil) == 1,
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1,
                EVP_EncryptInit_ex(context, nil, nil, key, nonce) == 1,
                aad.isEmpty || EVP_EncryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1,
                input.isEmpty || EVP_EncryptUpdate(context, &output, &length, input, Int32(input.count)) == 1,
                EVP_EncryptFinal_ex(context, &scratch, &length) == 1,
                EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, Int32(tag.count), &tag) == 1
            else { return false }
            return true
        }
        guard EVP_DecryptInit_ex(context, cipher, nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1,
            EVP_DecryptInit_ex(context, nil, nil, key, nonce) == 1,
            aad.isEmpty || EVP_DecryptUpdate(context, nil, &length, aad, Int32(aad.count)) == 1,
            input.isEmpty || EVP_DecryptUpdate(context, &output, &length, input, Int32(input.count)) == 1,
            EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_SET_TAG, Int32(tag.count), &tag) == 1
        else { return false }
        return EVP_DecryptFinal_ex(context, &scratch, &length) == 1
    }
}
