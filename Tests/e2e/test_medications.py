"""Medications through nginx and the pool: create, list (name, tags, tag_match_all,
skip, limit), get, update, delete (204) and /medications/patient/{id}?active_only.

Contract: api-reference.txt "Medications"; decisions.md rules 3 (422), 6 (paging:
100/100, clamped, negatives 422) and the README's "another user's id → 404".
"""
import unittest

import harness as h
from apicase import SCRIPT_TEXT, SQL_TEXT, UNICODE_TEXT, ApiTestCase, new_user

ROUTES = ["oral", "injection", "topical", "intravenous", "intramuscular", "subcutaneous", "inhalation", "nasal",
          "rectal", "sublingual"]
STATUSES = ["active", "stopped", "on-hold", "completed", "cancelled"]

# One bad field each: 422 naming it (on create and on update).
BAD_FIELDS = [
    ("medication_name", ""), ("medication_name", "m" * 201), ("medication_name", 42), ("route", "teleport"),
    ("route", 1), ("status", "paused"), ("dosage", 5), ("frequency", ["daily"]), ("indication", "i" * 501),
    ("effective_period_start", "2025-13-01"), ("effective_period_start", "2025-02-30"),
    ("effective_period_end", "31/12/2025"), ("effective_period_end", 20251231),
    ("reminder_enabled", "yes"), ("reminder_times", "08:00"), ("reminder_times", ["25:00"]),
    ("reminder_times", ["08:60"]), ("reminder_times", ["08:00", "08:00"]),
    ("reminder_times", [f"{n:02d}:00" for n in range(13)]), ("reminder_times", [800]),
    ("tags", "antibiotic"), ("tags", [1, 2]), ("practitioner_id", 999999999), ("practitioner_id", "Dr. Kim"),
    ("pharmacy_id", 999999999), ("pharmacy_id", -1),
]


class MedicationCase(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        token = cls.user.token
        specialty = h.post("/api/v1/medical-specialties/", token=token, json_body={"name": h.unique("Internal Medicine ")}).json
        cls.doctor = h.post("/api/v1/practitioners/", token=token, json_body={
            "name": h.unique("Dr. Kim "), "specialty_id": specialty["id"], "phone_number": "+1 555 0100"}).json
        cls.pharmacy = h.post("/api/v1/pharmacies/", token=token, json_body={
            "name": h.unique("CVS "), "brand": "CVS", "city": "Anytown"}).json
        cls.patient = h.get("/api/v1/patients/me", token=token).json

    def contract_body(self, **overrides):
        body = {
            "patient_id": self.patient["id"], "medication_name": "Aspirin", "dosage": "100mg", "frequency": "Once daily",
            "route": "oral", "indication": "Pain relief", "effective_period_start": "2025-01-01",
            "effective_period_end": "2025-12-31", "status": "active", "practitioner_id": self.doctor["id"],
            "pharmacy_id": self.pharmacy["id"], "reminder_enabled": True, "reminder_times": ["08:00", "20:00"],
        }
        body.update(overrides)
        return body

    def create(self, user=None, **fields):
        return self.ok(self.post("/medications/", user or self.user, fields), 201)


class CreateTests(MedicationCase):
    def test_contract_body_gives_201_with_relations(self):
        body = self.contract_body()
        created = self.ok(self.post("/medications/", self.user, body), 201)
        for key, value in body.items():
            self.assertEqual(created[key], value, key)
        self.assert_has_fields(created, ["id", "practitioner", "pharmacy", "created_at", "updated_at"])
        self.assert_timestamps(created)
        self.assertEqual(created["practitioner"]["id"], self.doctor["id"])
        self.assertEqual(created["practitioner"]["name"], self.doctor["name"])
        self.assertEqual(created["pharmacy"]["id"], self.pharmacy["id"])
        self.assertEqual(created["pharmacy"]["name"], self.pharmacy["name"])

    def test_defaults_active_patient_and_slashes(self):
        child = self.ok(self.post("/patient-management/", self.user, {"first_name": "Kid", "last_name": "Doe", "birth_date": "2019-01-01"}), 201)
        self.ok(self.post("/patient-management/switch", self.user, {"patient_id": child["id"]}))
        self.addCleanup(self.post, "/patient-management/switch", self.user, {"patient_id": self.patient["id"]})
        for path in ("/medications", "/medications/"):
            created = self.ok(self.post(path, self.user, {"medication_name": "Syrup"}), 201)
            self.assertEqual(created["patient_id"], child["id"])
            self.assertIs(created["reminder_enabled"], False)
            self.assertIsNone(created["practitioner"])
            self.assertIsNone(created["pharmacy"])

    def test_every_route_and_status_value(self):
        for route in ROUTES:
            self.assertEqual(self.create(medication_name=f"R {route}", route=route)["route"], route)
        for status in STATUSES:
            self.assertEqual(self.create(medication_name=f"S {status}", status=status)["status"], status)

    def test_reminder_times_are_sorted(self):
        created = self.create(medication_name="Reminded", reminder_enabled=True, reminder_times=["20:00", "07:30", "12:15"])
        self.assertEqual(created["reminder_times"], ["07:30", "12:15", "20:00"])
        twelve = [f"{n:02d}:00" for n in range(12)]
        self.assertEqual(self.create(medication_name="Twelve", reminder_times=list(reversed(twelve)))["reminder_times"], twelve)

    def test_bad_fields_are_422_naming_the_field(self):
        before = self.ok(self.get("/medications/?limit=100", self.user))
        self.error(self.post("/medications/", self.user, {"patient_id": self.patient["id"]}), 422, "medication_name")
        self.check_field_errors("POST", "/medications/", self.user, self.contract_body(), 422,
                                BAD_FIELDS + [("patient_id", "abc"), ("patient_id", 1.5)])
        body = self.error(self.post("/medications/", self.user, self.contract_body(
            effective_period_start="2025-06-01", effective_period_end="2025-01-01")), 422, "effective_period_end")
        self.assertIsInstance(body["detail"], list)
        self.error(self.post("/medications/", self.user, self.contract_body(route="teleport", status="paused")), 422, "route", "status")
        self.check_malformed_bodies("POST", "/medications/", self.user, string_field="medication_name", valid=self.contract_body())
        self.assertEqual(self.ok(self.get("/medications/?limit=100", self.user)), before)

    def test_bad_numbers_and_strings_in_raw_bodies(self):
        for raw in (b'{"medication_name": "X", "patient_id": 1e400}',
                    b'{"medication_name": "X", "patient_id": 123456789012345678901234567890}',
                    b'{"medication_name": "X", "patient_id": -9223372036854775808}',
                    b'{"medication_name": "X", "practitioner_id": 9223372036854775807}',
                    b'{"medication_name": "X", "patient_id": NaN}',
                    b'{"medication_name": "X\\ud800"}',
                    b'\xef\xbb\xbf{"medication_name": "BOM"}',
                    b'{"medication_name": "X", "tags": ["' + b"t" * 51 + b'"]}',
                    b'{"medication_name": "X", "tags": [' + b",".join(b'"t%d"' % i for i in range(21)) + b']}'):
            self.rejected(self.call("POST", "/medications/", self.user, body=raw), (400, 422), repr(raw[:60]))
        # A NUL character is just a character.
        created = self.create(medication_name="Nul\u0000Name")
        self.assertEqual(self.ok(self.get(f"/medications/{created['id']}", self.user))["medication_name"], "Nul\u0000Name")

    def test_unknown_patient_is_404(self):
        self.error(self.post("/medications/", self.user, self.contract_body(patient_id=999999999)), 404)

    def test_text_is_stored_literally(self):
        created = self.create(medication_name=SQL_TEXT, notes=SCRIPT_TEXT, indication=UNICODE_TEXT, tags=[SCRIPT_TEXT[:50]])
        fetched = self.ok(self.get(f"/medications/{created['id']}", self.user))
        self.assertEqual((fetched["medication_name"], fetched["notes"], fetched["indication"], fetched["tags"]),
                         (SQL_TEXT, SCRIPT_TEXT, UNICODE_TEXT, [SCRIPT_TEXT[:50]]))
        found = self.ok(self.get("/medications/?name=DROP%20TABLE", self.user))
        self.assertIn(created["id"], [m["id"] for m in found])

    def test_every_endpoint_needs_a_token(self):
        for method, path, body in (
            ("GET", "/medications/", None), ("POST", "/medications/", {"medication_name": "X"}),
            ("GET", "/medications/1", None), ("PUT", "/medications/1", {"dosage": "1mg"}),
            ("DELETE", "/medications/1", None), ("GET", "/medications/patient/1?active_only=true", None),
        ):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, body)


class ListTests(MedicationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.meds = {}
        for key, name, tags, status in (
            ("A", "Amoxicillin", ["antibiotic", "short-term"], "active"),
            ("B", "Vitamin D", ["supplement"], "active"),
            ("C", "amoxicillin clavulanate", ["antibiotic"], "stopped"),
            ("D", "Ibuprofen 50%_off", [], "completed"),
        ):
            r = h.post("/api/v1/medications/", token=cls.user.token, json_body={
                "medication_name": name, "tags": tags, "status": status})
            assert r.status == 201, r
            cls.meds[key] = r.json["id"]

    def names(self, query):
        return [m["id"] for m in self.ok(self.get(f"/medications/{query}", self.user))]

    def ids(self, *keys):
        return [self.meds[k] for k in keys]

    def test_newest_first_both_slashes(self):
        for r in self.check_both_slashes("GET", "/medications", self.user, 200):
            self.assertEqual([m["id"] for m in r.json], self.ids("D", "C", "B", "A"))
            for m in r.json:
                self.assert_has_fields(m, ["practitioner", "pharmacy", "patient_id", "medication_name", "tags"])

    def test_name_filter(self):
        self.assertEqual(self.names("?name=amox"), self.ids("C", "A"))
        self.assertEqual(self.names("?name=AMOXICILLIN%20CLAV"), self.ids("C"))
        self.assertEqual(self.names("?name=nothing-like-it"), [])
        # LIKE wildcards and quotes match literally.
        self.assertEqual(self.names("?name=%25"), self.ids("D"))
        self.assertEqual(self.names("?name=_"), self.ids("D"))
        self.assertEqual(self.names("?name=%27%20OR%20%271%27%3D%271"), [])

    def test_tag_filters(self):
        self.assertEqual(self.names("?tags=antibiotic"), self.ids("C", "A"))
        self.assertEqual(self.names("?tags=antibiotic&tags=supplement"), self.ids("C", "B", "A"))
        self.assertEqual(self.names("?tags=antibiotic&tags=short-term&tag_match_all=true"), self.ids("A"))
        self.assertEqual(self.names("?tags=antibiotic,short-term&tag_match_all=true"), self.ids("A"))
        self.assertEqual(self.names("?tags=antibiotic&tags=supplement&tag_match_all=false"), self.ids("C", "B", "A"))
        self.assertEqual(self.names("?tags=antibiotic&tags=supplement&tag_match_all=true"), [])
        self.assertEqual(self.names("?tags=unknown"), [])
        self.assertEqual(self.names("?tags=antibiotic&name=clav"), self.ids("C"))
        self.error(self.get("/medications/?tags=antibiotic&tag_match_all=maybe", self.user), 422, "tag_match_all")

    def test_pagination(self):
        self.check_pagination("/medications/", self.user, maximum=100)
        self.assertEqual(self.names("?skip=1&limit=2"), self.ids("C", "B"))

    def test_limit_over_100_is_clamped_to_100(self):
        user = new_user()
        for i in range(101):
            self.ok(self.post("/medications/", user, {"medication_name": f"Bulk {i}"}), 201)
        self.assertEqual(len(self.ok(self.get("/medications/", user))), 100)  # default 100
        self.assertEqual(len(self.ok(self.get("/medications/?limit=1000", user))), 100)
        self.assertEqual(len(self.ok(self.get("/medications/?skip=100&limit=1000", user))), 1)
        patient = self.ok(self.get("/patients/me", user))
        self.assertEqual(len(self.ok(self.get(f"/medications/patient/{patient['id']}?limit=1000", user))), 100)
        self.assertEqual(len(self.ok(self.get(f"/patients/{patient['id']}/medications?limit=1000", user))), 100)
        # 101 activity entries now exist: recent-activity clamps its limit to 100 too.
        self.assertEqual(len(self.ok(self.get("/patients/me/recent-activity?limit=1000", user))), 100)

    def test_odd_query_strings(self):
        for query in ("name=%FF%FE", "name=%00", "tags=%FF", "name=%25%", "name=%2", "tags=", "name=",
                      "tags=a&tags=&tags=,,", "name=" + "x" * 3000):
            r = self.get(f"/medications/?{query}", self.user)
            with self.subTest(query=query[:40]):
                self.assertEqual(r.status, 200, r)
        self.error(self.get("/medications/?patient_id=%FF", self.user), 422, "patient_id")

    def test_overlong_query_is_a_json_4xx(self):
        # A request line too long for nginx: still a 4xx in the error shape (decisions rule 2).
        self.rejected(self.get("/medications/?name=" + "x" * 20000, self.user), (400, 414, 422))

    def test_patient_id_parameter(self):
        self.assertEqual(self.names(f"?patient_id={self.patient['id']}"), self.ids("D", "C", "B", "A"))
        self.error(self.get("/medications/?patient_id=999999999", self.user), 404)
        self.error(self.get("/medications/?patient_id=abc", self.user), 422, "patient_id")


class ItemTests(MedicationCase):
    def test_get_update_delete(self):
        created = self.ok(self.post("/medications/", self.user, self.contract_body()), 201)
        item = f"/medications/{created['id']}"
        for r in self.check_both_slashes("GET", item, self.user, 200):
            self.assertEqual(r.json, created)
        updated = self.ok(self.put(item, self.user, {"dosage": "200mg", "status": "stopped", "reminder_times": ["21:00", "06:00"]}))
        self.assertEqual((updated["dosage"], updated["status"], updated["reminder_times"]), ("200mg", "stopped", ["06:00", "21:00"]))
        for key in ("medication_name", "route", "practitioner_id", "pharmacy_id", "effective_period_start", "patient_id"):
            self.assertEqual(updated[key], created[key], key)
        updated = self.ok(self.put(item + "/", self.user, {"practitioner_id": None, "pharmacy_id": None}))
        self.assertIsNone(updated["practitioner"])
        self.assertIsNone(updated["pharmacy"])
        self.assertEqual(self.ok(self.get(item, self.user)), updated)

        r = self.delete(item, self.user)
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        for method, body in (("GET", None), ("PUT", {"dosage": "1mg"}), ("DELETE", None)):
            self.error(self.call(method, item, self.user, json_body=body), 404)
            self.error(self.call(method, "/medications/abc", self.user, json_body=body), 422, "medication_id")
            self.error(self.call(method, "/medications/999999999", self.user, json_body=body), 404)
        other = self.create(medication_name="Slash")
        self.assertEqual(self.delete(f"/medications/{other['id']}/", self.user).status, 204)

    def test_update_bad_fields_change_nothing(self):
        created = self.ok(self.post("/medications/", self.user, self.contract_body()), 201)
        item = f"/medications/{created['id']}"
        self.check_field_errors("PUT", item, self.user, {}, 422, BAD_FIELDS + [("medication_name", None)])
        # The merged dates are checked: an end before the stored start.
        self.error(self.put(item, self.user, {"effective_period_end": "2024-01-01"}), 422, "effective_period_end")
        self.check_malformed_bodies("PUT", item, self.user, string_field="dosage")
        self.assertEqual(self.ok(self.get(item, self.user)), created)

    def test_update_stores_text_literally(self):
        created = self.create(medication_name="Plain")
        updated = self.ok(self.put(f"/medications/{created['id']}", self.user, {"medication_name": SCRIPT_TEXT, "notes": SQL_TEXT}))
        self.assertEqual((updated["medication_name"], updated["notes"]), (SCRIPT_TEXT, SQL_TEXT))


class PatientPathTests(MedicationCase):
    def test_active_only(self):
        user = new_user()
        patient = self.ok(self.get("/patients/me", user))
        active = self.create(user, medication_name="Active one", status="active")
        stopped = self.create(user, medication_name="Stopped one", status="stopped")
        path = f"/medications/patient/{patient['id']}"
        for r in self.check_both_slashes("GET", path, user, 200):
            self.assertEqual([m["id"] for m in r.json], [stopped["id"], active["id"]])
        self.assertEqual([m["id"] for m in self.ok(self.get(f"{path}?active_only=true", user))], [active["id"]])
        self.assertEqual(len(self.ok(self.get(f"{path}?active_only=false", user))), 2)
        self.error(self.get(f"{path}?active_only=maybe", user), 422, "active_only")
        self.check_pagination(path, user, maximum=100)
        self.error(self.get("/medications/patient/999999999?active_only=true", user), 404)
        self.error(self.get("/medications/patient/abc", user), 422, "patient_id")


if __name__ == "__main__":
    unittest.main()
