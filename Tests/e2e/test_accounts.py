"""Accounts through nginx and the pool: registration-status, register, login (with the
per-account lockout), change-password, logout, /users/me and its preferences.

Contract: api-reference.txt "Authentication" and "User Management"; where it is vague,
decisions.md and docs/api-notes.md (Accounts).
"""
import unittest

import harness as h
from apicase import (SCRIPT_TEXT, SQL_TEXT, UNICODE_TEXT, ApiTestCase, db_execute, login,
                     new_user, remember_token)

PASSWORD = "Str0ng-Passw0rd!"


def signup(username=None, **overrides):
    username = username or h.unique("acct")
    body = {"username": username, "email": f"{username}@example.org", "password": PASSWORD,
            "first_name": "Jo", "last_name": "Doe"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


class RegistrationStatusTests(ApiTestCase):
    def test_status_is_public_and_says_enabled(self):
        for r in self.check_both_slashes("GET", "/auth/registration-status", None, 200):
            self.assertEqual(r.json, {"registration_enabled": True, "message": None})

    def test_disabled_registration_is_403_and_explained(self):
        before = db_execute("SELECT value FROM app_settings WHERE name = 'registration_enabled'").strip()

        def restore():
            if before:
                db_execute(f"UPDATE app_settings SET value = '{before}' WHERE name = 'registration_enabled'")
            else:
                db_execute("DELETE FROM app_settings WHERE name = 'registration_enabled'")

        db_execute("REPLACE INTO app_settings (name, value) VALUES ('registration_enabled', 'false')")
        self.addCleanup(restore)
        status = self.ok(self.get("/auth/registration-status"))
        self.assertIs(status["registration_enabled"], False)
        self.assertIsInstance(status["message"], str)
        self.error(self.post("/auth/register", json_body=signup()), 403)


class RegisterTests(ApiTestCase):
    def test_register_returns_201_with_the_user(self):
        body = signup()
        user = self.ok(self.post("/auth/register", json_body=body), 201)
        self.assert_has_fields(user, ["id", "username", "email", "full_name", "role", "created_at"])
        self.assertEqual(user["username"], body["username"])
        self.assertEqual(user["email"], body["email"])
        self.assertEqual(user["full_name"], "Jo Doe")
        self.assertEqual(user["role"], "user")
        self.assertIsInstance(user["id"], int)
        self.assert_timestamps(user, "created_at")
        self.assertNotIn("password", user)
        # The new user can log in and has its own patient record at once.
        token = login(body["username"], PASSWORD)
        me = self.ok(self.call("GET", "/users/me", token=token))
        self.assertEqual(me["id"], user["id"])
        patient = self.ok(self.call("GET", "/patients/me", token=token))
        self.assertIs(patient["is_self_record"], True)

    def test_trailing_slash_registers_too(self):
        self.ok(self.post("/auth/register/", json_body=signup()), 201)

    def test_full_name_alone_is_accepted(self):
        body = signup(first_name=None, last_name=None, full_name="Mary Ann Smith")
        user = self.ok(self.post("/auth/register", json_body=body), 201)
        self.assertEqual(user["full_name"], "Mary Ann Smith")

    def test_taken_username_or_email_is_409(self):
        body = signup()
        self.ok(self.post("/auth/register", json_body=body), 201)
        other = h.unique("acct")
        for duplicate in (
            signup(body["username"], email=f"{other}@example.org"),
            signup(body["username"].upper(), email=f"{other}2@example.org"),
            signup(other, email=body["email"]),
            signup(other + "x", email=body["email"].upper()),
        ):
            with self.subTest(username=duplicate["username"], email=duplicate["email"]):
                self.error(self.post("/auth/register", json_body=duplicate), 409)

    def test_invalid_fields_are_400_naming_each(self):
        cases = [
            ("password", "short1"), ("password", "onlyletters"), ("password", "1234567890"),
            ("password", "A1" * 100), ("password", 12345678), ("password", None),
            ("email", "not-an-email"), ("email", "a@b"), ("email", "two@@example.org"),
            ("email", "x" * 250 + "@example.org"), ("email", ["a@example.org"]),
            ("username", "ab"), ("username", "u" * 51), ("username", "has space"),
            ("username", "has@at"), ("username", 12345), ("username", ""),
            ("first_name", "F" * 101), ("first_name", 7), ("last_name", "L" * 101),
        ]
        for field, value in cases:
            body = signup()
            if value is None:
                del body[field]
            else:
                body[field] = value
            with self.subTest(field=field, value=repr(value)[:40]):
                self.error(self.post("/auth/register", json_body=body), 400, field)

    def test_every_missing_field_is_named(self):
        body = self.error(self.post("/auth/register", json_body={}), 400, "username", "email", "password")
        self.assertIn("first_name", str(body["detail"]) + str(body["error"]))

    def test_password_equal_to_username_is_refused(self):
        name = h.unique("pw") + "9"
        self.error(self.post("/auth/register", json_body=signup(name, password=name)), 400, "password")

    def test_malformed_bodies_are_4xx(self):
        self.check_malformed_bodies("POST", "/auth/register", None, string_field="first_name", valid=signup())

    def test_names_are_stored_literally(self):
        body = signup(first_name=SCRIPT_TEXT, last_name=SQL_TEXT)
        self.ok(self.post("/auth/register", json_body=body), 201)
        token = login(body["username"], PASSWORD)
        me = self.ok(self.call("GET", "/users/me", token=token))
        self.assertEqual(me["first_name"], SCRIPT_TEXT)
        self.assertEqual(me["last_name"], SQL_TEXT)


class LoginTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()

    def test_form_login_returns_token_and_timeout_only(self):
        r = self.call("POST", "/auth/login", form={"username": self.user.username, "password": PASSWORD})
        body = self.ok(r)
        remember_token(body["access_token"], self.user.username)
        self.assertEqual(set(body), {"access_token", "token_type", "session_timeout_minutes"})
        self.assertEqual(body["token_type"], "bearer")
        self.assertIsInstance(body["session_timeout_minutes"], int)
        self.assertNotIn("user", body)
        cookie = r.header("Set-Cookie") or ""
        self.assertIn(f"access_token={body['access_token']}", cookie)
        self.assertIn("HttpOnly", cookie)
        self.assertIn(f"Max-Age={body['session_timeout_minutes'] * 60}", cookie)
        me = self.ok(self.call("GET", "/users/me", token=body["access_token"]))
        self.assertEqual(me["username"], self.user.username)
        # The cookie alone authenticates too (browser clients).
        by_cookie = self.call("GET", "/users/me", headers={"Cookie": f"access_token={body['access_token']}"})
        self.assertEqual(self.ok(by_cookie)["id"], me["id"])

    def test_trailing_slash_and_json_and_email_logins(self):
        for path, kw in (
            ("/auth/login/", {"form": {"username": self.user.username, "password": PASSWORD}}),
            ("/auth/login", {"json_body": {"username": self.user.username, "password": PASSWORD}}),
            ("/auth/login", {"form": {"username": self.user.email, "password": PASSWORD}}),
            ("/auth/login", {"form": {"username": self.user.username.upper(), "password": PASSWORD}}),
        ):
            r = self.call("POST", path, **kw)
            with self.subTest(path=path, kw=kw):
                body = self.ok(r)
                remember_token(body["access_token"], self.user.username)

    def test_wrong_password_and_unknown_user_are_the_same_401(self):
        wrong = self.call("POST", "/auth/login", form={"username": self.user.username, "password": "Wrong-pass1"})
        unknown = self.call("POST", "/auth/login", form={"username": h.unique("nobody"), "password": "Wrong-pass1"})
        self.assertEqual(self.error(wrong, 401)["error"], self.error(unknown, 401)["error"])
        # A success clears the count (this user is not locked by this test).
        remember_token(h.login(self.user.username, PASSWORD), self.user.username)

    def test_missing_fields_are_422(self):
        self.error(self.call("POST", "/auth/login", form={"username": self.user.username}), 422, "password")
        self.error(self.call("POST", "/auth/login", form={"password": PASSWORD}), 422, "username")
        self.error(self.call("POST", "/auth/login", form={}), 422, "username", "password")
        self.error(self.call("POST", "/auth/login", json_body={"username": 5, "password": PASSWORD}), 422, "username")

    def test_malformed_login_bodies_are_4xx(self):
        for raw, ctype in ((b"{\"username\": ", "application/json"), (b"[]", "application/json"),
                           (b"username=\xff\xfe&password=x1234567", "application/x-www-form-urlencoded"),
                           (b"%%%%", "application/x-www-form-urlencoded")):
            r = self.call("POST", "/auth/login", body=raw, headers={"Content-Type": ctype})
            self.rejected(r, (400, 401, 422), repr(raw))

    def test_sql_in_username_is_just_a_wrong_name(self):
        r = self.call("POST", "/auth/login", form={"username": "' OR '1'='1' -- ", "password": "' OR '1'='1"})
        self.error(r, 401)

    def test_ten_failures_lock_the_account_even_for_the_right_password(self):
        user = new_user()
        for attempt in range(10):
            r = self.call("POST", "/auth/login", form={"username": user.username, "password": f"Wrong-{attempt}x"})
            self.error(r, 401)
        locked = self.call("POST", "/auth/login", form={"username": user.username, "password": PASSWORD})
        self.error(locked, 429)
        retry = int(locked.header("Retry-After"))
        self.assertTrue(0 < retry <= 15 * 60, retry)
        # Existing sessions go on.
        self.ok(self.get("/users/me", user))

    def test_failures_by_username_and_email_count_together(self):
        user = new_user()
        for attempt in range(10):
            name = user.username if attempt % 2 else user.email
            self.error(self.call("POST", "/auth/login", form={"username": name, "password": f"Nope-{attempt}x"}), 401)
        self.error(self.call("POST", "/auth/login", form={"username": user.email, "password": PASSWORD}), 429)

    def test_a_success_clears_the_failure_count(self):
        user = new_user()
        for _ in range(2):
            for attempt in range(9):
                self.error(self.call("POST", "/auth/login", form={"username": user.username, "password": f"Bad-{attempt}x"}), 401)
            body = self.ok(self.call("POST", "/auth/login", form={"username": user.username, "password": PASSWORD}))
            remember_token(body["access_token"], user.username)

    def test_disabled_account_is_401(self):
        user = new_user()
        db_execute(f"UPDATE users SET is_active = 0 WHERE id = {int(user.id)}")
        self.error(self.call("POST", "/auth/login", form={"username": user.username, "password": PASSWORD}), 401)
        self.error(self.get("/users/me", user), 401)


class ChangePasswordTests(ApiTestCase):
    NEW = "N3w-Passw0rd!"

    def test_change_revokes_every_earlier_token(self):
        user = new_user()
        second = login(user.username, PASSWORD)
        r = self.post("/auth/change-password", user, {"current_password": PASSWORD, "new_password": self.NEW})
        self.assertEqual(self.ok(r), {"message": "Password changed successfully"})
        self.error(self.get("/users/me", user), 401)
        self.error(self.call("GET", "/users/me", token=second), 401)
        self.error(self.call("POST", "/auth/login", form={"username": user.username, "password": PASSWORD}), 401)
        token = login(user.username, self.NEW)
        self.ok(self.call("GET", "/users/me", token=token))

    def test_trailing_slash(self):
        user = new_user()
        r = self.post("/auth/change-password/", user, {"current_password": PASSWORD, "new_password": self.NEW})
        self.ok(r)

    def test_wrong_current_password_is_401(self):
        user = new_user()
        r = self.post("/auth/change-password", user, {"current_password": "Wrong-pass1", "new_password": self.NEW})
        self.error(r, 401)
        self.ok(self.get("/users/me", user))  # nothing changed

    def test_invalid_requests_are_400(self):
        user = new_user()
        for body, field in (
            ({"current_password": PASSWORD, "new_password": "short1"}, "new_password"),
            ({"current_password": PASSWORD, "new_password": "noDigitsHere"}, "new_password"),
            ({"current_password": PASSWORD, "new_password": PASSWORD}, "new_password"),
            ({"current_password": PASSWORD}, "new_password"),
            ({"new_password": self.NEW}, "current_password"),
            ({"current_password": PASSWORD, "new_password": 12345678}, "new_password"),
        ):
            with self.subTest(body=body):
                self.error(self.post("/auth/change-password", user, body), 400, field)
        self.ok(self.get("/users/me", user))
        self.check_malformed_bodies("POST", "/auth/change-password", user, string_field="new_password",
                                    valid={"current_password": PASSWORD})
        self.check_unauthenticated("POST", "/auth/change-password", {"current_password": PASSWORD, "new_password": self.NEW})

    def test_wrong_current_passwords_count_towards_the_lockout(self):
        user = new_user()
        for attempt in range(10):
            r = self.post("/auth/change-password", user, {"current_password": f"Wrong-{attempt}x", "new_password": self.NEW})
            self.error(r, 401)
        self.error(self.call("POST", "/auth/login", form={"username": user.username, "password": PASSWORD}), 429)


class LogoutTests(ApiTestCase):
    def test_logout_revokes_only_that_token(self):
        user = new_user()
        other_session = login(user.username, PASSWORD)
        r = self.post("/auth/logout", user)
        self.assertIn("message", self.ok(r))
        cookie = r.header("Set-Cookie") or ""
        self.assertIn("access_token=", cookie)
        self.assertIn("Max-Age=0", cookie)
        self.error(self.get("/users/me", user), 401)
        self.error(self.post("/auth/logout", user), 401)
        self.ok(self.call("GET", "/users/me", token=other_session))
        self.ok(self.call("POST", "/auth/logout/", token=other_session))
        self.error(self.call("GET", "/users/me", token=other_session), 401)

    def test_logout_needs_a_token(self):
        self.check_unauthenticated("POST", "/auth/logout")


USER_FIELDS = ["id", "username", "email", "first_name", "last_name", "full_name", "role", "auth_method", "created_at"]


class UsersMeTests(ApiTestCase):
    def test_get_returns_the_profile(self):
        user = new_user()
        for r in self.check_both_slashes("GET", "/users/me", user, 200):
            me = r.json
            self.assert_has_fields(me, USER_FIELDS)
            self.assertEqual(me["username"], user.username)
            self.assertEqual(me["auth_method"], "local")
            self.assertEqual(me["full_name"], f"{me['first_name']} {me['last_name']}")
            self.assert_timestamps(me, "created_at")

    def test_every_method_needs_a_token(self):
        for method, body in (("GET", None), ("PUT", {"first_name": "X"}), ("DELETE", None)):
            self.check_unauthenticated(method, "/users/me", body)
        for method, body in (("GET", None), ("PUT", {"theme": "dark"})):
            self.check_unauthenticated(method, "/users/me/preferences", body)

    def test_oversized_token_is_a_json_4xx(self):
        # Too large for nginx's header buffers: still a 4xx in the error shape (decisions rule 2).
        self.rejected(self.call("GET", "/users/me", token="x" * 20000), (400, 401, 413, 431))

    def test_put_updates_names_and_email(self):
        user = new_user()
        email = f"{h.unique('new')}@example.org"
        me = self.ok(self.put("/users/me", user, {"first_name": "John", "last_name": "Smith", "email": email}))
        self.assertEqual((me["first_name"], me["last_name"], me["full_name"], me["email"]),
                         ("John", "Smith", "John Smith", email))
        me = self.ok(self.put("/users/me/", user, {"first_name": "Jonathan"}))
        self.assertEqual(me["full_name"], "Jonathan Smith")
        self.assertEqual(self.ok(self.get("/users/me", user)), me)
        login(email, PASSWORD)  # the new address signs in
        unchanged = self.ok(self.put("/users/me", user, {}))
        self.assertEqual(unchanged["full_name"], "Jonathan Smith")
        # One's own address in another case is not a conflict.
        self.assertEqual(self.ok(self.put("/users/me", user, {"email": email.upper()}))["email"].lower(), email.lower())

    def test_put_stores_text_literally(self):
        user = new_user()
        me = self.ok(self.put("/users/me", user, {"first_name": SCRIPT_TEXT, "last_name": UNICODE_TEXT}))
        self.assertEqual(me["first_name"], SCRIPT_TEXT)
        self.assertEqual(self.ok(self.get("/users/me", user))["last_name"], UNICODE_TEXT)
        self.ok(self.put("/users/me", user, {"last_name": SQL_TEXT}))
        self.assertEqual(self.ok(self.get("/users/me", user))["last_name"], SQL_TEXT)

    def test_email_of_another_account_is_409(self):
        user, other = new_user(), new_user()
        self.error(self.put("/users/me", user, {"email": other.email}), 409)
        self.error(self.put("/users/me", user, {"email": other.email.upper()}), 409)
        self.assertEqual(self.ok(self.get("/users/me", user))["email"], user.email)

    def test_bad_fields_are_422_and_change_nothing(self):
        user = new_user()
        before = self.ok(self.get("/users/me", user))
        self.check_field_errors("PUT", "/users/me", user, {"first_name": "Valid"}, 422, [
            ("email", "nope"), ("email", 42), ("first_name", "x" * 101), ("first_name", ["a"]),
            ("last_name", {"a": 1}), ("first_name", ""),
        ])
        self.assertEqual(self.ok(self.get("/users/me", user)), before)
        self.check_malformed_bodies("PUT", "/users/me", user, string_field="first_name")

    def test_delete_removes_the_account_and_its_records(self):
        user = new_user()
        patient = self.ok(self.get("/patients/me", user))
        self.ok(self.post("/medications/", user, {"patient_id": patient["id"], "medication_name": "Aspirin"}), 201)
        body = self.ok(self.delete("/users/me", user))
        self.assertEqual(body["message"], "Account and all associated data deleted successfully")
        self.assertEqual(body["deleted_user_id"], user.id)
        self.assertEqual(body["deleted_patient_id"], patient["id"])
        self.assertEqual(body["deletion_summary"]["medications"], 1)
        # The contract's example summary counts these record types (zeros included).
        for key in ("medications", "lab_results", "allergies", "conditions"):
            self.assertIsInstance(body["deletion_summary"].get(key), int, f"deletion_summary lacks {key}: {body}")
        self.error(self.get("/users/me", user), 401)
        self.error(self.call("POST", "/auth/login", form={"username": user.username, "password": PASSWORD}), 401)
        # The name is free again.
        self.ok(self.post("/auth/register", json_body=signup(user.username)), 201)

    def test_delete_with_trailing_slash(self):
        user = new_user()
        self.ok(self.delete("/users/me/", user))
        self.error(self.get("/users/me", user), 401)

    def test_last_admin_cannot_delete_itself(self):
        token = remember_token(h.admin_token(), h.env("MEDIKEEP_E2E_ADMIN_USER"))
        self.error(self.call("DELETE", "/users/me", token=token), 400)
        self.ok(self.call("GET", "/users/me", token=token))


class PreferencesTests(ApiTestCase):
    def test_get_returns_the_contract_fields(self):
        user = new_user()
        for r in self.check_both_slashes("GET", "/users/me/preferences", user, 200):
            prefs = r.json
            self.assert_has_fields(prefs, ["user_id", "theme", "notifications_enabled", "language"])
            self.assertEqual(prefs["user_id"], user.id)
            self.assertIsInstance(prefs["notifications_enabled"], bool)

    def test_put_is_partial(self):
        user = new_user()
        before = self.ok(self.get("/users/me/preferences", user))
        after = self.ok(self.put("/users/me/preferences", user, {"theme": "dark", "notifications_enabled": False}))
        self.assertEqual(after, {**before, "theme": "dark", "notifications_enabled": False})
        after = self.ok(self.put("/users/me/preferences/", user, {"language": "pt-BR"}))
        self.assertEqual(after, {**before, "theme": "dark", "notifications_enabled": False, "language": "pt-BR"})
        self.assertEqual(self.ok(self.get("/users/me/preferences", user)), after)

    def test_session_timeout_applies_at_the_next_login(self):
        user = new_user()
        self.assertEqual(self.ok(self.put("/users/me/preferences", user, {"session_timeout_minutes": 45}))["session_timeout_minutes"], 45)
        body = self.ok(self.call("POST", "/auth/login", form={"username": user.username, "password": PASSWORD}))
        remember_token(body["access_token"], user.username)
        self.assertEqual(body["session_timeout_minutes"], 45)
        self.assertIsNone(self.ok(self.put("/users/me/preferences", user, {"session_timeout_minutes": None}))["session_timeout_minutes"])

    def test_bad_values_are_422_and_change_nothing(self):
        user = new_user()
        before = self.ok(self.get("/users/me/preferences", user))
        self.check_field_errors("PUT", "/users/me/preferences", user, {"theme": "dark"}, 422, [
            ("theme", "purple"), ("theme", 1), ("notifications_enabled", "yes"), ("notifications_enabled", 1),
            ("language", "x"), ("language", "e" * 11), ("language", "en'; DROP TABLE users;--"),
            ("session_timeout_minutes", 4), ("session_timeout_minutes", 1441), ("session_timeout_minutes", "60"),
            ("unit_system", "cubits"), ("date_format", "yyyy"),
        ])
        self.assertEqual(self.ok(self.get("/users/me/preferences", user)), before)
        self.check_malformed_bodies("PUT", "/users/me/preferences", user, string_field="language")


if __name__ == "__main__":
    unittest.main()
