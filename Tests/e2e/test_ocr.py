"""POST /api/v1/lab-results/{id}/ocr-parse through nginx and the pool: a text PDF, a
scanned one, one of each page kind, the refusals (no token, another user's lab
result, not a PDF, not multipart, too large at nginx and at the pool), the deadline
on the tools, and that a 14 MB upload is spooled to a temporary file rather than
held in the worker's memory. The PDFs are written here by hand; the scanned pages
are the text pages rendered by poppler's pdftoppm and embedded as images."""

import os
import socket
import struct
import subprocess
import tempfile
import time
import unittest
import uuid
import zlib

import harness as h
from apicase import ApiTestCase, db_execute, new_user, _pool_config
from test_hardening import (FCGI_BEGIN_REQUEST, FCGI_PARAMS, FCGI_RESPONDER, FCGI_STDIN, _read_fastcgi_response,
                            fcgi_params, fcgi_record)
from test_nginx import announce_body

REPORT_LINES = [
    "Quest Diagnostics",
    "Patient: Jane Doe",
    "Collected: 10/01/2025",
    "Glucose          95      mg/dL     70-99",
    "Hemoglobin       14.2    g/dL      13.5-17.5",
    "Cholesterol      180     mg/dL     0-200",
]
SCANNED_LINES = ["LabCorp", "Date Collected 2025-03-14", "Sodium 140 mmol/L 135-145", "Potassium 4.1 mmol/L 3.5-5.1"]


# PDFs ---------------------------------------------------------------------------

def pdf_string(text):
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def write_pdf(pages, padding=0):
    """A PDF of `pages`, each ("text", lines, (w, h)) or ("image", (width, height,
    gray bytes), (w, h)) in points. `padding` bytes of an unused stream make it large."""
    objects = {}
    kids = []
    next_id = 4  # 1 catalog, 2 pages, 3 font
    for kind, payload, (w, h_) in pages:
        page_id, content_id = next_id, next_id + 1
        next_id += 2
        if kind == "text":
            ops = ["BT", "/F1 11 Tf", "14 TL", f"36 {h_ - 40} Td"]
            for line in payload:
                ops += [f"{pdf_string(line)} Tj", "T*"]
            ops.append("ET")
            resources = "<< /Font << /F1 3 0 R >> >>"
        else:
            width, height, gray = payload
            image_id = next_id
            next_id += 1
            data = zlib.compress(gray)
            objects[image_id] = (f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} "
                                 f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode "
                                 f"/Length {len(data)} >>\nstream\n").encode() + data + b"\nendstream"
            ops = ["q", f"{w} 0 0 {h_} 0 0 cm", "/Im0 Do", "Q"]
            resources = f"<< /XObject << /Im0 {image_id} 0 R >> >>"
        content = "\n".join(ops).encode("latin-1")
        objects[content_id] = f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream"
        objects[page_id] = (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w} {h_}] "
                            f"/Resources {resources} /Contents {content_id} 0 R >>").encode()
        kids.append(page_id)
    if padding:
        filler = os.urandom(padding)
        objects[next_id] = f"<< /Length {len(filler)} >>\nstream\n".encode() + filler + b"\nendstream"
        next_id += 1
    objects[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[2] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()
    objects[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj\n".encode() + objects[number] + b"\nendobj\n"
    xref = len(out)
    count = max(objects) + 1
    out += f"xref\n0 {count}\n0000000000 65535 f \n".encode()
    for number in range(1, count):
        out += f"{offsets[number]:010d} 00000 n \n".encode() if number in offsets else b"0000000000 65535 f \n"
    out += f"trailer\n<< /Size {count} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


PAGE = (420, 160)


def text_pdf(lines=REPORT_LINES, padding=0):
    return write_pdf([("text", lines, PAGE)], padding=padding)


def scanned_page(lines):
    """The text page rendered to gray pixels by pdftoppm (150 dpi), as an image page."""
    with tempfile.TemporaryDirectory() as work:
        source = os.path.join(work, "text.pdf")
        with open(source, "wb") as f:
            f.write(text_pdf(lines))
        subprocess.run(["pdftoppm", "-r", "150", "-gray", "-singlefile", source, os.path.join(work, "page")],
                       check=True)
        with open(os.path.join(work, "page.pgm"), "rb") as f:
            pgm = f.read()
    # P5 <width> <height> <maxval> then one byte per pixel.
    fields = pgm.split(maxsplit=4)
    assert fields[0] == b"P5" and fields[3] == b"255", fields[:4]
    width, height = int(fields[1]), int(fields[2])
    return ("image", (width, height, fields[4][-width * height:]), PAGE)


def scanned_pdf(lines=SCANNED_LINES, pages=1):
    return write_pdf([scanned_page(lines)] * pages)


# Requests -------------------------------------------------------------------------

def multipart(fields, boundary=None):
    """`fields`: (name, filename or None, content bytes). Returns (content type, body)."""
    boundary = boundary or "mkTest" + uuid.uuid4().hex
    body = bytearray()
    for name, filename, content in fields:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename is not None else "")
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n".encode()
        if filename is not None:
            body += b"Content-Type: application/pdf\r\n"
        body += b"\r\n" + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(body)


def ocr_path(lab_result_id):
    return f"/api/v1/lab-results/{lab_result_id}/ocr-parse"


def ensure_lab_results_table():
    """The lab results themselves belong to another part of the API; when this build has
    no table for them, a stand-in with the columns the access check reads."""
    db_execute("CREATE TABLE IF NOT EXISTS lab_results (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
               "patient_id BIGINT NOT NULL, test_name VARCHAR(200), "
               "created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), "
               "updated_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6))")


def make_lab_result(user):
    """A lab result of the user's own patient: through the API when it has the route,
    else a row in the table."""
    patient = h.get("/api/v1/patients/me", token=user.token).json
    r = h.post("/api/v1/lab-results/", token=user.token,
               json_body={"patient_id": patient["id"], "test_name": "Basic panel"})
    if r.status in (200, 201):
        return r.json["id"]
    ensure_lab_results_table()
    out = db_execute(f"INSERT INTO lab_results (patient_id, test_name) VALUES ({int(patient['id'])}, 'Basic panel'); "
                     "SELECT LAST_INSERT_ID()")
    return int(out.split()[-1])


def vm_kb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} for {pid}")


class OcrParseTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.alice = new_user()
        cls.bob = new_user()
        cls.alice_result = make_lab_result(cls.alice)
        cls.bob_result = make_lab_result(cls.bob)

    def upload(self, user, pdf, *, lab_result=None, filename="lab_report.pdf", token=None, fields=None):
        content_type, body = multipart(fields or [("file", filename, pdf)])
        return self.call("POST", ocr_path(lab_result or self.alice_result), user, token=token, body=body,
                         headers={"Content-Type": content_type})

    def test_text_pdf_is_read_from_its_text_layer(self):
        body = self.ok(self.upload(self.alice, text_pdf()))
        self.assertEqual(body["status"], "success")
        self.assertIsNone(body["error"])
        for line in ("Quest Diagnostics", "Glucose", "Hemoglobin", "13.5-17.5"):
            self.assertIn(line, body["extracted_text"])
        meta = body["metadata"]
        self.assertEqual(meta["method"], "native")
        self.assertEqual(meta["page_count"], 1)
        self.assertEqual(meta["char_count"], len(body["extracted_text"]))
        self.assertEqual(meta["filename"], "lab_report.pdf")
        self.assertEqual(meta["lab_name"], "Quest Diagnostics")
        self.assertEqual(meta["test_date"], "2025-10-01")
        self.assertEqual(meta["test_count"], 3)
        self.assertAlmostEqual(meta["confidence"], 0.95)
        self.assertIs(meta["fallback_triggered"], False)

    def test_scanned_pdf_is_read_by_ocr(self):
        body = self.ok(self.upload(self.alice, scanned_pdf(), filename="C:\\scans\\scan.pdf"))
        meta = body["metadata"]
        self.assertEqual(meta["method"], "ocr", body)
        self.assertEqual(meta["page_count"], 1)
        self.assertEqual(meta["filename"], "scan.pdf")
        text = body["extracted_text"]
        for word in ("LabCorp", "Sodium", "Potassium", "mmol/L"):
            self.assertIn(word, text)
        self.assertEqual(meta["lab_name"], "LabCorp")
        self.assertEqual(meta["test_date"], "2025-03-14")
        self.assertGreater(meta["confidence"], 0.5)
        self.assertLessEqual(meta["confidence"], 1.0)

    def test_text_and_scanned_pages_together_are_hybrid(self):
        pdf = write_pdf([("text", REPORT_LINES, PAGE), scanned_page(SCANNED_LINES)])
        body = self.ok(self.upload(self.alice, pdf))
        meta = body["metadata"]
        self.assertEqual(meta["method"], "hybrid", body)
        self.assertEqual(meta["page_count"], 2)
        self.assertIn("Glucose", body["extracted_text"])
        self.assertIn("Sodium", body["extracted_text"])

    def test_only_the_owner_or_a_share_reaches_the_lab_result(self):
        self.check_unauthenticated("POST", ocr_path(self.alice_result))
        self.error(self.upload(self.bob, text_pdf(), lab_result=self.alice_result), 404)
        self.error(self.upload(self.alice, text_pdf(), lab_result=self.bob_result), 404)
        self.error(self.upload(self.alice, text_pdf(), lab_result=987654321), 404)
        self.error(self.call("POST", ocr_path("abc"), self.alice, body=b"x",
                             headers={"Content-Type": "text/plain"}), 422, "lab_result_id")

    def test_what_is_not_a_pdf_is_refused(self):
        for content, name in ((b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "report.pdf"),
                              (b"Glucose 95 mg/dL", "report.pdf"), (b"%PD", "x.pdf"), (b"", "empty.pdf")):
            with self.subTest(content=content[:8]):
                body = self.error(self.upload(self.alice, content, filename=name), 400)
                self.assertEqual(body["error"], "Only PDF files are accepted")
        # Begins like a PDF and is not one.
        self.error(self.upload(self.alice, b"%PDF-1.7 garbage" * 10), 422)

    def test_bodies_that_are_not_a_file_field_are_refused(self):
        path = ocr_path(self.alice_result)
        self.error(self.call("POST", path, self.alice, body=b'{"file": "x"}'), 400)
        self.error(self.call("POST", path, self.alice, body=b"--x\r\n", headers={
            "Content-Type": "multipart/form-data; boundary=y"}), 400)
        self.error(self.upload(self.alice, None, fields=[("document", "a.pdf", text_pdf())]), 422, "file")
        self.error(self.upload(self.alice, None, fields=[("file", None, text_pdf())]), 422, "file")
        self.error(self.call("POST", path, self.alice, body=b"", headers={
            "Content-Type": "multipart/form-data; boundary=y"}), 422, "file")
        too_many = [("note", None, b"x")] * 20 + [("file", "a.pdf", text_pdf())]
        self.error(self.upload(self.alice, None, fields=too_many), 400)

    def test_oversized_uploads_are_413(self):
        path = ocr_path(self.alice_result)
        # nginx, from the announced length alone.
        body = h.assert_error_shape(self, announce_body("POST", path, 16 * 1024 * 1024), 413)
        self.assertEqual(body["error"], "Request body too large")
        # nginx, with the body sent.
        content_type, sent = multipart([("file", "big.pdf", text_pdf(padding=16 * 1024 * 1024))])
        r = h.request("POST", path, body=sent, token=self.alice.token, headers={"Content-Type": content_type})
        h.assert_error_shape(self, r, 413)
        # Within the body limit but the file itself over 15 MB: the application's 413.
        content_type, sent = multipart([("file", "big.pdf", b"%PDF-" + b"0" * (15 * 1024 * 1024 - 4))])
        r = h.request("POST", path, body=sent, token=self.alice.token, headers={"Content-Type": content_type})
        body = h.assert_error_shape(self, r, 413)
        self.assertEqual(body["error"], "File too large")
        # Other methods on the path are not admitted with a large body either.
        for method in ("PUT", "GET", "DELETE"):
            h.assert_error_shape(self, announce_body(method, path, 2 * 1024 * 1024), 403)
        # The neighbouring paths stay at 1 MB.
        for other in (f"/api/v1/lab-results/{self.alice_result}/ocr-parse-x",
                      f"/api/v1/lab-results/{self.alice_result}/files-x", "/api/v1/lab-results/x/ocr-parse",
                      f"/api/v1/lab-results/{self.alice_result}/ocr-parse/x"):
            with self.subTest(path=other):
                h.assert_error_shape(self, announce_body("POST", other, 2 * 1024 * 1024), 413)

    def test_oversized_body_is_413_from_the_pool_without_nginx(self):
        path = ocr_path(self.alice_result)
        content_type, body = multipart([("file", "big.pdf", b"%PDF-" + b"0" * (16 * 1024 * 1024))])
        r = fastcgi_upload(path, body, content_type, self.alice.token)
        self.assertEqual(r.status, 413, r)
        self.assertEqual(r.json["error"], "Request body too large")
        # And a JSON route keeps its 1 MB there too.
        r = fastcgi_upload("/api/v1/frontend-logs/log", b"{" + b" " * (2 * 1024 * 1024) + b"}", "application/json",
                           None)
        self.assertEqual(r.status, 413, r)

    def test_a_large_upload_is_spooled_to_a_file_not_memory(self):
        master = h.read_pid(h.env("MEDIKEEP_E2E_POOL_PID_FILE"))
        workers = h.children(master)
        self.assertTrue(workers)
        for pid in workers:  # peak RSS from now on
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
        before = {pid: vm_kb(pid, "VmHWM") for pid in workers}
        pdf = text_pdf(padding=14 * 1024 * 1024)
        self.assertGreater(len(pdf), 14 * 1024 * 1024)
        body = self.ok(self.upload(self.alice, pdf))
        self.assertEqual(body["metadata"]["method"], "native")
        self.assertIn("Glucose", body["extracted_text"])
        growth = {pid: vm_kb(pid, "VmHWM") - before[pid] for pid in workers if os.path.exists(f"/proc/{pid}")}
        print(f"\n    peak RSS growth per worker (kB): {growth}", end=" ")
        # Held in memory, the body alone would add 14 MB to one worker's peak.
        self.assertLess(max(growth.values()), 6 * 1024, growth)
        # Nothing is left behind in the pool's work directory.
        work = os.path.join(_pool_config()["data_dir"], "tmp")
        self.assertEqual([n for n in os.listdir(work) if n.startswith(("ocr-", "medikeep-body-"))], [])


class OcrDeadlineTests(unittest.TestCase):
    """A pool whose tools get 0.2 s: a scanned PDF is stopped and answered 422, and no
    tool outlives its request."""

    @classmethod
    def setUpClass(cls):
        cls.stack = h.ExtraStack("ocr-deadline", ocr_timeout="0.2")

    @classmethod
    def tearDownClass(cls):
        cls.stack.stop()

    def test_tools_are_killed_at_the_deadline(self):
        user = new_user()
        lab_result = make_lab_result(user)
        content_type, body = multipart([("file", "slow.pdf", scanned_pdf(pages=4))])
        started = time.monotonic()
        r = h.request("POST", ocr_path(lab_result), body=body, token=user.token, base=self.stack.base,
                      headers={"Content-Type": content_type})
        elapsed = time.monotonic() - started
        answer = h.assert_error_shape(self, r, 422)
        self.assertEqual(answer["error"], "The PDF took too long to process")
        self.assertLess(elapsed, 3, r)
        # The killed tools are gone: no worker has a child left.
        leftovers = [kid for worker in self.stack.pool.workers() for kid in h.children(worker)]
        self.assertEqual(leftovers, [])
        # The pool answers the next request as usual.
        self.assertEqual(h.get("/api/v1/system/health", base=self.stack.base).status, 200)


def fastcgi_upload(path, body, content_type, token):
    """A POST straight to the pool's socket, bypassing nginx. The pool may answer before
    it has read the whole body; the rest is then not sent."""
    params = {
        "REQUEST_METHOD": "POST", "DOCUMENT_URI": path, "REQUEST_URI": path, "QUERY_STRING": "",
        "CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(len(body)), "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_REQUEST_ID": h.unique("fcgi"),
    }
    if token:
        params["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    try:
        sock.connect(h.env("MEDIKEEP_E2E_FCGI_SOCKET"))
        sock.sendall(fcgi_record(FCGI_BEGIN_REQUEST, struct.pack(">HB5x", FCGI_RESPONDER, 0))
                     + fcgi_record(FCGI_PARAMS, fcgi_params(params)) + fcgi_record(FCGI_PARAMS, b""))
        try:
            for start in range(0, len(body), 65535):
                sock.sendall(fcgi_record(FCGI_STDIN, body[start:start + 65535]))
            sock.sendall(fcgi_record(FCGI_STDIN, b""))
        except (BrokenPipeError, ConnectionResetError):
            pass
        return _read_fastcgi_response(sock)
    finally:
        sock.close()


if __name__ == "__main__":
    unittest.main()
