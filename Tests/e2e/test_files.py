"""Files and attachments through nginx and the pool: entity files on every record type
that takes them (upload streamed into the store, list, details, view and download sent
by nginx with X-Accel-Redirect, metadata, delete, batch counts), the legacy lab-result
file routes, patient photos, what deleting a record or a patient does to its files, a
200 MB upload checked byte for byte, an upload cut off half-way leaving nothing behind,
and another user's ids answered 404 on every file endpoint."""

import hashlib
import os
import socket
import struct
import time
import unittest
import uuid
import zlib

import harness as h
from apicase import API, ApiTestCase, db_execute, new_user
from test_hardening import FCGI_BEGIN_REQUEST, FCGI_PARAMS, FCGI_RESPONDER, FCGI_STDIN, fcgi_params, fcgi_record
from test_ocr import vm_kb

FILES = "/api/v1/entity-files"


def files_dir():
    return os.path.join(h.env("MEDIKEEP_E2E_VAR"), "data", "files")


def stored_files():
    """Every regular file under the store (relative paths), temporary names included."""
    found = set()
    for root, _dirs, names in os.walk(files_dir()):
        for name in names:
            found.add(os.path.relpath(os.path.join(root, name), files_dir()))
    return found


def multipart_head(fields, file_field=None, boundary=None):
    """The body of a multipart form around one file: (content type, prefix, suffix);
    the file's bytes go between prefix and suffix."""
    boundary = boundary or "mkFiles" + uuid.uuid4().hex
    prefix = bytearray()
    for name, value in fields:
        prefix += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n').encode()
        prefix += value.encode() + b"\r\n"
    if file_field:
        name, filename, ctype = file_field
        prefix += (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                   f"Content-Type: {ctype}\r\n\r\n").encode()
        suffix = f"\r\n--{boundary}--\r\n".encode()
    else:
        suffix = f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(prefix), suffix


def multipart(fields, filename=None, content=b"", ctype="application/octet-stream"):
    content_type, prefix, suffix = multipart_head(fields, ("file", filename, ctype) if filename else None)
    return content_type, prefix + content + suffix


def pdf_bytes(text="Discharge letter"):
    return (b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% " + text.encode() + b"\n%%EOF\n")


def dicom_bytes(size):
    """A DICOM part-10 header (preamble + DICM) followed by random bytes: `size` in all."""
    head = b"\0" * 128 + b"DICM"
    return head + os.urandom(size - len(head))


def png_bytes(width=3, height=2):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\0" + b"\x80\x40\x20" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def upload(token, path, filename, content, fields=(), ctype="application/octet-stream"):
    content_type, body = multipart(list(fields), filename, content, ctype)
    return h.request("POST", path, body=body, headers={"Content-Type": content_type}, token=token, timeout=120)


def stream_upload(token, path, filename, size, chunk=1 << 20):
    """Uploads a generated DICOM file of `size` bytes without holding it whole; returns
    (response, sha256 of the file)."""
    content_type, prefix, suffix = multipart_head([("description", "CT scan")], ("file", filename, "application/dicom"))
    digest = hashlib.sha256()

    def body():
        yield prefix
        first = dicom_bytes(chunk)
        digest.update(first)
        yield first
        sent = chunk
        block = os.urandom(chunk)
        while sent < size:
            piece = block[: min(chunk, size - sent)]
            digest.update(piece)
            yield piece
            sent += len(piece)
        yield suffix

    url = h.base_url().split("//", 1)[1]
    host, port = url.split(":")
    import http.client
    conn = http.client.HTTPConnection(host, int(port), timeout=300)
    try:
        length = len(prefix) + size + len(suffix)
        conn.putrequest("POST", path)
        conn.putheader("Content-Type", content_type)
        conn.putheader("Content-Length", str(length))
        conn.putheader("Authorization", f"Bearer {token}")
        conn.endheaders()
        for piece in body():
            conn.send(piece)
        resp = conn.getresponse()
        data = resp.read()
        return h.Response(resp.status, resp.headers, data, 0), digest.hexdigest()
    finally:
        conn.close()


def new_lab_result(user, name="Scan"):
    r = h.post(f"{API}/lab-results/", token=user.token, json_body={"test_name": name})
    assert r.status == 201, r
    return r.json


class EntityFileTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.owner = new_user()
        cls.stranger = new_user()

    def test_journey_scan_and_pdf_on_a_lab_result(self):
        lab = new_lab_result(self.owner)
        base = f"{FILES}/lab-result/{lab['id']}/files"
        before = stored_files()

        workers = h.children(h.read_pid(h.env("MEDIKEEP_E2E_POOL_PID_FILE")))
        for pid in workers:  # peak RSS from now on
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
        peak = {pid: vm_kb(pid, "VmHWM") for pid in workers}
        started = time.monotonic()
        r, digest = stream_upload(self.owner.token, base, "ct-scan.dcm", 200 << 20)
        elapsed = time.monotonic() - started
        self.assertEqual(r.status, 200, r)
        growth = {pid: vm_kb(pid, "VmHWM") - peak[pid] for pid in workers if os.path.exists(f"/proc/{pid}")}
        print(f"\n    200 MB upload: {elapsed:.1f} s, peak RSS growth per worker (kB): {growth}", end=" ")
        # Streamed, never held: a worker's peak grows by far less than the file.
        self.assertLess(max(growth.values()), 16 * 1024, growth)
        scan = r.json
        self.assertEqual(scan["file_name"], "ct-scan.dcm")
        self.assertEqual(scan["file_size"], 200 << 20)
        self.assertEqual(scan["file_type"], "application/dicom")
        self.assertEqual(scan["description"], "CT scan")
        self.assertEqual((scan["entity_type"], scan["entity_id"], scan["storage_backend"]),
                         ("lab-result", lab["id"], "local"))

        pdf = pdf_bytes()
        r = upload(self.owner.token, base, "letter.pdf", pdf, [("category", "report")], "application/pdf")
        self.assertEqual(r.status, 200, r)
        letter = r.json
        self.assertEqual(letter["category"], "report")
        self.assertEqual(len(stored_files() - before), 2)

        # The list, newest first, and the counts a list view asks for.
        r = self.call("GET", base, self.owner)
        self.assertEqual([f["id"] for f in r.json], [letter["id"], scan["id"]])
        other = new_lab_result(self.owner, "Empty")
        r = self.call("POST", f"{FILES}/files/batch-counts", self.owner,
                      json_body={"entity_type": "lab-result", "entity_ids": [lab["id"], other["id"]]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual([(c["entity_id"], c["file_count"]) for c in r.json], [(lab["id"], 2), (other["id"], 0)])
        r = self.call("POST", f"{FILES}/files/batch-counts", self.owner,
                      json_body=[{"entity_type": "lab-result", "entity_id": lab["id"]}])
        self.assertEqual(r.json, [{"entity_type": "lab-result", "entity_id": lab["id"], "file_count": 2}])

        # The PDF inline, the scan downloaded byte for byte (nginx sends both).
        r = h.get(f"{FILES}/files/{letter['id']}/view", token=self.owner.token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.body, pdf)
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertTrue(r.header("Content-Disposition").startswith('inline; filename="letter.pdf"'))
        self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
        self.assertIsNone(r.header("X-Accel-Redirect"))
        r = h.get(f"{FILES}/files/{letter['id']}/view?token={self.owner.token}")
        self.assertEqual((r.status, r.body), (200, pdf))
        r = h.get(f"{FILES}/files/{scan['id']}/download", token=self.owner.token, timeout=120)
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.body), 200 << 20)
        self.assertEqual(hashlib.sha256(r.body).hexdigest(), digest)
        self.assertTrue(r.header("Content-Disposition").startswith('attachment; filename="ct-scan.dcm"'))
        r = h.get(f"{FILES}/files/{letter['id']}/download", token=self.owner.token,
                  headers={"Range": "bytes=0-3"})
        self.assertEqual((r.status, r.body), (206, b"%PDF"))

        # Metadata, then delete: the row and the file go.
        r = self.call("PUT", f"{FILES}/files/{scan['id']}/metadata", self.owner,
                      form={"description": "CT abdomen", "category": "imaging"})
        self.assertEqual((r.status, r.json["description"], r.json["category"]), (200, "CT abdomen", "imaging"))
        r = self.call("PUT", f"{FILES}/files/{scan['id']}/metadata", self.owner, json_body={"category": None})
        self.assertEqual((r.json["description"], r.json["category"]), ("CT abdomen", None))
        r = self.call("GET", f"{FILES}/files/{scan['id']}", self.owner)
        self.assertEqual(r.json["description"], "CT abdomen")
        r = self.call("DELETE", f"{FILES}/files/{scan['id']}", self.owner)
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["success"], r.json["file_id"]), (True, scan["id"]))
        self.assertNotIn(scan["file_path"], stored_files())
        self.assertEqual(self.call("GET", f"{FILES}/files/{scan['id']}", self.owner).status, 404)
        self.assertEqual(h.get(f"{FILES}/files/{scan['id']}/download", token=self.owner.token).status, 404)

        # Deleting the lab result deletes its remaining file and says so.
        r = self.call("DELETE", f"/lab-results/{lab['id']}", self.owner)
        self.assertEqual(r.json, {"message": "Lab result and associated files deleted successfully",
                                  "files_deleted": 1, "files_preserved": 0})
        self.assertEqual(stored_files() - before, set())
        self.assertEqual(db_execute(f"SELECT COUNT(*) FROM entity_files WHERE entity_id = {lab['id']}"
                                    " AND entity_type = 'lab-result'").strip(), "0")

    def test_every_attachable_record_type(self):
        me = h.get(f"{API}/patients/me", token=self.owner.token).json
        injury_type = h.get(f"{API}/injury-types/", token=self.owner.token).json[0]["id"]
        bodies = {
            "medication": ("/medications/", {"medication_name": "Aspirin"}),
            "condition": ("/conditions/", {"diagnosis": "Asthma"}),
            "procedure": ("/procedures/", {"procedure_name": "X-ray", "procedure_date": "2024-01-01"}),
            "encounter": ("/encounters/", {"reason": "Check-up", "encounter_date": "2024-01-01"}),
            "immunization": ("/immunizations/", {"vaccine_name": "Flu", "vaccine_type": "Influenza",
                                                 "date_administered": "2024-01-01"}),
            "allergy": ("/allergies/", {"allergen": "Peanut", "severity": "mild"}),
            "vitals": ("/vitals/", {"recorded_date": "2024-01-01T10:00:00Z", "heart_rate": 60}),
            "treatment": ("/treatments/", {"treatment_name": "Physio", "start_date": "2024-01-01"}),
            "symptom": ("/symptoms/", {"symptom_name": "Cough", "first_occurrence_date": "2024-01-01"}),
            "injury": ("/injuries/", {"injury_name": "Sprain", "injury_type_id": injury_type,
                                         "body_part": "Ankle", "date_of_injury": "2024-01-01"}),
            "insurance": ("/insurances/", {"insurance_type": "medical", "company_name": "Acme",
                                           "member_name": "Me", "member_id": "1", "effective_date": "2024-01-01",
                                           "policy_holder_name": "Me", "relationship_to_holder": "self"}),
        }
        for entity_type, (path, body) in bodies.items():
            with self.subTest(entity_type):
                r = self.call("POST", path, self.owner, json_body=dict(body, patient_id=me["id"]))
                self.assertIn(r.status, (200, 201), r)
                record = r.json
                r = upload(self.owner.token, f"{FILES}/{entity_type}/{record['id']}/files", "note.txt", b"hello\n")
                self.assertEqual(r.status, 200, r)
                stored = r.json["file_path"]
                self.assertIn(stored, stored_files())
                self.assertEqual((r.json["entity_type"], r.json["file_type"]),
                                 (entity_type, "text/plain; charset=utf-8"))
                r = self.call("GET", f"{FILES}/{entity_type}/{record['id']}/files", self.owner)
                self.assertEqual(len(r.json), 1)
                r = self.call("DELETE", f"{path}{record['id']}", self.owner)
                self.assertIn(r.status, (200, 204), r)
                self.assertNotIn(stored, stored_files())
        # `visit` is upstream's other name for an encounter; unknown types are 422.
        r = self.call("POST", "/encounters/", self.owner,
                      json_body={"patient_id": me["id"], "reason": "Visit", "encounter_date": "2024-02-02"})
        self.assertEqual(upload(self.owner.token, f"{FILES}/visit/{r.json['id']}/files", "a.txt", b"x").status, 200)
        self.assertEqual(len(self.call("GET", f"{FILES}/encounter/{r.json['id']}/files", self.owner).json), 1)
        self.error(self.call("GET", f"{FILES}/family-member/1/files", self.owner), 422, "entity_type")
        self.error(self.call("GET", f"{FILES}/nonsense/1/files", self.owner), 422, "entity_type")

    def test_refused_uploads_leave_nothing(self):
        lab = new_lab_result(self.owner)
        base = f"{FILES}/lab-result/{lab['id']}/files"
        before = stored_files()
        count = db_execute("SELECT COUNT(*) FROM entity_files").strip()
        cases = [
            ("tool.exe", b"MZ\x90\x00", 422),
            ("fake.pdf", b"<html><script>alert(1)</script>", 422),
            ("noext", b"hello", 422),
            ("empty.pdf", b"", 422),
        ]
        for filename, content, status in cases:
            with self.subTest(filename):
                r = upload(self.owner.token, base, filename, content)
                h.assert_error_shape(self, r, status)
        # No file part, a malformed body, not multipart at all.
        content_type, body = multipart([("description", "x")])
        r = h.request("POST", base, body=body, headers={"Content-Type": content_type}, token=self.owner.token)
        self.error(r, 422, "file")
        r = h.request("POST", base, body=b"--x\r\nbroken", token=self.owner.token,
                      headers={"Content-Type": "multipart/form-data; boundary=x"})
        h.assert_error_shape(self, r, 400)
        r = h.request("POST", base, json_body={"file": "x"}, token=self.owner.token)
        h.assert_error_shape(self, r, 400)
        r = upload(self.owner.token, base, "a.txt", b"x", [("storage_backend", "ftp")])
        self.error(r, 422, "storage_backend")
        self.assertEqual(stored_files(), before)
        self.assertEqual(db_execute("SELECT COUNT(*) FROM entity_files").strip(), count)

    def test_client_file_name_never_becomes_a_path(self):
        lab = new_lab_result(self.owner)
        r = upload(self.owner.token, f"{FILES}/lab-result/{lab['id']}/files", "../../etc/passwd.pdf", pdf_bytes())
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["file_name"], "passwd.pdf")
        self.assertRegex(r.json["file_path"], rf"^entity/lab-result/{lab['id']}/[0-9a-f]{{32}}$")
        self.assertIn(r.json["file_path"], stored_files())
        # A quoted quote and a Windows path, as browsers send them.
        r = upload(self.owner.token, f"{FILES}/lab-result/{lab['id']}/files", 'C:\\we\\"ird\\name ü.pdf', pdf_bytes())
        self.assertEqual(r.status, 200, r)
        d = h.get(f"{FILES}/files/{r.json['id']}/download", token=self.owner.token).header("Content-Disposition")
        self.assertEqual(d, "attachment; filename=\"name _.pdf\"; filename*=UTF-8''name%20%C3%BC.pdf")

    def test_upload_cut_off_half_way_leaves_nothing(self):
        lab = new_lab_result(self.owner)
        before = stored_files()
        count = db_execute("SELECT COUNT(*) FROM entity_files").strip()
        content_type, prefix, _ = multipart_head([], ("file", "big.dcm", "application/dicom"))
        host, port = h.base_url().split("//", 1)[1].split(":")
        with socket.create_connection((host, int(port))) as s:
            s.sendall((f"POST {FILES}/lab-result/{lab['id']}/files HTTP/1.1\r\nHost: x\r\n"
                       f"Authorization: Bearer {self.owner.token}\r\nContent-Type: {content_type}\r\n"
                       f"Content-Length: {50 << 20}\r\n\r\n").encode() + prefix + dicom_bytes(8 << 20))
        time.sleep(1)
        self.assertEqual(stored_files(), before)
        self.assertEqual(db_execute("SELECT COUNT(*) FROM entity_files").strip(), count)
        # nginx dropped its buffered copy too.
        body_temp = os.path.join(h.env("MEDIKEEP_E2E_VAR"), "nginx", "tmp", "client_body")
        self.assertEqual([f for _r, _d, names in os.walk(body_temp) for f in names], [])

    def test_body_cut_off_at_the_pool_leaves_nothing(self):
        """nginx never forwards a partial body, but the pool must not keep one either: a
        FastCGI connection closed half-way through stdin leaves no file and no row."""
        lab = new_lab_result(self.owner)
        before = stored_files()
        count = db_execute("SELECT COUNT(*) FROM entity_files").strip()
        content_type, prefix, suffix = multipart_head([], ("file", "half.dcm", "application/dicom"))
        body = prefix + dicom_bytes(4 << 20) + suffix
        path = f"{FILES}/lab-result/{lab['id']}/files"
        params = {"REQUEST_METHOD": "POST", "DOCUMENT_URI": path, "REQUEST_URI": path, "QUERY_STRING": "",
                  "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1",
                  "HTTP_AUTHORIZATION": f"Bearer {self.owner.token}"}
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.connect(h.env("MEDIKEEP_E2E_FCGI_SOCKET"))
            sock.sendall(fcgi_record(FCGI_BEGIN_REQUEST, struct.pack(">HB5x", FCGI_RESPONDER, 0))
                         + fcgi_record(FCGI_PARAMS, fcgi_params(params)) + fcgi_record(FCGI_PARAMS, b""))
            half = body[: len(body) // 2]
            for start in range(0, len(half), 65535):
                sock.sendall(fcgi_record(FCGI_STDIN, half[start:start + 65535]))
        h.wait_until(lambda: h.get("/api/v1/system/health").status == 200, 5)
        time.sleep(0.5)
        self.assertEqual(stored_files(), before)
        self.assertEqual(db_execute("SELECT COUNT(*) FROM entity_files").strip(), count)

    def test_legacy_lab_result_routes(self):
        lab = new_lab_result(self.owner)
        r = upload(self.owner.token, f"{API}/lab-results/{lab['id']}/files", "old.pdf", pdf_bytes(),
                   [("description", "legacy")])
        self.assertEqual(r.status, 200, r)
        legacy = r.json
        self.assertEqual((legacy["lab_result_id"], legacy["file_name"], legacy["description"]),
                         (lab["id"], "old.pdf", "legacy"))
        r = self.call("GET", f"/lab-results/{lab['id']}/files/", self.owner)
        self.assertEqual([f["id"] for f in r.json], [legacy["id"]])
        # The same row through entity-files.
        r = self.call("GET", f"{FILES}/lab-result/{lab['id']}/files", self.owner)
        self.assertEqual([f["id"] for f in r.json], [legacy["id"]])
        other = new_lab_result(self.owner)
        self.assertEqual(self.call("DELETE", f"/lab-results/{other['id']}/files/{legacy['id']}", self.owner).status, 404)
        r = self.call("DELETE", f"/lab-results/{lab['id']}/files/{legacy['id']}", self.owner)
        self.assertEqual((r.status, r.json), (200, {"message": "File deleted successfully"}))
        self.assertEqual(self.call("GET", f"/lab-results/{lab['id']}/files", self.owner).json, [])

    def test_another_users_ids_are_404_everywhere(self):
        lab = new_lab_result(self.owner)
        r = upload(self.owner.token, f"{FILES}/lab-result/{lab['id']}/files", "mine.pdf", pdf_bytes())
        file_id = r.json["id"]
        me = h.get(f"{API}/patients/me", token=self.owner.token).json
        self.assertEqual(upload(self.owner.token, f"{API}/patients/{me['id']}/photo", "me.png", png_bytes()).status, 201)
        before = stored_files()
        s = self.stranger
        checks = [
            ("GET", f"{FILES}/lab-result/{lab['id']}/files", None),
            ("GET", f"{FILES}/files/{file_id}", None),
            ("GET", f"{FILES}/files/{file_id}/view", None),
            ("GET", f"{FILES}/files/{file_id}/download", None),
            ("PUT", f"{FILES}/files/{file_id}/metadata", {"description": "mine now"}),
            ("DELETE", f"{FILES}/files/{file_id}", None),
            ("GET", f"{API}/lab-results/{lab['id']}/files", None),
            ("DELETE", f"{API}/lab-results/{lab['id']}/files/{file_id}", None),
            ("GET", f"{API}/patients/{me['id']}/photo", None),
            ("GET", f"{API}/patients/{me['id']}/photo/info", None),
            ("DELETE", f"{API}/patients/{me['id']}/photo", None),
        ]
        for method, path, body in checks:
            with self.subTest(f"{method} {path}"):
                h.assert_error_shape(self, self.call(method, path, s, json_body=body), 404)
        for path in (f"{FILES}/lab-result/{lab['id']}/files", f"{API}/lab-results/{lab['id']}/files",
                     f"{API}/patients/{me['id']}/photo"):
            with self.subTest(f"upload {path}"):
                h.assert_error_shape(self, upload(s.token, path, "x.png", png_bytes()), 404)
        r = h.get(f"{FILES}/files/{file_id}/view?token={s.token}")
        h.assert_error_shape(self, r, 404)
        r = self.call("POST", f"{FILES}/files/batch-counts", s,
                      json_body={"entity_type": "lab-result", "entity_ids": [lab["id"]]})
        self.assertEqual(r.json, [{"entity_type": "lab-result", "entity_id": lab["id"], "file_count": 0}])
        # The internal location is not reachable from outside.
        path = self.call("GET", f"{FILES}/files/{file_id}", self.owner).json["file_path"]
        self.assertEqual(h.get(f"/_medikeep_files/{path}").status, 404)
        self.assertEqual(stored_files(), before)
        self.assertEqual(self.call("GET", f"{FILES}/files/{file_id}", self.owner).json["description"], None)

    def test_upload_locations_admit_large_bodies_only_where_they_should(self):
        from test_nginx import announce_body
        lab = new_lab_result(self.owner)
        me = h.get(f"{API}/patients/me", token=self.owner.token).json
        # Over each route's own limit, from the announced length alone.
        for path, length in ((f"{FILES}/lab-result/{lab['id']}/files", (1 << 30) + (1 << 20)),
                             (f"{API}/lab-results/{lab['id']}/files", (1 << 30) + (1 << 20)),
                             (f"{API}/patients/{me['id']}/photo", 16 << 20)):
            with self.subTest(path=path):
                h.assert_error_shape(self, announce_body("POST", path, length), 413)
                # Other methods are not admitted with a body at all.
                h.assert_error_shape(self, announce_body("PATCH", path, 2 << 20), 403)
        # The neighbouring paths stay at 1 MB.
        for other in (f"{FILES}/lab-result/{lab['id']}/files/x", f"{FILES}/files/1/metadata",
                      f"{API}/lab-results/{lab['id']}/files/1", f"{API}/patients/{me['id']}/photo/info",
                      f"{FILES}/lab-result/x/files"):
            with self.subTest(path=other):
                h.assert_error_shape(self, announce_body("POST", other, 2 << 20), 413)

    def test_unauthenticated(self):
        for method, path in (("GET", f"{FILES}/lab-result/1/files"), ("GET", f"{FILES}/files/1/view"),
                             ("POST", f"{FILES}/files/batch-counts"), ("GET", f"{API}/patients/1/photo")):
            h.assert_error_shape(self, h.request(method, path), 401)


class FileSweepTests(ApiTestCase):
    def test_sweep_removes_only_old_files_no_row_names(self):
        from test_jobs import jobs
        user = new_user()
        lab = new_lab_result(user)
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "kept.pdf", pdf_bytes())
        kept = os.path.join(files_dir(), r.json["file_path"])
        orphan_dir = os.path.join(files_dir(), "entity", "lab-result", "999999999")
        os.makedirs(orphan_dir, exist_ok=True)
        old_orphan = os.path.join(orphan_dir, "0" * 32)
        new_orphan = os.path.join(orphan_dir, "1" * 32)
        dead_upload = os.path.join(files_dir(), ".incoming", "upload-dead01")
        os.makedirs(os.path.dirname(dead_upload), exist_ok=True)
        for path in (old_orphan, new_orphan, dead_upload):
            with open(path, "wb") as f:
                f.write(b"x")
        two_hours_ago = time.time() - 7200
        for path in (kept, old_orphan, dead_upload):
            os.utime(path, (two_hours_ago, two_hours_ago))
        result = jobs("files-sweep")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.exists(kept))
        self.assertTrue(os.path.exists(new_orphan))  # too young: its row may be committing
        self.assertFalse(os.path.exists(old_orphan))
        self.assertFalse(os.path.exists(dead_upload))
        os.unlink(new_orphan)
        self.assertEqual(h.get(f"{FILES}/files/{r.json['id']}/download", token=user.token).body, pdf_bytes())


class PatientPhotoTests(ApiTestCase):
    def test_photo_lifecycle(self):
        user = new_user()
        me = h.get(f"{API}/patients/me", token=user.token).json
        path = f"{API}/patients/{me['id']}/photo"
        self.assertIsNone(self.call("GET", path + "/info", user).json)
        h.assert_error_shape(self, h.get(path, token=user.token), 404)
        before = stored_files()

        first = png_bytes(3, 2)
        r = upload(user.token, path, "face.png", first, ctype="image/png")
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["patient_id"], r.json["mime_type"], r.json["width"], r.json["height"]),
                         (me["id"], "image/png", 3, 2))
        self.assertEqual(r.json["file_name"], f"patient_{me['id']}_photo.png")
        r = h.get(path, token=user.token)
        self.assertEqual((r.status, r.body, r.header("Content-Type")), (200, first, "image/png"))
        self.assertIn("max-age=3600", r.header("Cache-Control"))

        # A new photo replaces the old one, file included.
        second = png_bytes(5, 4)
        r = upload(user.token, path, "new.png", second)
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.call("GET", path + "/info", user).json["width"], 5)
        self.assertEqual(h.get(path, token=user.token).body, second)
        self.assertEqual(len(stored_files() - before), 1)

        # Refusals: not an image, an image kind the contract does not list, too large.
        self.error(upload(user.token, path, "doc.pdf", pdf_bytes()), 422, "file")
        self.error(upload(user.token, path, "fake.png", b"not a png"), 422, "file")
        h.assert_error_shape(self, upload(user.token, path, "big.png", b"\x89PNG" + b"\0" * (15 << 20)), 413)

        r = self.call("DELETE", path, user)
        self.assertEqual(r.status, 204)
        self.assertEqual(stored_files() - before, set())
        self.assertIsNone(self.call("GET", path + "/info", user).json)
        h.assert_error_shape(self, self.call("DELETE", path, user), 404)

    def test_deleting_a_patient_removes_its_files(self):
        user = new_user()
        r = h.post(f"{API}/patient-management/", token=user.token,
                   json_body={"first_name": "Kid", "last_name": "Files", "birth_date": "2018-01-01"})
        child = r.json
        before = stored_files()
        self.assertEqual(upload(user.token, f"{API}/patients/{child['id']}/photo", "k.png", png_bytes()).status, 201)
        r = h.post(f"{API}/lab-results/", token=user.token, json_body={"test_name": "CBC", "patient_id": child["id"]})
        self.assertEqual(upload(user.token, f"{FILES}/lab-result/{r.json['id']}/files", "a.pdf", pdf_bytes()).status,
                         200)
        self.assertEqual(len(stored_files() - before), 2)
        self.assertEqual(self.call("DELETE", f"/patient-management/{child['id']}", user).status, 200)
        self.assertEqual(stored_files() - before, set())


if __name__ == "__main__":
    unittest.main()
