import CFastCGI
import CPoolShim
import Core
import Foundation
import Synchronization

/// One worker process: `threads` threads, each with its own `FCGX_Request` and its own
/// MariaDB connection, serving requests synchronously. The main thread handles signals
/// and is the watchdog for slow and timed-out requests.
final class Worker: @unchecked Sendable {
    let config: Config
    let slot: Int
    let scoreboard: Scoreboard
    let app: App
    let masterPid: pid_t
    /// Set once when draining; each thread looks at it before it waits in `accept`.
    let stopping = Atomic<Bool>(false)
    /// Whether the inherited listening socket (fd 0) is a unix socket.
    let listensOnUnixSocket: Bool = {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(0, $0, &length) }
        }
        return named == 0 && Int32(address.ss_family) == AF_UNIX
    }()
    let served = Atomic<Int>(0)
    /// Recycling at exactly `max_requests` would restart every worker at once under
    /// even load; a per-worker jitter of up to 10% spreads them out.
    let requestLimit: Int
    /// Where streamed bodies are spooled: `<data_dir>/tmp`, else the system's.
    let temporaryDirectory: String
    /// Where uploads are streamed to (`<data_dir>/files`).
    let fileStore: FileStore
    /// One libfcgi request per thread, allocated up front so the watchdog can answer a
    /// timed-out thread's request.
    let requests: [UnsafeMutablePointer<FCGX_Request>]

    init(config: Config, slot: Int, scoreboard: Scoreboard, app: App) {
        self.config = config
        self.slot = slot
        self.scoreboard = scoreboard
        self.app = app
        self.masterPid = getppid()
        self.temporaryDirectory = TemporaryFile.workDirectory(dataDir: config.dataDir)
        self.fileStore = FileStore(dataDir: config.dataDir)
        let jitter = config.maxRequests / 10
        self.requests = (0..<config.threads).map { _ in UnsafeMutablePointer<FCGX_Request>.allocate(capacity: 1) }
        self.requestLimit =
            config.maxRequests == 0 ? Int.max : config.maxRequests + (jitter > 0 ? Int.random(in: 0...jitter) : 0)
    }

    static let handledSignals: [Int32] = [SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGUSR1]

    func run() -> Never {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in Worker.handledSignals { sigaddset(&set, signal) }
        // Block before starting threads so every thread inherits the mask and only the
        // main thread ever sees these signals (libfcgi's own handler cannot wake threads).
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
        // Argon2id takes ~19 MiB per password check. With glibc's adaptive threshold such
        // blocks end up in per-thread arenas and are never returned; a fixed threshold
        // keeps every large block mmap'ed, so it goes back to the system when freed.
        mk_fixed_mmap_threshold(1 << 20)
        FCGX_Init()
        for request in requests { FCGX_InitRequest(request, 0, 0) }
        for index in 0..<config.threads { startThread(index) }
        Log.debug("worker_started", ["slot": .int(Int64(slot)), "threads": .int(Int64(config.threads))])

        var drainDeadline = Double.infinity
        var timeout = timespec(tv_sec: 0, tv_nsec: 100_000_000)
        while true {
            let signal = sigtimedwait(&set, nil, &timeout)
            switch signal {
            case SIGTERM, SIGINT, SIGHUP: beginDrain()
            case SIGQUIT: _exit(0)
            case SIGUSR1: Log.reopen()
            default: break
            }
            watchThreads()
            if getppid() != masterPid { beginDrain() }  // the master is gone: do not linger
            if stopping.load(ordering: .acquiring) {
                if drainDeadline == .infinity { drainDeadline = Date().timeIntervalSince1970 + config.shutdownTimeout }
                if Date().timeIntervalSince1970 > drainDeadline { _exit(0) }
                // A thread publishes `accepting` before it re-checks `stopping`, and we set
                // `stopping` before we read the states (a fence between each store and load):
                // so either the thread sees the drain and does not accept, or we see it waiting
                // in `accept` (which may yet hand it a connection) and wait for it.
                mk_fence()
                if busyThreads() == 0 { _exit(0) }
            }
        }
    }

    /// Stops taking new requests; in-flight ones finish, then the process exits.
    func beginDrain() {
        if !stopping.exchange(true, ordering: .sequentiallyConsistent) {
            mk_store(scoreboard.worker(slot, .draining), 1)
        }
    }

    func busyThreads() -> Int {
        (0..<config.threads).filter {
            let state = mk_load(scoreboard.thread(slot, $0, .state))
            return state == Scoreboard.ThreadState.busy.rawValue || state == Scoreboard.ThreadState.writing.rawValue
                || state == Scoreboard.ThreadState.reading.rawValue
                || state == Scoreboard.ThreadState.accepting.rawValue
        }.count
    }

    func startThread(_ index: Int) {
        let box = Unmanaged.passRetained(ThreadStart(worker: self, index: index)).toOpaque()
        var thread = pthread_t()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        pthread_attr_setstacksize(&attributes, 1 << 20)
        let result = pthread_create(
            &thread, &attributes,
            { raw in
                let start = Unmanaged<ThreadStart>.fromOpaque(raw!).takeRetainedValue()
                start.worker.serve(threadIndex: start.index)
                return nil
            }, box)
        pthread_attr_destroy(&attributes)
        if result != 0 { Log.critical("thread_start_failed", ["errno": .int(Int64(result))]) }
    }

    final class ThreadStart {
        let worker: Worker
        let index: Int
        init(worker: Worker, index: Int) {
            self.worker = worker
            self.index = index
        }
    }
}
