import Core
import Foundation

/// `medikeep-jobs <task> [--config PATH]` (or `--list`): runs one scheduled task (systemd timers start
/// it), holding a database lease so that several hosts never run the same task at once.
let arguments = Array(CommandLine.arguments.dropFirst())

func fail(_ message: String, status: Int32 = 1) -> Never {
    let line = "medikeep-jobs: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(status)
}

// `--list`: the task names, one a line (scripts/lib/scheduler.py skips timers whose task
// this build does not have).
if arguments.first == "--list" {
    print(Jobs.all.map(\.name).joined(separator: "\n"))
    exit(0)
}

guard let name = arguments.first, let task = Jobs.task(named: name) else {
    let list = Jobs.all.map { "  \($0.name.padding(toLength: 14, withPad: " ", startingAt: 0)) \($0.summary)" }.joined(
        separator: "\n")
    fail("usage: medikeep-jobs <task> [--config PATH] | --list\ntasks:\n\(list)", status: 2)
}
let configIndex = arguments.firstIndex(of: "--config")
let configPath =
    configIndex.flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
    ?? ProcessInfo.processInfo.environment["MEDIKEEP_CONFIG"]

do {
    let config = try Config.load(path: configPath)
    Log.configure(path: config.logFile, level: config.logLevel)
    Store.initializeLibrary()
    let db = try Connection(config.database)
    guard let lease = try JobLease.acquire(task.name, seconds: task.leaseSeconds, db: db) else {
        Log.info("job_skipped", ["job": .string(task.name), "reason": "another host holds the lease"])
        exit(0)
    }
    do {
        let summary = try task.run(db, config)
        try lease.release(result: JSON.object(summary).serializedString, db: db)
        Log.info("job_finished", ["job": .string(task.name), "result": .object(summary)])
    } catch {
        try? lease.release(result: "failed: \(error)", db: db)
        throw error
    }
} catch {
    Log.error("job_failed", ["job": .string(task.name), "error": .string(String(describing: error))])
    fail(String(describing: error))
}
