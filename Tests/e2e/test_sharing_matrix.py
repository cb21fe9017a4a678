"""Every patient-data endpoint × every share level × owner/recipients/stranger.

The endpoint list is not written here: it is the server's own route table
(`medikeep-fcgi routes`), so a record type added later is walked too. Each route is
filled with ids of one record of every type of a child patient its owner shares with
three users (view, edit, full); a fifth user has no share. Expected, through nginx:

  reads  (GET)              owner, view, edit, full: 200    stranger: 404
  writes (POST, PUT, PATCH) owner, edit, full: the write is allowed (its answer is the
                            body's: 2xx, or 400/422 for the empty body sent)
                            view: 403                        stranger: 404
  deletes                   view: 403, stranger: 404; then each route once by the
                            owner, edit or full user in turn: 2xx

A route that names no patient data (a caller-wide list) is asked with ?patient_id= and
must answer the stranger 404, or 200 without a byte of the patient's data.

Contract: "Sharing & Collaboration" (view reads; edit writes; full manages sharing);
README "another user's id → 404 unless the contract names 403" (immunization history).
"""
import os
import re
import subprocess
import unittest

import harness as h
from apicase import ApiTestCase, new_user
from test_files import multipart, pdf_bytes, png_bytes

# Not patient records: accounts, sharing itself, directories and catalogues shared by
# every user, the pool, and the patient endpoints (covered by test_sharing and
# test_patients, as deleting the shared patient here would end the matrix); the
# dashboard and the activity list are walked.
OUTSIDE = re.compile(r"^/(health|pool/)|^/api/v1/(auth|users|system|admin|utils|frontend-logs|patient-sharing|"
                     r"invitations|family-history-sharing|standardized-|pharmacies|practitioners|practices|"
                     r"medical-specialties|injury-types|patient-management)|^/api/v1/patients/me$|"
                     # Files: `full` manages them, not `edit` (test_files_by_level below).
                     r"^/api/v1/entity-files/|^/api/v1/lab-results/\{lab_result_id\}/files|/photo(/info)?$|"
                     # A user's own document backends: settings, their documents (test_paperless).
                     r"^/api/v1/(paperless|papra)/|"
                     # A user's own notification channels, preferences, history (test_notifications).
                     r"^/api/v1/notifications/")
# The contract's one exception to "404 for what the caller may not see".
STRANGER_STATUS = {"GET /api/v1/immunizations/patient/{patient_id}/history": 403}
# Writes the contract opens to every share level ("same check as GET /medications/{id}").
VIEW_MAY_WRITE = {"POST /api/v1/medications/{medication_id}/reminders/test"}
# Query strings some reads require.
QUERY = {"/api/v1/family-members/search": "name=Fa", "/api/v1/insurances/search": "company=Mutual",
         "/api/v1/vitals/patient/{patient_id}/date-range": "start_date=2024-01-01&end_date=2026-12-31",
         "/api/v1/lab-test-components/patient/{patient_id}/trends": "test_name=Glucose"}
# Values of path parameters that are not ids.
WORDS = {"test_name": "Glucose", "code": "CBC", "code_pattern": "CB", "allergen": "peanut",
         "allergen_rest": "nuts"}
# Link doors: the other end's id key, by the path's last segment.
OTHER_KEYS = {"medications": "medication_id", "conditions": "condition_id", "encounters": "encounter_id",
              "lab-results": "lab_result_id", "treatments": "treatment_id", "procedures": "procedure_id",
              "equipment": "equipment_id"}
ALLOWED_WRITE = {200, 201, 204, 400, 409, 422}


def route_table():
    """[(method, pattern)] from the running pool's binary and configuration."""
    out = subprocess.run([h.env("MEDIKEEP_E2E_POOL_BIN"), "routes", "--config", h.env("MEDIKEEP_E2E_POOL_CONFIG")],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split(" ", 1)) for line in out.splitlines() if line.strip()]


class SharingMatrixTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.marker = h.unique("Mx")
        cls.owner, cls.viewer, cls.editor, cls.fuller, cls.stranger = (new_user() for _ in range(5))
        owner = cls.owner

        def post(path, body, status=(200, 201)):
            r = h.post(f"/api/v1{path}", token=owner.token, json_body=body)
            assert r.status in status, f"{path}: {r!r}"
            return r.json

        m = cls.marker
        child = post("/patient-management/", {"first_name": m, "last_name": "Kid", "birth_date": "2015-05-05"})
        pid = child["id"]
        for user, level in ((cls.viewer, "view"), (cls.editor, "edit"), (cls.fuller, "full")):
            invitation = post("/patient-sharing/", {"patient_id": pid, "recipient_email": user.email,
                                                    "access_level": level})
            r = h.post(f"/api/v1/invitations/{invitation['id']}/respond", token=user.token,
                       json_body={"action": "accept"})
            assert r.status == 200, r
        doctor = post("/practitioners/", {"name": h.unique("Dr "), "specialty_id": post(
            "/medical-specialties/", {"name": h.unique("Spec ")})["id"]})
        ids = {"patient_id": pid, "practitioner_id": doctor["id"]}

        def record(key, path, body):
            ids[key] = post(path, {"patient_id": pid, **body})["id"]

        record("medication_id", "/medications/", {"medication_name": f"{m} pill"})
        record("condition_id", "/conditions/", {"condition_name": f"{m} condition"})
        record("allergy_id", "/allergies/", {"allergen": f"{m} pollen", "severity": "mild"})
        record("immunization_id", "/immunizations/", {"vaccine_name": m, "date_administered": "2025-01-01"})
        record("vitals_id", "/vitals/", {"recorded_date": "2025-01-01T00:00:00Z", "heart_rate": 70})
        record("encounter_id", "/encounters/", {"encounter_date": "2025-01-01", "reason": m})
        record("procedure_id", "/procedures/", {"procedure_name": m, "procedure_date": "2025-01-01"})
        record("treatment_id", "/treatments/", {"treatment_name": m})
        record("equipment_id", "/medical-equipment/", {"equipment_name": m, "equipment_type": "breathing"})
        record("symptom_id", "/symptoms/", {"symptom_name": m})
        record("injury_id", "/injuries/", {"injury_name": m, "body_part": "Knee"})
        record("insurance_id", "/insurances/", {"company_name": f"{m} Mutual", "insurance_type": "medical",
                                                "effective_date": "2025-01-01"})
        record("emergency_contact_id", "/emergency-contacts/", {"name": m, "relationship": "Spouse",
                                                                "phone_number": "+1234567890", "is_primary": True})
        record("family_member_id", "/family-members/", {"name": f"Fa {m}", "relationship": "father"})
        record("lab_result_id", "/lab-results/", {"test_name": m, "test_code": "CBC"})
        ids["occurrence_id"] = post(f"/symptoms/{ids['symptom_id']}/occurrences",
                                    {"occurred_at": "2026-01-05T10:00:00Z", "severity": "mild"})["id"]
        ids["dose_id"] = post(f"/medications/{ids['medication_id']}/doses",
                              {"status": "taken", "taken_at": "2026-01-05T08:00:00Z"})["id"]
        ids["component_id"] = post(f"/lab-test-components/lab-result/{ids['lab_result_id']}/components",
                                   {"test_name": "Glucose", "value": 90, "unit": "mg/dL"})["id"]
        cls.family_condition = post(f"/family-members/{ids['family_member_id']}/conditions",
                                    {"condition_name": f"{m} hypertension"})["id"]
        cls.ids = ids
        cls.routes = [(method, path) for method, path in route_table() if not OUTSIDE.search(path)]

        # One link through every link door, so each relationship route has a real row.
        cls.relationships = {}
        for method, path in cls.routes:
            door = cls.link_door(method, path)
            if door is None:
                continue
            prefix, key = door
            r = h.post(cls.fill(prefix), token=owner.token, json_body={key: ids[key]})
            assert r.status in (200, 201, 400), f"linking through {path}: {r!r}"  # 400: linked from the other side
        for method, path in cls.routes:
            if "{relationship_id}" in path:
                cls.relink(path)
        cls.roles = {"owner": cls.owner, "view": cls.viewer, "edit": cls.editor, "full": cls.fuller}

    @classmethod
    def relink(cls, path):
        """Makes sure the link a relationship route names exists (a delete through the
        other end's door removes it) and records its id."""
        listing = path.split("/{relationship_id}")[0]
        key = OTHER_KEYS[listing.rsplit("/", 1)[1]]
        r = h.post(cls.fill(listing), token=cls.owner.token, json_body={key: cls.ids[key]})
        assert r.status in (200, 201, 400), f"linking through {listing}: {r!r}"
        r = h.get(cls.fill(listing), token=cls.owner.token)
        assert r.status == 200 and r.json, f"{listing}: {r!r}"
        cls.relationships[listing] = r.json[0]["id"]

    @staticmethod
    def link_door(method, path):
        """(path, other id key) of a POST that links two records, else None."""
        match = re.fullmatch(r"(/api/v1/[a-z-]+/\{[a-z_]+_id\})/(link-)?([a-z-]+)", path)
        if method != "POST" or not match or path.startswith(("/api/v1/family-members", "/api/v1/patients/")):
            return None
        segment = match.group(3)
        key = OTHER_KEYS.get(segment) or OTHER_KEYS.get(segment + "s")
        return (path, key) if key else None

    @classmethod
    def fill(cls, path):
        """The path with every parameter replaced by the fixture's value."""
        def value(match):
            name = match.group(1)
            if name == "relationship_id":
                return str(cls.relationships[path[:match.start() - 1]])
            if name == "condition_id" and path.startswith("/api/v1/family-members/"):
                return str(cls.family_condition)
            if name in WORDS:
                return WORDS[name]
            return str(cls.ids[name])
        filled = re.sub(r"\{([a-z_]+)\}", value, path)
        extra = QUERY.get(path, "")
        if "{patient_id}" not in path:
            extra = "&".join(q for q in (extra, f"patient_id={cls.ids['patient_id']}") if q)
        return filled + ("?" + extra if extra else "")

    @staticmethod
    def names_patient_data(path):
        return bool(re.search(r"\{[a-z_]+_id\}", path.replace("{practitioner_id}", "")))

    def expect_stranger(self, method, path, r):
        key = f"{method} {path}"
        if key in STRANGER_STATUS:
            self.assertEqual(r.status, STRANGER_STATUS[key], f"stranger {key}: {r!r}")
        elif self.names_patient_data(path) or method != "GET":
            self.assertEqual(r.status, 404, f"stranger {key}: {r!r}")
        else:
            self.assertIn(r.status, (200, 404), f"stranger {key}: {r!r}")
            self.assertNotIn(self.marker, r.text, f"stranger {key} sees the patient's data")

    def test_the_routes_are_walked(self):
        # The table must hold the record types this build has; a route the matrix cannot
        # fill fails `fill` (KeyError) in the tests below rather than being skipped.
        paths = {path for _, path in self.routes}
        for path in ("/api/v1/medications", "/api/v1/lab-results/{lab_result_id}",
                     "/api/v1/conditions/{condition_id}/medications/{relationship_id}"):
            self.assertIn(path, paths)
        self.assertGreater(len(self.routes), 150)

    def test_reads(self):
        checked = 0
        for method, path in self.routes:
            if method != "GET":
                continue
            url = self.fill(path)
            with self.subTest(route=path):
                for role, user in self.roles.items():
                    r = self.call("GET", url, user)
                    self.assertEqual(r.status, 200, f"{role} GET {url}: {r!r}")
                self.expect_stranger("GET", path, self.call("GET", url, self.stranger))
                checked += 1
        self.assertGreater(checked, 80)

    def test_writes(self):
        checked = 0
        for method, path in self.routes:
            if method not in ("POST", "PUT", "PATCH") or path.endswith("/ocr-parse"):
                continue
            url = self.fill(path)
            body = {} if self.names_patient_data(path) else {"patient_id": self.ids["patient_id"]}
            with self.subTest(route=f"{method} {path}"):
                self.expect_stranger(method, path, self.call(method, url, self.stranger, json_body=body))
                r = self.call(method, url, self.viewer, json_body=body)
                if f"{method} {path}" in VIEW_MAY_WRITE:
                    self.assertIn(r.status, ALLOWED_WRITE, f"view {method} {url}: {r!r}")
                else:
                    self.assertEqual(r.status, 403, f"view {method} {url}: {r!r}")
                for role in ("edit", "full", "owner"):
                    r = self.call(method, url, self.roles[role], json_body=body)
                    self.assertIn(r.status, ALLOWED_WRITE, f"{role} {method} {url}: {r!r}")
                checked += 1
        self.assertGreater(checked, 60)

    def test_ocr_parse(self):
        # An upload: refused before its body is read for anyone who may not write.
        path = "/api/v1/lab-results/{lab_result_id}/ocr-parse"
        url = self.fill(path).split("?")[0]
        headers = {"Content-Type": "multipart/form-data; boundary=x"}
        body = b"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF\r\n--x--\r\n"
        self.assertEqual(self.call("POST", url, self.stranger, body=body, headers=headers).status, 404)
        for role in ("view", "edit", "full", "owner"):
            r = self.call("POST", url, self.roles[role], body=body, headers=headers)
            self.assertNotIn(r.status, (401, 404), f"{role}: {r!r}")

    def test_files_by_level(self):
        # Files: every share level reads them; only `full` (and the owner) uploads,
        # renames and deletes (docs/api-notes.md); the photo is uploaded with `edit` and
        # deleted by the owner alone; the stranger gets 404 everywhere.
        ids = self.ids
        result = f"/api/v1/entity-files/lab-result/{ids['lab_result_id']}/files"

        def upload(user, path=result, name="letter.pdf", content=None, ctype="application/pdf"):
            content_type, body = multipart([("description", "letter")], name, content or pdf_bytes(), ctype)
            return self.call("POST", path, user, body=body, headers={"Content-Type": content_type})

        for role in ("view", "edit"):
            self.assertEqual(upload(self.roles[role]).status, 403, role)
        self.assertEqual(upload(self.stranger).status, 404)
        files = {role: upload(self.roles[role]) for role in ("full", "owner")}
        for role, r in files.items():
            self.assertIn(r.status, (200, 201), f"{role}: {r!r}")
        file_id = files["owner"].json["id"]
        photo = f"/api/v1/patients/{ids['patient_id']}/photo"
        self.assertEqual(upload(self.viewer, photo, "me.png", png_bytes(), "image/png").status, 403)
        self.assertEqual(upload(self.stranger, photo, "me.png", png_bytes(), "image/png").status, 404)
        r = upload(self.editor, photo, "me.png", png_bytes(), "image/png")
        self.assertIn(r.status, (200, 201), f"edit uploads the photo: {r!r}")
        reads = [result, f"/api/v1/entity-files/files/{file_id}", f"/api/v1/entity-files/files/{file_id}/view",
                 f"/api/v1/entity-files/files/{file_id}/download", f"/api/v1/lab-results/{ids['lab_result_id']}/files",
                 photo, photo + "/info"]
        for url in reads:
            with self.subTest(read=url):
                # h.get: view, download and the photo answer bytes, not JSON.
                for role, user in self.roles.items():
                    self.assertEqual(h.get(url, token=user.token).status, 200, f"{role} GET {url}")
                self.assertEqual(h.get(url, token=self.stranger.token).status, 404, f"stranger GET {url}")
        metadata = f"/api/v1/entity-files/files/{file_id}/metadata"
        for role, status in (("view", 403), ("edit", 403)):
            self.assertEqual(self.call("PUT", metadata, self.roles[role], json_body={"description": "x"}).status,
                             status, role)
        self.assertEqual(self.call("PUT", metadata, self.stranger, json_body={"description": "x"}).status, 404)
        self.assertEqual(self.call("PUT", metadata, self.fuller, json_body={"description": "renamed"}).status, 200)
        delete = f"/api/v1/entity-files/files/{file_id}"
        for role in ("view", "edit"):
            self.assertEqual(self.call("DELETE", delete, self.roles[role]).status, 403, role)
        self.assertEqual(self.call("DELETE", delete, self.stranger).status, 404)
        self.assertIn(self.call("DELETE", delete, self.fuller).status, (200, 204))
        for role in ("view", "edit", "full"):
            self.assertEqual(self.call("DELETE", photo, self.roles[role]).status, 403, f"{role} deletes the photo")
        self.assertEqual(self.call("DELETE", photo, self.stranger).status, 404)
        self.assertEqual(self.call("DELETE", photo, self.owner).status, 204)

    def test_zz_deletes(self):
        # Named zz: unittest runs it after the reads and writes, as it deletes the fixtures.
        deletes = [path for method, path in self.routes if method == "DELETE"]
        # Links and children before the records they hang on.
        deletes.sort(key=lambda p: (-p.count("{"), -len(p)))
        for path in deletes:
            url = self.fill(path)
            with self.subTest(route=path):
                self.expect_stranger("DELETE", path, self.call("DELETE", url, self.stranger))
                self.assertEqual(self.call("DELETE", url, self.viewer).status, 403, f"view DELETE {url}")
        rotation = ["edit", "full", "owner"]
        for index, path in enumerate(deletes):
            url = self.fill(path)
            role = rotation[index % 3]
            if "{relationship_id}" in path:
                self.relink(path)
                url = self.fill(path)
            with self.subTest(route=path, role=role):
                r = self.call("DELETE", url, self.roles[role])
                self.assertIn(r.status, (200, 204), f"{role} DELETE {url}: {r!r}")
        self.assertGreater(len(deletes), 30)


if __name__ == "__main__":
    unittest.main()
