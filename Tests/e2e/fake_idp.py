"""Small stand-ins for identity providers, on 127.0.0.1, for the SSO tests:

- FakeOIDC: discovery, authorize, token, JWKS and userinfo of an OpenID Connect
  provider (what Keycloak, Authentik, Authelia and Google look like to us). Its keys
  (RSA 2048 for RS256, P-256 for ES256) are generated per run with `cryptography`.
- FakeGitHub: GitHub's OAuth authorize/access_token and the /user and /user/emails API.

Both check what a real provider checks (client credentials, redirect_uri, PKCE) and
let a test change the next answer (`tweak`) to forge tokens the server must refuse.
"""
import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def int_bytes(number, length=None):
    length = length or (number.bit_length() + 7) // 8
    return number.to_bytes(length, "big")


class SigningKey:
    """A key pair with its JWK; signs JWS compact tokens."""

    def __init__(self, kind, kid):
        self.kind, self.kid = kind, kid
        if kind == "RS256":
            self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            numbers = self.private.public_key().public_numbers()
            self.jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
                        "n": b64url(int_bytes(numbers.n)), "e": b64url(int_bytes(numbers.e))}
        else:
            self.private = ec.generate_private_key(ec.SECP256R1())
            numbers = self.private.public_key().public_numbers()
            self.jwk = {"kty": "EC", "use": "sig", "alg": "ES256", "kid": kid, "crv": "P-256",
                        "x": b64url(int_bytes(numbers.x, 32)), "y": b64url(int_bytes(numbers.y, 32))}

    def sign(self, claims, header=None):
        header = header or {"alg": self.kind, "typ": "JWT", "kid": self.kid}
        signing_input = (b64url(json.dumps(header).encode()) + "." +
                         b64url(json.dumps(claims).encode())).encode()
        if self.kind == "RS256":
            signature = self.private.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            r, s = decode_dss_signature(self.private.sign(signing_input, ec.ECDSA(hashes.SHA256())))
            signature = int_bytes(r, 32) + int_bytes(s, 32)
        return signing_input.decode() + "." + b64url(signature)


def s256(verifier):
    return b64url(hashlib.sha256(verifier.encode()).digest())


class _Server:
    """A ThreadingHTTPServer on a free port of 127.0.0.1 run on a daemon thread."""

    def __init__(self, handler_class):
        owner = self

        class Handler(handler_class):
            fake = owner

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self.codes = {}
        self.tweak = {}
        self.requests = []
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def issue_code(self, params, person):
        """What the authorize endpoint does once the person has signed in: a one-time
        code remembered with the request's parameters."""
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = {"params": params, "person": person}
        return code

    def take_code(self, code):
        with self.lock:
            return self.codes.pop(code, None)


class _Handler(BaseHTTPRequestHandler):
    def answer(self, status, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if body is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def form(self):
        length = int(self.headers.get("Content-Length") or 0)
        return dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))

    def query(self):
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))

    def route(self):
        return urllib.parse.urlsplit(self.path).path

    def authorize(self):
        """Signs in the person the test named in `login_as` (a JSON object) and
        redirects to redirect_uri with code and state, as a browser would follow."""
        params = self.query()
        fake = self.fake
        if params.get("client_id") != fake.client_id or params.get("redirect_uri") != fake.redirect_uri:
            return self.answer(400, {"error": "invalid_request"})
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return self.answer(400, {"error": "invalid_request", "error_description": "PKCE required"})
        person = json.loads(params.pop("login_as"))
        code = fake.issue_code(params, person)
        location = params["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": params["state"]})
        self.answer(302, headers={"Location": location})

    def check_code(self, form):
        """The remembered authorization of a code, after the checks a provider makes."""
        entry = self.fake.take_code(form.get("code", ""))
        if entry is None:
            return None, "invalid_grant"
        if form.get("redirect_uri") != entry["params"]["redirect_uri"]:
            return None, "invalid_grant"
        if s256(form.get("code_verifier", "")) != entry["params"]["code_challenge"]:
            return None, "invalid_grant"  # PKCE: the code alone is not enough
        return entry, None


class _OIDCHandler(_Handler):
    def do_GET(self):
        fake, route = self.fake, self.route()
        fake.requests.append(("GET", route))
        if route == "/.well-known/openid-configuration":
            self.answer(200, {
                "issuer": fake.base, "authorization_endpoint": fake.base + "/authorize",
                "token_endpoint": fake.base + "/token", "jwks_uri": fake.base + "/jwks",
                "userinfo_endpoint": fake.base + "/userinfo",
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            })
        elif route == "/jwks":
            self.answer(200, {"keys": [key.jwk for key in fake.published]})
        elif route == "/authorize":
            self.authorize()
        elif route == "/userinfo":
            token = (self.headers.get("Authorization") or "").removeprefix("Bearer ")
            person = fake.access_tokens.get(token)
            if person is None:
                return self.answer(401, {"error": "invalid_token"})
            self.answer(200, fake.claims_of(person))
        else:
            self.answer(404, {"error": "not_found"})

    def do_POST(self):
        fake, route = self.fake, self.route()
        fake.requests.append(("POST", route))
        if route != "/token":
            return self.answer(404, {"error": "not_found"})
        form = self.form()
        expected = "Basic " + base64.b64encode(f"{fake.client_id}:{fake.client_secret}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self.answer(401, {"error": "invalid_client"})
        entry, error = self.check_code(form)
        if error:
            return self.answer(400, {"error": error})
        access = secrets.token_urlsafe(16)
        fake.access_tokens[access] = entry["person"]
        id_token = fake.id_token(entry["person"], entry["params"]["nonce"])
        self.answer(200, {"access_token": access, "token_type": "Bearer", "expires_in": 300,
                          "id_token": id_token})


class FakeOIDC(_Server):
    def __init__(self, client_id, client_secret, redirect_uri):
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.rsa = SigningKey("RS256", "rsa-1")
        self.ec = SigningKey("ES256", "ec-1")
        self.published = [self.rsa, self.ec]
        self.access_tokens = {}
        super().__init__(_OIDCHandler)

    def claims_of(self, person):
        claims = {"sub": person["sub"], "email": person["email"],
                  "email_verified": person.get("email_verified", True),
                  "given_name": person.get("given_name", "Sso"), "family_name": person.get("family_name", "User"),
                  "preferred_username": person.get("preferred_username")}
        return {k: v for k, v in claims.items() if v is not None}

    def id_token(self, person, nonce):
        """The ID token for `person`, changed as the test's `tweak` says (one use)."""
        tweak, self.tweak = self.tweak, {}
        now = int(time.time())
        claims = {"iss": self.base, "aud": self.client_id, "iat": now, "exp": now + 300, "nonce": nonce}
        claims.update(self.claims_of(person) if not tweak.get("no_email") else {"sub": person["sub"]})
        claims.update(tweak.get("claims", {}))
        key = tweak.get("key", self.rsa)
        if "header" in tweak:
            header = tweak["header"]
            if header.get("alg") == "none":
                return (b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode()) + ".")
            return key.sign(claims, header)
        return key.sign(claims)


class _GitHubHandler(_Handler):
    def do_GET(self):
        fake, route = self.fake, self.route()
        fake.requests.append(("GET", route))
        if route == "/login/oauth/authorize":
            return self.authorize()
        if route == "/":
            return self.answer(200, {"current_user_url": fake.base + "/user"})
        person = fake.access_tokens.get((self.headers.get("Authorization") or "").removeprefix("Bearer "))
        if person is None:
            return self.answer(401, {"message": "Bad credentials"})
        if route == "/user":
            self.answer(200, {"id": person["id"], "login": person["login"], "name": person.get("name")})
        elif route == "/user/emails":
            self.answer(200, person["emails"])
        else:
            self.answer(404, {"message": "Not Found"})

    def do_POST(self):
        fake, route = self.fake, self.route()
        fake.requests.append(("POST", route))
        if route != "/login/oauth/access_token":
            return self.answer(404, {"message": "Not Found"})
        form = self.form()
        if form.get("client_id") != fake.client_id or form.get("client_secret") != fake.client_secret:
            return self.answer(200, {"error": "incorrect_client_credentials"})
        entry, error = self.check_code(form)
        if error:
            return self.answer(200, {"error": "bad_verification_code"})  # GitHub's way: 200
        access = secrets.token_urlsafe(16)
        fake.access_tokens[access] = entry["person"]
        self.answer(200, {"access_token": access, "token_type": "bearer", "scope": "read:user,user:email"})


class FakeGitHub(_Server):
    def __init__(self, client_id, client_secret, redirect_uri):
        self.client_id, self.client_secret, self.redirect_uri = client_id, client_secret, redirect_uri
        self.access_tokens = {}
        super().__init__(_GitHubHandler)
