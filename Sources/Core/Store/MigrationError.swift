/// Why migrations could not be applied.
public enum MigrationError: Error, Sendable, CustomStringConvertible {
    /// An applied migration's file no longer matches what was applied.
    case checksumMismatch(file: String, expected: String, actual: String)
    /// A migration's SQL failed (or its file could not be read).
    case failed(file: String, message: String)
    /// Another process held the migration lock for too long.
    case lockTimeout(seconds: Int)

    public var description: String {
        switch self {
        case .checksumMismatch(let file, let expected, let actual):
            return "\(file) was modified after it was applied (recorded checksum \(expected), file now \(actual)); "
                + "restore the file and put changes in a new migration"
        case .failed(let file, let message):
            return "migration \(file) failed: \(message)"
        case .lockTimeout(let seconds):
            return "another process held the migration lock for more than \(seconds) s; is another master migrating?"
        }
    }
}
