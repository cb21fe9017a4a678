import Foundation

/// State built once per process at start-up and shared read-only by every thread.
public final class SharedState: Sendable {
    public let config: Config
    public let timeZone: TimeZone
    public let tokenSigner: JWTSigner
    /// Seals secrets kept in the database (document backend tokens and passwords).
    public let credentials: SecretBox
    public let startedAt: Date
    /// Stored files (`<data_dir>/files`).
    public let files: FileStore
    /// Pool figures for `/pool/status`, supplied by the process that hosts `Core`.
    public let poolStatus: @Sendable () -> JSON

    public init(
        config: Config, tokenSigner: JWTSigner, credentials: SecretBox,
        poolStatus: @escaping @Sendable () -> JSON = { .null }
    ) {
        self.config = config
        self.timeZone = TimeZone(identifier: config.timezone) ?? TimeZone(identifier: "UTC")!
        self.tokenSigner = tokenSigner
        self.credentials = credentials
        self.startedAt = Date()
        self.files = FileStore(dataDir: config.dataDir)
        self.poolStatus = poolStatus
    }
}

/// What one thread owns: its database connection, plus the shared state.
public final class Services {
    public let shared: SharedState
    public let db: Connection
    /// Tokens this thread has verified (signature and claims), so a client's next request
    /// with the same token skips the HMAC and the JSON parse. Expiry is still checked
    /// against the clock on every request, and the database check (revocation, epoch,
    /// nonce, active account) still runs every time: the cache only remembers what the
    /// signature proved. Emptied when full; a token is ~200 bytes, 512 of them ~100 kB.
    var verifiedTokens: [String: TokenClaims] = [:]
    static let verifiedTokenCapacity = 512

    public init(shared: SharedState, db: Connection) {
        self.shared = shared
        self.db = db
    }
}
