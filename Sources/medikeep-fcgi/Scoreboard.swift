import CPoolShim
import Core
import Foundation

/// The pool's shared memory: one region (a memfd created by the master, inherited by
/// every worker as fd 3) where each worker thread publishes its state. The master reads
/// it to supervise; any worker reads it to answer `/pool/status`; a worker's watchdog
/// reads its own threads' slots to log slow requests and enforce `request_timeout`.
///
/// Every field is an `Int64` touched only through the C atomics in `CPoolShim`.
final class Scoreboard: @unchecked Sendable {
    /// Worker slots by default: room for a full pool of 64 and a reload's 64 more.
    /// `MEDIKEEP_SCOREBOARD_SLOTS` (read by the master only) sets it otherwise — the
    /// tests use a tiny board to see a reload run out of slots.
    static let defaultWorkerSlots = 128
    static let threadSlots = 256
    static let headerBytes = 4096
    static let workerHeaderBytes = 64
    static let threadBytes = 256
    static let textOffset = 64
    static let textBytes = threadBytes - textOffset
    static let workerStride = workerHeaderBytes + threadSlots * threadBytes
    static func size(slots: Int) -> Int { headerBytes + slots * workerStride }

    /// Header fields.
    enum Header: Int {
        case masterPid = 0, startedAt, restarts, recycles, retiredAccepted, generation, listenQueue
        /// Workers the current generation lacks because no scoreboard slot was free.
        case missingWorkers
        /// The number of worker slots (written once by the master).
        case workerSlots
    }
    /// Per-worker fields.
    enum WorkerField: Int { case pid = 0, generation, startedAt, draining, threads }
    /// Per-thread fields.
    enum ThreadField: Int { case state = 0, startedNanos, requests, slowLogged }

    /// Thread states; a request moves idle → reading → busy → writing → idle, or busy →
    /// timedOut when the watchdog answers 504 in its place. While `reading` the thread is
    /// still inside libfcgi reading the body from the connection, so the watchdog must not
    /// touch the request (finishing it under the reader would free its buffers); a body
    /// that arrives too slowly is nginx's to time out (`fastcgi_send_timeout`).
    /// `accepting`: waiting in `accept` (idle for the status page, but a draining
    /// process waits for it, since `accept` may yet hand it a connection).
    enum ThreadState: Int64 { case idle = 0, busy = 1, writing = 2, timedOut = 3, reading = 4, accepting = 5 }

    let base: UnsafeMutableRawPointer
    let fd: Int32
    let workerSlots: Int

    private init(fd: Int32, base: UnsafeMutableRawPointer, workerSlots: Int) {
        self.fd = fd
        self.base = base
        self.workerSlots = workerSlots
    }

    /// Creates the region (master), at a high fd so it never collides with 0–3.
    static func create(
        workerSlots: Int = ProcessInfo.processInfo.environment["MEDIKEEP_SCOREBOARD_SLOTS"].flatMap(Int.init)
            ?? defaultWorkerSlots
    ) throws -> Scoreboard {
        let slots = min(max(workerSlots, 2), 1024)
        let raw = mk_memfd("medikeep-scoreboard")
        guard raw >= 0, ftruncate(raw, off_t(size(slots: slots))) == 0 else {
            throw PoolError("cannot create the scoreboard: errno \(errno)")
        }
        let fd = fcntl(raw, F_DUPFD_CLOEXEC, 10)
        close(raw)
        let board = try map(fd: fd, slots: slots)
        mk_store(board.header(.workerSlots), Int64(slots))
        return board
    }

    /// Maps the region a worker inherited (its size is in its header).
    static func map(fd: Int32) throws -> Scoreboard {
        guard let header = mmap(nil, headerBytes, PROT_READ, MAP_SHARED, fd, 0), header != MAP_FAILED else {
            throw PoolError("cannot map the scoreboard: errno \(errno)")
        }
        let slots = Int(header.load(fromByteOffset: Header.workerSlots.rawValue * 8, as: Int64.self))
        munmap(header, headerBytes)
        guard slots > 0 else { throw PoolError("the scoreboard has no slots") }
        return try map(fd: fd, slots: slots)
    }

    private static func map(fd: Int32, slots: Int) throws -> Scoreboard {
        let length = size(slots: slots)
        guard let base = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), base != MAP_FAILED else {
            throw PoolError("cannot map the scoreboard: errno \(errno)")
        }
        return Scoreboard(fd: fd, base: base, workerSlots: slots)
    }

    private func pointer(_ offset: Int) -> UnsafeMutablePointer<Int64> {
        (base + offset).assumingMemoryBound(to: Int64.self)
    }

    func header(_ field: Header) -> UnsafeMutablePointer<Int64> { pointer(field.rawValue * 8) }

    func worker(_ slot: Int, _ field: WorkerField) -> UnsafeMutablePointer<Int64> {
        pointer(Scoreboard.headerBytes + slot * Scoreboard.workerStride + field.rawValue * 8)
    }

    func thread(_ slot: Int, _ index: Int, _ field: ThreadField) -> UnsafeMutablePointer<Int64> {
        pointer(threadOffset(slot, index) + field.rawValue * 8)
    }

    private func threadOffset(_ slot: Int, _ index: Int) -> Int {
        Scoreboard.headerBytes + slot * Scoreboard.workerStride + Scoreboard.workerHeaderBytes + index
            * Scoreboard.threadBytes
    }

    /// Records what a thread is serving, for the slow log (written before the state flips to busy).
    func setText(_ slot: Int, _ index: Int, _ text: String) {
        let destination = base + threadOffset(slot, index) + Scoreboard.textOffset
        var bytes = Array(text.utf8.prefix(Scoreboard.textBytes - 1))
        bytes.append(0)
        bytes.withUnsafeBytes { destination.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }

    func text(_ slot: Int, _ index: Int) -> String {
        let source = (base + threadOffset(slot, index) + Scoreboard.textOffset).assumingMemoryBound(to: UInt8.self)
        let buffer = UnsafeBufferPointer(start: source, count: Scoreboard.textBytes)
        let end = buffer.firstIndex(of: 0) ?? buffer.endIndex
        return String(decoding: buffer[..<end], as: UTF8.self)
    }

    /// Clears a worker's slot before a new worker takes it.
    func reset(slot: Int) {
        let start = base + Scoreboard.headerBytes + slot * Scoreboard.workerStride
        start.initializeMemory(as: UInt8.self, repeating: 0, count: Scoreboard.workerStride)
    }

    func requests(ofSlot slot: Int, threads: Int) -> Int64 {
        (0..<threads).reduce(0) { $0 + mk_load(thread(slot, $1, .requests)) }
    }

    /// The JSON of `/pool/status`, read from any process.
    func statusJSON() -> JSON {
        var accepted = mk_load(header(.retiredAccepted))
        var active: Int64 = 0
        var idle: Int64 = 0
        var workers: [JSON] = []
        let generation = mk_load(header(.generation))
        for slot in 0..<workerSlots {
            let pid = mk_load(worker(slot, .pid))
            guard pid > 0 else { continue }
            // Each worker's own thread count: after a reload, generations may differ.
            let threads = Int(mk_load(worker(slot, .threads)))
            var workerActive: Int64 = 0
            var workerRequests: Int64 = 0
            for index in 0..<threads {
                let state = mk_load(thread(slot, index, .state))
                if state != ThreadState.idle.rawValue && state != ThreadState.accepting.rawValue { workerActive += 1 }
                workerRequests += mk_load(thread(slot, index, .requests))
            }
            accepted += workerRequests
            active += workerActive
            let draining = mk_load(worker(slot, .draining)) != 0
            if !draining { idle += Int64(threads) - workerActive }
            workers.append([
                "pid": .int(pid), "generation": .int(mk_load(worker(slot, .generation))),
                "accepted_requests": .int(workerRequests), "active_threads": .int(workerActive),
                "draining": .bool(draining),
                "started_at": .string(
                    Timestamp.iso8601(Date(timeIntervalSince1970: Double(mk_load(worker(slot, .startedAt)))))),
            ])
        }
        let started = mk_load(header(.startedAt))
        let queue = mk_load(header(.listenQueue))
        return [
            "pool": "medikeep-fcgi",
            "process_manager": "static",
            "start_time": .string(Timestamp.iso8601(Date(timeIntervalSince1970: Double(started)))),
            "uptime_seconds": .int(Int64(Date().timeIntervalSince1970) - started),
            "generation": .int(generation),
            "accepted_requests": .int(accepted),
            "active_threads": .int(active),
            "idle_threads": .int(idle),
            "listen_queue": queue >= 0 ? .int(queue) : .null,
            "worker_restarts": .int(mk_load(header(.restarts))),
            "worker_recycles": .int(mk_load(header(.recycles))),
            "missing_workers": .int(mk_load(header(.missingWorkers))),
            "workers": .array(workers),
        ]
    }
}

/// A pool failure that stops start-up, with a message for the operator.
struct PoolError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
