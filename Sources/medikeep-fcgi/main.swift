import Core
import Foundation

/// `medikeep-fcgi serve | migrate | check-config | reset-password USER [--config PATH]`;
/// `worker` is started by the master only.
let arguments = Array(CommandLine.arguments.dropFirst())

func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func fail(_ message: String) -> Never {
    let line = "medikeep-fcgi: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(1)
}

let usage = """
    usage: medikeep-fcgi serve [--config PATH]     run the FastCGI pool (master + workers)
           medikeep-fcgi migrate [--config PATH]   apply database migrations and exit
           medikeep-fcgi check-config [--config PATH]
           medikeep-fcgi routes [--config PATH]    print every route (METHOD /pattern)
           medikeep-fcgi reset-password USER [--config PATH]
                                                  print a new generated password for USER
    The configuration file may also be given as MEDIKEEP_CONFIG; every key can be
    overridden by MEDIKEEP_<KEY> (see docs/configuration.md).
    """

let configPath = option("--config") ?? ProcessInfo.processInfo.environment["MEDIKEEP_CONFIG"]
let config: Config
do {
    config = try Config.load(path: configPath)
} catch {
    fail(error.description)
}

switch arguments.first {
case "serve":
    Log.configure(path: config.logFile, level: config.logLevel)
    do {
        try Bootstrap.prepare(config)
        let listener = try Listener.open(config, inheritIfPossible: true)
        exit(try Master(config: config, configPath: configPath, listener: listener).run())
    } catch {
        Log.critical("startup_failed", ["error": .string(String(describing: error))])
        fail(String(describing: error))
    }
case "worker":
    Log.configure(path: config.logFile, level: config.logLevel)
    guard let slot = option("--slot").flatMap(Int.init) else { fail("worker needs --slot") }
    do {
        let scoreboard = try Scoreboard.map(fd: 3)
        Store.initializeLibrary()
        let shared = SharedState(
            config: config, tokenSigner: try Bootstrap.tokenSigner(config),
            credentials: try Bootstrap.credentialBox(config),
            poolStatus: { scoreboard.statusJSON() })
        Worker(config: config, slot: slot, scoreboard: scoreboard, app: App(shared: shared)).run()
    } catch {
        Log.critical("worker_startup_failed", ["error": .string(String(describing: error))])
        fail(String(describing: error))
    }
case "migrate":
    Log.configure(path: "", level: config.logLevel)
    do {
        try Bootstrap.prepare(config, forceMigrations: true)
    } catch {
        fail(String(describing: error))
    }
case "reset-password":
    Log.configure(path: config.logFile, level: config.logLevel)
    guard arguments.count >= 2, !arguments[1].hasPrefix("--") else { fail(usage) }
    do {
        let connection = try Connection(config.database)
        let password = try FirstAdmin.resetPassword(username: arguments[1], db: connection)
        print("New password for \(arguments[1]) (shown once; change it after logging in): \(password)")
    } catch {
        fail(String(describing: error))
    }
case "routes":
    // One line per route, for tests that must reach every endpoint (the sharing matrix).
    for line in App.routeList(config: config) { print(line) }
case "check-config":
    print("configuration OK")
default:
    fail(usage)
}
