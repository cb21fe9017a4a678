/// Where and how to reach MariaDB. A unix `socket` wins over `host`/`port` when set.
public struct DatabaseConfig: Sendable {
    public var host: String
    public var port: Int
    /// Path of the server's unix socket; when set, `host` and `port` are not used.
    public var socket: String?
    public var user: String
    public var password: String
    /// The schema to use; empty connects without selecting one.
    public var database: String
    /// Seconds to wait for a connection before answering "unavailable".
    public var connectTimeout: Int
    /// Seconds a single read or write may block before the connection counts as lost.
    public var readTimeout: Int

    public init(
        host: String = "localhost",
        port: Int = 3306,
        socket: String? = nil,
        user: String,
        password: String = "",
        database: String,
        connectTimeout: Int = 2,
        readTimeout: Int = 30
    ) {
        self.host = host
        self.port = port
        self.socket = socket
        self.user = user
        self.password = password
        self.database = database
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// A human-readable "where", for error messages (never includes the password).
    var endpoint: String {
        if let socket { return "unix:\(socket)" }
        return "\(host):\(port)"
    }
}
