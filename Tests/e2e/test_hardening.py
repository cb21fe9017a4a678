"""The hardening of commit fac5ea7 ("issue 6"), end to end through nginx and, where
nginx would hide the behaviour, straight against the pool's FastCGI socket:

- JSON objects: a cap on keys per object (a hostile wide object is refused at once)
  and refused duplicate keys;
- shared directory rows (pharmacies, practitioners, practices): only their creator or
  an admin may change or delete them, and a row other users' records point at cannot
  be deleted (409 naming the count);
- a frontend log line is capped at 16 kB in all;
- GET /health (liveness, no database);
- the login lockout counted before the password check, so parallel guesses cannot
  race past it;
- medical specialties: trimmed names, case-insensitive reuse, a per-user hourly limit
  that holds under parallel creates;
- concurrent partial updates take turns (cross-field rules see each other's result);
- activity entries outlive the account that made them ("deleted user");
- a slowly arriving body is not cut off by request_timeout; Secure cookie over TLS;
- a token is tied to its account's nonce.
"""

import json
import os
import socket
import struct
import time
import unittest
import urllib.parse

import harness as h
from apicase import ApiTestCase, db_execute, login, new_user, remember_token

API = "/api/v1"
LOG_PATH = f"{API}/frontend-logs/log"


def pharmacy_body(**overrides):
    body = {"name": h.unique("Hardening Pharmacy "), "city": "Anytown", "state": "NC"}
    body.update(overrides)
    return body


def practice_body(**overrides):
    body = {"name": h.unique("Hardening Practice "), "notes": "e2e"}
    body.update(overrides)
    return body


def pool_setting(key, default):
    """A key of the pool's configuration file, or the built-in default."""
    with open(h.env("MEDIKEEP_E2E_POOL_CONFIG")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, value = line.split("=", 1)
                if name.strip() == key:
                    return value.strip()
    return default


FCGI_VERSION = 1
FCGI_BEGIN_REQUEST, FCGI_END_REQUEST, FCGI_PARAMS, FCGI_STDIN, FCGI_STDOUT, FCGI_STDERR = 1, 3, 4, 5, 6, 7
FCGI_RESPONDER = 1


def fcgi_record(kind, content, request_id=1):
    padding = (8 - len(content) % 8) % 8
    return struct.pack(">BBHHBB", FCGI_VERSION, kind, request_id, len(content), padding, 0) + content + b"\0" * padding


def fcgi_length(n):
    return struct.pack(">B", n) if n < 128 else struct.pack(">I", n | 0x80000000)


def fcgi_params(params):
    out = b""
    for name, value in params.items():
        name, value = name.encode(), value.encode()
        out += fcgi_length(len(name)) + fcgi_length(len(value)) + name + value
    return out


class FastCGIResponse:
    def __init__(self, stdout, stderr, app_status):
        self.raw = stdout
        self.stderr = stderr
        self.app_status = app_status
        head, _, self.body = stdout.partition(b"\r\n\r\n")
        self.headers = []
        for line in head.decode("latin-1").split("\r\n"):
            if ":" in line:
                name, value = line.split(":", 1)
                self.headers.append((name.strip(), value.strip()))
        status = self.header("Status") or "200"
        self.status = int(status.split()[0])

    def header(self, name):
        values = self.all_headers(name)
        return values[0] if values else None

    def all_headers(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    @property
    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"<FastCGIResponse {self.status} {self.raw[:400]!r}>"


def fastcgi_request(method, path, body=b"", *, content_type="application/json", extra_params=None,
                    body_pieces=1, spread=0.0, timeout=30):
    """One request on a fresh connection to the pool's socket. The body is sent in
    `body_pieces` STDIN records spread evenly over `spread` seconds."""
    params = {
        "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1", "REQUEST_METHOD": method,
        "REQUEST_URI": path, "DOCUMENT_URI": path, "SCRIPT_NAME": path, "QUERY_STRING": "",
        "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "40000", "SERVER_ADDR": "127.0.0.1", "SERVER_PORT": "18080", "SERVER_NAME": "localhost",
        "HTTP_X_REQUEST_ID": h.unique("fcgi"),
    }
    params.update(extra_params or {})
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    try:
        sock.connect(h.env("MEDIKEEP_E2E_FCGI_SOCKET"))
        begin = struct.pack(">HB5x", FCGI_RESPONDER, 0)
        sock.sendall(fcgi_record(FCGI_BEGIN_REQUEST, begin)
                     + fcgi_record(FCGI_PARAMS, fcgi_params(params)) + fcgi_record(FCGI_PARAMS, b""))
        pieces = max(1, min(body_pieces, len(body))) if body else 0
        if pieces:
            size = -(-len(body) // pieces)
            chunks = [body[i:i + size] for i in range(0, len(body), size)]
            for index, chunk in enumerate(chunks):
                if index and spread:
                    time.sleep(spread / (len(chunks) - 1))
                sock.sendall(fcgi_record(FCGI_STDIN, chunk))
        sock.sendall(fcgi_record(FCGI_STDIN, b""))
        return _read_fastcgi_response(sock)
    finally:
        sock.close()


def _read_exactly(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise AssertionError(f"the pool closed the connection after {len(data)} of {n} bytes")
        data += chunk
    return data


def _read_fastcgi_response(sock):
    stdout, stderr = b"", b""
    while True:
        version, kind, _, length, padding, _ = struct.unpack(">BBHHBB", _read_exactly(sock, 8))
        content = _read_exactly(sock, length + padding)[:length]
        if kind == FCGI_STDOUT:
            stdout += content
        elif kind == FCGI_STDERR:
            stderr += content
        elif kind == FCGI_END_REQUEST:
            app_status, protocol_status = struct.unpack(">IB3x", content)
            if protocol_status != 0:
                raise AssertionError(f"FastCGI protocol status {protocol_status}")
            return FastCGIResponse(stdout, stderr, app_status)


# Tests ------------------------------------------------------------------------

class JSONObjectTests(ApiTestCase):
    def test_a_wide_object_is_refused_quickly(self):
        # 90,000 distinct keys, ~0.98 MB: under nginx's 1 MB and the pool's body cap,
        # refused by the parser's per-object key cap long before the end.
        entries = [f'"{i:05x}":0' for i in range(90_000)]
        filler = 980_000 - (sum(len(e) for e in entries) + len(entries) + 1)
        raw = ("{" + ",".join(entries) + f',"pad":"{"p" * (filler - 10)}"' + "}").encode()
        self.assertTrue(960_000 < len(raw) < 1_000_000, len(raw))
        h.get("/health")  # a warm connection path, so the time measures the parse
        r = self.call("POST", LOG_PATH, body=raw)
        print(f"\n    {len(raw)} bytes, 90,000 keys: {r.status} in {r.elapsed * 1000:.0f} ms", end=" ")
        body = self.error(r, 422)
        self.assertEqual(body["error"], "Malformed JSON body", body)
        self.assertIn("keys", json.dumps(body["detail"]))
        self.assertLess(r.elapsed, 0.5, f"answered in {r.elapsed:.3f}s")

    def test_a_duplicated_key_is_refused(self):
        raw = b'{"level": "info", "message": "first", "message": "second"}'
        body = self.error(self.call("POST", LOG_PATH, body=raw), 422)
        self.assertEqual(body["error"], "Malformed JSON body", body)
        self.assertIn("duplicate key", json.dumps(body["detail"]))
        self.assertIn("message", json.dumps(body["detail"]))
        # Nested objects are checked too; the same key in two objects is fine.
        body = self.error(self.call("POST", LOG_PATH, body=b'{"level":"info","message":"m","details":{"a":1,"a":2}}'), 422)
        self.assertIn("duplicate key", json.dumps(body["detail"]))
        self.ok(self.call("POST", LOG_PATH, body=b'{"level":"info","message":"m","details":{"level":1,"message":2}}'))


class DirectoryOwnershipTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.a = new_user()
        cls.b = new_user()

    def specialty(self, user):
        r = self.post("/medical-specialties/", user, {"name": h.unique("Hardening Specialty ")})
        self.assertIn(r.status, (200, 201), r)
        return r.json

    def medication(self, user, **fields):
        return self.ok(self.post("/medications/", user, {"medication_name": h.unique("Med "), **fields}), 201)

    def check_only_creator_changes(self, item, update):
        """B may read but not change or delete A's row; A may change it."""
        self.ok(self.get(item, self.b))
        self.error(self.put(item, self.b, update), 403)
        self.error(self.delete(item, self.b), 403)
        self.ok(self.get(item, self.a))  # still there
        return self.ok(self.put(item, self.a, update))

    def test_pharmacy_belongs_to_its_creator(self):
        pharmacy = self.ok(self.post("/pharmacies/", self.a, pharmacy_body()), 201)
        item = f"/pharmacies/{pharmacy['id']}"
        updated = self.check_only_creator_changes(item, {"city": "Leeds"})
        self.assertEqual(updated["city"], "Leeds")
        # Every signed-in user still reads and creates.
        self.assertEqual(self.ok(self.get(item, self.b))["name"], pharmacy["name"])
        own = self.ok(self.post("/pharmacies/", self.b, pharmacy_body()), 201)
        self.ok(self.put(f"/pharmacies/{own['id']}", self.b, {"city": "York"}))
        # An admin may change anyone's.
        r = self.call("PUT", item, token=h.admin_token(), json_body={"city": "Admin City"})
        self.assertEqual(self.ok(r)["city"], "Admin City")
        self.assertEqual(self.ok(self.get(item, self.a))["city"], "Admin City")

    def test_pharmacy_in_use_by_others_cannot_be_deleted(self):
        pharmacy = self.ok(self.post("/pharmacies/", self.a, pharmacy_body()), 201)
        item = f"/pharmacies/{pharmacy['id']}"
        theirs = self.medication(self.b, pharmacy_id=pharmacy["id"])
        body = self.error(self.delete(item, self.a), 409)
        self.assertIn("used by 1 record", json.dumps(body), body)
        self.ok(self.get(item, self.a))
        self.assertEqual(self.ok(self.get(f"/medications/{theirs['id']}", self.b))["pharmacy_id"], pharmacy["id"])
        # A second user's record: the count says so.
        second = self.medication(self.b, pharmacy_id=pharmacy["id"])
        self.assertIn("used by 2 records", json.dumps(self.error(self.delete(item, self.a), 409)))
        self.ok(self.delete(f"/medications/{second['id']}", self.b), 204)
        # Once B's record no longer points there, A may delete it.
        self.ok(self.delete(f"/medications/{theirs['id']}", self.b), 204)
        self.assertEqual(self.ok(self.delete(item, self.a)), {"message": "Pharmacy deleted successfully"})
        self.error(self.get(item, self.a), 404)

    def test_pharmacy_used_only_by_its_creator_can_be_deleted(self):
        pharmacy = self.ok(self.post("/pharmacies/", self.a, pharmacy_body()), 201)
        mine = self.medication(self.a, pharmacy_id=pharmacy["id"])
        self.ok(self.delete(f"/pharmacies/{pharmacy['id']}", self.a))
        after = self.ok(self.get(f"/medications/{mine['id']}", self.a))
        self.assertIsNone(after["pharmacy_id"])

    def test_practitioner_belongs_to_its_creator(self):
        specialty = self.specialty(self.a)
        doctor = self.ok(self.post("/practitioners/", self.a,
                                   {"name": h.unique("Dr. Hardening "), "specialty_id": specialty["id"]}), 201)
        item = f"/practitioners/{doctor['id']}"
        self.assertEqual(self.check_only_creator_changes(item, {"rating": 4})["rating"], 4)
        theirs = self.medication(self.b, practitioner_id=doctor["id"])
        self.assertIn("used by 1 record", json.dumps(self.error(self.delete(item, self.a), 409)))
        # Repointed elsewhere: no longer in use.
        self.ok(self.put(f"/medications/{theirs['id']}", self.b, {"practitioner_id": None}))
        self.ok(self.delete(item, self.a))
        # Others still create practitioners.
        self.ok(self.post("/practitioners/", self.b, {"name": h.unique("Dr. B "), "specialty_id": specialty["id"]}), 201)

    def test_practice_belongs_to_its_creator(self):
        practice = self.ok(self.post("/practices/", self.a, practice_body()), 200)
        item = f"/practices/{practice['id']}"
        self.assertEqual(self.check_only_creator_changes(item, {"notes": "Moved"})["notes"], "Moved")
        specialty = self.specialty(self.b)
        doctor = self.ok(self.post("/practitioners/", self.b, {"name": h.unique("Dr. B "), "specialty_id": specialty["id"],
                                                               "practice_id": practice["id"]}), 201)
        self.assertIn("used by 1 record", json.dumps(self.error(self.delete(item, self.a), 409)))
        self.ok(self.delete(f"/practitioners/{doctor['id']}", self.b))
        self.ok(self.delete(item, self.a))
        self.ok(self.post("/practices/", self.b, practice_body()), 200)


class FrontendLogCapTests(ApiTestCase):
    def test_a_large_log_is_cut_to_16_kb(self):
        marker = h.unique("capmarker")
        body = {"level": "info", "message": marker}
        for i in range(6):
            body[f"field{i}"] = chr(ord("a") + i) * 9_000  # each under the 10,000-byte cap
        self.assertGreater(len(json.dumps(body)), 50_000)
        self.ok(self.post("/frontend-logs/log", None, body))
        path = os.path.join(h.env("MEDIKEEP_E2E_VAR"), "log", "app.log")

        def line():
            with open(path, "rb") as f:
                return next((l for l in f if marker.encode() in l), None)

        found = h.wait_until(line, timeout=5, message="the log line")
        print(f"\n    logged line: {len(found)} bytes", end=" ")
        self.assertLessEqual(len(found), 17_000)
        text = found.decode("utf-8")
        entry = json.loads(text)
        self.assertIn("…[truncated", json.dumps(entry, ensure_ascii=False))
        self.assertNotIn("f" * 100, text, "the last field should have been cut")

    def test_a_log_under_the_cap_is_kept_whole(self):
        marker = h.unique("wholemarker")
        self.ok(self.post("/frontend-logs/log", None, {"level": "warn", "message": marker, "details": {"x": "y" * 5000}}))
        path = os.path.join(h.env("MEDIKEEP_E2E_VAR"), "log", "app.log")

        def line():
            with open(path, "rb") as f:
                return next((l for l in f if marker.encode() in l), None)

        found = h.wait_until(line, timeout=5, message="the log line").decode()
        self.assertNotIn("[truncated", found)
        self.assertIn("y" * 5000, found)


class HealthTests(ApiTestCase):
    def test_health_is_ok(self):
        # nginx routes exactly /health (location = /health); /health/ is its 404.
        r = h.get("/health")
        self.assertEqual(r.status, 200, r)
        self.assertTrue((r.header("Content-Type") or "").startswith("application/json"), r)
        self.assertEqual(r.json["status"], "ok")


class LoginRaceTests(ApiTestCase):
    def test_parallel_guesses_cannot_race_past_the_lockout(self):
        maximum = int(pool_setting("login_max_failures", "10"))
        user = new_user()
        attempts = 20
        self.assertGreater(attempts, maximum)

        def guess(i):
            return lambda: h.post(f"{API}/auth/login", form={"username": user.username, "password": f"Wrong-{i}x"})

        results = h.in_parallel([guess(i) for i in range(attempts)])
        errors = [r for r in results if isinstance(r, Exception)]
        self.assertEqual(errors, [])
        statuses = sorted(r.status for r in results)
        print(f"\n    statuses: {statuses.count(401)}x401 {statuses.count(429)}x429", end=" ")
        self.assertEqual(set(statuses) - {401, 429}, set(), statuses)
        self.assertLessEqual(statuses.count(401), maximum, statuses)
        self.assertGreaterEqual(statuses.count(401), 1, statuses)
        for r in results:
            self.check_invariants(r, "POST /auth/login", None)
        locked = self.call("POST", "/auth/login", form={"username": user.username, "password": user.password})
        self.error(locked, 429)
        self.assertGreater(int(locked.header("Retry-After")), 0)


class SpecialtyCreateTests(ApiTestCase):
    def test_names_are_trimmed_and_reused_case_insensitively(self):
        user = new_user()
        suffix = h.unique("Q")
        created = self.ok(self.post("/medical-specialties/", user, {"name": f"  Zeta Specialty {suffix}  "}), 201)
        self.assertEqual(created["name"], f"Zeta Specialty {suffix}")
        again = self.ok(self.post("/medical-specialties/", user, {"name": f"zeta specialty {suffix.lower()}"}), 200)
        self.assertEqual(again["id"], created["id"])
        self.assertEqual(again["name"], f"Zeta Specialty {suffix}")
        listed = [s for s in self.ok(self.get("/medical-specialties/", user)) if s["id"] == created["id"]]
        self.assertEqual([s["name"] for s in listed], [f"Zeta Specialty {suffix}"])

    def test_parallel_creates_respect_the_hourly_limit(self):
        user = new_user()
        prefix = h.unique("Par")

        def create(i):
            return lambda: h.post(f"{API}/medical-specialties/", json_body={"name": f"{prefix} {i}"}, token=user.token)

        results = h.in_parallel([create(i) for i in range(25)])
        self.assertEqual([r for r in results if isinstance(r, Exception)], [])
        statuses = [r.status for r in results]
        created = [s for s in statuses if s in (200, 201)]
        print(f"\n    {len(created)} created, {statuses.count(429)}x429", end=" ")
        self.assertEqual(len(created) + statuses.count(429), 25, statuses)
        self.assertLessEqual(len(created), 20, statuses)
        for r in results:
            self.check_invariants(r, "POST /medical-specialties/", user.username)
        names = {s["name"] for s in self.ok(self.get("/medical-specialties/", user)) if s["name"].startswith(prefix)}
        self.assertEqual(len(names), len(created))


class ConcurrentUpdateTests(ApiTestCase):
    def test_partial_updates_see_each_other(self):
        user = new_user()
        base = {"effective_period_start": "2024-01-10", "effective_period_end": "2024-01-20"}
        med = self.ok(self.post("/medications/", user, {"medication_name": "Race", **base}), 201)
        item = f"{API}/medications/{med['id']}"
        for round_ in range(20):
            self.ok(self.put(item, user, base))
            later_start = {"effective_period_start": f"2024-01-{15 + round_ % 4}"}  # <= the 20th: valid alone
            earlier_end = {"effective_period_end": f"2024-01-{11 + round_ % 3}"}    # >= the 10th: valid alone
            results = h.in_parallel([lambda: h.request("PUT", item, json_body=later_start, token=user.token),
                                   lambda: h.request("PUT", item, json_body=earlier_end, token=user.token)])
            for r in results:
                self.assertNotIsInstance(r, Exception)
                self.assertIn(r.status, (200, 422), f"round {round_}: {r!r}")
                self.check_invariants(r, "PUT medication", user.username)
            self.assertIn(422, [r.status for r in results], f"round {round_}: both applied: {results}")
            after = self.ok(self.get(item, user))
            start, end = after["effective_period_start"], after["effective_period_end"]
            if start and end:
                self.assertGreaterEqual(end, start, f"round {round_}: {after}")


class AccountDeletionActivityTests(ApiTestCase):
    def test_activity_on_a_shared_patient_outlives_its_author(self):
        a, b = new_user(), new_user()
        patient = self.ok(self.get("/patients/me", a))
        db_execute(
            "INSERT INTO patient_shares (patient_id, shared_by_user_id, shared_with_user_id, permission_level, is_active)"
            f" VALUES ({int(patient['id'])}, {int(a.id)}, {int(b.id)}, 'edit', 1)")
        name = h.unique("SharedMed ")
        med = self.ok(self.post("/medications/", b, {"medication_name": name, "patient_id": patient["id"]}), 201)
        self.assertEqual(med["patient_id"], patient["id"])

        def entry():
            entries = self.ok(self.get("/patients/me/recent-activity?limit=100", a))
            return next((e for e in entries if e["description"] == f"Created Medication: {name}"), None)

        before = entry()
        self.assertIsNotNone(before)
        self.assertEqual((before["user_id"], before["username"]), (b.id, b.username))
        self.ok(self.delete("/users/me", b))
        self.error(self.get("/users/me", b), 401)
        after = entry()
        self.assertIsNotNone(after, "the entry went with B's account")
        self.assertEqual(after["username"], "deleted user")
        self.assertIsNone(after["user_id"])
        self.assertEqual((after["id"], after["patient_id"]), (before["id"], patient["id"]))
        # The record itself stays on A's patient.
        self.assertEqual(self.ok(self.get(f"/medications/{med['id']}", a))["medication_name"], name)


class FastCGITests(unittest.TestCase):
    def test_a_slow_body_is_not_cut_off_by_request_timeout(self):
        timeout = int(h.env("MEDIKEEP_E2E_REQUEST_TIMEOUT"))
        marker = h.unique("slowbody")
        body = json.dumps({"level": "info", "message": marker, "details": {"pad": "z" * 200}}).encode()
        start = time.monotonic()
        r = fastcgi_request("POST", LOG_PATH, body, body_pieces=10, spread=timeout + 2, timeout=timeout + 30)
        elapsed = time.monotonic() - start
        print(f"\n    slow body over {elapsed:.1f}s: {r.status}", end=" ")
        self.assertGreaterEqual(elapsed, timeout + 1.5)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["status"], "logged", r)
        self.assertEqual(r.app_status, 0)

    def test_login_cookie_is_secure_only_over_tls(self):
        username, password, _ = h.register_user()
        form = urllib.parse.urlencode({"username": username, "password": password}).encode()
        ctype = "application/x-www-form-urlencoded"
        secure = fastcgi_request("POST", f"{API}/auth/login", form, content_type=ctype, extra_params={"HTTPS": "on"})
        self.assertEqual(secure.status, 200, secure)
        remember_token(secure.json["access_token"], username)
        cookie = secure.header("Set-Cookie") or ""
        self.assertIn("access_token=", cookie)
        self.assertIn("; Secure", cookie)
        plain = fastcgi_request("POST", f"{API}/auth/login", form, content_type=ctype)
        self.assertEqual(plain.status, 200, plain)
        remember_token(plain.json["access_token"], username)
        cookie = plain.header("Set-Cookie") or ""
        self.assertIn("access_token=", cookie)
        self.assertNotIn("Secure", cookie)
        # And through nginx (plain HTTP): no Secure either.
        r = h.post(f"{API}/auth/login", form={"username": username, "password": password})
        remember_token(r.json["access_token"], username)
        self.assertNotIn("Secure", r.header("Set-Cookie") or "")


class AccountNonceTests(ApiTestCase):
    def test_token_stops_working_when_the_nonce_changes(self):
        user = new_user()
        self.ok(self.get("/users/me", user))
        db_execute(f"UPDATE users SET account_nonce = '{'x' * 32}' WHERE id = {int(user.id)}")
        self.error(self.get("/users/me", user), 401)
        # A new login carries the new nonce.
        token = login(user.username, user.password)
        self.assertEqual(self.ok(self.call("GET", "/users/me", token=token))["id"], user.id)


if __name__ == "__main__":
    unittest.main()
