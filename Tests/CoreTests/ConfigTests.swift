import Foundation
import Testing

@testable import Core

@Suite struct ConfigTests {
    func write(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "/medikeep-config-\(UInt32.random(in: 0...UInt32.max)).conf"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func readsFileAndEnvironmentOverrides() throws {
        let path = try write("# pool\nworkers = 3\nthreads=5\nrequest_timeout = 20s\ntimezone = Europe/Berlin\n")
        let config = try Config.load(
            path: path, environment: ["MEDIKEEP_THREADS": "7", "MEDIKEEP_DB_SOCKET": "/tmp/x.sock"])
        #expect(config.workers == 3)
        #expect(config.threads == 7)
        #expect(config.requestTimeout == 20)
        #expect(config.database.socket == "/tmp/x.sock")
        #expect(config.timezone == "Europe/Berlin")
    }

    @Test func refusesBadValuesNamingTheKey() throws {
        for (text, key) in [
            ("workers = many", "workers"), ("threads = 0", "threads"), ("timezone = Mars/Base", "timezone"),
            ("log_level = loud", "log_level"), ("unknown_key = 1", "unknown_key"), ("listen = somewhere", "listen"),
            ("slowlog_timeout = 100\nrequest_timeout = 10", "slowlog_timeout"),
        ] {
            let path = try write(text)
            do {
                _ = try Config.load(path: path, environment: [:])
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.key == key)
            }
        }
    }
}
