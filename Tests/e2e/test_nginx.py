"""nginx's own behaviour: rate limits at their real values (on a second nginx with
MEDIKEEP_RATE_LIMIT_FACTOR=1), body size limits, and JSON error pages."""

import http.client
import os
import time
import unittest
import urllib.parse
import uuid

from harness import (ExtraNginx, Response, assert_error_shape, base_url, env, extra_dir,
                     get, post, request)


class RateLimitTests(unittest.TestCase):
    """Real limits, on an nginx of its own in front of the main pool."""

    @classmethod
    def setUpClass(cls):
        cls.nginx = ExtraNginx("ratelimit", f"unix:{env('MEDIKEEP_E2E_FCGI_SOCKET')}", factor=1)

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def exhaust(self, path, limit, headers_for=None, **kw):
        """Sends requests until one is refused and returns it. The first `limit` must
        pass; a few more may, as the bucket refills at limit/60 per second meanwhile.
        `path` may be a list (used in turn); `headers_for(i)` gives the i-th request's
        headers when they vary."""
        paths = [path] if isinstance(path, str) else list(path)
        start = time.monotonic()
        for passed in range(2 * limit):
            if headers_for is not None:
                kw["headers"] = headers_for(passed)
            r = get(paths[passed % len(paths)], base=self.nginx.base, **kw)
            if r.status == 429:
                break
        else:
            self.fail(f"{2 * limit} requests to {path} were never refused")
        refilled = int((time.monotonic() - start) * limit / 60) + 1
        self.assertGreaterEqual(passed, limit, f"refused after {passed} of {limit}: {r!r}")
        self.assertLessEqual(passed, limit + refilled, f"{passed} passed, limit {limit}")
        return r

    def assert_rate_limited(self, r, limit, window="minute"):
        body = assert_error_shape(self, r, 429)
        self.assertEqual(body["error"], "Too many requests")
        self.assertEqual(body["detail"], f"Rate limit exceeded. Maximum {limit} requests per {window}.")
        self.assertEqual(r.header("X-RateLimit-Limit"), str(limit))
        self.assertEqual(r.header("X-RateLimit-Remaining"), "0")
        retry_after = int(r.header("Retry-After"))
        self.assertTrue(1 <= retry_after <= 10, retry_after)
        reset = int(r.header("X-RateLimit-Reset"))
        now = time.time()
        self.assertTrue(now - 2 <= reset <= now + 12, (reset, now))
        self.assertTrue(r.header("X-Request-ID"))

    def test_authentication_limit_is_10_per_minute_per_ip(self):
        refused = self.exhaust("/api/v1/auth/sso/config", 10)
        self.assert_rate_limited(refused, 10)
        # Another client address has its own budget.
        other = get("/api/v1/auth/sso/config", base=self.nginx.base, source_address=("127.0.0.3", 0))
        self.assertNotEqual(other.status, 429, other)
        # Other classes are not affected by the authentication budget.
        self.assertEqual(get("/api/v1/system/version", base=self.nginx.base).status, 200)

    def test_login_shares_the_authentication_budget(self):
        source = ("127.0.0.4", 0)
        # 10 per minute refill one every 6 s: the 11th is refused unless the 10 took longer.
        for i in range(10):
            r = post("/api/v1/auth/login", base=self.nginx.base, source_address=source,
                     form={"username": f"nobody{i}", "password": "wrong-password"})
            self.assertNotEqual(r.status, 429, r)
        r = post("/api/v1/auth/login", base=self.nginx.base, source_address=source,
                 form={"username": "nobody", "password": "wrong-password"})
        self.assert_rate_limited(r, 10)

    def test_system_monitoring_limit_is_60_per_minute_per_ip(self):
        source = ("127.0.0.5", 0)
        refused = self.exhaust("/api/v1/system/log-level", 60, source_address=source)
        self.assert_rate_limited(refused, 60)

    def test_standard_limit_is_per_token(self):
        source = ("127.0.0.6", 0)
        headers = {"Authorization": "Bearer e2e-token-a"}
        refused = self.exhaust("/api/v1/users/me", 100, headers=headers, source_address=source)
        self.assert_rate_limited(refused, 100)
        # Same address, another session: its own budget.
        r = get("/api/v1/users/me", base=self.nginx.base, source_address=source,
                headers={"Authorization": "Bearer e2e-token-b"})
        self.assertEqual(r.status, 401, r)

    def test_made_up_credentials_share_the_address_budget(self):
        # Anything but a well-formed "Bearer <token>" (or the application's own cookie)
        # names no session: counted per client address, however much it varies.
        source = ("127.0.0.7", 0)

        def made_up(i):
            n = uuid.uuid4().hex
            return [
                {"Authorization": n},
                {"Authorization": f"Basic {n}"},
                {"Authorization": f"Token {n}"},
                {"Authorization": f"Bearerx {n}"},
                {"Authorization": f"Bearer {n} {i}"},
                {"Authorization": f"Bearer {n}:{i}"},
                {"Authorization": f"Bearer {n}" + "a" * 1100},
                {"Cookie": f"access_token={n}!"},
                {"Cookie": f"ACCESS_TOKEN={n}"},
                {"Cookie": f"session={n}"},
                # The application reads the cookie only without an Authorization header.
                {"Authorization": f"Basic {n}", "Cookie": f"access_token={n}"},
            ][i % 11]

        refused = self.exhaust("/api/v1/users/me", 100, headers_for=made_up, source_address=source)
        self.assert_rate_limited(refused, 100)
        # Another address has its own budget.
        r = get("/api/v1/users/me", base=self.nginx.base, source_address=("127.0.0.8", 0),
                headers=made_up(0))
        self.assertEqual(r.status, 401, r)

    def test_spellings_of_one_token_share_its_budget(self):
        source = ("127.0.0.9", 0)
        token = f"e2e.{uuid.uuid4().hex}.x-_~+/="
        spellings = [
            {"Authorization": f"Bearer {token}"},
            {"Authorization": f"bearer {token}"},
            {"Authorization": f"BEARER {token}"},
            {"Authorization": f"Bearer    {token}"},
            {"Authorization": f"bEaReR \t {token} \t "},
            {"Cookie": f"access_token={token}"},
            {"Cookie": f"theme=dark; access_token={token}; lang=en"},
        ]
        refused = self.exhaust("/api/v1/users/me", 100, source_address=source,
                               headers_for=lambda i: spellings[i % len(spellings)])
        self.assert_rate_limited(refused, 100)
        # The budget is the token's, not the address's: the address alone still passes,
        r = get("/api/v1/users/me", base=self.nginx.base, source_address=source)
        self.assertEqual(r.status, 401, r)
        # and the token is refused from another address too.
        r = get("/api/v1/users/me", base=self.nginx.base, source_address=("127.0.0.10", 0),
                headers={"Authorization": f"Bearer {token}"})
        self.assert_rate_limited(r, 100)

    def test_endpoints_without_an_account_are_per_address(self):
        # The application checks no token there, so a token proves nothing: a fresh,
        # well-formed one on each request is no fresh budget.
        source = ("127.0.0.11", 0)
        paths = ["/api/v1/frontend-logs/health", "/api/v1/frontend-logs/log",
                 "/api/v1/system/health", "/api/v1/system/version/",
                 "/api/v1/utils/timezone-info", "/api/v1/auth/registration-status",
                 "/api/v1/admin/dashboard/health-check", "/health"]
        refused = self.exhaust(paths, 100, source_address=source,
                               headers_for=lambda i: {"Authorization": f"Bearer e2e-{uuid.uuid4().hex}"})
        self.assert_rate_limited(refused, 100)
        # Another address has its own budget.
        r = get("/api/v1/system/version", base=self.nginx.base, source_address=("127.0.0.12", 0))
        self.assertEqual(r.status, 200, r)


class BodySizeTests(unittest.TestCase):
    two_mb = b"{" + b" " * (2 * 1024 * 1024) + b"}"

    # The paths the configuration once admitted 1 GB bodies on. None has a handler yet,
    # so nginx must hold them to the 1 MB limit like every other path.
    upload_paths = (
        "/api/v1/entity-files/lab-result/1/files",
        "/api/v1/lab-result-files/upload/1",
        "/api/v1/lab-results/1/files",
        "/api/v1/lab-results/1/ocr-parse",
        "/api/v1/patients/1/photo",
        "/api/v1/admin/restore/upload",
        "/api/v1/paperless/upload",
        "/api/v1/vitals/patient/1/import/preview",
    )

    def test_oversized_json_body_is_json_413(self):
        r = request("POST", "/api/v1/frontend-logs/log", body=self.two_mb,
                    headers={"Content-Type": "application/json"})
        body = assert_error_shape(self, r, 413)
        self.assertEqual(body["error"], "Request body too large")

    def test_upload_paths_refuse_a_large_body_before_reading_it(self):
        # Only the headers are sent: nginx must answer from Content-Length alone. Had
        # it admitted the body it would wait for it (and then spool it to disk).
        for path in self.upload_paths:
            with self.subTest(path=path):
                r = announce_body("POST", path, 2 * 1024 * 1024)
                body = assert_error_shape(self, r, 413)
                self.assertEqual(body["error"], "Request body too large")

    def test_upload_paths_refuse_a_large_body_that_is_sent(self):
        r = request("POST", "/api/v1/entity-files/lab-result/1/files", body=self.two_mb,
                    headers={"Content-Type": "application/octet-stream"})
        assert_error_shape(self, r, 413)
        # Without a Content-Length nginx counts the chunks as they come.
        chunks = (b"x" * 65536 for _ in range(32))
        r = request("PUT", "/api/v1/patients/1/photo", body=chunks, chunked=True,
                    headers={"Content-Type": "image/jpeg"})
        assert_error_shape(self, r, 413)


def announce_body(method, path, length, base=None, timeout=5):
    """Sends only the headers of a request whose body would be `length` bytes and
    returns nginx's answer; fails if nginx waits for the body instead."""
    url = urllib.parse.urlsplit(base or base_url())
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout)
    try:
        conn.putrequest(method, path)
        conn.putheader("Content-Type", "application/octet-stream")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        try:
            resp = conn.getresponse()
            return Response(resp.status, resp.headers, resp.read(), 0)
        except TimeoutError:
            raise AssertionError(f"{method} {path}: no answer within {timeout}s; "
                                 "nginx is waiting for the body, i.e. it admits it") from None
    finally:
        conn.close()


class ErrorPageTests(unittest.TestCase):
    def test_bad_gateway_when_the_pool_is_not_running(self):
        dead_socket = os.path.join(extra_dir("dead"), "nothing-listens-here.sock")
        nginx = ExtraNginx("dead", f"unix:{dead_socket}")
        self.addCleanup(nginx.stop)
        r = get("/api/v1/system/health", base=nginx.base, headers={"X-Request-ID": "e2e-502"})
        body = assert_error_shape(self, r, 502)
        self.assertEqual(body["error"], "Bad gateway: the application is not running")
        self.assertEqual(r.header("X-Request-ID"), "e2e-502")

    def test_server_header_hides_the_version(self):
        self.assertEqual(get("/api/v1/system/version").header("Server"), "nginx")
