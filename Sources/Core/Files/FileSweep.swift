import Foundation

/// The safety net under the file store's ordering (`medikeep-jobs files-sweep`): removes
/// stored files that no row names — left by a process that died between placing an
/// upload and committing its row, or between a delete's commit and its unlink — and
/// temporary upload names of dead uploads. Only files older than `grace` are touched, so
/// an upload placed a moment ago whose row is about to commit is never taken.
public enum FileSweep {
    public struct Result: Sendable {
        public var scanned = 0
        public var removed = 0
        public var temporaryRemoved = 0
        public var directoriesRemoved = 0
    }

    public static func run(store: FileStore, db: Connection, grace: TimeInterval = 3600, now: Date = Date()) throws
        -> Result
    {
        var result = Result()
        let cutoff = now.addingTimeInterval(-grace)
        var candidates: [String] = []
        var directories: [String] = []
        guard let walker = FileManager.default.enumerator(atPath: store.root) else { return result }
        while let relative = walker.nextObject() as? String {
            let attributes = walker.fileAttributes ?? [:]
            let modified = attributes[.modificationDate] as? Date ?? now
            if attributes[.type] as? FileAttributeType == .typeDirectory {
                if relative != FileStore.incoming, modified < cutoff { directories.append(relative) }
                continue
            }
            guard attributes[.type] as? FileAttributeType == .typeRegular, modified < cutoff else { continue }
            result.scanned += 1
            if relative.hasPrefix(FileStore.incoming + "/") {
                if unlink(store.absolute(relative)) == 0 { result.temporaryRemoved += 1 }
            } else if FileStore.isStoredPath(relative) {
                candidates.append(relative)
            }
        }
        // Which candidates some row names, 500 at a time.
        var named = Set<String>()
        for start in stride(from: 0, to: candidates.count, by: 500) {
            let batch = Array(candidates[start..<min(start + 500, candidates.count)])
            let marks = Array(repeating: "?", count: batch.count).joined(separator: ", ")
            let rows = try db.query(
                """
                SELECT file_path FROM entity_files WHERE file_path IN (\(marks))
                UNION ALL SELECT file_path FROM patient_photos WHERE file_path IN (\(marks))
                """, (batch + batch).map { SQLValue.text($0) })
            for row in rows { if let path = row.string("file_path") { named.insert(path) } }
        }
        for path in candidates where !named.contains(path) {
            if unlink(store.absolute(path)) == 0 {
                result.removed += 1
                Log.info("file_orphan_removed", ["path": .string(path)])
            }
        }
        // Empty directories of deleted records (deepest first; a non-empty one stays).
        for directory in directories.sorted(by: { $0.count > $1.count }) where rmdir(store.absolute(directory)) == 0 {
            result.directoriesRemoved += 1
        }
        return result
    }
}
