"""Single sign-on through nginx and a pool configured for a fake identity provider on
127.0.0.1 (fake_idp.py): OpenID Connect (as Keycloak, Authentik, Authelia or Google
would answer) and GitHub. A self-hoster's path — sign in as a new user, again as the
same user, link an existing local account — and every forged or replayed callback.

Contract: api-reference.txt "SSO Authentication"; decisions in docs/api-notes.md (SSO).
"""
import hashlib
import json
import unittest
import urllib.parse

import harness as h
from apicase import db_execute
from fake_idp import FakeGitHub, FakeOIDC, SigningKey

CLIENT_ID = "medikeep-test"
REDIRECT_URI = "http://127.0.0.1:8080/auth/sso/callback"
SSO = "/api/v1/auth/sso"


def person(**fields):
    """An identity at the fake provider; unique subject and e-mail unless given."""
    name = h.unique("sso")
    base = {"sub": "sub-" + name, "email": f"{name}@idp.example.org", "preferred_username": name}
    base.update(fields)
    return base


class SSOCase(unittest.TestCase):
    """A stack whose pool points at the fake provider `fake_class`."""
    fake_class = FakeOIDC
    provider_type = "oidc"

    @classmethod
    def setUpClass(cls):
        cls.secret = "secret-" + h.unique("cs")
        cls.fake = cls.fake_class(CLIENT_ID, cls.secret, REDIRECT_URI)
        settings = {"sso_enabled": "true", "sso_provider_type": cls.provider_type, "sso_client_id": CLIENT_ID,
                    "sso_client_secret": cls.secret, "sso_redirect_uri": REDIRECT_URI, "sso_timeout": "5"}
        if cls.provider_type == "github":
            settings.update(sso_github_oauth_url=cls.fake.base, sso_github_api_url=cls.fake.base)
        else:
            settings.update(sso_issuer_url=cls.fake.base)
        try:
            cls.stack = h.ExtraStack("sso-" + cls.provider_type, workers=1, threads=2, **settings)
        except BaseException:
            cls.fake.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()
        cls.fake.stop()

    def post(self, path, **kw):
        return h.post(SSO + path, base=self.stack.base, **kw)

    def initiate(self, return_url=None):
        path = "/initiate" + ("?" + urllib.parse.urlencode({"return_url": return_url}) if return_url else "")
        r = self.post(path)
        self.assertEqual(r.status, 200, r)
        return r.json

    def authorize(self, started, who):
        """The browser at the provider: signs in as `who`; the code and state it brings back."""
        url = urllib.parse.urlsplit(started["authorization_url"])
        self.assertEqual(f"{url.scheme}://{url.netloc}", self.fake.base)
        query = url.query + "&" + urllib.parse.urlencode({"login_as": json.dumps(who)})
        r = h.get(url.path + "?" + query, base=self.fake.base)
        self.assertEqual(r.status, 302, r)
        back = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.header("Location")).query))
        self.assertEqual(back["state"], started["state"])
        return back["code"], back["state"]

    def sign_in(self, who, tweak=None, return_url=None):
        code, state = self.authorize(self.initiate(return_url), who)
        self.fake.tweak = tweak or {}
        return self.post("/callback", json_body={"code": code, "state": state})

    def assert_signed_in(self, r, email=None, new=None):
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertNotIn("conflict", body)
        self.assertEqual(body["token_type"], "bearer")
        if email is not None:
            self.assertEqual(body["user"]["email"], email)
        if new is not None:
            self.assertIs(body["is_new_user"], new, body)
        me = h.get("/api/v1/users/me", token=body["access_token"], base=self.stack.base)
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["id"], body["user"]["id"])
        return body

    def assert_refused(self, r, status=401):
        h.assert_error_shape(self, r, status)

    def user_count(self, email_like):
        return int(db_execute(f"SELECT COUNT(*) FROM users WHERE email LIKE '{email_like}'").strip())


class OIDCSignInTests(SSOCase):
    def test_config_says_enabled_with_provider(self):
        for path in ("/config", "/config/"):
            r = h.get(SSO + path, base=self.stack.base)
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["enabled"], True)
            self.assertEqual(r.json["provider_type"], "oidc")
            self.assertIn(r.json["registration_enabled"], (True, False))
            self.assertNotIn(self.secret, r.text)

    def test_main_stack_without_sso_says_disabled(self):
        r = h.get(SSO + "/config")
        self.assertEqual(r.json, {"enabled": False, "provider_type": None, "registration_enabled": True})
        self.assert_refused(h.post(SSO + "/initiate"), 400)

    def test_authorization_url_carries_state_nonce_and_pkce(self):
        started = self.initiate()
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(started["authorization_url"]).query))
        self.assertEqual(query["response_type"], "code")
        self.assertEqual(query["client_id"], CLIENT_ID)
        self.assertEqual(query["redirect_uri"], REDIRECT_URI)
        self.assertEqual(query["state"], started["state"])
        self.assertEqual(query["code_challenge_method"], "S256")
        self.assertGreaterEqual(len(query["nonce"]), 32)
        self.assertIn("openid", query["scope"].split())
        self.assertNotIn(self.secret, started["authorization_url"])

    def test_new_user_then_same_user_again(self):
        who = person(given_name="Ada", family_name="Lovelace")
        first = self.assert_signed_in(self.sign_in(who, return_url="/dashboard"), email=who["email"], new=True)
        self.assertEqual(first["user"]["auth_method"], "oidc_sso")
        self.assertEqual(first["user"]["sso_provider"], "oidc")
        self.assertEqual(first["user"]["full_name"], "Ada Lovelace")
        self.assertEqual(first["user"]["role"], "user")
        self.assertEqual(first["return_url"], "/dashboard")
        self.assertEqual(first["session_timeout_minutes"], 30)
        # The new user has a patient record of their own, as after registration.
        me = h.get("/api/v1/patients/me", token=first["access_token"], base=self.stack.base)
        self.assertEqual(me.status, 200, me)
        again = self.assert_signed_in(self.sign_in(who), email=who["email"], new=False)
        self.assertEqual(again["user"]["id"], first["user"]["id"])
        # The SSO-only account has no password that works.
        r = h.post("/api/v1/auth/login", form={"username": first["user"]["username"], "password": "!sso-only"})
        self.assertEqual(r.status, 401, r)

    def test_es256_tokens_are_accepted(self):
        who = person()
        self.assert_signed_in(self.sign_in(who, tweak={"key": self.fake.ec}), email=who["email"], new=True)

    def test_email_from_userinfo_when_the_id_token_has_none(self):
        who = person()
        self.assert_signed_in(self.sign_in(who, tweak={"no_email": True}), email=who["email"], new=True)

    def test_return_url_same_origin_is_reduced_to_its_path(self):
        body = self.assert_signed_in(self.sign_in(person(), return_url="http://127.0.0.1:8080/records?tab=2"))
        self.assertEqual(body["return_url"], "/records?tab=2")

    def test_return_url_to_another_host_is_refused(self):
        for url in ("https://evil.example/phish", "//evil.example/phish", "/\\evil.example", "http://127.0.0.1:9/x",
                    "javascript:alert(1)", "/ok\r\nSet-Cookie: x=1"):
            with self.subTest(url=url):
                r = self.post("/initiate?" + urllib.parse.urlencode({"return_url": url}))
                body = h.assert_error_shape(self, r, 400)
                self.assertEqual(body["detail"][0]["field"], "return_url")

    def test_callback_requires_code_and_state(self):
        r = self.post("/callback", json_body={"code": ""})
        body = h.assert_error_shape(self, r, 422)
        self.assertEqual({p["field"] for p in body["detail"]}, {"code", "state"})

    def test_unknown_state_is_refused_before_any_call_to_the_provider(self):
        before = len(self.fake.requests)
        self.assert_refused(self.post("/callback", json_body={"code": "x", "state": "made-up"}))
        self.assertEqual(len(self.fake.requests), before)

    def test_replayed_state_is_refused(self):
        who = person()
        code, state = self.authorize(self.initiate(), who)
        self.assert_signed_in(self.post("/callback", json_body={"code": code, "state": state}))
        self.assert_refused(self.post("/callback", json_body={"code": code, "state": state}))

    def test_state_is_single_use_under_parallel_callbacks(self):
        code, state = self.authorize(self.initiate(), person())
        results = h.in_parallel([lambda: self.post("/callback", json_body={"code": code, "state": state})] * 4)
        self.assertEqual(sorted(r.status for r in results), [200, 401, 401, 401], results)

    def test_expired_state_is_refused(self):
        started = self.initiate()
        code, state = self.authorize(started, person())
        digest = hashlib.sha256(state.encode()).hexdigest()
        db_execute(f"UPDATE sso_states SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND "
                   f"WHERE state_hash = '{digest}'")
        self.assert_refused(self.post("/callback", json_body={"code": code, "state": state}))

    def test_forged_tokens_are_refused_and_create_nobody(self):
        other = SigningKey("RS256", "rsa-1")  # same kid as the published key, another key
        stranger = SigningKey("RS256", "rsa-unknown")
        cases = {
            "wrong nonce": {"claims": {"nonce": "not-the-one-we-sent"}},
            "no nonce": {"claims": {"nonce": None}},
            "signed by another key": {"key": other},
            "key not in the JWKS": {"key": stranger},
            "expired": {"claims": {"exp": 1_000_000_000, "iat": 999_999_000}},
            "wrong audience": {"claims": {"aud": "another-client"}},
            "audience list without us": {"claims": {"aud": ["a", "b"]}},
            "wrong issuer": {"claims": {"iss": "http://127.0.0.1:1"}},
            "issued in the future": {"claims": {"iat": 99_999_999_999, "exp": 99_999_999_999}},
            "alg none": {"header": {"alg": "none", "typ": "JWT"}},
            "alg HS256": {"header": {"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}},
            "ES256 header on an RSA key": {"header": {"alg": "ES256", "typ": "JWT", "kid": "rsa-1"}},
        }
        for name, tweak in cases.items():
            with self.subTest(name):
                who = person()
                r = self.sign_in(who, tweak=tweak)
                self.assert_refused(r)
                self.assertNotIn("access_token", r.text)
                self.assertEqual(self.user_count(who["email"]), 0)

    def test_code_is_exchanged_once(self):
        """A code replayed with a fresh state: the provider refuses it (one-time code)."""
        code, state = self.authorize(self.initiate(), person())
        self.assert_signed_in(self.post("/callback", json_body={"code": code, "state": state}))
        fresh = self.initiate()["state"]
        self.assert_refused(self.post("/callback", json_body={"code": code, "state": fresh}))

    def test_secret_never_in_logs(self):
        self.sign_in(person())
        with open(self.stack.pool.log_file, errors="replace") as f:
            self.assertNotIn(self.secret, f.read())

    def test_connection_test_is_admin_only(self):
        r = self.post("/test-connection", token=h.login(h.env("MEDIKEEP_E2E_ADMIN_USER"),
                                                         h.env("MEDIKEEP_E2E_ADMIN_PASSWORD"),
                                                         base=self.stack.base))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["success"], True, r.json)
        self.assertNotIn(self.secret, r.text)
        self.assert_refused(self.post("/test-connection"), 401)
        _, token = h.new_user_token()
        self.assert_refused(self.post("/test-connection", token=token), 403)

    def test_registration_disabled_refuses_new_users_only(self):
        known = person()
        self.assert_signed_in(self.sign_in(known), new=True)
        db_execute("REPLACE INTO app_settings (name, value) VALUES ('registration_enabled', 'false')")
        try:
            config = h.get(SSO + "/config", base=self.stack.base).json
            self.assertIs(config["registration_enabled"], False)
            stranger = person()
            self.assert_refused(self.sign_in(stranger), 403)
            self.assertEqual(self.user_count(stranger["email"]), 0)
            self.assert_signed_in(self.sign_in(known), new=False)
            # Local administrators still sign in with their password.
            h.login(h.env("MEDIKEEP_E2E_ADMIN_USER"), h.env("MEDIKEEP_E2E_ADMIN_PASSWORD"), base=self.stack.base)
        finally:
            db_execute("REPLACE INTO app_settings (name, value) VALUES ('registration_enabled', 'true')")

    def test_sso_endpoints_have_the_login_rate_limit(self):
        nginx = h.ExtraNginx("sso-limits", f"unix:{self.stack.pool.socket}", factor=1)
        try:
            statuses = [h.get(SSO + "/config", base=nginx.base).status for _ in range(12)]
        finally:
            nginx.stop()
        self.assertEqual(statuses[:10], [200] * 10)
        self.assertIn(429, statuses[10:])


class OIDCConflictTests(SSOCase):
    """An SSO e-mail that belongs to a local account: the person chooses."""

    def local_user(self):
        username, password, user = h.register_user()
        return username, password, user

    def conflict(self, who):
        r = self.sign_in(who)
        self.assertEqual(r.status, 200, r)
        body = r.json
        self.assertIs(body.get("conflict"), True, body)
        self.assertEqual(body["existing_email"], who["email"])
        self.assertEqual(body["sso_provider"], "oidc")
        self.assertNotIn("access_token", body)
        return body["temp_token"]

    def resolve(self, token, action, preference):
        return self.post("/resolve-conflict", json_body={"temp_token": token, "action": action,
                                                         "preference": preference})

    def test_link_signs_in_to_the_existing_account_and_sticks(self):
        username, password, user = self.local_user()
        who = person(email=user["email"])
        token = self.conflict(who)
        linked = self.assert_signed_in(self.resolve(token, "link", "always_ask"), email=user["email"], new=False)
        self.assertEqual(linked["user"]["id"], user["id"])
        self.assertEqual(linked["user"]["auth_method"], "hybrid")
        # Next time the identity is known: no question asked.
        again = self.assert_signed_in(self.sign_in(who), new=False)
        self.assertEqual(again["user"]["id"], user["id"])
        # The password still works.
        h.login(username, password, base=self.stack.base)
        # The temporary token was used up.
        self.assert_refused(self.resolve(token, "link", "always_ask"), 400)

    def test_create_separate_makes_a_second_account(self):
        _, _, user = self.local_user()
        who = person(email=user["email"])
        body = self.assert_signed_in(self.resolve(self.conflict(who), "create_separate", "always_ask"), new=True)
        self.assertNotEqual(body["user"]["id"], user["id"])
        local, domain = user["email"].split("@")
        self.assertEqual(body["user"]["email"], f"{local}+oidc@{domain}")
        again = self.assert_signed_in(self.sign_in(who), new=False)
        self.assertEqual(again["user"]["id"], body["user"]["id"])

    def test_always_ask_asks_again_for_another_identity(self):
        _, _, user = self.local_user()
        self.assert_signed_in(self.resolve(self.conflict(person(email=user["email"])), "create_separate",
                                           "always_ask"))
        self.conflict(person(email=user["email"]))

    def test_auto_link_preference_links_the_next_identity_without_asking(self):
        _, _, user = self.local_user()
        self.assert_signed_in(self.resolve(self.conflict(person(email=user["email"])), "create_separate",
                                           "auto_link"))
        body = self.assert_signed_in(self.sign_in(person(email=user["email"])), new=False)
        self.assertEqual(body["user"]["id"], user["id"])

    def test_create_separate_preference_creates_without_asking(self):
        _, _, user = self.local_user()
        self.assert_signed_in(self.resolve(self.conflict(person(email=user["email"])), "link",
                                           "create_separate"))
        body = self.assert_signed_in(self.sign_in(person(email=user["email"])), new=True)
        self.assertNotEqual(body["user"]["id"], user["id"])

    def test_unverified_email_cannot_be_linked(self):
        _, _, user = self.local_user()
        token = self.conflict(person(email=user["email"], email_verified=False))
        self.assert_refused(self.resolve(token, "link", "auto_link"), 403)
        # Nothing was used up or changed: a separate account is still possible.
        self.assert_signed_in(self.resolve(token, "create_separate", "always_ask"), new=True)

    def test_expired_temporary_token_is_refused(self):
        _, _, user = self.local_user()
        token = self.conflict(person(email=user["email"]))
        digest = hashlib.sha256(token.encode()).hexdigest()
        db_execute(f"UPDATE sso_pending_links SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND "
                   f"WHERE token_hash = '{digest}'")
        self.assert_refused(self.resolve(token, "link", "auto_link"), 400)
        self.assertEqual(db_execute(f"SELECT external_id IS NULL FROM users WHERE id = {user['id']}").strip(), "1")

    def test_disabled_account_is_not_linked(self):
        _, _, user = self.local_user()
        who = person(email=user["email"])
        token = self.conflict(who)
        db_execute(f"UPDATE users SET is_active = 0 WHERE id = {user['id']}")
        self.assert_refused(self.resolve(token, "link", "auto_link"), 401)
        row = db_execute(f"SELECT external_id IS NULL, sso_linking_preference IS NULL FROM users "
                         f"WHERE id = {user['id']}").split()
        self.assertEqual(row, ["1", "1"])  # nothing changed

    def test_create_separate_needs_registration(self):
        _, _, user = self.local_user()
        token = self.conflict(person(email=user["email"]))
        db_execute("REPLACE INTO app_settings (name, value) VALUES ('registration_enabled', 'false')")
        try:
            self.assert_refused(self.resolve(token, "create_separate", "auto_link"), 403)
        finally:
            db_execute("REPLACE INTO app_settings (name, value) VALUES ('registration_enabled', 'true')")
        # The refusal used nothing up and changed nothing.
        pref = db_execute(f"SELECT sso_linking_preference IS NULL FROM users WHERE id = {user['id']}").strip()
        self.assertEqual(pref, "1")
        self.assert_signed_in(self.resolve(token, "create_separate", "always_ask"), new=True)

    def test_bad_resolutions(self):
        _, _, user = self.local_user()
        token = self.conflict(person(email=user["email"]))
        body = h.assert_error_shape(self, self.resolve(token, "merge", "sometimes"), 422)
        self.assertEqual({p["field"] for p in body["detail"]}, {"action", "preference"})
        self.assert_refused(self.resolve("made-up", "link", "auto_link"), 400)
        self.assert_refused(self.post("/resolve-github-link", json_body={
            "temp_token": token, "username": "x", "password": "y"}), 400)


class GitHubTests(SSOCase):
    fake_class = FakeGitHub
    provider_type = "github"

    def github_person(self, emails=None, **fields):
        name = h.unique("gh")
        base = {"id": int(h.unique("")[:8], 16), "login": name, "name": "Grace Hopper",
                "emails": emails if emails is not None else [
                    {"email": f"{name}-old@gh.example.org", "primary": False, "verified": False},
                    {"email": f"{name}@gh.example.org", "primary": True, "verified": True}]}
        base.update(fields)
        return base

    def test_new_user_with_the_verified_primary_email(self):
        who = self.github_person()
        body = self.assert_signed_in(self.sign_in(who), email=f"{who['login']}@gh.example.org", new=True)
        self.assertEqual(body["user"]["auth_method"], "github_sso")
        self.assertEqual(body["user"]["username"], who["login"])
        again = self.assert_signed_in(self.sign_in(who), new=False)
        self.assertEqual(again["user"]["id"], body["user"]["id"])

    def test_no_verified_email_is_refused(self):
        who = self.github_person(emails=[{"email": "x@gh.example.org", "primary": True, "verified": False}])
        self.assert_refused(self.sign_in(who), 400)

    def test_conflict_is_linked_by_password(self):
        username, password, user = h.register_user()
        who = self.github_person(emails=[{"email": user["email"], "primary": True, "verified": True}])
        r = self.sign_in(who)
        self.assertIs(r.json.get("conflict"), True, r)
        self.assertIs(r.json.get("github_manual_link"), True, r)
        token = r.json["temp_token"]
        # Linking by e-mail alone is not offered for GitHub.
        self.assert_refused(self.post("/resolve-conflict", json_body={
            "temp_token": token, "action": "link", "preference": "auto_link"}), 400)
        wrong = self.post("/resolve-github-link", json_body={"temp_token": token, "username": username,
                                                             "password": "Wrong-Passw0rd!"})
        self.assert_refused(wrong, 401)
        body = self.assert_signed_in(self.post("/resolve-github-link", json_body={
            "temp_token": token, "username": username, "password": password}), new=False)
        self.assertEqual(body["user"]["id"], user["id"])
        again = self.assert_signed_in(self.sign_in(who), new=False)
        self.assertEqual(again["user"]["id"], user["id"])

    def test_connection_test(self):
        admin = h.login(h.env("MEDIKEEP_E2E_ADMIN_USER"), h.env("MEDIKEEP_E2E_ADMIN_PASSWORD"),
                        base=self.stack.base)
        r = self.post("/test-connection", token=admin)
        self.assertEqual(r.status, 200, r)
        self.assertIs(r.json["success"], True, r.json)


if __name__ == "__main__":
    unittest.main()
