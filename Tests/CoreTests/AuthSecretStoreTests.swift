import Foundation
import Testing

@testable import Core

@Suite struct AuthSecretStoreTests {
    /// A fresh directory path (not created) under the system temp directory.
    func scratch() -> String {
        NSTemporaryDirectory() + "/medikeep-secret-" + SecureRandom.hex(8)
    }

    func mode(_ path: String) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { return -1 }
        return Int(info.st_mode & 0o777)
    }

    @Test func createsOnceThenReadsTheSameKey() throws {
        let root = scratch()
        let dir = root + "/nested/keys"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let first = try SecretStore.loadOrCreate(named: "jwt", in: dir)
        #expect(first.count == 32)
        #expect(mode(dir + "/jwt.key") == 0o600)
        #expect(mode(dir) & 0o077 == 0)
        let text = try String(contentsOfFile: dir + "/jwt.key", encoding: .utf8)
        #expect(text == Hex.encode(first) + "\n")
        #expect(try SecretStore.loadOrCreate(named: "jwt", in: dir) == first)
        let other = try SecretStore.loadOrCreate(named: "channels", in: dir, length: 16)
        #expect(other.count == 16)
        // Only the two keys remain: temp files are cleaned up.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["channels.key", "jwt.key"])
    }

    @Test func readsAnOperatorProvidedKey() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/jwt.key"
        let key = SecureRandom.bytes(32)
        #expect(
            FileManager.default.createFile(
                atPath: path, contents: Data(Hex.encode(key).uppercased().utf8),
                attributes: [.posixPermissions: 0o400]))
        #expect(try SecretStore.loadOrCreate(named: "jwt", in: dir) == key)
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660])
    func refusesFilesOthersCanAccess(permissions: Int) throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try SecretStore.loadOrCreate(named: "jwt", in: dir)
        #expect(chmod(dir + "/jwt.key", mode_t(permissions)) == 0)
        #expect(throws: SecretStoreError.self) { try SecretStore.loadOrCreate(named: "jwt", in: dir) }
    }

    @Test func refusesWrongLengthAndBadContent() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = try SecretStore.loadOrCreate(named: "jwt", in: dir)
        #expect(throws: SecretStoreError.self) { try SecretStore.loadOrCreate(named: "jwt", in: dir, length: 16) }
        #expect(throws: SecretStoreError.self) { try SecretStore.loadOrCreate(named: "jwt", in: dir, length: 64) }
        #expect(
            FileManager.default.createFile(
                atPath: dir + "/bad.key", contents: Data("zz\n".utf8),
                attributes: [.posixPermissions: 0o600]))
        #expect(throws: SecretStoreError.self) { try SecretStore.loadOrCreate(named: "bad", in: dir, length: 1) }
        #expect(throws: SecretStoreError.self) { try SecretStore.loadOrCreate(named: "../jwt", in: dir) }
    }

    @Test func losingTheRaceKeepsTheWinnersKey() throws {
        let dir = scratch()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let winner = try SecretStore.loadOrCreate(named: "jwt", in: dir)
        try SecretStore.publish(SecureRandom.bytes(32), at: dir + "/jwt.key", in: dir, name: "jwt")
        #expect(try SecretStore.loadOrCreate(named: "jwt", in: dir) == winner)
    }

    @Test func concurrentFirstStartsAgree() async throws {
        for _ in 0..<10 {
            let dir = scratch()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let keys = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for _ in 0..<4 {
                    group.addTask { try SecretStore.loadOrCreate(named: "jwt", in: dir) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(keys.count == 4)
            #expect(Set(keys).count == 1)
        }
    }
}
