"""Platform endpoints through nginx: health, version, time zone, frontend logs,
routing rules (trailing slash, 404, 405), request ids, pool status and ping."""

import os
import re
import time
import unittest

from harness import admin_token, assert_error_shape, env, get, post, request


class SystemEndpointTests(unittest.TestCase):
    def test_health_reports_healthy_database(self):
        r = get("/api/v1/system/health")
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertEqual(body["status"], "healthy")
        self.assertEqual(body["database"]["status"], "healthy")
        self.assertRegex(body["timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        self.assertEqual(set(body), {"status", "timestamp", "database", "logging_system"})
        self.assertIsInstance(body["database"]["response_time_ms"], (int, float))
        self.assertGreaterEqual(body["database"]["response_time_ms"], 0)
        self.assertEqual(body["logging_system"], {"current_level": body["logging_system"]["current_level"],
                                                  "level_valid": True, "categories_configured": 2})
        self.assertIn(body["logging_system"]["current_level"], {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"})

    def test_version(self):
        body = get("/api/v1/system/version").json
        self.assertIsInstance(body["app_name"], str)
        self.assertRegex(body["version"], r"^\d+\.\d+\.\d+")
        self.assertIn("timestamp", body)

    def test_timezone_info(self):
        r = get("/api/v1/utils/timezone-info")
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertEqual(body["timezone"], "UTC")
        self.assertRegex(body["utc_offset"], r"^[+-]\d\d:\d\d$")
        self.assertIsInstance(body["is_dst"], bool)
        self.assertIn("current_time", body)

    def test_admin_dashboard_health_check_needs_no_account(self):
        r = get("/api/v1/admin/dashboard/health-check")
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertEqual(body["status"], "healthy")
        self.assertEqual(body["service"], "medical_records_api")
        for key in ("timestamp", "version", "uptime", "startup_time"):
            self.assertIn(key, body)

    def test_log_level(self):
        r = get("/api/v1/system/log-level")
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertIn(body["current_level"], body["available_levels"])
        self.assertEqual(body["available_levels"], ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
        self.assertIsInstance(body["configuration"]["log_level_numeric"], int)

    def test_log_rotation_config_describes_the_log_file(self):
        r = get("/api/v1/system/log-rotation-config/")
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertEqual(body["rotation_method"], "logrotate")
        app = body["log_files"]["app"]
        self.assertTrue(app["exists"])
        self.assertGreater(app["size_bytes"], 0)
        self.assertTrue(app["path"].endswith("app.log"), app)


class FrontendLogTests(unittest.TestCase):
    def test_health(self):
        r = get("/api/v1/frontend-logs/health")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "healthy")
        self.assertEqual(r.json["service"], "frontend_logging")

    def test_log(self):
        r = post("/api/v1/frontend-logs/log", json_body={
            "level": "error", "message": "JavaScript error occurred", "category": "error",
            "timestamp": "2025-10-19T14:30:00Z", "url": "/dashboard", "component": "PatientList",
            "details": {"attempt": 3}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "logged")
        self.assertIn("timestamp", r.json)

    def test_log_lines_keep_no_secrets(self):
        marker = f"secret-check-{time.monotonic_ns()}"
        secret = f"Hunter2-{marker}"
        r = post("/api/v1/frontend-logs/log", json_body={
            "level": "warn", "message": marker, "category": "security",
            "details": {"form": {"password": secret}, "auth": f"Bearer {secret}"}})
        self.assertEqual(r.status, 200, r)
        log = os.path.join(env("MEDIKEEP_E2E_VAR"), "log", "app.log")
        with open(log, errors="replace") as f:
            lines = [line for line in f if marker in line]
        self.assertTrue(lines, "the frontend log line was written")
        self.assertFalse(any(secret in line for line in lines), lines)

    def test_error(self):
        r = post("/api/v1/frontend-logs/error", json_body={
            "error_message": "Cannot read property 'id' of undefined", "error_type": "TypeError",
            "component_name": "MedicationList", "url": "/medications",
            "browser_info": {"name": "Chrome", "version": "118.0"}})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "error_logged")

    def test_user_action_needs_an_account(self):
        action = {"action": "medication_created", "component": "MedicationForm",
                  "details": {"medication_name": "Aspirin"}, "url": "/medications/new"}
        assert_error_shape(self, post("/api/v1/frontend-logs/user-action", json_body=action), 401)
        r = post("/api/v1/frontend-logs/user-action", json_body=action, token=admin_token())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "action_logged")


class RoutingTests(unittest.TestCase):
    def test_with_and_without_trailing_slash_answer_directly(self):
        for path in ("/api/v1/system/health", "/api/v1/system/version",
                     "/api/v1/utils/timezone-info", "/api/v1/frontend-logs/health"):
            for variant in (path, path + "/"):
                with self.subTest(path=variant):
                    r = get(variant)
                    self.assertEqual(r.status, 200, r)  # no 301/307 redirect
                    self.assertIsNone(r.header("Location"))

    def test_unknown_api_path_is_json_404(self):
        assert_error_shape(self, get("/api/v1/no-such-resource"), 404)
        assert_error_shape(self, get("/api/v1/system/no-such-thing/"), 404)

    def test_path_outside_the_api_is_json_404(self):
        for path in ("/", "/index.html", "/no-such-page", "/api", "/pool", "/_medikeep_files/x"):
            with self.subTest(path=path):
                assert_error_shape(self, get(path), 404)

    def test_wrong_method_is_json_405_with_allow(self):
        r = request("DELETE", "/api/v1/system/health")
        assert_error_shape(self, r, 405)
        self.assertIn("GET", [m.strip() for m in (r.header("Allow") or "").split(",")], r.headers)

    def test_no_html_for_a_malformed_request(self):
        r = request("GET", "/api/v1/system/health", headers={"Host": "a b"})
        assert_error_shape(self, r, 400)


class RequestIdTests(unittest.TestCase):
    def test_given_id_is_echoed(self):
        r = get("/api/v1/system/version", headers={"X-Request-ID": "e2e-abc.123"})
        self.assertEqual(r.header("X-Request-ID"), "e2e-abc.123")

    def test_id_is_generated_when_absent(self):
        first = get("/api/v1/system/version").header("X-Request-ID")
        second = get("/api/v1/system/version").header("X-Request-ID")
        self.assertRegex(first or "", r"^[0-9a-f]{32}$")
        self.assertNotEqual(first, second)

    def test_unsafe_id_is_replaced(self):
        r = get("/api/v1/system/version", headers={"X-Request-ID": "x" * 200})
        self.assertRegex(r.header("X-Request-ID") or "", r"^[0-9a-f]{32}$")

    def test_nginx_error_pages_carry_the_id(self):
        r = get("/no-such-page", headers={"X-Request-ID": "e2e-nginx-404"})
        self.assertEqual(r.header("X-Request-ID"), "e2e-nginx-404")
        r = request("POST", "/api/v1/frontend-logs/log", body=b"x" * (1024 * 1024 + 1),
                    headers={"Content-Type": "application/json", "X-Request-ID": "e2e-nginx-413"})
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.header("X-Request-ID"), "e2e-nginx-413")

    def test_application_errors_carry_the_id(self):
        r = get("/api/v1/no-such-resource", headers={"X-Request-ID": "e2e-app-404"})
        self.assertEqual(r.header("X-Request-ID"), "e2e-app-404")


class PoolEndpointTests(unittest.TestCase):
    def test_ping(self):
        r = get("/pool/ping")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.text.strip(), "pong")

    def test_status(self):
        r = get("/pool/status")
        self.assertEqual(r.status, 200, r)
        body = r.json
        for key in ("accepted_requests", "active_threads", "idle_threads", "worker_restarts",
                    "uptime_seconds"):
            self.assertIsInstance(body[key], int, key)
        # The kernel reports a listen queue for TCP sockets only; null on a unix socket.
        self.assertIn("listen_queue", body)
        self.assertIsInstance(body["listen_queue"], (int, type(None)))
        self.assertEqual(len(body["workers"]), 2, body["workers"])  # scripts/test: workers = 2
        self.assertGreaterEqual(body["active_threads"], 1)  # this request

    def test_only_loopback_127_0_0_1_may_see_them(self):
        for path in ("/pool/status", "/pool/ping"):
            with self.subTest(path=path):
                r = get(path, source_address=("127.0.0.2", 0))
                body = assert_error_shape(self, r, 403)
                self.assertEqual(body["error"], "Forbidden")
                self.assertTrue(re.fullmatch(r"[0-9a-f]{32}", r.header("X-Request-ID") or ""))


if __name__ == "__main__":
    unittest.main()
