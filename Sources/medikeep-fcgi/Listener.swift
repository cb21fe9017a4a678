import CPoolShim
import Core
import Foundation

/// The FastCGI listening socket: bound by the master, or inherited on fd 0 from
/// spawn-fcgi or systemd socket activation. Workers receive it as their fd 0.
struct Listener {
    let fd: Int32
    let isTCP: Bool
    let description: String

    /// True when fd 0 is a listening socket (we were started by spawn-fcgi or systemd).
    static func inheritedSocketAvailable() -> Bool {
        var accepting: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0 && accepting != 0
    }

    static func open(_ config: Config, inheritIfPossible: Bool) throws -> Listener {
        if config.listen == "fd:0" || (inheritIfPossible && inheritedSocketAvailable()) {
            guard inheritedSocketAvailable() else {
                throw PoolError("listen = fd:0 but fd 0 is not a listening socket")
            }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(0, $0, &length) }
            }
            try prepareForAccept(0)
            return Listener(fd: 0, isTCP: Int32(address.ss_family) != AF_UNIX, description: "inherited fd 0")
        }
        if config.listen.hasPrefix("unix:") {
            return try bindUnix(
                path: String(config.listen.dropFirst(5)), backlog: config.listenBacklog, mode: config.listenMode)
        }
        guard let (host, port) = ListenAddress.parseTCP(config.listen) else { throw PoolError("bad listen address") }
        return try bindTCP(host: host, port: port, backlog: config.listenBacklog)
    }

    static func bindUnix(path: String, backlog: Int, mode: Int) throws -> Listener {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PoolError("socket(): errno \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw PoolError("listen path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in bytes.enumerated() { buffer[index] = byte }
        }
        // A stale socket from a previous run would make bind fail; nobody is listening on
        // it if connecting fails, so it is safe to remove.
        if FileManager.default.fileExists(atPath: path) {
            let probe = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let inUse = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(probe, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
                }
            }
            close(probe)
            if inUse { throw PoolError("another process is already listening on \(path)") }
            unlink(path)
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw PoolError("cannot bind \(path): \(String(cString: strerror(errno)))") }
        guard chmod(path, mode_t(mode)) == 0 else { throw PoolError("cannot chmod \(path): errno \(errno)") }
        guard Glibc.listen(fd, Int32(backlog)) == 0 else { throw PoolError("listen(): errno \(errno)") }
        try prepareForAccept(fd)
        return Listener(fd: fd, isTCP: false, description: "unix:\(path)")
    }

    static func bindTCP(host: String, port: UInt16, backlog: Int) throws -> Listener {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw PoolError("socket(): errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw PoolError("cannot bind \(host):\(port): \(String(cString: strerror(errno)))") }
        guard Glibc.listen(fd, Int32(backlog)) == 0 else { throw PoolError("listen(): errno \(errno)") }
        try prepareForAccept(fd)
        return Listener(fd: fd, isTCP: true, description: "\(host):\(port)")
    }

    /// How long a worker thread blocked in `accept` waits before it looks again whether
    /// its process is draining.
    static let acceptWakeUp = timeval(tv_sec: 0, tv_usec: 250_000)

    /// Worker threads block in `accept` itself: the kernel hands each connection to
    /// exactly one waiting thread, so a connection costs no lock hand-off and no poll
    /// between threads. A blocking socket with a receive timeout (which on Linux bounds
    /// `accept` too) lets a thread see a graceful stop within `acceptWakeUp`.
    static func prepareForAccept(_ fd: Int32) throws {
        let flags = fcntl(fd, F_GETFL)
        guard fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else { throw PoolError("fcntl(F_SETFL): errno \(errno)") }
        var timeout = acceptWakeUp
        guard setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size)) == 0 else {
            throw PoolError("setsockopt(SO_RCVTIMEO): errno \(errno)")
        }
    }

    /// Connections waiting in the accept queue (TCP_INFO for TCP, sock_diag for unix).
    func queueLength() -> Int64 {
        guard isTCP else { return mk_unix_listen_queue(fd) }
        var info = tcp_info()
        var length = socklen_t(MemoryLayout<tcp_info>.size)
        guard getsockopt(fd, Int32(IPPROTO_TCP), TCP_INFO, &info, &length) == 0 else { return -1 }
        return Int64(info.tcpi_unacked)
    }
}
