import Foundation
import Testing

@testable import Core

/// The retention rule of scheduled backups over archive names (no files, no database).
@Suite struct BackupRetentionTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func names(_ days: [Int]) -> [String] {
        days.map { BackupRetention.archiveName(at: now.addingTimeInterval(-Double($0) * 86_400)) }
    }

    @Test func archiveNamesRoundTrip() {
        let name = BackupRetention.archiveName(at: Date(timeIntervalSince1970: 1_764_621_000))
        #expect(name == "backup_full_2025-12-01_203000.tar.gz")
        #expect(BackupRetention.createdAt(name) == 1_764_621_000)
        #expect(BackupRetention.createdAt("backup_full_2025-12-01_2030.tar.gz") == nil)
        #expect(BackupRetention.createdAt("backup_full_2025-13-01_203000.tar.gz") == nil)
    }

    @Test func minimumKeptMaximumEnforcedAgeApplied() {
        var settings = BackupSettings()
        (settings.minCount, settings.maxCount, settings.retentionDays) = (2, 4, 10)
        let archives = names([0, 1, 2, 3, 4, 5])
        // Young enough for the age rule, but only four may stay.
        #expect(Set(BackupRetention.expired(archives, settings: settings, now: now)) == Set(archives.suffix(2)))
        // All old: the two newest stay anyway.
        let old = names([40, 50, 60])
        #expect(BackupRetention.expired(old.reversed(), settings: settings, now: now) == [old[2]])
        // Other files are never candidates.
        #expect(BackupRetention.expired(["notes.txt", "backup_full_x.tar.gz"], settings: settings, now: now).isEmpty)
    }
}
