"""Fake notification services on 127.0.0.1, started by the tests, recording what arrived:

FakeNotifyHTTP (one server, the real services' paths):
  POST /bot<token>/sendMessage        Telegram Bot API   → {"ok": true, "result": {...}}
  POST /1/messages.json               Pushover           → {"status": 1, "request": ...}
  POST /api/webhooks/<id>/<token>     Discord webhook    → 204
  POST /services/<a>/<b>/<c>          Slack webhook      → "ok"
  POST|PUT /hook/<anything>           a generic webhook  → {"received": true}
  `fail[path] = (status, times)` answers `status` for the next `times` requests to path.

FakeSMTP: a minimal SMTP server (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT;
no STARTTLS offered), keeping each message with its envelope and any AUTH credentials.
"""

import base64
import json
import socket
import threading
import urllib.parse

from fake_backends import FakeServer


class FakeNotifyHTTP(FakeServer):
    def __init__(self):
        self.fail = {}
        super().__init__()

    def handle(self, record):
        path = record["path"]
        with self.lock:
            status, times = self.fail.get(path, (None, 0))
            if times > 0:
                self.fail[path] = (status, times - 1)
                return status, {}, {"error": "fake failure"}
        if path.startswith("/bot") and path.endswith("/sendMessage"):
            return 200, {}, {"ok": True, "result": {"message_id": len(self.requests)}}
        if path == "/1/messages.json":
            return 200, {}, {"status": 1, "request": "fake"}
        if path.startswith("/api/webhooks/"):
            return 204, {}, b""
        if path.startswith("/services/"):
            return 200, {"Content-Type": "text/plain"}, b"ok"
        if path.startswith("/hook/"):
            return 200, {}, {"received": True}
        return 404, {}, {"error": "not found"}

    def json_bodies(self, path_prefix, method="POST"):
        return [json.loads(r["body"]) for r in self.arrived(method, path_prefix)]

    def forms(self, path):
        return [urllib.parse.parse_qs(r["body"].decode()) for r in self.arrived("POST", path)]


class FakeSMTP:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def stop(self):
        self.running = False
        self.listener.close()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._session, args=(conn,), daemon=True).start()

    def _session(self, conn):
        conn.settimeout(20)
        reader = conn.makefile("rb")

        def reply(line):
            conn.sendall(line.encode() + b"\r\n")

        envelope = {"from": None, "to": [], "auth": None}
        try:
            reply("220 fake-smtp ready")
            while True:
                raw = reader.readline()
                if not raw:
                    return
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                verb = line.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    conn.sendall(b"250-fake-smtp\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n")
                elif verb == "AUTH":
                    parts = line.split()
                    encoded = parts[2] if len(parts) > 2 else None
                    if encoded is None:
                        reply("334 ")
                        encoded = reader.readline().decode().strip()
                    fields = base64.b64decode(encoded).split(b"\0")
                    envelope["auth"] = (fields[1].decode(), fields[2].decode())
                    reply("235 2.7.0 accepted")
                elif verb == "MAIL":
                    envelope["from"] = line.split(":", 1)[1].split()[0].strip("<>")
                    envelope["to"] = []
                    reply("250 ok")
                elif verb == "RCPT":
                    envelope["to"].append(line.split(":", 1)[1].strip().strip("<>"))
                    reply("250 ok")
                elif verb == "DATA":
                    reply("354 end with <CRLF>.<CRLF>")
                    data = []
                    while True:
                        chunk = reader.readline()
                        if not chunk or chunk in (b".\r\n", b".\n"):
                            break
                        data.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    with self.lock:
                        self.messages.append({**envelope, "to": list(envelope["to"]),
                                              "data": b"".join(data).decode("utf-8", "replace")})
                    reply("250 queued")
                elif verb in ("RSET", "NOOP"):
                    reply("250 ok")
                elif verb == "QUIT":
                    reply("221 bye")
                    return
                else:
                    reply("502 not implemented")
        except OSError:
            return
        finally:
            conn.close()

    def to(self, address):
        with self.lock:
            return [m for m in self.messages if address in m["to"]]
