import Foundation

/// Endpoints that need no account: health, version, time zone, log settings, and the
/// pool's status and ping (nginx exposes those two to 127.0.0.1 only).
enum SystemRoutes {
    static let appName = "MediKeep-FCGI"
    static let version = "0.1.0"

    static func register(in routes: RouteTable, config: Config) {
        routes.get("/api/v1/system/health", health)
        // Upstream's liveness probe: the process answers, nothing more (no database
        // round trip, so an orchestrator does not restart the pool for a MariaDB outage).
        routes.get("/health") { _ in
            .json(["status": "ok", "app_name": .string(appName), "version": .string(version)])
        }
        routes.get("/api/v1/system/version", version)
        routes.get("/api/v1/system/log-level", logLevel)
        routes.get("/api/v1/system/log-rotation-config", logRotation)
        routes.get("/api/v1/utils/timezone-info", timezoneInfo)
        routes.get("/api/v1/admin/dashboard/health-check", dashboardHealthCheck)
        routes.get("/pool/ping") { _ in
            Response(status: 200, headers: [(name: "Content-Type", value: "text/plain")], body: Array("pong\n".utf8))
        }
        routes.get("/pool/status") { context in .json(context.services.shared.poolStatus()) }
        if config.enableTestEndpoints {
            routes.get("/api/v1/_test/sleep", testSleep)
        }
    }

    static func now() -> String { Timestamp.iso8601(Date()) }

    /// Checks the database with a prepared `SELECT 1`; 503 in the error shape when it fails.
    /// Monitors and load balancers poll it, so its answer is written as bytes around the
    /// three values that change (no JSON tree, no row).
    static func health(_ context: Context) throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try context.db.forEachRow("SELECT 1", restart: {}) { _ in }
        let micros = (DispatchTime.now().uptimeNanoseconds - start) / 1000
        var out: [UInt8] = []
        out.reserveCapacity(200)
        out += #"{"status":"healthy","timestamp":"#.utf8
        JSON.writeString(now(), into: &out)
        out += #","database":{"status":"healthy","response_time_ms":"#.utf8
        JSON.double(Double(micros) / 1000).write(into: &out)
        out += #"},"logging_system":{"current_level":"#.utf8
        JSON.writeString(Log.level.name, into: &out)
        out += #","level_valid":true,"categories_configured":2}}"#.utf8
        return .json(encoded: out)
    }

    static func version(_ context: Context) throws -> Response {
        .json(["app_name": .string(appName), "version": .string(version), "timestamp": .string(now())])
    }

    static func timezoneInfo(_ context: Context) throws -> Response {
        let zone = context.services.shared.timeZone
        let date = Date()
        return .json([
            "timezone": .string(context.config.timezone),
            "utc_offset": .string(Timestamp.offsetString(zone.secondsFromGMT(for: date))),
            "current_time": .string(Timestamp.iso8601(date, in: zone)),
            "is_dst": .bool(zone.isDaylightSavingTime(for: date)),
        ])
    }

    static func dashboardHealthCheck(_ context: Context) throws -> Response {
        let started = context.services.shared.startedAt
        let uptime = Int64(Date().timeIntervalSince(started))
        return .json([
            "status": "healthy",
            "timestamp": .string(now()),
            "service": "medical_records_api",
            "version": .string(version),
            "uptime": .string("\(uptime)s"),
            "startup_time": .string(Timestamp.iso8601(started)),
        ])
    }

    static func logLevel(_ context: Context) throws -> Response {
        let level = Log.level
        let config = context.config
        return .json([
            "current_level": .string(level.name),
            "available_levels": .array(LogLevel.allCases.map { .string($0.name) }),
            "default_level": "INFO",
            "categories": ["app", "security"],
            "file_mapping": [
                "app": .string("\(logPath(config)) - requests, frontend events, errors"),
                "security": .string("\(logPath(config)) - authentication failures (category \"security\")"),
            ],
            "configuration": [
                "log_level_numeric": .int(Int64(level.rawValue)),
                "simplified_structure": true,
                "file_count": 1,
                "max_file_size_mb": 50,
                "backup_count": 10,
            ],
            "timestamp": .string(now()),
            // nginx enforces the limit (nginx/medikeep-ratelimits.conf) and keeps the count,
            // so the application states the limit but cannot know what remains of it.
            "rate_limit_info": [
                "requests_remaining": .null, "requests_limit": 60, "window_seconds": 60, "reset_time": .null,
                "enforced_by": "nginx",
            ],
        ])
    }

    static func logPath(_ config: Config) -> String { config.logFile.isEmpty ? "stderr" : config.logFile }

    /// Rotation is logrotate's job (copy-free: it renames, then SIGUSR1 reopens the file).
    static func logRotation(_ context: Context) throws -> Response {
        let config = context.config
        var files = JSONObject()
        if !config.logFile.isEmpty {
            let attributes = try? FileManager.default.attributesOfItem(atPath: config.logFile)
            let size = (attributes?[.size] as? NSNumber)?.int64Value ?? 0
            files["app"] = [
                "path": .string(config.logFile),
                "size_bytes": .int(size),
                "size_mb": .double((Double(size) / 1_048_576 * 100).rounded() / 100),
                "exists": .bool(attributes != nil),
            ]
        }
        let directory = config.logFile.isEmpty ? "" : (config.logFile as NSString).deletingLastPathComponent
        return .json([
            "rotation_method": "logrotate",
            "logrotate_available": .bool(FileManager.default.isExecutableFile(atPath: "/usr/sbin/logrotate")),
            "configuration": [
                "method": "logrotate", "size": "50M", "time": "daily", "backup_count": 10,
                "compression": true, "retention_days": 180,
            ],
            "log_directory": .string(directory),
            "log_files": .object(files),
            "features": [
                "size_based_rotation": true, "time_based_rotation": true, "compression": true,
                "hybrid_rotation": false,
            ],
            "notes": [
                "logrotate_rotation": "logrotate renames the file, then SIGUSR1 makes the pool reopen it"
            ],
            "timestamp": .string(now()),
        ])
    }

    /// Test-only (config `enable_test_endpoints`): holds a thread for `ms` milliseconds.
    static func testSleep(_ context: Context) throws -> Response {
        let ms = Int(context.query["ms"] ?? "") ?? 0
        guard (0...120_000).contains(ms) else { throw APIError.validation([FieldProblem("ms", "must be 0...120000")]) }
        usleep(UInt32(ms) * 1000)
        return .json(["slept_ms": .int(Int64(ms))])
    }
}
