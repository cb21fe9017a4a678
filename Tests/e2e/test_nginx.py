"""nginx's own behaviour: rate limits at their real values and their keys (on a
second nginx with MEDIKEEP_RATE_LIMIT_FACTOR=1), body size limits, JSON error pages,
and the security headers (HSTS on a second nginx with a TLS listener)."""

import http.client
import os
import re
import ssl
import subprocess
import time
import unittest
import urllib.parse
import uuid

from harness import (SECURITY_HEADERS, ExtraNginx, Response, assert_error_shape,
                     assert_security_headers, base_url, env, extra_dir, free_port, get, post,
                     request, wait_until)


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
        assert_security_headers(self, r)

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

    # The paths the configuration once admitted 1 GB bodies on. Those without a handler
    # are held to the 1 MB limit like every other path (OCR parse, entity files and the
    # patient photo have their handlers and locations of their own: test_ocr and
    # test_files check them and their neighbours).
    upload_paths = (
        "/api/v1/lab-result-files/upload/1",
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
        r = request("POST", "/api/v1/lab-result-files/upload/1", body=self.two_mb,
                    headers={"Content-Type": "application/octet-stream"})
        assert_error_shape(self, r, 413)
        # Without a Content-Length nginx counts the chunks as they come.
        chunks = (b"x" * 65536 for _ in range(32))
        r = request("PUT", "/api/v1/paperless/upload", body=chunks, chunked=True,
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
        assert_security_headers(self, r)

    def test_server_header_hides_the_version(self):
        self.assertEqual(get("/api/v1/system/version").header("Server"), "nginx")


class SecurityHeaderTests(unittest.TestCase):
    """nosniff, no-referrer and DENY on every answer: the pool's, whatever its status,
    and the errors nginx answers itself (429 and 502 are checked above)."""

    def test_on_the_pools_answers(self):
        r = get("/api/v1/system/version")
        self.assertEqual(r.status, 200, r)
        assert_security_headers(self, r)
        r = get("/api/v1/no-such-resource")
        body = assert_error_shape(self, r, 404)
        self.assertIn("No endpoint", body["error"] + str(body["detail"]))  # the pool's 404
        assert_security_headers(self, r)
        r = get("/api/v1/users/me")
        assert_error_shape(self, r, 401)
        assert_security_headers(self, r)

    def test_on_nginxs_own_errors(self):
        cases = [
            ("404", lambda: get("/no-such-page"), 404),
            ("413", lambda: request("POST", "/api/v1/frontend-logs/log", body=BodySizeTests.two_mb,
                                    headers={"Content-Type": "application/json"}), 413),
            ("413 before the body", lambda: announce_body("POST", "/api/v1/paperless/upload",
                                                          2 * 1024 * 1024), 413),
            ("403", lambda: get("/pool/status", source_address=("127.0.0.2", 0)), 403),
            ("400", lambda: get("/api/v1/system/health", headers={"Host": "a b"}), 400),
        ]
        for name, send, status in cases:
            with self.subTest(name):
                r = send()
                assert_error_shape(self, r, status)
                assert_security_headers(self, r)


class StrictTransportSecurityTests(unittest.TestCase):
    """HSTS on every answer over TLS, never over plain HTTP: an nginx of its own from
    the same files, with a TLS listener (throwaway self-signed certificate) added
    next to the plain one, as the TLS example of medikeep-site.conf does."""

    hsts = "max-age=63072000"

    @classmethod
    def setUpClass(cls):
        cls.nginx = ExtraNginx("tls", f"unix:{env('MEDIKEEP_E2E_FCGI_SOCKET')}", factor=1000)
        try:
            cls.tls_port = cls.add_tls_listener(cls.nginx)
        except BaseException:
            cls.nginx.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    @staticmethod
    def add_tls_listener(nginx):
        conf_dir = os.path.join(nginx.prefix, "conf")
        cert, key = os.path.join(conf_dir, "e2e-cert.pem"), os.path.join(conf_dir, "e2e-key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                       check=True, capture_output=True)
        port = free_port()
        conf_file = os.path.join(conf_dir, "nginx.conf")
        with open(conf_file) as f:
            conf = f.read()
        conf, found = re.subn(rf"(\n\s*listen\s+127\.0\.0\.1:{nginx.port};)",
                              rf"\1\n        listen 127.0.0.1:{port} ssl;"
                              rf"\n        ssl_certificate {cert};\n        ssl_certificate_key {key};",
                              conf)
        if found != 1:
            raise AssertionError(f"no listen line for port {nginx.port} in {conf_file}")
        with open(conf_file, "w") as f:
            f.write(conf)
        nginx_cmd = [env("MEDIKEEP_E2E_NGINX_BIN"), "-p", nginx.prefix + "/", "-c", conf_file,
                     "-e", os.path.join(nginx.prefix, "logs", "error.log")]
        subprocess.run(nginx_cmd + ["-t", "-q"], check=True)
        subprocess.run(nginx_cmd + ["-s", "reload"], check=True)
        wait_until(lambda: tls_request("GET", "/api/v1/system/version", port) is not None, 10,
                   interval=0.1, message="nginx to listen with TLS")
        return port

    def assert_hsts(self, r):
        for name, value in SECURITY_HEADERS.items():
            self.assertEqual(r.headers.get_all(name), [value], r.headers)
        self.assertEqual(r.headers.get_all("Strict-Transport-Security"), [self.hsts], r.headers)

    def test_over_tls_on_every_answer(self):
        r = tls_request("GET", "/api/v1/system/version", self.tls_port)
        self.assertEqual(r.status, 200, r)
        self.assert_hsts(r)
        for path, status in (("/api/v1/no-such-resource", 404), ("/no-such-page", 404),
                             ("/pool/status", 403)):
            with self.subTest(path=path):
                r = tls_request("GET", path, self.tls_port, source_address=("127.0.0.2", 0))
                assert_error_shape(self, r, status)
                self.assert_hsts(r)
        r = tls_request("POST", "/api/v1/frontend-logs/log", self.tls_port,
                        body=BodySizeTests.two_mb, headers={"Content-Type": "application/json"})
        assert_error_shape(self, r, 413)
        self.assert_hsts(r)

    def test_never_over_plain_http(self):
        for path in ("/api/v1/system/version", "/no-such-page"):
            with self.subTest(path=path):
                assert_security_headers(self, get(path, base=self.nginx.base))


def tls_request(method, path, port, body=None, headers=None, source_address=None):
    """One request over TLS to 127.0.0.1:port (the certificate is not checked);
    None when nothing answers there."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    conn = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context,
                                       source_address=source_address)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return Response(resp.status, resp.headers, resp.read(), 0)
    except (ConnectionError, ssl.SSLError):
        return None
    finally:
        conn.close()
