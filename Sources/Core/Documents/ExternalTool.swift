import CSystemShim
import Foundation

/// Runs a command-line tool (pdftotext, pdftoppm, tesseract) for one request, with a
/// deadline. The tool gets its own process group, no inherited descriptors beyond
/// standard input (/dev/null), output (a file) and error (/dev/null), the default
/// signal mask, and a small environment. Past the deadline its whole group is killed,
/// so a hostile or huge document costs its own request a bounded time and nothing else.
public enum ExternalTool {
    public enum Failure: Error, Equatable {
        /// The tool was still running at the deadline and was killed.
        case timedOut
        /// It could not be started (not installed?): errno of posix_spawn.
        case notStarted(String, Int32)
        /// It exited with a non-zero status (or was killed by a signal).
        case failed(String, Int32)
    }

    /// The environment the tools run with: one OpenMP thread for tesseract (the request
    /// has one core's worth of budget), a UTF-8 locale, a fixed PATH.
    static let environment = [
        "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "OMP_THREAD_LIMIT=1",
    ]

    /// Runs `arguments` (the first is looked up in PATH) with standard output written to
    /// `outputFile` (and standard error to `errorFile`, if given); returns when the tool
    /// exits, or kills it at `deadline` (uptime nanoseconds, `DispatchTime`) and throws
    /// `.timedOut`. `inputFile` is its standard input (a mail for sendmail); /dev/null
    /// unless given.
    public static func run(
        _ arguments: [String], outputFile: String, errorFile: String? = nil, deadline: UInt64,
        inputFile: String = "/dev/null"
    )
        throws
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputFile, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(
            &actions, 2, errorFile ?? "/dev/null", errorFile == nil ? O_WRONLY : O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // The worker's listening socket, scoreboard and database connections stay ours.
        mk_spawn_closefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(
            &attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp = environment.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw Failure.notStarted(arguments[0], spawned) }

        var status: Int32 = 0
        var pause = timespec(tv_sec: 0, tv_nsec: 2_000_000)
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0 && errno != EINTR { throw Failure.failed(arguments[0], -1) }
            if DispatchTime.now().uptimeNanoseconds >= deadline {
                kill(-pid, SIGKILL)
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                throw Failure.timedOut
            }
            nanosleep(&pause, nil)
            // Short tools answer in milliseconds; longer ones are polled less often.
            if pause.tv_nsec < 20_000_000 { pause.tv_nsec *= 2 }
        }
        // WIFEXITED / WEXITSTATUS, spelt out (the macros are not imported).
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        guard exited && code == 0 else { throw Failure.failed(arguments[0], exited ? code : -(status & 0x7F)) }
    }
}
