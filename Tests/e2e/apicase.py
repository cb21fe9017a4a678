"""Shared pieces of the contract tests (test_accounts, test_patients, test_providers,
test_medications, test_authorization), on top of harness.py.

`ApiTestCase.call` sends one request and checks what must hold for every response:
no 5xx, no password hash, no token of another user, and the contract's error shape
`{"status":"error","error":...,"detail":...}` for every 4xx. The batteries below send
the same kinds of bad input to any endpoint that takes a JSON body or pages a list.
"""

import json
import re
import subprocess
import unittest

import harness as h

API = "/api/v1"

# Text that must come back exactly as sent, never interpreted.
SQL_TEXT = "Robert'); DROP TABLE medications;-- \" OR '1'='1"
SCRIPT_TEXT = "<script>alert('x')</script><img src=x onerror=alert(1)>"
UNICODE_TEXT = "Zoë Ωmega 漢字 🙂"

# How the API writes a moment: ISO 8601 in UTC.
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")

# Substrings no response may carry.
LEAKS = ("password_hash", "$argon2")

# Every token obtained by these modules, with the user it belongs to.
_tokens = {}


class User:
    """A registered, logged-in user."""

    def __init__(self, username, password, token, profile):
        self.username = username
        self.password = password
        self.token = token
        self.profile = profile

    @property
    def id(self):
        return self.profile["id"]

    @property
    def email(self):
        return self.profile["email"]

    def __repr__(self):
        return f"<User {self.username}>"


def remember_token(token, username):
    _tokens[token] = username
    return token


def login(username, password):
    """A fresh token for the user, remembered for the leak checks."""
    return remember_token(h.login(username, password), username)


def new_user(password="Str0ng-Passw0rd!"):
    """Registers a fresh user and logs in."""
    username, password, profile = h.register_user(password=password)
    return User(username, password, login(username, password), profile)


# Direct database access, only for state no endpoint of this build can set
# (registration switched off, a disabled account).

def _pool_config():
    values = {}
    with open(h.env("MEDIKEEP_E2E_POOL_CONFIG")) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values


def db_execute(sql):
    """Runs SQL on the stack's database; returns the tab-separated output."""
    config = _pool_config()
    command = ["mariadb", "--no-defaults", f"--socket={config['db_socket']}",
               f"--user={config.get('db_user', 'root')}", "-N", "-B", config["db_name"], "-e", sql]
    password = config.get("db_password")
    if password:
        command.insert(4, f"--password={password}")
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def family_with_doctor(user, child_last, specialty, doctor):
    """The user's own patient record, a child patient of theirs and a practitioner
    (of a new specialty) to point records at: (me, child, doctor) as JSON."""
    token = user.token
    me = h.get("/api/v1/patients/me", token=token).json
    r = h.post("/api/v1/patient-management/", token=token,
               json_body={"first_name": "Kid", "last_name": child_last, "birth_date": "2017-07-07"})
    assert r.status == 201, r
    child = r.json
    r = h.post("/api/v1/medical-specialties/", token=token, json_body={"name": h.unique(specialty + " ")})
    assert r.status in (200, 201), r
    r = h.post("/api/v1/practitioners/", token=token, json_body={"name": h.unique(doctor + " "), "specialty_id": r.json["id"]})
    assert r.status == 201, r
    return me, child, r.json


class ApiTestCase(unittest.TestCase):
    maxDiff = None

    # Requests ---------------------------------------------------------------

    def call(self, method, path, user=None, *, token=None, json_body=None, body=None, form=None,
             headers=None):
        """One request as `user` (or with a raw `token`), checked for the invariants."""
        if not path.startswith("/api/"):
            path = API + path
        if user is not None:
            token = user.token
        hdrs = dict(headers or {})
        if body is not None and "Content-Type" not in hdrs:
            hdrs["Content-Type"] = "application/json"
        r = h.request(method, path, token=token, json_body=json_body, body=body, form=form, headers=hdrs)
        self.check_invariants(r, f"{method} {path}", _tokens.get(token) if token else None)
        return r

    def check_invariants(self, r, what, caller):
        self.assertLess(r.status, 500, f"{what}: a server error: {r!r}")
        for leak in LEAKS:
            self.assertNotIn(leak, r.text, f"{what} leaks {leak!r}")
        for token, owner in _tokens.items():
            if owner != caller:
                self.assertNotIn(token, r.text, f"{what} contains the token of {owner}")
        if r.status >= 400:
            h.assert_error_shape(self, r, r.status)
        elif r.status != 204 and r.body:
            self.assertTrue((r.header("Content-Type") or "").startswith("application/json"), f"{what}: {r!r}")
            json.loads(r.body)

    def get(self, path, user=None, **kw):
        return self.call("GET", path, user, **kw)

    def post(self, path, user=None, json_body=None, **kw):
        return self.call("POST", path, user, json_body=json_body, **kw)

    def put(self, path, user=None, json_body=None, **kw):
        return self.call("PUT", path, user, json_body=json_body, **kw)

    def delete(self, path, user=None, **kw):
        return self.call("DELETE", path, user, **kw)

    # Expectations -----------------------------------------------------------

    def ok(self, r, status=200):
        """The decoded body of a response that must have `status`."""
        self.assertEqual(r.status, status, r)
        return r.json if r.body else None

    def error(self, r, status, *fields):
        """An error response with `status`, naming each of `fields` in `detail`."""
        body = h.assert_error_shape(self, r, status)
        detail = json.dumps(body["detail"])
        for field in fields:
            self.assertIn(field, detail, f"{field!r} is not named in detail: {r!r}")
        return body

    def rejected(self, r, statuses=(400, 422), what=""):
        """A 4xx among `statuses` in the error shape."""
        self.assertIn(r.status, statuses, f"{what}: {r!r}")
        return h.assert_error_shape(self, r, r.status)

    def assert_timestamps(self, obj, *fields):
        for field in fields or ("created_at", "updated_at"):
            self.assertRegex(obj[field] or "", TIMESTAMP, f"{field} of {obj!r}")

    def assert_has_fields(self, obj, fields, what=""):
        missing = [f for f in fields if f not in obj]
        self.assertEqual(missing, [], f"{what} lacks {missing}: {obj!r}")

    # Batteries --------------------------------------------------------------

    def check_unauthenticated(self, method, path, json_body=None):
        """No token, a malformed one and a forged one: all 401."""
        forged = _forge_token(next(iter(_tokens), "a.b.c"))
        for token in (None, "not-a-token", forged):
            r = self.call(method, path, token=token, json_body=json_body)
            self.error(r, 401)

    def check_malformed_bodies(self, method, path, user, *, string_field=None, valid=None):
        """Bodies that are not a JSON object, or not JSON, or not UTF-8: a 4xx, never 5xx.
        With `string_field`, the bad bytes sit inside that field of `valid`."""
        bodies = [
            (b"{\"name\": ", "truncated JSON"),
            (b"{'name': 'x'}", "single quotes"),
            (b"{\"a\": 1,}", "trailing comma"),
            (b"{} trailing", "trailing garbage"),
            (b"[]", "an array"),
            (b"\"text\"", "a string"),
            (b"null", "null"),
            (b"42", "a number"),
            (b"", "empty body"),
            (b"[" * 100000, "deep nesting"),
            (b"\xff\xfe{}", "not UTF-8 at all"),
        ]
        if string_field:
            good = json.dumps({**(valid or {}), string_field: "PLACEHOLDER"}).encode()
            bodies += [
                (good.replace(b"PLACEHOLDER", b"ab\xff\xfecd"), "invalid UTF-8 bytes in a string"),
                (good.replace(b"PLACEHOLDER", b"\xc0\xaf"), "an overlong UTF-8 encoding"),
                (good.replace(b"PLACEHOLDER", b"\xed\xa0\x80"), "an encoded surrogate"),
                (good.replace(b"\"PLACEHOLDER\"", b"[" * 5000), "deep nesting in a field"),
            ]
        for raw, what in bodies:
            r = self.call(method, path, user, body=raw)
            self.rejected(r, (400, 413, 422), f"{method} {path} with {what}")
        r = self.call(method, path, user, body=b"x=1", headers={"Content-Type": "application/x-www-form-urlencoded"})
        self.assertGreaterEqual(r.status, 400, f"{method} {path} with a form body: {r!r}")

    def check_field_errors(self, method, path, user, valid, status, cases):
        """Each case `(field, value)` replaces one field of `valid`; the answer is
        `status` naming the field."""
        for field, value in cases:
            r = self.call(method, path, user, json_body={**valid, field: value})
            with self.subTest(field=field, value=repr(value)[:60]):
                self.error(r, status, field)

    def check_pagination(self, path, user, *, maximum, key=None, extra=""):
        """skip/limit: each bound works, a limit over `maximum` is clamped, negative or
        non-integer values are 422 naming the parameter. `key` picks the list out of an
        object body."""
        sep = "&" if "?" in path else "?"

        def items(query):
            body = self.ok(self.get(f"{path}{sep}{query}{extra}", user))
            return body[key] if key else body

        everything = items(f"limit={maximum}")
        self.assertGreaterEqual(len(everything), 2, f"{path}: the test needs two items")
        self.assertEqual(items("limit=1"), everything[:1])
        self.assertEqual(items("skip=1&limit=1"), everything[1:2])
        self.assertEqual(items("skip=1000000&limit=5"), [])
        clamped = items(f"limit={maximum + 1000}")
        self.assertLessEqual(len(clamped), maximum)
        self.assertEqual(clamped, everything)
        for query, name in (("limit=-1", "limit"), ("skip=-1", "skip"), ("limit=abc", "limit"),
                            ("skip=1.5", "skip")):
            r = self.get(f"{path}{sep}{query}{extra}", user)
            with self.subTest(query=query):
                self.error(r, 422, name)
        # Beyond any integer type: clamped like any large limit, or refused; never a 5xx.
        r = self.get(f"{path}{sep}limit=99999999999999999999999{extra}", user)
        self.assertIn(r.status, (200, 422), r)

    def check_both_slashes(self, method, path, user, status, json_body=None):
        """`path` with and without its trailing slash both answer `status`, no redirect."""
        route, mark, query = path.partition("?")
        bare = route.rstrip("/")
        answers = []
        for form in (bare + mark + query, bare + "/" + mark + query):
            r = self.call(method, form, user, json_body=json_body)
            self.assertEqual(r.status, status, f"{method} {form}: {r!r}")
            answers.append(r)
        return answers


def _forge_token(token):
    """The same token with its signature changed."""
    head, _, signature = token.rpartition(".")
    flipped = ("A" if signature[:1] != "A" else "B") + signature[1:]
    return f"{head}.{flipped}" if head else "x.y.z"
