import CFastCGI
import CPoolShim
import Core
import Foundation

extension Worker {
    /// A handler thread's life: wait for a request, answer it, repeat until draining.
    func serve(threadIndex index: Int) {
        Store.threadInit()
        defer { Store.threadEnd() }
        let request = requests[index]
        var services: Services?
        let state = scoreboard.thread(slot, index, .state)

        while !stopping.load(ordering: .acquiring) {
            guard accept(request, threadIndex: index) else { continue }

            let coreRequest = FastCGIExchange.readRequest(
                request, temporaryDirectory: temporaryDirectory, fileStore: fileStore
            ) {
                [app] method, path in app.bodyLimit(method: method, path: path)
            }
            scoreboard.setText(slot, index, "\(coreRequest.method) \(coreRequest.path) \(coreRequest.requestID)")
            // The body is read: from here on the watchdog may answer in our place.
            mk_store(scoreboard.thread(slot, index, .startedNanos), Int64(DispatchTime.now().uptimeNanoseconds))
            mk_store(state, Scoreboard.ThreadState.busy.rawValue)
            let response: Response
            if services == nil { services = makeServices() }
            if let services {
                response = app.handle(coreRequest, services: services)
            } else {
                var unavailable = APIError.serviceUnavailable.response
                if !coreRequest.requestID.isEmpty { unavailable.addHeader("X-Request-ID", coreRequest.requestID) }
                response = unavailable
            }
            // The watchdog may have answered 504 in our place; then the request is not ours.
            if mk_cas(state, Scoreboard.ThreadState.busy.rawValue, Scoreboard.ThreadState.writing.rawValue) != 0 {
                FastCGIExchange.write(response, to: request)
                // On a unix socket, close at once: libfcgi's lingering close (shutdown,
                // then wait for nginx to hang up, then read the EOF) guards TCP peers
                // against a reset; a unix socket keeps our answer readable after close,
                // and the dance cost three system calls and a sleep per request.
                // Closing at once is safe only once nginx has sent all it will send: read
                // to the end of stdin (the empty record that ends it), or nginx's last write
                // could meet a closed socket and answer 502.
                if listensOnUnixSocket {
                    FastCGIExchange.drainInput(request)
                    request.pointee.detached = 1
                }
                FCGX_Finish_r(request)
                mk_add(scoreboard.thread(slot, index, .requests), 1)
                mk_store(state, Scoreboard.ThreadState.idle.rawValue)
            } else {
                // Timed out: the process is about to be replaced; stay out of the way.
                while true { pause() }
            }
            if served.add(1, ordering: .relaxed).newValue >= requestLimit {
                beginDrain()
                kill(masterPid, SIGUSR2)  // ask for a replacement before we go
            }
        }
    }

    /// Waits in `accept` for one connection and reads its request's head; false when
    /// none came within the listener's wake-up time or the process is draining (so the
    /// caller re-checks `stopping`).
    /// Threads block in the kernel's `accept` (which wakes exactly one of them per
    /// connection) rather than taking turns under a lock: under load a connection is
    /// waiting and `accept` returns at once, with no hand-off between threads.
    func accept(_ request: UnsafeMutablePointer<FCGX_Request>, threadIndex index: Int) -> Bool {
        let state = scoreboard.thread(slot, index, .state)
        // The drain hand-shake (see Worker.run): publish `accepting`, then look at `stopping`.
        mk_store(state, Scoreboard.ThreadState.accepting.rawValue)
        mk_fence()
        guard !stopping.load(ordering: .sequentiallyConsistent) else {
            mk_store(state, Scoreboard.ThreadState.idle.rawValue)
            return false
        }
        let connection = mk_accept(0)
        guard connection >= 0 else {
            mk_store(state, Scoreboard.ThreadState.idle.rawValue)
            return false
        }
        if !listensOnUnixSocket {
            // A TCP connection inherits the listener's receive timeout (a unix one does
            // not): reading a request must never time out that way. libfcgi's own accept
            // also turns Nagle off.
            var none = timeval(tv_sec: 0, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &none, socklen_t(MemoryLayout<timeval>.size))
            var on: Int32 = 1
            setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
        mk_store(scoreboard.thread(slot, index, .startedNanos), Int64(DispatchTime.now().uptimeNanoseconds))
        mk_store(scoreboard.thread(slot, index, .slowLogged), 0)
        mk_store(state, Scoreboard.ThreadState.reading.rawValue)
        // Hand the connection to libfcgi: with a connection already open, FCGX_Accept_r
        // only reads the request's head. Its first step finishes the previous request,
        // which would close an open connection unless it is marked kept.
        request.pointee.keepConnection = 1
        request.pointee.ipcFd = connection
        guard FCGX_Accept_r(request) >= 0 else {
            // A malformed head: libfcgi closed it (and tried once more to accept, which
            // times out like ours).
            mk_store(state, Scoreboard.ThreadState.idle.rawValue)
            return false
        }
        return true
    }

    func makeServices() -> Services? {
        do {
            return Services(shared: app.shared, db: try Connection(config.database))
        } catch {
            Log.warning("database_connect_failed", ["error": .string(String(describing: error))])
            return nil
        }
    }

    /// Logs requests running past `slowlog_timeout` once, and answers 504 for a request
    /// past `request_timeout`, then replaces this worker: a thread stuck in C code cannot
    /// be cancelled, only its process.
    func watchThreads() {
        let now = Int64(DispatchTime.now().uptimeNanoseconds)
        let slowNanos = Int64(config.slowlogTimeout * 1e9)
        let timeoutNanos = Int64(config.requestTimeout * 1e9)
        for index in 0..<config.threads {
            let state = scoreboard.thread(slot, index, .state)
            guard mk_load(state) == Scoreboard.ThreadState.busy.rawValue else { continue }
            let elapsed = now - mk_load(scoreboard.thread(slot, index, .startedNanos))
            if elapsed > slowNanos, mk_cas(scoreboard.thread(slot, index, .slowLogged), 0, 1) != 0 {
                Log.warning(
                    "slow_request",
                    ["request": .string(scoreboard.text(slot, index)), "elapsed_ms": .int(elapsed / 1_000_000)])
            }
            if elapsed > timeoutNanos,
                mk_cas(state, Scoreboard.ThreadState.busy.rawValue, Scoreboard.ThreadState.timedOut.rawValue) != 0
            {
                Log.error(
                    "request_timeout",
                    [
                        "request": .string(scoreboard.text(slot, index)),
                        "timeout_seconds": .double(config.requestTimeout),
                    ])
                FastCGIExchange.answerTimeout(requests[index])
                beginDrain()
                kill(masterPid, SIGUSR2)
            }
        }
    }
}
