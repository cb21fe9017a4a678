"""Paperless-ngx and Papra document backends end to end (nginx → pool → MariaDB → a fake
backend on 127.0.0.1 started here): per-user settings with sealed secrets that are never
answered, connection tests, uploads pushed to the backend (with what arrived there
checked), a Paperless upload still being consumed (kept locally until its task ends),
linking an existing document without a copy, view and download through the worker, sync
status and cleanup, the contract's /paperless endpoints, the URL rule (no redirects
followed), and another user's ids answered 404."""

import hashlib
import os
import time
import unittest

import harness as h
from apicase import API, ApiTestCase, _pool_config, db_execute, new_user
from fake_backends import FakePaperless, FakePapra
from test_files import new_lab_result, pdf_bytes, png_bytes, stored_files, upload
from test_ocr import vm_kb
from test_sharing import SharingCase
import test_jobs

FILES = f"{API}/entity-files"


def configure_paperless(test, user, fake, **extra):
    body = {"paperless_enabled": True, "paperless_url": fake.url, "paperless_api_token": fake.token, **extra}
    return test.ok(test.put("/paperless/settings", user, body))


def configure_papra(test, user, fake):
    body = {"papra_enabled": True, "papra_url": fake.url, "papra_api_token": fake.token,
            "papra_organization_id": fake.organization}
    return test.ok(test.put("/papra/settings", user, body))


class PaperlessTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakePaperless()
        cls.owner = new_user()
        cls.stranger = new_user()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def setUp(self):
        self.fake.consume_at_once = True
        self.fake.redirect_everything_to = None

    def assert_no_secret(self, r):
        self.assertNotIn(self.fake.token, r.text)

    def test_settings_keep_the_token_sealed_and_never_answer_it(self):
        user = new_user()
        r = self.ok(self.get("/paperless/settings", user))
        self.assertEqual((r["paperless_enabled"], r["paperless_has_token"], r["default_storage_backend"]),
                         (False, False, "local"))
        # Enabling needs a URL and credentials; bad URLs are named.
        r = self.put("/paperless/settings", user, {"paperless_enabled": True})
        self.error(r, 422, "paperless_url", "paperless_api_token")
        for bad in ("ftp://paperless.local", "http://user:pw@paperless.local", "javascript:alert(1)",
                    "http://paperless.local/?x=1", "paperless.local"):
            r = self.put("/paperless/settings", user, {"paperless_url": bad})
            self.error(r, 422, "paperless_url")
        r = self.put("/paperless/settings", user, {"paperless_auto_sync": "yes"})
        self.error(r, 422, "paperless_auto_sync")
        saved = configure_paperless(self, user, self.fake, paperless_url=self.fake.url + "/")
        self.assertEqual(saved["paperless_url"], self.fake.url)
        self.assertTrue(saved["paperless_has_token"])
        self.assertNotIn("paperless_api_token", saved)
        r = self.get("/paperless/settings", user)
        self.assert_no_secret(r)
        self.assertTrue(r.json["paperless_enabled"])
        # At rest: sealed, bound to the user (not the token, not base64 of it).
        sealed = db_execute(f"SELECT paperless_token_sealed FROM document_backend_settings WHERE user_id = {user.id}")
        self.assertTrue(sealed.startswith("v1."), sealed)
        self.assertNotIn(self.fake.token, sealed)
        # A field left out is kept; null removes the secret (and enabled then needs one).
        self.ok(self.put("/paperless/settings", user, {"paperless_sync_tags": False}))
        self.assertTrue(self.get("/paperless/settings", user).json["paperless_has_token"])
        r = self.put("/paperless/settings", user, {"paperless_api_token": None})
        self.error(r, 422, "paperless_api_token")
        r = self.ok(self.put("/paperless/settings", user, {"paperless_api_token": None, "paperless_enabled": False}))
        self.assertFalse(r["paperless_has_token"])
        # The token never reaches the log.
        log = _pool_config().get("log_file")
        if log and os.path.exists(log):
            with open(log, errors="replace") as f:
                self.assertNotIn(self.fake.token, f.read())

    def test_connection_tests(self):
        user = new_user()
        r = self.ok(self.post("/paperless/test-connection", user,
                              {"paperless_url": self.fake.url, "paperless_api_token": self.fake.token}))
        self.assertEqual((r["status"], r["server_version"]), ("success", "2.13.5"))
        self.assertEqual(self.fake.arrived("GET", "/api/documents/")[-1]["headers"]["Authorization"],
                         f"Token {self.fake.token}")
        r = self.post("/paperless/test-connection-v2", user,
                      {"paperless_url": self.fake.url, "paperless_api_token": "wrong"})
        self.error(r, 400)
        self.assertIn("credentials", r.json["error"])
        port = h.free_port()
        r = self.post("/paperless/test-connection", user,
                      {"paperless_url": f"http://127.0.0.1:{port}", "paperless_api_token": "x"})
        self.error(r, 400)
        self.error(self.post("/paperless/test-connection", user, {}), 422, "paperless_url")
        self.error(self.post("/paperless/test-connection", user, {"paperless_url": self.fake.url}), 400)
        # With saved settings, the token may be left out.
        configure_paperless(self, user, self.fake)
        r = self.ok(self.post("/paperless/test-connection", user, {"paperless_url": self.fake.url}))
        self.assertEqual(r["status"], "success")
        r = self.ok(self.get("/paperless/health/paperless", user))
        self.assertEqual(r["status"], "healthy")
        self.assertEqual(self.ok(self.get("/paperless/health/paperless", new_user()))["status"], "disabled")

    def test_basic_auth_with_user_name_and_password(self):
        fake = FakePaperless(username="anna", password="pa55 word")
        try:
            user = new_user()
            r = self.ok(self.post("/paperless/test-connection", user, {
                "paperless_url": fake.url, "paperless_username": "anna", "paperless_password": "pa55 word"}))
            self.assertEqual(r["status"], "success")
            r = self.ok(self.put("/paperless/settings", user, {
                "paperless_enabled": True, "paperless_url": fake.url, "paperless_username": "anna",
                "paperless_password": "pa55 word"}))
            self.assertTrue(r["paperless_has_credentials"])
            self.assertNotIn("pa55 word", self.get("/paperless/settings", user).text)
        finally:
            fake.stop()

    def test_redirects_are_not_followed(self):
        user = new_user()
        target = FakePaperless()
        try:
            self.fake.redirect_everything_to = target.url + "/api/documents/"
            r = self.post("/paperless/test-connection", user,
                          {"paperless_url": self.fake.url, "paperless_api_token": self.fake.token})
            self.error(r, 400)
            self.assertEqual(target.requests, [])
        finally:
            self.fake.redirect_everything_to = None
            target.stop()

    def test_upload_to_paperless_view_download_and_delete(self):
        user = new_user()
        configure_paperless(self, user, self.fake)
        lab = new_lab_result(user)
        base = f"{FILES}/lab-result/{lab['id']}/files"
        before = stored_files()
        pdf = pdf_bytes("pushed to paperless")
        r = upload(user.token, base, "../../etc/discharge.pdf", pdf,
                   [("storage_backend", "paperless"), ("description", "Discharge letter")], "application/pdf")
        self.assertEqual(r.status, 200, r)
        row = r.json
        self.assertEqual((row["storage_backend"], row["sync_status"], row["file_path"]), ("paperless", "synced", ""))
        self.assertTrue(row["paperless_document_id"].isdigit())
        self.assertTrue(row["paperless_task_uuid"])
        self.assertEqual(row["file_name"], "discharge.pdf")
        # What arrived in Paperless: the bytes, a safe name, the title, our token.
        sent = self.fake.arrived("POST", "/api/documents/post_document/")[-1]
        self.assertEqual(sent["files"]["document"], ("discharge.pdf", "application/pdf", pdf))
        self.assertEqual(sent["fields"]["title"], ["Discharge letter"])
        self.assertEqual(sent["headers"]["Authorization"], f"Token {self.fake.token}")
        self.assertEqual(stored_files(), before)  # nothing kept locally
        # View and download through the worker.
        r = h.get(f"{FILES}/files/{row['id']}/view", token=user.token)
        self.assertEqual((r.status, r.body), (200, pdf))
        self.assertEqual(r.header("Content-Type"), "application/pdf")
        self.assertTrue(r.header("Content-Disposition").startswith('inline; filename="discharge.pdf"'))
        r = h.get(f"{FILES}/files/{row['id']}/download", token=user.token)
        self.assertEqual((r.status, r.body), (200, pdf))
        self.assertTrue(r.header("Content-Disposition").startswith("attachment;"))
        # Listed and counted like any file.
        self.assertEqual([f["id"] for f in self.ok(self.get(base, user))], [row["id"]])
        # Delete removes the link; the document stays in Paperless.
        doc_id = int(row["paperless_document_id"])
        self.ok(self.delete(f"{FILES}/files/{row['id']}", user))
        self.assertIn(doc_id, self.fake.documents)
        self.error(self.get(f"{FILES}/files/{row['id']}", user), 404)

    def test_a_large_upload_goes_through_byte_for_byte(self):
        user = new_user()
        configure_paperless(self, user, self.fake)
        lab = new_lab_result(user)
        content = b"\0" * 128 + b"DICM" + os.urandom((8 << 20) - 132)
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "scan.dcm", content,
                   [("storage_backend", "paperless")])
        self.assertEqual(r.status, 200, r)
        doc = self.fake.documents[int(r.json["paperless_document_id"])]
        self.assertEqual(hashlib.sha256(doc["content"]).hexdigest(), hashlib.sha256(content).hexdigest())
        r = h.get(f"{FILES}/files/{r.json['id']}/download", token=user.token, timeout=60)
        self.assertEqual(hashlib.sha256(r.body).hexdigest(), hashlib.sha256(content).hexdigest())

    def test_large_uploads_are_pushed_by_the_job_and_survive_a_backend_outage(self):
        user = new_user()
        configure_paperless(self, user, self.fake)
        lab = new_lab_result(user)
        before = stored_files()
        content = b"\0" * 128 + b"DICM" + os.urandom((33 << 20) - 132)  # over the 32 MB inline limit
        posts = len(self.fake.arrived("POST", "/api/documents/post_document/"))
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "mri.dcm", content,
                   [("storage_backend", "paperless")])
        self.assertEqual(r.status, 200, r)
        row = r.json
        self.assertEqual((row["storage_backend"], row["sync_status"], row["paperless_task_uuid"]),
                         ("paperless", "pending", None))
        self.assertEqual(len(self.fake.arrived("POST", "/api/documents/post_document/")), posts)
        self.assertEqual(len(stored_files() - before), 1)
        r = h.get(f"{FILES}/files/{row['id']}/download", token=user.token, timeout=60)
        self.assertEqual(hashlib.sha256(r.body).digest(), hashlib.sha256(content).digest())
        # Paperless down: the job leaves it pending (and the local copy in place).
        url = self.fake.url
        down = f"http://127.0.0.1:{h.free_port()}"
        db_execute(f"UPDATE document_backend_settings SET paperless_url = '{down}' WHERE user_id = {user.id}")
        result = test_jobs.jobs("document-sync")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.ok(self.get(f"{FILES}/files/{row['id']}", user))["sync_status"], "pending")
        db_execute(f"UPDATE document_backend_settings SET paperless_url = '{url}' WHERE user_id = {user.id}")
        result = test_jobs.jobs("document-sync")
        self.assertEqual(result.returncode, 0, result.stderr)
        row = self.ok(self.get(f"{FILES}/files/{row['id']}", user))
        self.assertEqual((row["sync_status"], row["file_path"]), ("synced", ""))
        doc = self.fake.documents[int(row["paperless_document_id"])]
        self.assertEqual(hashlib.sha256(doc["content"]).digest(), hashlib.sha256(content).digest())
        self.assertEqual(stored_files(), before)
        # Downloaded back through a worker, streamed: its peak RSS grows by far less than the file.
        workers = h.children(h.read_pid(h.env("MEDIKEEP_E2E_POOL_PID_FILE")))
        for pid in workers:
            with open(f"/proc/{pid}/clear_refs", "w") as f:
                f.write("5")
        peak = {pid: vm_kb(pid, "VmHWM") for pid in workers}
        started = time.monotonic()
        r = h.get(f"{FILES}/files/{row['id']}/download", token=user.token, timeout=60)
        elapsed = time.monotonic() - started
        growth = {pid: vm_kb(pid, "VmHWM") - peak[pid] for pid in workers if os.path.exists(f"/proc/{pid}")}
        print(f"\n    33 MB from Paperless through a worker: {elapsed:.2f} s, peak RSS growth (kB): {growth}", end=" ")
        self.assertEqual(hashlib.sha256(r.body).digest(), hashlib.sha256(content).digest())
        self.assertLess(max(growth.values()), 8 * 1024, growth)
        # The job also settles Paperless uploads still being consumed.
        self.fake.consume_at_once = False
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "later.pdf", pdf_bytes("later"),
                   [("storage_backend", "paperless")], "application/pdf")
        self.assertEqual(r.json["sync_status"], "processing")
        self.fake.finish_tasks()
        self.assertEqual(test_jobs.jobs("document-sync").returncode, 0)
        self.assertEqual(self.ok(self.get(f"{FILES}/files/{r.json['id']}", user))["sync_status"], "synced")
        self.assertEqual(stored_files(), before)

    def test_unfinished_consumption_keeps_a_local_copy_until_the_task_ends(self):
        user = new_user()
        configure_paperless(self, user, self.fake)
        lab = new_lab_result(user)
        self.fake.consume_at_once = False
        before = stored_files()
        pdf = pdf_bytes("slow OCR")
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "slow.pdf", pdf,
                   [("storage_backend", "paperless")], "application/pdf")
        self.assertEqual(r.status, 200, r)
        row = r.json
        self.assertEqual((row["sync_status"], row["paperless_document_id"]), ("processing", None))
        self.assertEqual(len(stored_files() - before), 1)
        # Meanwhile the local copy is what the user sees.
        r = h.get(f"{FILES}/files/{row['id']}/view", token=user.token)
        self.assertEqual((r.status, r.body), (200, pdf))
        task = row["paperless_task_uuid"]
        r = self.ok(self.get(f"/paperless/tasks/{task}/status", user))
        self.assertEqual(r["status"], "PENDING")
        self.fake.finish_tasks()
        r = self.ok(self.get(f"/paperless/tasks/{task}/status", user))
        self.assertEqual(r["status"], "SUCCESS")
        row = self.ok(self.get(f"{FILES}/files/{row['id']}", user))
        self.assertEqual((row["sync_status"], row["file_path"]), ("synced", ""))
        self.assertTrue(row["paperless_document_id"])
        self.assertEqual(stored_files(), before)  # the copy went once Paperless had it
        r = h.get(f"{FILES}/files/{row['id']}/view", token=user.token)
        self.assertEqual((r.status, r.body), (200, pdf))
        # A task that fails keeps the local copy and says so; sync settles it too.
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "dup.pdf", pdf,
                   [("storage_backend", "paperless")], "application/pdf")
        failing = r.json
        self.fake.finish_tasks(status="FAILURE")
        r = self.ok(self.post(f"{FILES}/sync/paperless", user))
        self.assertIsNone(r[str(failing["id"])])
        self.assertTrue(r[str(row["id"])])
        self.assertEqual(self.ok(self.get(f"{FILES}/files/{failing['id']}", user))["sync_status"], "failed")
        r = h.get(f"{FILES}/files/{failing['id']}/download", token=user.token)
        self.assertEqual((r.status, r.body), (200, pdf))
        self.error(self.get("/paperless/tasks/not-a-uuid!/status", user), 422, "task_uuid")
        self.error(self.get("/paperless/tasks/0000-1111/status", user), 404)

    def test_link_an_existing_document_without_a_copy(self):
        user = new_user()
        configure_paperless(self, user, self.fake)
        lab = new_lab_result(user)
        content = pdf_bytes("already in paperless")
        doc_id = self.fake.add_document("Blood panel 2025", content, original_file_name="blood-2025.pdf")
        posts = len(self.fake.arrived("POST", "/api/documents/post_document/"))
        before = stored_files()
        path = f"{FILES}/lab-result/{lab['id']}/link-paperless"
        r = self.ok(self.post(path, user, {"paperless_document_id": str(doc_id), "description": "From 2025"}), 201)
        self.assertEqual((r["file_name"], r["file_type"], r["storage_backend"], r["paperless_document_id"],
                          r["description"], r["sync_status"]),
                         ("blood-2025.pdf", "application/pdf", "paperless", str(doc_id), "From 2025", "synced"))
        self.assertEqual(len(self.fake.arrived("POST", "/api/documents/post_document/")), posts)  # no upload
        self.assertEqual(stored_files(), before)  # no copy
        self.error(self.post(path, user, {"paperless_document_id": doc_id}), 409)
        self.error(self.post(path, user, {"paperless_document_id": "999999"}), 404)
        self.error(self.post(path, user, {"paperless_document_id": "../1"}), 422, "paperless_document_id")
        self.error(self.post(path, user, {}), 422, "paperless_document_id")
        self.error(self.post(f"{FILES}/nonsense/{lab['id']}/link-paperless", user,
                             {"paperless_document_id": str(doc_id)}), 422, "entity_type")
        r = h.get(f"{FILES}/files/{r['id']}/download", token=user.token)
        self.assertEqual((r.status, r.body), (200, content))
        # Search, with and without the documents already linked.
        r = self.ok(self.get("/paperless/documents/search?query=blood", user))
        self.assertIn(doc_id, [d["id"] for d in r["results"]])
        r = self.ok(self.get("/paperless/documents/search?query=blood&exclude_linked=true", user))
        self.assertNotIn(doc_id, [d["id"] for d in r["results"]])
        self.assertIn("results", self.ok(self.get("/paperless/documents", user)))
        self.assertEqual(self.ok(self.get("/paperless/documents/search?page=9999", user))["results"], [])
        self.error(self.get("/paperless/documents/search?page=0", user), 422, "page")
        # Not configured: a clear 400.
        other = new_user()
        other_lab = new_lab_result(other)
        self.error(self.post(f"{FILES}/lab-result/{other_lab['id']}/link-paperless", other,
                             {"paperless_document_id": str(doc_id)}), 400)

    def test_sync_marks_missing_documents_and_cleanup_removes_them(self):
        user = new_user()
        configure_paperless(self, user, self.fake)
        lab = new_lab_result(user)
        kept = self.fake.add_document("kept", pdf_bytes("kept"))
        gone = self.fake.add_document("gone", pdf_bytes("gone"))
        path = f"{FILES}/lab-result/{lab['id']}/link-paperless"
        a = self.ok(self.post(path, user, {"paperless_document_id": str(kept)}), 201)
        b = self.ok(self.post(path, user, {"paperless_document_id": str(gone)}), 201)
        del self.fake.documents[gone]
        r = self.ok(self.post(f"{FILES}/sync/paperless", user))
        self.assertEqual(r, {str(a["id"]): True, str(b["id"]): False})
        # One request for both documents, not one each.
        self.assertIn("id__in", self.fake.arrived("GET", "/api/documents/")[-1]["query"])
        self.assertEqual(self.ok(self.get(f"{FILES}/files/{b['id']}", user))["sync_status"], "missing")
        summary = self.ok(self.post("/paperless/sync", user))
        self.assertEqual((summary["checked"], summary["synced"], summary["missing"]), (2, 1, 1))
        stats = self.ok(self.get("/paperless/storage-stats", user))
        self.assertEqual(stats["paperless"]["count"], 2)
        r = self.ok(self.post("/paperless/cleanup", user))
        self.assertEqual((r["files_cleaned"], r["missing_cleaned"]), (1, 1))
        self.error(self.get(f"{FILES}/files/{b['id']}", user), 404)
        self.ok(self.get(f"{FILES}/files/{a['id']}", user))
        self.assertEqual(self.ok(self.post(f"{FILES}/sync/paperless", new_user())), {})

    def test_contract_upload_moves_a_local_file_into_paperless(self):
        user = new_user()
        configure_paperless(self, user, self.fake)
        lab = new_lab_result(user)
        before = stored_files()
        pdf = pdf_bytes("local first")
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "local.pdf", pdf,
                   [("description", "Local letter")], "application/pdf")
        local = r.json
        self.assertEqual(local["storage_backend"], "local")
        r = self.ok(self.post("/paperless/upload", user, {
            "document_id": local["id"], "tags": ["medical", "lab-results"], "correspondent": "LabCorp"}))
        self.assertEqual((r["storage_backend"], r["sync_status"], r["file_path"]), ("paperless", "synced", ""))
        sent = self.fake.arrived("POST", "/api/documents/post_document/")[-1]
        self.assertEqual(sent["files"]["document"][2], pdf)
        self.assertEqual((sent["fields"]["tags"], sent["fields"]["correspondent"]), (["7", "8"], ["3"]))
        self.assertEqual(stored_files(), before)
        r = h.get(f"{FILES}/files/{local['id']}/view", token=user.token)
        self.assertEqual((r.status, r.body), (200, pdf))
        self.error(self.post("/paperless/upload", user, {"document_id": local["id"]}), 409)
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "other.pdf", pdf, (), "application/pdf")
        self.error(self.post("/paperless/upload", user, {"document_id": r.json["id"], "tags": ["nope"]}), 422, "tags")
        self.assertEqual(self.ok(self.get(f"{FILES}/files/{r.json['id']}", user))["storage_backend"], "local")
        self.error(self.post("/paperless/upload", user, {}), 422, "document_id")

    def test_default_backend_and_record_delete_preserves_backend_documents(self):
        user = new_user()
        configure_paperless(self, user, self.fake, default_storage_backend="paperless")
        lab = new_lab_result(user)
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "default.pdf", pdf_bytes("default"),
                   (), "application/pdf")
        self.assertEqual(r.json["storage_backend"], "paperless")
        doc_id = int(r.json["paperless_document_id"])
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "local.pdf", pdf_bytes("x"),
                   [("storage_backend", "local")], "application/pdf")
        self.assertEqual(r.json["storage_backend"], "local")
        r = self.ok(self.delete(f"{API}/lab-results/{lab['id']}", user))
        self.assertEqual((r["files_deleted"], r["files_preserved"]), (1, 1))
        self.assertIn(doc_id, self.fake.documents)
        # Unknown or unconfigured backends on upload: 422 naming the field.
        lab = new_lab_result(user)
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "x.pdf", pdf_bytes(),
                   [("storage_backend", "dropbox")], "application/pdf")
        self.error(r, 422, "storage_backend")
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "x.pdf", pdf_bytes(),
                   [("storage_backend", "papra")], "application/pdf")
        self.error(r, 422, "storage_backend")

    def test_another_user_gets_404_for_every_backend_file(self):
        configure_paperless(self, self.owner, self.fake)
        configure_paperless(self, self.stranger, self.fake)
        lab = new_lab_result(self.owner)
        r = upload(self.owner.token, f"{FILES}/lab-result/{lab['id']}/files", "mine.pdf", pdf_bytes("mine"),
                   [("storage_backend", "paperless")], "application/pdf")
        mine = r.json
        doc_id = self.fake.add_document("linked", pdf_bytes("linked"))
        linked = self.ok(self.post(f"{FILES}/lab-result/{lab['id']}/link-paperless", self.owner,
                                   {"paperless_document_id": str(doc_id)}), 201)
        for file in (mine, linked):
            for method, path, body in (
                    ("GET", f"{FILES}/files/{file['id']}", None),
                    ("GET", f"{FILES}/files/{file['id']}/view", None),
                    ("GET", f"{FILES}/files/{file['id']}/download", None),
                    ("PUT", f"{FILES}/files/{file['id']}/metadata", {"description": "x"}),
                    ("DELETE", f"{FILES}/files/{file['id']}", None),
                    ("POST", "/paperless/upload", {"document_id": file["id"]})):
                self.error(self.call(method, path, self.stranger, json_body=body), 404)
        self.error(self.post(f"{FILES}/lab-result/{lab['id']}/link-paperless", self.stranger,
                             {"paperless_document_id": str(doc_id)}), 404)
        r = self.ok(self.post(f"{FILES}/sync/paperless", self.stranger, {"file_ids": [mine["id"], linked["id"]]}))
        self.assertEqual(r, {})
        # The stranger's own Paperless settings never reach the owner's documents.
        self.ok(self.get(f"{FILES}/files/{mine['id']}", self.owner))

    def test_unauthenticated(self):
        for method, path in (("GET", "/paperless/settings"), ("PUT", "/paperless/settings"),
                             ("POST", "/paperless/test-connection"), ("GET", "/papra/settings"),
                             ("POST", f"{FILES}/sync/paperless"), ("POST", "/paperless/sync"),
                             ("GET", "/paperless/documents"), ("POST", "/paperless/upload")):
            self.check_unauthenticated(method, path)


class BackendSharingTests(SharingCase):
    def test_a_share_reads_backend_files_through_the_owners_backend(self):
        fake = FakePaperless()
        try:
            owner, viewer, manager = new_user(), new_user(), new_user()
            configure_paperless(self, owner, fake)
            child = self.child_of(owner)
            lab = self.made("/lab-results/", {"patient_id": child["id"], "test_name": "Shared scan"}, owner)
            pdf = pdf_bytes("shared")
            r = upload(owner.token, f"{FILES}/lab-result/{lab['id']}/files", "shared.pdf", pdf,
                       [("storage_backend", "paperless")], "application/pdf")
            row = r.json
            self.share(owner, child, viewer, "view")
            self.share(owner, child, manager, "full")
            # The viewer has no Paperless of their own: the document comes through the owner's.
            r = h.get(f"{FILES}/files/{row['id']}/view", token=viewer.token)
            self.assertEqual((r.status, r.body), (200, pdf))
            # `view` reads only; `full` manages, linking from its own Paperless.
            doc = fake.add_document("referral", pdf_bytes("referral"))
            configure_paperless(self, viewer, fake)
            configure_paperless(self, manager, fake)
            link = f"{FILES}/lab-result/{lab['id']}/link-paperless"
            self.error(self.post(link, viewer, {"paperless_document_id": str(doc)}), 403)
            self.error(self.post("/paperless/upload", viewer, {"document_id": row["id"]}), 403)
            self.error(self.delete(f"{FILES}/files/{row['id']}", viewer), 403)
            linked = self.ok(self.post(link, manager, {"paperless_document_id": str(doc)}), 201)
            r = h.get(f"{FILES}/files/{linked['id']}/download", token=owner.token)
            self.assertEqual(r.status, 200)
            # Sync and cleanup touch only the caller's own backend files.
            self.assertEqual(self.ok(self.post(f"{FILES}/sync/paperless", viewer)), {})
            self.assertEqual(list(self.ok(self.post(f"{FILES}/sync/paperless", manager))), [str(linked["id"])])
        finally:
            fake.stop()


class PapraTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.fake = FakePapra()

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()

    def test_settings_test_and_organizations(self):
        user = new_user()
        r = self.ok(self.post("/papra/test-connection", user,
                              {"papra_url": self.fake.url, "papra_api_token": self.fake.token}))
        self.assertEqual(r["organizations"], [{"id": self.fake.organization, "name": "Home"}])
        self.error(self.post("/papra/test-connection", user,
                             {"papra_url": self.fake.url, "papra_api_token": "wrong"}), 400)
        self.error(self.post("/papra/test-connection", user, {
            "papra_url": self.fake.url, "papra_api_token": self.fake.token, "papra_organization_id": "org_other"}),
            400)
        self.error(self.put("/papra/settings", user, {"papra_enabled": True, "papra_url": self.fake.url}), 422,
                   "papra_api_token", "papra_organization_id")
        r = configure_papra(self, user, self.fake)
        self.assertEqual((r["papra_has_token"], r["papra_organization_id"]), (True, self.fake.organization))
        self.assertNotIn(self.fake.token, self.get("/papra/settings", user).text)
        r = self.ok(self.get("/papra/organizations", user))
        self.assertEqual(r[0]["id"], self.fake.organization)

    def test_upload_link_view_and_sync(self):
        user = new_user()
        stranger = new_user()
        configure_papra(self, user, self.fake)
        lab = new_lab_result(user)
        before = stored_files()
        png = png_bytes(5, 4)
        r = upload(user.token, f"{FILES}/lab-result/{lab['id']}/files", "xray.png", png,
                   [("storage_backend", "papra")], "image/png")
        self.assertEqual(r.status, 200, r)
        row = r.json
        self.assertEqual((row["storage_backend"], row["sync_status"], row["papra_organization_id"]),
                         ("papra", "synced", self.fake.organization))
        self.assertEqual(self.fake.documents[row["papra_document_id"]]["content"], png)
        sent = self.fake.arrived("POST", "/api/organizations/")[-1]
        self.assertEqual(sent["headers"]["Authorization"], f"Bearer {self.fake.token}")
        self.assertEqual(stored_files(), before)
        r = h.get(f"{FILES}/files/{row['id']}/view", token=user.token)
        self.assertEqual((r.status, r.body, r.header("Content-Type")), (200, png, "image/png"))
        # Link an existing Papra document.
        existing = self.fake.add_document("insurance-card.pdf", pdf_bytes("card"))
        path = f"{FILES}/lab-result/{lab['id']}/link-papra"
        linked = self.ok(self.post(path, user, {"papra_document_id": existing, "category": "insurance"}), 201)
        self.assertEqual((linked["file_name"], linked["papra_document_id"], linked["category"]),
                         ("insurance-card.pdf", existing, "insurance"))
        self.error(self.post(path, user, {"papra_document_id": existing}), 409)
        self.error(self.post(path, user, {"papra_document_id": "doc_missing"}), 404)
        self.error(self.post(path, stranger, {"papra_document_id": existing}), 404)
        r = self.ok(self.get("/papra/documents/search?query=insurance", user))
        self.assertEqual([d["id"] for d in r["results"]], [existing])
        # Sync: one deleted in Papra is missing.
        del self.fake.documents[existing]
        r = self.ok(self.post(f"{FILES}/sync/papra", user))
        self.assertEqual(r, {str(row["id"]): True, str(linked["id"]): False})
        for file in (row, linked):
            self.error(self.get(f"{FILES}/files/{file['id']}/download", stranger), 404)
        r = h.get(f"{FILES}/files/{linked['id']}/download", token=user.token)
        self.assertEqual(r.status, 404)


if __name__ == "__main__":
    unittest.main()
