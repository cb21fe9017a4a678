"""Helpers for the end-to-end tests: HTTP requests against the running stack,
users and tokens, extra nginx and pool instances, load generation.

Standard library only. The stack is started by scripts/test, which exports:
  MEDIKEEP_E2E_BASE            http://127.0.0.1:18080
  MEDIKEEP_E2E_VAR             var/test (absolute)
  MEDIKEEP_E2E_POOL_BIN        the medikeep-fcgi binary
  MEDIKEEP_E2E_POOL_CONFIG     the pool's configuration file
  MEDIKEEP_E2E_POOL_PID_FILE   the master's pid file
  MEDIKEEP_E2E_FCGI_SOCKET     the pool's FastCGI socket
  MEDIKEEP_E2E_REQUEST_TIMEOUT the pool's request_timeout (seconds)
  MEDIKEEP_E2E_ADMIN_USER / MEDIKEEP_E2E_ADMIN_PASSWORD
  MEDIKEEP_E2E_STACKCTL        scripts/lib/stackctl (extra nginx instances)
  MEDIKEEP_E2E_DB_STOP / MEDIKEEP_E2E_DB_START   commands stopping/starting MariaDB
  MEDIKEEP_E2E_NGINX_BIN       the nginx binary
"""

import http.client
import json
import os
import shlex
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid


def env(name):
    """A variable exported by scripts/test; a clear failure when it is missing."""
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run the end-to-end tests through scripts/test")
    return value


def base_url():
    return env("MEDIKEEP_E2E_BASE")


def unique(prefix="e2e"):
    """A name no other test (or earlier run) uses."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


class Response:
    """Status, headers and body of one HTTP exchange."""

    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers  # http.client.HTTPMessage: case-insensitive .get()
        self.body = body
        self.elapsed = elapsed

    def header(self, name):
        return self.headers.get(name)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<Response {self.status} {self.text[:300]!r}>"


def request(method, path, *, body=None, json_body=None, form=None, headers=None, token=None,
            base=None, timeout=30, source_address=None, chunked=False):
    """One request on a fresh connection (no redirects are followed).

    `json_body` is sent as JSON, `form` url-encoded, `body` as given (bytes, or an
    iterable of bytes with `chunked=True` for Transfer-Encoding: chunked).
    `source_address` binds the client side, e.g. ("127.0.0.2", 0).
    """
    url = urllib.parse.urlsplit(base or base_url())
    hdrs = dict(headers or {})
    if json_body is not None:
        body = json.dumps(json_body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    elif form is not None:
        body = urllib.parse.urlencode(form).encode()
        hdrs.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if token:
        hdrs["Authorization"] = f"Bearer {token}"
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout,
                                      source_address=source_address)
    start = time.monotonic()
    try:
        conn.request(method, path, body=body, headers=hdrs, encode_chunked=chunked)
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, resp.headers, data, time.monotonic() - start)
    finally:
        conn.close()


def get(path, **kw):
    return request("GET", path, **kw)


def post(path, **kw):
    return request("POST", path, **kw)


# Users and tokens -------------------------------------------------------------

def login(username, password, base=None):
    """The access token for a user (form-encoded login, as the contract says)."""
    r = post("/api/v1/auth/login", form={"username": username, "password": password}, base=base)
    if r.status != 200:
        raise AssertionError(f"login of {username} failed: {r!r}")
    return r.json["access_token"]


_admin_token = None


def admin_token():
    """A token of the first administrator (cached for the whole run)."""
    global _admin_token
    if _admin_token is None:
        _admin_token = login(env("MEDIKEEP_E2E_ADMIN_USER"), env("MEDIKEEP_E2E_ADMIN_PASSWORD"))
    return _admin_token


def register_user(username=None, password="Str0ng-Passw0rd!"):
    """Registers a fresh user; returns (username, password, response json)."""
    username = username or unique("user")
    r = post("/api/v1/auth/register", json_body={
        "username": username, "email": f"{username}@example.org", "password": password,
        "first_name": "E2e", "last_name": username.capitalize(),
    })
    if r.status not in (200, 201):
        raise AssertionError(f"registration of {username} failed: {r!r}")
    return username, password, r.json


def new_user_token():
    """Registers a fresh user and logs in; returns (username, token)."""
    username, password, _ = register_user()
    return username, login(username, password)


# Processes --------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(pid):
    """Pids of the live child processes of `pid` (the pool master's workers)."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # The command may contain spaces and parentheses: fields follow the last ')'.
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.append(int(entry))
    return sorted(kids)


def read_pid(path):
    with open(path) as f:
        return int(f.read().strip())


def wait_until(predicate, timeout, interval=0.02, message="condition"):
    """Polls `predicate` until it returns a true value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def run_command(variable):
    """Runs a command exported by scripts/test (e.g. MEDIKEEP_E2E_DB_STOP)."""
    subprocess.run(shlex.split(env(variable)), check=True, stdout=subprocess.DEVNULL)


def db_stop():
    run_command("MEDIKEEP_E2E_DB_STOP")


def db_start():
    run_command("MEDIKEEP_E2E_DB_START")


def extra_dir(name):
    """A directory for an extra instance; scripts/stop --test cleans up what runs there."""
    path = os.path.join(env("MEDIKEEP_E2E_VAR"), "run", f"extra-{name}")
    os.makedirs(path, exist_ok=True)
    return path


class ExtraNginx:
    """A second nginx from the same templates, on its own port, in front of any
    FastCGI socket (the main pool, an extra pool, or one that does not exist)."""

    def __init__(self, name, fcgi_server, factor=1, read_timeout=None):
        self.prefix = os.path.join(extra_dir(name), "nginx")
        self.port = free_port()
        if read_timeout is None:
            read_timeout = f"{int(env('MEDIKEEP_E2E_REQUEST_TIMEOUT')) + 2}s"
        subprocess.run([env("MEDIKEEP_E2E_STACKCTL"), "nginx-up", self.prefix, str(self.port),
                        fcgi_server, str(factor), read_timeout],
                       check=True, stdout=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"

    def stop(self):
        subprocess.run([env("MEDIKEEP_E2E_STACKCTL"), "nginx-down", self.prefix],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class ExtraPool:
    """A second medikeep-fcgi master on its own socket, with the main pool's
    configuration (same database and data directory) and `overrides` as
    MEDIKEEP_<KEY> variables. Tests that stop or disturb a pool use one, so the
    main stack stays untouched."""

    def __init__(self, name, **overrides):
        self.dir = extra_dir(name)
        self.socket = os.path.join(self.dir, "fcgi.sock")
        self.pid_file = os.path.join(self.dir, "medikeep-fcgi.pid")
        self.log_file = os.path.join(self.dir, "app.log")
        variables = {k: v for k, v in os.environ.items()
                     if not k.startswith(("MEDIKEEP_E2E_", "MEDIKEEP_TEST_"))}
        variables.update({
            "MEDIKEEP_LISTEN": f"unix:{self.socket}",
            "MEDIKEEP_PID_FILE": self.pid_file,
            "MEDIKEEP_LOG_FILE": self.log_file,
            "MEDIKEEP_MIGRATE_ON_START": "false",
        })
        variables.update({f"MEDIKEEP_{k.upper()}": str(v) for k, v in overrides.items()})
        with open(os.path.join(self.dir, "stderr.log"), "ab") as stderr:
            self.process = subprocess.Popen(
                [env("MEDIKEEP_E2E_POOL_BIN"), "serve", "--config", env("MEDIKEEP_E2E_POOL_CONFIG")],
                env=variables, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                start_new_session=True)
        self.pid = self.process.pid
        wait_until(lambda: os.path.exists(self.socket) and len(self.workers()) > 0
                   or self.process.poll() is not None, 15, message="the extra pool to listen")
        if self.process.poll() is not None:
            raise AssertionError(f"extra pool exited with {self.process.returncode}: {self.log_tail()}")

    def workers(self):
        return children(self.pid)

    def signal(self, sig):
        os.kill(self.pid, sig)

    def wait(self, timeout):
        return self.process.wait(timeout)

    def log_tail(self, lines=20):
        """The end of the pool's log and of its standard error."""
        tails = []
        for path in (self.log_file, os.path.join(self.dir, "stderr.log")):
            try:
                with open(path, errors="replace") as f:
                    tails.append("".join(f.readlines()[-lines:]))
            except OSError:
                pass
        return "\n".join(tails) or "(no log)"

    def stop(self):
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(40)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait(5)


class ExtraStack:
    """An extra pool with its own nginx (rate limits x1000, as the main stack)."""

    def __init__(self, name, factor=1000, **overrides):
        self.pool = ExtraPool(name, **overrides)
        try:
            self.nginx = ExtraNginx(name, f"unix:{self.pool.socket}", factor=factor)
        except BaseException:
            self.pool.stop()
            raise
        self.base = self.nginx.base

    def stop(self):
        self.nginx.stop()
        self.pool.stop()


class Load:
    """Threads sending requests in a loop until stopped; every outcome is recorded
    as (start, end, status or exception text)."""

    def __init__(self, path, base=None, threads=8, timeout=10):
        self.path, self.base, self.timeout = path, base, timeout
        self.results = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(threads)]

    def _run(self):
        while not self._stop.is_set():
            start = time.monotonic()
            try:
                outcome = get(self.path, base=self.base, timeout=self.timeout).status
            except Exception as error:  # a reset or refused connection is a failure to count
                outcome = f"{type(error).__name__}: {error}"
            with self._lock:
                self.results.append((start, time.monotonic(), outcome))

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(self.timeout + 5)

    def snapshot(self):
        with self._lock:
            return list(self.results)

    def failures(self, since=None):
        return [r for r in self.snapshot() if r[2] != 200 and (since is None or r[0] >= since)]


def assert_error_shape(test, response, status):
    """The contract's error body: {"status":"error","error":str,"detail":...}, JSON."""
    test.assertEqual(response.status, status, response)
    test.assertTrue((response.header("Content-Type") or "").startswith("application/json"),
                    f"Content-Type {response.header('Content-Type')!r}: {response!r}")
    body = response.json
    test.assertEqual(body.get("status"), "error", body)
    test.assertIsInstance(body.get("error"), str, body)
    test.assertIn("detail", body)
    return body


# Set by nginx on every answer, the pool's and its own (medikeep-security-headers.conf).
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def assert_security_headers(test, response):
    """nginx's security headers, each exactly once; no HSTS over plain HTTP."""
    for name, value in SECURITY_HEADERS.items():
        test.assertEqual(response.headers.get_all(name), [value],
                         f"{name} on {response!r}: {dict(response.headers)}")
    test.assertIsNone(response.header("Strict-Transport-Security"), response.headers)


def in_parallel(functions, timeout=60):
    """Runs each function on its own thread, released together by a barrier;
    returns their results (an exception is returned in place of a result)."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait(10)
            results[index] = function()
        except Exception as error:  # reported by the caller's assertions
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, f), daemon=True) for i, f in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results


# A minimal FastCGI client (responder role), for what nginx does not let through as
# is: a body trickling in over seconds, the HTTPS param.
