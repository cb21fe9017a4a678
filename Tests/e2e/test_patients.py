"""Patients through nginx and the pool: /patients/me, a patient's medications,
recent activity, dashboard stats and the whole of /patient-management.

Contract: api-reference.txt "Patient Management"; decisions.md rules 3, 6 and 15;
docs/api-notes.md (Patients): field rules, 400 for bad fields, 422 for bodies that are
not a JSON object.
"""
import unittest

from apicase import SCRIPT_TEXT, SQL_TEXT, UNICODE_TEXT, ApiTestCase, new_user

PATIENT_FIELDS = ["id", "owner_user_id", "first_name", "last_name", "birth_date", "gender", "address",
                  "phone_number", "blood_type", "height", "weight", "physician_id", "is_self_record", "created_at"]
CHILD = {"first_name": "Lily", "last_name": "Doe", "birth_date": "2018-04-02", "gender": "female"}
FULL = {"first_name": "Jane", "last_name": "Doe", "birth_date": "2010-05-20", "gender": "female",
        "blood_type": "A+", "height": 60, "weight": 85, "address": "123 Main St", "phone_number": "+1234567890"}

# Every bad value of a patient field: 400 naming the field (api-notes, Patients).
BAD_PATIENT_FIELDS = [
    ("first_name", ""), ("first_name", "x" * 101), ("first_name", 42), ("last_name", ["Doe"]),
    ("birth_date", "2020-02-30"), ("birth_date", "20-01-2020"), ("birth_date", "2999-01-01"),
    ("birth_date", "1899-12-31"), ("birth_date", 20200101), ("gender", "robot"), ("gender", 1),
    ("blood_type", "Z+"), ("height", -1), ("height", 0), ("height", 121), ("height", "tall"),
    ("weight", 1501), ("weight", "heavy"), ("weight", True), ("physician_id", 999999999),
    ("physician_id", "abc"), ("address", "a" * 501), ("phone_number", "1" * 31),
]


class PatientMeTests(ApiTestCase):
    def test_registration_made_a_self_record(self):
        user = new_user()
        for r in self.check_both_slashes("GET", "/patients/me", user, 200):
            patient = r.json
            self.assert_has_fields(patient, PATIENT_FIELDS)
            self.assertEqual(patient["owner_user_id"], user.id)
            self.assertIs(patient["is_self_record"], True)
            self.assert_timestamps(patient)

    def test_put_is_partial(self):
        user = new_user()
        before = self.ok(self.get("/patients/me", user))
        after = self.ok(self.put("/patients/me", user, {"first_name": "Jonathan", "address": "456 New Address"}))
        self.assertEqual(after["first_name"], "Jonathan")
        self.assertEqual(after["address"], "456 New Address")
        for key in ("id", "last_name", "birth_date", "gender", "created_at"):
            self.assertEqual(after[key], before[key], key)
        after = self.ok(self.put("/patients/me/", user, {"birth_date": "1990-01-15", "gender": "MALE", "blood_type": "o+",
                                                         "height": 70, "weight": 165.5}))
        self.assertEqual((after["birth_date"], after["gender"], after["blood_type"], after["height"], after["weight"]),
                         ("1990-01-15", "male", "O+", 70, 165.5))
        self.assertEqual(self.ok(self.get("/patients/me", user)), after)

    def test_put_bad_fields_are_400_and_change_nothing(self):
        user = new_user()
        before = self.ok(self.get("/patients/me", user))
        self.check_field_errors("PUT", "/patients/me", user, {"address": "ok"}, 400, BAD_PATIENT_FIELDS)
        body = self.error(self.put("/patients/me", user, {"gender": "robot", "height": -5, "birth_date": "nope"}), 400,
                          "gender", "height", "birth_date")
        self.assertIsInstance(body["detail"], list)
        self.assertEqual(self.ok(self.get("/patients/me", user)), before)
        self.check_malformed_bodies("PUT", "/patients/me", user, string_field="address")

    def test_text_is_stored_literally(self):
        user = new_user()
        self.ok(self.put("/patients/me", user, {"address": SQL_TEXT, "first_name": SCRIPT_TEXT, "last_name": UNICODE_TEXT}))
        patient = self.ok(self.get("/patients/me", user))
        self.assertEqual((patient["address"], patient["first_name"], patient["last_name"]), (SQL_TEXT, SCRIPT_TEXT, UNICODE_TEXT))

    def test_post_when_a_self_record_exists_is_400(self):
        user = new_user()
        self.error(self.post("/patients/me", user, FULL), 400)

    def test_delete_then_create_again(self):
        user = new_user()
        patient = self.ok(self.get("/patients/me", user))
        medication = self.ok(self.post(f"/patients/{patient['id']}/medications", user, {"medication_name": "Aspirin"}), 201)
        body = self.ok(self.delete("/patients/me", user))
        self.assertEqual(body, {"message": "Patient record and all associated medical records deleted successfully"})
        self.error(self.get(f"/medications/{medication['id']}", user), 404)
        self.error(self.get("/patients/me", user), 404)
        self.error(self.put("/patients/me", user, {"first_name": "X"}), 404)
        self.error(self.delete("/patients/me", user), 404)
        self.assertIsNone(self.ok(self.get("/patient-management/self-record", user)))
        self.assertIsNone(self.ok(self.get("/patient-management/active/current", user)))

        self.error(self.post("/patients/me", user, {}), 400, "first_name", "last_name", "birth_date")
        self.check_field_errors("POST", "/patients/me", user, FULL, 400, BAD_PATIENT_FIELDS)
        self.check_malformed_bodies("POST", "/patients/me", user, string_field="address", valid=FULL)
        created = self.ok(self.post("/patients/me/", user, FULL), 201)
        self.assert_has_fields(created, PATIENT_FIELDS)
        self.assertIs(created["is_self_record"], True)
        self.assertEqual(created["relationship_to_self"], "self")
        for key, value in FULL.items():
            self.assertEqual(created[key], value, key)
        self.assertEqual(self.ok(self.get("/patients/me", user)), created)
        self.assertEqual(self.ok(self.get("/patient-management/active/current", user))["id"], created["id"])
        self.error(self.post("/patients/me", user, FULL), 400)

    def test_every_method_needs_a_token(self):
        for method, body in (("GET", None), ("POST", FULL), ("PUT", {"first_name": "X"}), ("DELETE", None)):
            self.check_unauthenticated(method, "/patients/me", body)
        for path in ("/patients/me/recent-activity", "/patients/me/dashboard-stats", "/patients/1/medications"):
            self.check_unauthenticated("GET", path)
        self.check_unauthenticated("POST", "/patients/1/medications", {"medication_name": "X"})


class PatientMedicationsTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()

    def setUp(self):
        self.child = self.ok(self.post("/patient-management/", self.user, CHILD), 201)
        self.path = f"/patients/{self.child['id']}/medications"

    def test_post_and_get(self):
        created = self.ok(self.post(self.path, self.user, {"medication_name": "Amoxicillin", "status": "active"}), 201)
        self.assertEqual(created["patient_id"], self.child["id"])
        self.assertIn("practitioner", created)
        self.assertIn("pharmacy", created)
        # The path's patient wins over the body's.
        other = self.ok(self.post(self.path + "/", self.user, {"medication_name": "Ibuprofen", "status": "stopped",
                                                               "patient_id": self.user.profile["id"] + 10**9}), 201)
        self.assertEqual(other["patient_id"], self.child["id"])
        for r in self.check_both_slashes("GET", self.path, self.user, 200):
            self.assertEqual([m["id"] for m in r.json], [other["id"], created["id"]])
        active = self.ok(self.get(self.path + "?active_only=true", self.user))
        self.assertEqual([m["id"] for m in active], [created["id"]])
        self.assertEqual(len(self.ok(self.get(self.path + "?active_only=false", self.user))), 2)
        self.error(self.get(self.path + "?active_only=maybe", self.user), 422, "active_only")
        self.check_pagination(self.path, self.user, maximum=100)

    def test_bad_bodies(self):
        self.error(self.post(self.path, self.user, {}), 422, "medication_name")
        self.check_field_errors("POST", self.path, self.user, {"medication_name": "X"}, 422, [
            ("route", "teleport"), ("status", "paused"), ("medication_name", "m" * 201), ("dosage", 5)])
        self.check_malformed_bodies("POST", self.path, self.user, string_field="medication_name")
        self.assertEqual(self.ok(self.get(self.path, self.user)), [])

    def test_unknown_patient_is_404_and_bad_id_422(self):
        for method, body in (("GET", None), ("POST", {"medication_name": "X"})):
            self.error(self.call(method, "/patients/999999999/medications", self.user, json_body=body), 404)
            self.error(self.call(method, "/patients/abc/medications", self.user, json_body=body), 422, "patient_id")


class RecentActivityTests(ApiTestCase):
    def test_entries_newest_first_with_limit(self):
        user = new_user()
        me = self.ok(self.get("/patients/me", user))
        for name in ("First", "Second", "Third"):
            self.ok(self.post(f"/patients/{me['id']}/medications", user, {"medication_name": name}), 201)
        for r in self.check_both_slashes("GET", "/patients/me/recent-activity", user, 200):
            entries = r.json
            self.assertGreaterEqual(len(entries), 3)
            for entry in entries:
                self.assert_has_fields(entry, ["id", "model_name", "action", "description", "timestamp"])
                self.assert_timestamps(entry, "timestamp")
            self.assertEqual([e["id"] for e in entries], sorted((e["id"] for e in entries), reverse=True))
            self.assertEqual(entries[0]["model_name"], "Medication")
            self.assertIn("Third", entries[0]["description"])
        self.assertEqual(len(self.ok(self.get("/patients/me/recent-activity?limit=2", user))), 2)
        self.assertLessEqual(len(self.ok(self.get("/patients/me/recent-activity?limit=100000", user))), 100)
        for query in ("limit=-1", "limit=abc"):
            self.error(self.get(f"/patients/me/recent-activity?{query}", user), 422, "limit")

    def test_default_limit_is_10(self):
        user = new_user()
        me = self.ok(self.get("/patients/me", user))
        for i in range(11):
            self.ok(self.post(f"/patients/{me['id']}/medications", user, {"medication_name": f"M{i}"}), 201)
        self.assertEqual(len(self.ok(self.get("/patients/me/recent-activity", user))), 10)
        self.assertGreaterEqual(len(self.ok(self.get("/patients/me/recent-activity?limit=100", user))), 11)


class DashboardStatsTests(ApiTestCase):
    KEYS = ["patient_id", "total_records", "active_medications", "total_lab_results", "total_procedures",
            "total_treatments", "total_conditions", "total_allergies", "total_immunizations", "total_encounters",
            "total_vitals"]

    def test_counts_of_the_active_and_a_named_patient(self):
        user = new_user()
        me = self.ok(self.get("/patients/me", user))
        child = self.ok(self.post("/patient-management/", user, CHILD), 201)
        for status in ("active", "stopped"):
            self.ok(self.post(f"/patients/{child['id']}/medications", user, {"medication_name": "X", "status": status}), 201)
        for r in self.check_both_slashes("GET", "/patients/me/dashboard-stats", user, 200):
            stats = r.json
            self.assert_has_fields(stats, self.KEYS)
            self.assertEqual(stats["patient_id"], me["id"])
            self.assertEqual((stats["total_records"], stats["active_medications"]), (0, 0))
        stats = self.ok(self.get(f"/patients/me/dashboard-stats?patient_id={child['id']}", user))
        self.assertEqual(stats["patient_id"], child["id"])
        self.assertEqual(stats["active_medications"], 1)
        self.assertGreaterEqual(stats["total_records"], 2)
        self.ok(self.post("/patient-management/switch", user, {"patient_id": child["id"]}))
        self.assertEqual(self.ok(self.get("/patients/me/dashboard-stats", user))["patient_id"], child["id"])

    def test_unknown_or_bad_patient_id(self):
        user = new_user()
        self.error(self.get("/patients/me/dashboard-stats?patient_id=999999999", user), 404)
        for value in ("abc", "-1", "1.5"):
            self.error(self.get(f"/patients/me/dashboard-stats?patient_id={value}", user), 422, "patient_id")


class PatientManagementTests(ApiTestCase):
    BASE = "/patient-management"

    def test_create_returns_201_with_the_patient(self):
        user = new_user()
        for body in (FULL, CHILD):
            created = self.ok(self.post(f"{self.BASE}/", user, body), 201)
            self.assert_has_fields(created, PATIENT_FIELDS)
            self.assertIs(created["is_self_record"], False)
            self.assertEqual(created["owner_user_id"], user.id)
            for key, value in body.items():
                self.assertEqual(created[key], value, key)
        self.ok(self.post(self.BASE, user, {**CHILD, "is_self_record": False}), 201)
        # A second self record is refused.
        self.error(self.post(self.BASE, user, {**CHILD, "is_self_record": True}), 400)

    def test_create_with_a_physician(self):
        user = new_user()
        r = self.post("/medical-specialties/", user, {"name": "Pediatrics"})
        self.assertIn(r.status, (200, 201), r)
        specialty = r.json
        doctor = self.ok(self.post("/practitioners/", user, {"name": "Dr. Kim", "specialty_id": specialty["id"]}), 201)
        created = self.ok(self.post(self.BASE, user, {**CHILD, "physician_id": doctor["id"]}), 201)
        self.assertEqual(created["physician_id"], doctor["id"])

    def test_create_bad_bodies_are_400_or_422(self):
        user = new_user()
        before = self.ok(self.get(self.BASE, user))
        self.error(self.post(self.BASE, user, {}), 400, "first_name", "last_name", "birth_date")
        self.check_field_errors("POST", self.BASE, user, CHILD, 400, BAD_PATIENT_FIELDS + [("is_self_record", "yes")])
        self.check_malformed_bodies("POST", self.BASE, user, string_field="first_name", valid=CHILD)
        self.assertEqual(self.ok(self.get(self.BASE, user)), before)

    def test_text_is_stored_literally(self):
        user = new_user()
        created = self.ok(self.post(self.BASE, user, {**CHILD, "first_name": SCRIPT_TEXT, "address": SQL_TEXT}), 201)
        fetched = self.ok(self.get(f"{self.BASE}/{created['id']}", user))
        self.assertEqual((fetched["first_name"], fetched["address"]), (SCRIPT_TEXT, SQL_TEXT))

    def test_list_counts_and_pages(self):
        user = new_user()
        children = [self.ok(self.post(self.BASE, user, {**CHILD, "first_name": f"Kid{i}"}), 201) for i in range(3)]
        for r in self.check_both_slashes("GET", self.BASE, user, 200):
            body = r.json
            self.assert_has_fields(body, ["patients", "total", "owned_count", "shared_count"])
            self.assertEqual((body["total"], body["owned_count"], body["shared_count"]), (4, 4, 0))
            ids = [p["id"] for p in body["patients"]]
            self.assertTrue(body["patients"][0]["is_self_record"])
            self.assertEqual(set(ids[1:]), {c["id"] for c in children})
        for flag in ("false", "true", "0", "1"):
            self.assertEqual(len(self.ok(self.get(f"{self.BASE}?include_shared={flag}", user))["patients"]), 4)
        self.error(self.get(f"{self.BASE}?include_shared=maybe", user), 422, "include_shared")
        self.check_pagination(self.BASE, user, maximum=100, key="patients")
        page = self.ok(self.get(f"{self.BASE}?limit=1", user))
        self.assertEqual(page["total"], 4)  # counts are over everything, not the page

    def test_get_update_delete(self):
        user = new_user()
        created = self.ok(self.post(self.BASE, user, FULL), 201)
        item = f"{self.BASE}/{created['id']}"
        for r in self.check_both_slashes("GET", item, user, 200):
            self.assertEqual(r.json, created)
        updated = self.ok(self.put(item, user, {"first_name": "Janet", "weight": 90}))
        self.assertEqual((updated["first_name"], updated["weight"], updated["last_name"]), ("Janet", 90, "Doe"))
        updated = self.ok(self.put(item + "/", user, {"address": None}))
        self.assertIsNone(updated["address"])
        self.assertEqual(self.ok(self.get(item, user)), updated)

        self.check_field_errors("PUT", item, user, {}, 400, BAD_PATIENT_FIELDS)
        self.check_malformed_bodies("PUT", item, user, string_field="first_name")
        self.assertEqual(self.ok(self.get(item, user)), updated)

        self.assertEqual(self.ok(self.delete(item, user)), {"message": "Patient deleted successfully"})
        for method, body in (("GET", None), ("PUT", {"first_name": "X"}), ("DELETE", None)):
            self.error(self.call(method, item, user, json_body=body), 404)
            self.error(self.call(method, f"{self.BASE}/abc", user, json_body=body), 422, "patient_id")

    def test_delete_with_trailing_slash_and_the_last_patient_is_kept(self):
        user = new_user()
        child = self.ok(self.post(self.BASE, user, CHILD), 201)
        self.ok(self.delete(f"{self.BASE}/{child['id']}/", user))
        me = self.ok(self.get("/patients/me", user))
        self.error(self.delete(f"{self.BASE}/{me['id']}", user), 400)
        self.assertEqual(self.ok(self.get(f"{self.BASE}/{me['id']}", user)), me)

    def test_owned_list_and_self_record(self):
        user = new_user()
        me = self.ok(self.get("/patients/me", user))
        child = self.ok(self.post(self.BASE, user, CHILD), 201)
        for r in self.check_both_slashes("GET", f"{self.BASE}/owned/list", user, 200):
            self.assertEqual([p["id"] for p in r.json], [me["id"], child["id"]])
        for r in self.check_both_slashes("GET", f"{self.BASE}/self-record", user, 200):
            self.assertEqual(r.json, me)

    def test_switch_and_active_current(self):
        user = new_user()
        me = self.ok(self.get("/patients/me", user))
        child = self.ok(self.post(self.BASE, user, CHILD), 201)
        for r in self.check_both_slashes("GET", f"{self.BASE}/active/current", user, 200):
            self.assertEqual(r.json["id"], me["id"])
        switched = self.ok(self.post(f"{self.BASE}/switch", user, {"patient_id": child["id"]}))
        self.assertEqual(switched, child)
        self.assertEqual(self.ok(self.get(f"{self.BASE}/active/current", user))["id"], child["id"])
        # New medications go to the active patient.
        medication = self.ok(self.post("/medications/", user, {"medication_name": "Syrup"}), 201)
        self.assertEqual(medication["patient_id"], child["id"])
        self.ok(self.post(f"{self.BASE}/switch/", user, {"patient_id": me["id"]}))
        self.assertEqual(self.ok(self.get(f"{self.BASE}/active/current", user))["id"], me["id"])
        # Deleting the active patient falls back to the self record.
        self.ok(self.post(f"{self.BASE}/switch", user, {"patient_id": child["id"]}))
        self.ok(self.delete(f"{self.BASE}/{child['id']}", user))
        self.assertEqual(self.ok(self.get(f"{self.BASE}/active/current", user))["id"], me["id"])

    def test_switch_errors(self):
        user = new_user()
        self.error(self.post(f"{self.BASE}/switch", user, {"patient_id": 999999999}), 404)
        for body in ({}, {"patient_id": "abc"}, {"patient_id": None}, {"patient_id": [1]}, {"patient_id": 1.5}):
            with self.subTest(body=body):
                self.error(self.post(f"{self.BASE}/switch", user, body), 422, "patient_id")
        self.check_malformed_bodies("POST", f"{self.BASE}/switch", user)

    def test_stats(self):
        user = new_user()
        self.ok(self.post(self.BASE, user, CHILD), 201)
        for r in self.check_both_slashes("GET", f"{self.BASE}/stats", user, 200):
            self.assertEqual(r.json, {"total_patients": 2, "owned_patients": 2, "shared_patients": 0,
                                      "self_record_exists": True})
        self.ok(self.delete("/patients/me/", user))
        stats = self.ok(self.get(f"{self.BASE}/stats", user))
        self.assertEqual((stats["total_patients"], stats["self_record_exists"]), (1, False))
        # Without a self record, one may be created here.
        created = self.ok(self.post(self.BASE, user, {**FULL, "is_self_record": True}), 201)
        self.assertIs(created["is_self_record"], True)
        self.assertEqual(self.ok(self.get(f"{self.BASE}/self-record", user)), created)
        self.assertIs(self.ok(self.get(f"{self.BASE}/stats", user))["self_record_exists"], True)

    def test_every_endpoint_needs_a_token(self):
        for method, path, body in (
            ("POST", self.BASE, CHILD), ("GET", self.BASE, None), ("GET", f"{self.BASE}/1", None),
            ("PUT", f"{self.BASE}/1", {"first_name": "X"}), ("DELETE", f"{self.BASE}/1", None),
            ("GET", f"{self.BASE}/owned/list", None), ("GET", f"{self.BASE}/self-record", None),
            ("POST", f"{self.BASE}/switch", {"patient_id": 1}), ("GET", f"{self.BASE}/active/current", None),
            ("GET", f"{self.BASE}/stats", None),
        ):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, body)


if __name__ == "__main__":
    unittest.main()
