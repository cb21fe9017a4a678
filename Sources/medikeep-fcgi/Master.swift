import CPoolShim
import Core
import Foundation

/// The pool's master process: holds the listening socket, starts `workers` worker
/// processes (this same executable, `worker` subcommand) with the socket as fd 0, and
/// supervises them the way PHP-FPM's static process manager does.
///
/// It is single-threaded and handles signals synchronously with `sigtimedwait`, so there
/// is no signal-handler code to get wrong.
final class Master {
    var config: Config
    let configPath: String?
    let listener: Listener
    let scoreboard: Scoreboard
    let executable: String
    var generation: Int64 = 1
    /// Live workers by pid.
    var workers: [pid_t: WorkerRecord] = [:]
    var stopping = false
    var recentRespawns: [Double] = []

    struct WorkerRecord {
        let slot: Int
        let generation: Int64
        var retiring: Bool
        let threads: Int
    }

    init(config: Config, configPath: String?, listener: Listener) throws {
        self.config = config
        self.configPath = configPath
        self.listener = listener
        self.scoreboard = try Scoreboard.create()
        self.executable =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static let handledSignals: [Int32] = [SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2]

    /// Runs until SIGTERM/SIGINT and every worker has exited; returns the exit status.
    func run() -> Int32 {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in Master.handledSignals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)

        mk_store(scoreboard.header(.masterPid), Int64(getpid()))
        mk_store(scoreboard.header(.startedAt), Int64(Date().timeIntervalSince1970))
        mk_store(scoreboard.header(.generation), generation)
        writePidFile()
        for _ in 0..<config.workers { spawnWorker() }
        Log.info(
            "pool_started",
            [
                "listen": .string(listener.description), "workers": .int(Int64(config.workers)),
                "threads": .int(Int64(config.threads)),
            ])

        var stopDeadline = Double.infinity
        var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
        while true {
            let signal = sigtimedwait(&set, nil, &timeout)
            switch signal {
            case SIGCHLD: reapWorkers()
            case SIGTERM, SIGINT, SIGQUIT:
                if !stopping {
                    stopping = true
                    stopDeadline = now() + config.shutdownTimeout + 1
                    Log.info(
                        "pool_stopping",
                        ["signal": .int(Int64(signal)), "in_flight_limit_seconds": .double(config.shutdownTimeout)])
                    for pid in workers.keys { kill(pid, signal == SIGQUIT ? SIGKILL : SIGTERM) }
                }
            case SIGHUP: reload()
            case SIGUSR1:
                Log.reopen()
                for pid in workers.keys { kill(pid, SIGUSR1) }
                Log.info("logs_reopened")
            case SIGUSR2: replaceRetiringWorkers()
            default: break
            }
            reapWorkers()
            topUpWorkers()
            mk_store(scoreboard.header(.listenQueue), listener.queueLength())
            if stopping {
                if workers.isEmpty { break }
                if now() > stopDeadline {
                    Log.warning("pool_stop_timeout", ["killed": .int(Int64(workers.count))])
                    for pid in workers.keys { kill(pid, SIGKILL) }
                    stopDeadline = .infinity
                }
            }
        }
        if !config.pidFile.isEmpty { unlink(config.pidFile) }
        if config.listen.hasPrefix("unix:") && listener.fd != 0 { unlink(String(config.listen.dropFirst(5))) }
        Log.info("pool_stopped")
        return 0
    }

    func now() -> Double { Date().timeIntervalSince1970 }

    func writePidFile() {
        guard !config.pidFile.isEmpty else { return }
        try? "\(getpid())\n".write(toFile: config.pidFile, atomically: true, encoding: .utf8)
    }

    func freeSlot() -> Int? {
        let used = Set(workers.values.map(\.slot))
        return (0..<scoreboard.workerSlots).first { !used.contains($0) }
    }

    /// Every loop turn: start the workers the current generation lacks. A spawn can fail
    /// for want of a scoreboard slot (a reload while an earlier generation still drains
    /// holds them) or of a process; the shortfall is retried here until the slots free up,
    /// and shown in `/pool/status` as `missing_workers` meanwhile.
    func topUpWorkers() {
        guard !stopping else { return }
        let live = workers.values.filter { $0.generation == generation && !$0.retiring }.count
        var missing = config.workers - live
        while missing > 0, freeSlot() != nil, spawnWorker() { missing -= 1 }
        let reported = mk_load(scoreboard.header(.missingWorkers))
        if missing != reported {
            if missing > 0 && reported == 0 {
                Log.error("pool_no_free_slot", ["missing_workers": .int(Int64(missing))])
            } else if missing == 0 {
                Log.info("pool_capacity_restored", ["workers": .int(Int64(config.workers))])
            }
            mk_store(scoreboard.header(.missingWorkers), Int64(max(0, missing)))
        }
    }

    /// Starts one worker of the current generation in a free scoreboard slot; false when
    /// there is none or the spawn failed (`topUpWorkers` tries again on the next turn).
    @discardableResult
    func spawnWorker() -> Bool {
        guard let slot = freeSlot() else { return false }
        scoreboard.reset(slot: slot)
        var arguments = [executable, "worker", "--slot", "\(slot)", "--generation", "\(generation)"]
        if let configPath { arguments += ["--config", configPath] }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listener.fd, 0)
        posix_spawn_file_actions_adddup2(&actions, scoreboard.fd, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            Log.error("worker_spawn_failed", ["errno": .int(Int64(result))])
            return false
        }
        // The pid last: a reader that sees it sees the rest of the slot too.
        mk_store(scoreboard.worker(slot, .generation), generation)
        mk_store(scoreboard.worker(slot, .startedAt), Int64(now()))
        mk_store(scoreboard.worker(slot, .threads), Int64(config.threads))
        mk_store(scoreboard.worker(slot, .pid), Int64(pid))
        workers[pid] = WorkerRecord(slot: slot, generation: generation, retiring: false, threads: config.threads)
        return true
    }

    /// Collects exited workers and replaces the ones that should still be running.
    func reapWorkers() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            guard pid > 0 else { return }
            guard let record = workers.removeValue(forKey: pid) else { continue }
            let served = scoreboard.requests(ofSlot: record.slot, threads: record.threads)
            let retiredItself = mk_load(scoreboard.worker(record.slot, .draining)) != 0
            mk_add(scoreboard.header(.retiredAccepted), served)
            mk_store(scoreboard.worker(record.slot, .pid), 0)
            let exitedCleanly = (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0
            if stopping { continue }
            if record.retiring || record.generation != generation {
                // Recycled, reloaded or timed out: its replacement is running already.
                if !exitedCleanly {
                    Log.warning("worker_exit", ["pid": .int(Int64(pid)), "status": .int(Int64(status))])
                }
                continue
            }
            if retiredItself && exitedCleanly {
                // It drained and exited before its SIGUSR2 was handled: a recycle, not a death.
                mk_add(scoreboard.header(.recycles), 1)
                spawnWorker()
                continue
            }
            mk_add(scoreboard.header(.restarts), 1)
            Log.warning(
                "worker_died", ["pid": .int(Int64(pid)), "status": .int(Int64(status)), "served": .int(served)])
            throttleRespawns()
            spawnWorker()
        }
    }

    /// A crash loop (e.g. a broken binary) should not spin the CPU: after ten
    /// replacements within ten seconds, wait a little before each new one.
    func throttleRespawns() {
        let current = now()
        recentRespawns = recentRespawns.filter { current - $0 < 10 } + [current]
        if recentRespawns.count > 10 { usleep(500_000) }
    }

    /// Workers that reached `max_requests` (or timed out a request) raise SIGUSR2 after
    /// marking themselves draining: start their replacements now, so capacity never dips.
    func replaceRetiringWorkers() {
        guard !stopping else { return }  // a stopping pool replaces nobody
        for (pid, record) in workers where !record.retiring && record.generation == generation {
            if mk_load(scoreboard.worker(record.slot, .draining)) != 0 {
                workers[pid]?.retiring = true
                mk_add(scoreboard.header(.recycles), 1)
                spawnWorker()
            }
        }
    }

    /// SIGHUP: re-read the configuration; new workers take over, old ones finish what
    /// they hold. A configuration that does not load leaves the pool as it is.
    func reload() {
        guard !stopping else { return }
        do {
            let fresh = try Config.load(path: configPath)
            if fresh.listen != config.listen { Log.warning("reload_listen_ignored", ["listen": .string(fresh.listen)]) }
            config = fresh
            Log.configure(path: fresh.logFile, level: fresh.logLevel)
        } catch {
            Log.error("reload_refused", ["error": .string(String(describing: error))])
            return
        }
        let old = workers.keys
        generation += 1
        mk_store(scoreboard.header(.generation), generation)
        for _ in 0..<config.workers { spawnWorker() }
        for pid in old {
            workers[pid]?.retiring = true
            kill(pid, SIGTERM)
        }
        Log.info("pool_reloaded", ["generation": .int(generation), "workers": .int(Int64(config.workers))])
    }
}
