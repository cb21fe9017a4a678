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

    /// Waits for one request under the accept lock; false when woken without one (so the
    /// caller re-checks `stopping`).
    /// The thread is marked `reading` (which counts as busy) before the lock is released,
    /// so a draining main thread that holds the lock and sees no busy thread knows no
    /// request is in hand.
    func accept(_ request: UnsafeMutablePointer<FCGX_Request>, threadIndex index: Int) -> Bool {
        acceptLock.withLock {
            var pending = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            while !stopping.load(ordering: .acquiring) {
                // Under load a connection is usually waiting: try to accept first and poll
                // only when there is none (the socket is non-blocking, so that is EAGAIN,
                // also when another worker took the connection first).
                if FCGX_Accept_r(request) >= 0 {
                    mk_store(scoreboard.thread(slot, index, .startedNanos), Int64(DispatchTime.now().uptimeNanoseconds))
                    mk_store(scoreboard.thread(slot, index, .slowLogged), 0)
                    mk_store(scoreboard.thread(slot, index, .state), Scoreboard.ThreadState.reading.rawValue)
                    return true
                }
                _ = poll(&pending, 1, 200)
            }
            return false
        }
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
