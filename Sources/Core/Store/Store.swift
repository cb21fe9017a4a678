import CMariaDB

/// Process- and thread-level set-up of the MariaDB client library.
public enum Store {
    // A lazily initialised static is run exactly once, under a lock, whichever thread
    // gets there first: that is the idempotence and thread safety the C call lacks.
    private static let libraryInitialised: Bool = mysql_server_init(0, nil, nil) == 0

    /// Initialises Connector/C. Call once per process before starting threads (it is
    /// also called by `Connection.init`, but the C library wants it before threads).
    public static func initializeLibrary() {
        _ = libraryInitialised
    }

    /// Prepares the calling thread for client calls; pair with `threadEnd()`.
    public static func threadInit() {
        _ = mysql_thread_init()
    }

    /// Releases the calling thread's client state, before the thread exits.
    public static func threadEnd() {
        mysql_thread_end()
    }
}
