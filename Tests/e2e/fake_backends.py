"""Small fake Paperless-ngx and Papra servers on 127.0.0.1, started by the tests, with the
real APIs' shapes for what MediKeep calls:

Paperless-ngx (token auth `Authorization: Token …`, or Basic):
  POST /api/documents/post_document/   multipart `document`, `title`, `tags` → task id (a JSON string)
  GET  /api/tasks/?task_id=            → [{task_id, status, result, related_document}]
  GET  /api/documents/?query=&page=&page_size=&id__in=  → {count, next, previous, results}
  GET  /api/documents/{id}/            → the document
  GET  /api/documents/{id}/download/   → its bytes
  GET  /api/tags/?name__iexact=, /api/correspondents/?name__iexact=
Papra (API key `Authorization: Bearer …`):
  GET  /api/organizations              → {organizations: [...]}
  POST /api/organizations/{org}/documents            multipart `file` → {document}
  GET  /api/organizations/{org}/documents            ?pageIndex&pageSize → {documents, documentsCount}
  GET  /api/organizations/{org}/documents/search     ?searchQuery → {documents, totalCount}
  GET  /api/organizations/{org}/documents/{id}       → {document}
  GET  /api/organizations/{org}/documents/{id}/file  → its bytes

Each server keeps what arrived (`requests`: method, path, headers, form fields, file) so a
test can check what MediKeep sent.
"""

import base64
import json
import re
import threading
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def parse_multipart(content_type, body):
    """(fields, files) of a multipart/form-data body; files: name → (filename, type, bytes)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type or "")
    fields, files = {}, {}
    if not match:
        return fields, files
    delimiter = b"--" + match.group(1).encode()
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        head, _, data = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
        data = data[:-2] if data.endswith(b"\r\n") else data
        headers = head.decode("utf-8", "replace")
        name = re.search(r'name="([^"]*)"', headers)
        filename = re.search(r'filename="([^"]*)"', headers)
        ctype = re.search(r"Content-Type:\s*(\S+)", headers, re.I)
        if not name:
            continue
        if filename:
            files[name.group(1)] = (filename.group(1), ctype.group(1) if ctype else None, data)
        else:
            fields.setdefault(name.group(1), []).append(data.decode())
    return fields, files


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) around `handle`."""

    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                fields, files = ({}, {})
                if (self.headers.get("Content-Type") or "").startswith("multipart/form-data"):
                    fields, files = parse_multipart(self.headers.get("Content-Type"), body)
                record = {"method": self.command, "path": url.path, "query": query,
                          "headers": dict(self.headers.items()), "fields": fields, "files": files,
                          "body": body}
                with fake.lock:
                    fake.requests.append(record)
                status, headers, payload = fake.handle(record)
                if isinstance(payload, (dict, list, str)) and not isinstance(payload, bytes):
                    payload = json.dumps(payload).encode()
                    headers = {"Content-Type": "application/json", **headers}
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def arrived(self, method, path_prefix):
        with self.lock:
            return [r for r in self.requests if r["method"] == method and r["path"].startswith(path_prefix)]


class FakePaperless(FakeServer):
    def __init__(self, token="paperless-secret-token", username=None, password=None):
        self.token = token
        self.basic = (username, password) if username else None
        self.documents = {}   # id → {"json": {...}, "content": bytes}
        self.tasks = {}       # uuid → {...}
        self.tags = {"medical": 7, "lab-results": 8}
        self.correspondents = {"LabCorp": 3}
        self.next_id = 100
        self.consume_at_once = True
        self.redirect_everything_to = None
        super().__init__()

    def add_document(self, title, content, mime_type="application/pdf", original_file_name=None):
        with self.lock:
            self.next_id += 1
            doc_id = self.next_id
            self.documents[doc_id] = {
                "json": {"id": doc_id, "title": title, "mime_type": mime_type, "content": "OCR text",
                         "original_file_name": original_file_name or f"{title}.pdf",
                         "created": "2026-01-01T10:00:00Z", "tags": [], "correspondent": None},
                "content": content}
        return doc_id

    def finish_tasks(self, status="SUCCESS"):
        """Ends every pending task: consumes its document (or fails it)."""
        with self.lock:
            pending = [t for t in self.tasks.values() if t["status"] == "PENDING"]
        for task in pending:
            if status == "SUCCESS":
                doc_id = self.add_document(task["title"], task["content"], task["mime_type"], task["file_name"])
                task.update(status="SUCCESS", related_document=str(doc_id), result=f"Success. New document id {doc_id} created")
            else:
                task.update(status="FAILURE", result="Not consuming: It is a duplicate.")

    def authorized(self, headers):
        auth = headers.get("Authorization", "")
        if auth == f"Token {self.token}":
            return True
        if self.basic and auth.startswith("Basic "):
            return base64.b64decode(auth[6:]).decode() == f"{self.basic[0]}:{self.basic[1]}"
        return False

    def handle(self, r):
        if self.redirect_everything_to:
            return 302, {"Location": self.redirect_everything_to}, b""
        if not self.authorized(r["headers"]):
            return 401, {}, {"detail": "Invalid token."}
        path, query = r["path"], r["query"]
        if r["method"] == "POST" and path == "/api/documents/post_document/":
            if "document" not in r["files"]:
                return 400, {}, {"document": ["No file was submitted."]}
            file_name, mime_type, content = r["files"]["document"]
            task_id = str(uuid.uuid4())
            title = (r["fields"].get("title") or [file_name.rsplit(".", 1)[0]])[0]
            task = {"task_id": task_id, "status": "PENDING", "result": None, "related_document": None,
                    "title": title, "content": content, "mime_type": mime_type, "file_name": file_name}
            self.tasks[task_id] = task
            if self.consume_at_once:
                self.finish_tasks()
            return 200, {}, task_id
        if r["method"] == "GET" and path == "/api/tasks/":
            task = self.tasks.get((query.get("task_id") or [""])[0])
            if not task:
                return 200, {}, []
            return 200, {}, [{k: task[k] for k in ("task_id", "status", "result", "related_document")}]
        if r["method"] == "GET" and path == "/api/documents/":
            docs = [d["json"] for d in self.documents.values()]
            if "id__in" in query:
                wanted = {int(x) for x in query["id__in"][0].split(",") if x}
                docs = [d for d in docs if d["id"] in wanted]
            if "query" in query:
                docs = [d for d in docs if query["query"][0].lower() in d["title"].lower()]
            page = int((query.get("page") or ["1"])[0])
            size = int((query.get("page_size") or ["25"])[0])
            docs.sort(key=lambda d: d["id"])
            if page > 1 and (page - 1) * size >= len(docs):
                return 404, {}, {"detail": "Invalid page."}
            return 200, {"X-Version": "2.13.5"}, {"count": len(docs), "next": None, "previous": None,
                                                  "results": docs[(page - 1) * size: page * size]}
        match = re.fullmatch(r"/api/documents/(\d+)/(download/)?", path)
        if r["method"] == "GET" and match:
            doc = self.documents.get(int(match.group(1)))
            if not doc:
                return 404, {}, {"detail": "No Document matches the given query."}
            if match.group(2):
                return 200, {"Content-Type": doc["json"]["mime_type"],
                             "Content-Disposition": 'attachment; filename="x.pdf"'}, doc["content"]
            return 200, {}, doc["json"]
        for kind, names in (("tags", self.tags), ("correspondents", self.correspondents)):
            if r["method"] == "GET" and path == f"/api/{kind}/":
                name = (query.get("name__iexact") or [""])[0].lower()
                hits = [{"id": i, "name": n} for n, i in names.items() if n.lower() == name]
                return 200, {}, {"count": len(hits), "results": hits}
        return 404, {}, {"detail": "Not found."}


class FakePapra(FakeServer):
    def __init__(self, token="ppapi_secret_key", organization="org_home"):
        self.token = token
        self.organization = organization
        self.documents = {}
        super().__init__()

    def add_document(self, name, content, mime_type="application/pdf"):
        doc_id = "doc_" + uuid.uuid4().hex[:12]
        with self.lock:
            self.documents[doc_id] = {"json": {"id": doc_id, "name": name, "mimeType": mime_type,
                                               "originalSize": len(content), "organizationId": self.organization,
                                               "createdAt": "2026-01-01T10:00:00.000Z"},
                                      "content": content}
        return doc_id

    def handle(self, r):
        if r["headers"].get("Authorization") != f"Bearer {self.token}":
            return 401, {}, {"error": {"message": "Unauthorized", "code": "auth.unauthorized"}}
        path, query = r["path"], r["query"]
        if r["method"] == "GET" and path == "/api/organizations":
            return 200, {}, {"organizations": [{"id": self.organization, "name": "Home"}]}
        base = f"/api/organizations/{self.organization}/documents"
        if not path.startswith(base):
            return 404, {}, {"error": {"message": "Not found"}}
        rest = path[len(base):]
        if r["method"] == "POST" and rest == "":
            if "file" not in r["files"]:
                return 400, {}, {"error": {"message": "No file"}}
            name, mime_type, content = r["files"]["file"]
            doc_id = self.add_document(name, content, mime_type or "application/octet-stream")
            return 200, {}, {"document": self.documents[doc_id]["json"]}
        if r["method"] == "GET" and rest in ("", "/search"):
            docs = [d["json"] for d in self.documents.values()]
            if rest == "/search":
                needle = (query.get("searchQuery") or [""])[0].lower()
                docs = [d for d in docs if needle in d["name"].lower()]
            index = int((query.get("pageIndex") or ["0"])[0])
            size = int((query.get("pageSize") or ["20"])[0])
            page = docs[index * size:(index + 1) * size]
            key = "totalCount" if rest == "/search" else "documentsCount"
            return 200, {}, {"documents": page, key: len(docs)}
        match = re.fullmatch(r"/([A-Za-z0-9_]+)(/file)?", rest)
        if r["method"] == "GET" and match:
            doc = self.documents.get(match.group(1))
            if not doc:
                return 404, {}, {"error": {"message": "Document not found"}}
            if match.group(2):
                return 200, {"Content-Type": doc["json"]["mimeType"]}, doc["content"]
            return 200, {}, {"document": doc["json"]}
        return 404, {}, {"error": {"message": "Not found"}}
