import Testing

@testable import Core

@Suite struct JobTests {
    @Test func onlyOneHolderGetsTheLeaseUntilItIsReleased() throws {
        _ = try TestApp()  // migrated schema
        var config = try TestDatabase.config(database: TestApp.schema)
        config.readTimeout = 10
        let db = try Connection(config)
        let name = TestApp.unique("job")
        let first = try #require(try JobLease.acquire(name, seconds: 60, db: db))
        #expect(try JobLease.acquire(name, seconds: 60, db: db) == nil)
        try first.release(result: "ok", db: db)
        let second = try JobLease.acquire(name, seconds: 60, db: db)
        #expect(second != nil)
        #expect(
            try db.queryOne("SELECT last_result FROM job_leases WHERE name = ?", [.text(name)])?.string("last_result")
                == "ok")
    }

    @Test func maintenanceTaskRuns() throws {
        _ = try TestApp()
        let db = try Connection(try TestDatabase.config(database: TestApp.schema))
        let summary = try #require(Jobs.task(named: "maintenance")).run(db, Config())
        #expect(summary["revoked_tokens"] != nil)
    }
}
