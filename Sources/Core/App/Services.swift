import Foundation

/// State built once per process at start-up and shared read-only by every thread.
public final class SharedState: Sendable {
    public let config: Config
    public let timeZone: TimeZone
    public let tokenSigner: JWTSigner
    public let startedAt: Date
    /// Pool figures for `/pool/status`, supplied by the process that hosts `Core`.
    public let poolStatus: @Sendable () -> JSON

    public init(config: Config, tokenSigner: JWTSigner, poolStatus: @escaping @Sendable () -> JSON = { .null }) {
        self.config = config
        self.timeZone = TimeZone(identifier: config.timezone) ?? TimeZone(identifier: "UTC")!
        self.tokenSigner = tokenSigner
        self.startedAt = Date()
        self.poolStatus = poolStatus
    }
}

/// What one thread owns: its database connection, plus the shared state.
public final class Services {
    public let shared: SharedState
    public let db: Connection

    public init(shared: SharedState, db: Connection) {
        self.shared = shared
        self.db = db
    }
}
