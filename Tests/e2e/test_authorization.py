"""One user's records are invisible to another: every endpoint that takes a patient or
medication id (in the path, the query or the body) answers 404 for another user's
record — exactly as for an id that does not exist — changes nothing, and no listing of
the other user shows a trace of it. The owner sees everything unchanged afterwards.

Contract: api-reference.txt "403/404"; reference README: "another user's id → 404
unless the contract names 403 for that endpoint".
"""
import unittest

import harness as h
from apicase import ApiTestCase, new_user

MISSING = 999999999


class CrossUserTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.owner, cls.other = new_user(), new_user()
        cls.marker = h.unique("Secret")
        token = cls.owner.token

        def post(path, body):
            r = h.post(f"/api/v1{path}", token=token, json_body=body)
            assert r.status == 201, r
            return r.json

        cls.me = h.get("/api/v1/patients/me", token=token).json
        cls.child = post("/patient-management/", {"first_name": cls.marker, "last_name": "Child", "birth_date": "2015-03-03"})
        cls.med_child = post("/medications/", {"patient_id": cls.child["id"], "medication_name": f"{cls.marker} syrup",
                                              "status": "active", "tags": [cls.marker]})
        cls.med_self = post("/medications/", {"patient_id": cls.me["id"], "medication_name": f"{cls.marker} pill"})
        cls.other_me = h.get("/api/v1/patients/me", token=cls.other.token).json
        r = h.post("/api/v1/medications/", token=cls.other.token, json_body={"medication_name": "Own medicine"})
        assert r.status == 201, r
        cls.other_med = r.json

    # What the owner sees, compared before and after the other user's attempts.
    def owner_view(self):
        paths = [
            f"/patient-management/{self.child['id']}", f"/patient-management/{self.me['id']}", "/patients/me",
            f"/medications/{self.med_child['id']}", f"/medications/{self.med_self['id']}",
            f"/medications/patient/{self.child['id']}", f"/patients/{self.child['id']}/medications",
            f"/medications/?patient_id={self.me['id']}", "/patient-management/", "/patient-management/owned/list",
            "/patient-management/active/current", "/patient-management/stats",
            f"/patients/me/dashboard-stats?patient_id={self.child['id']}",
        ]
        return {path: self.ok(self.get(path, self.owner)) for path in paths}

    def setUp(self):
        self.before = self.owner_view()

    def tearDown(self):
        self.assertEqual(self.owner_view(), self.before, "the other user changed the owner's records")

    def refused(self, method, path, body=None):
        """The other user's request is a 404, shaped like the one for a missing id."""
        r = self.call(method, path, self.other, json_body=body)
        self.error(r, 404)
        self.assertNotIn(self.marker, r.text)
        return r.json

    def assert_same_as_missing(self, method, template, body=None, real=None):
        theirs = self.refused(method, template.format(real), body)
        missing = self.refused(method, template.format(MISSING), body)
        self.assertEqual(theirs, missing, f"{method} {template}: another user's id must look absent")

    def test_patient_by_id(self):
        for patient in (self.child, self.me):
            item = "/patient-management/{}"
            self.assert_same_as_missing("GET", item, real=patient["id"])
            self.assert_same_as_missing("PUT", item, {"first_name": "Hacked"}, real=patient["id"])
            self.assert_same_as_missing("PUT", item, {"gender": "robot"}, real=patient["id"])
            self.assert_same_as_missing("DELETE", item, real=patient["id"])
            self.refused("GET", item.format(patient["id"]) + "/")

    def test_switch_to_their_patient(self):
        for patient in (self.child, self.me):
            theirs = self.refused("POST", "/patient-management/switch", {"patient_id": patient["id"]})
            missing = self.refused("POST", "/patient-management/switch", {"patient_id": MISSING})
            self.assertEqual(theirs, missing)
        self.refused("POST", "/patient-management/switch", {"patient_id": str(self.child["id"])})
        active = self.ok(self.get("/patient-management/active/current", self.other))
        self.assertEqual(active["id"], self.other_me["id"])

    def test_patient_medications_path(self):
        path = "/patients/{}/medications"
        self.assert_same_as_missing("GET", path, real=self.child["id"])
        self.assert_same_as_missing("GET", path + "?active_only=true", real=self.child["id"])
        self.assert_same_as_missing("POST", path, {"medication_name": "Planted"}, real=self.child["id"])
        self.assert_same_as_missing("GET", "/medications/patient/{}", real=self.child["id"])
        self.assert_same_as_missing("GET", "/medications/patient/{}?active_only=true", real=self.me["id"])

    def test_patient_id_query_parameters(self):
        self.assert_same_as_missing("GET", "/medications/?patient_id={}", real=self.child["id"])
        self.assert_same_as_missing("GET", "/medications?patient_id={}&tags=x", real=self.me["id"])
        self.assert_same_as_missing("GET", "/patients/me/dashboard-stats?patient_id={}", real=self.child["id"])

    def test_patient_id_in_a_create_body(self):
        for patient in (self.child, self.me):
            theirs = self.refused("POST", "/medications/", {"patient_id": patient["id"], "medication_name": "Planted"})
            missing = self.refused("POST", "/medications/", {"patient_id": MISSING, "medication_name": "Planted"})
            self.assertEqual(theirs, missing)
            # An invalid body may be refused before the patient is looked up; the answer
            # must still be the one for a missing patient.
            bad = {"medication_name": "Planted", "route": "teleport"}
            theirs = self.call("POST", "/medications/", self.other, json_body={**bad, "patient_id": patient["id"]})
            missing = self.call("POST", "/medications/", self.other, json_body={**bad, "patient_id": MISSING})
            self.assertIn(theirs.status, (404, 422), theirs)
            self.assertEqual((theirs.status, theirs.json), (missing.status, missing.json))

    def test_patient_id_in_an_update_body_does_not_move_a_medication(self):
        item = f"/medications/{self.other_med['id']}"
        r = self.put(item, self.other, {"patient_id": self.child["id"], "dosage": "1mg"})
        self.assertIn(r.status, (200, 404), r)
        after = self.ok(self.get(item, self.other))
        self.assertEqual(after["patient_id"], self.other_me["id"])
        self.assertEqual(self.ok(self.get(f"/medications/patient/{self.child['id']}", self.owner)),
                         self.before[f"/medications/patient/{self.child['id']}"])

    def test_medication_by_id(self):
        for medication in (self.med_child, self.med_self):
            item = "/medications/{}"
            self.assert_same_as_missing("GET", item, real=medication["id"])
            self.assert_same_as_missing("PUT", item, {"dosage": "999mg"}, real=medication["id"])
            self.assert_same_as_missing("PUT", item, {"route": "teleport"}, real=medication["id"])
            self.assert_same_as_missing("DELETE", item, real=medication["id"])
            self.refused("DELETE", item.format(medication["id"]) + "/")

    def test_listings_show_nothing_of_the_owner(self):
        owner_patients = {self.me["id"], self.child["id"]}
        for path in ("/patient-management/", "/patient-management/?include_shared=true", "/patient-management/owned/list",
                     "/patient-management/self-record", "/patient-management/active/current", "/patient-management/stats",
                     "/patients/me", "/patients/me/recent-activity?limit=100", "/patients/me/dashboard-stats",
                     "/medications/?limit=100", f"/medications/?tags={self.marker}", f"/medications/?name={self.marker}",
                     "/users/me", "/users/me/preferences"):
            r = self.get(path, self.other)
            body = self.ok(r)
            with self.subTest(path=path):
                self.assertNotIn(self.marker, r.text)
                self.assertNotIn(self.owner.username, r.text)
                self.assertNotIn(self.owner.token, r.text)
        patients = self.ok(self.get("/patient-management/", self.other))
        self.assertEqual([p["id"] for p in patients["patients"]], [self.other_me["id"]])
        self.assertEqual((patients["total"], patients["shared_count"]), (1, 0))
        self.assertEqual(self.ok(self.get("/patient-management/stats", self.other))["total_patients"], 1)
        for entry in self.ok(self.get("/patients/me/recent-activity?limit=100", self.other)):
            self.assertNotIn(entry.get("patient_id"), owner_patients)
        self.assertEqual([m["id"] for m in self.ok(self.get("/medications/", self.other))], [self.other_med["id"]])
        self.assertEqual(self.ok(self.get(f"/medications/?tags={self.marker}", self.other)), [])

    def test_owner_still_reaches_everything(self):
        for medication in (self.med_child, self.med_self):
            self.assertEqual(self.ok(self.get(f"/medications/{medication['id']}", self.owner))["medication_name"],
                             medication["medication_name"])
        self.assertEqual(self.ok(self.get(f"/patient-management/{self.child['id']}", self.owner))["first_name"], self.marker)
        tagged = self.ok(self.get(f"/medications/?tags={self.marker}&patient_id={self.child['id']}", self.owner))
        self.assertEqual([m["id"] for m in tagged], [self.med_child["id"]])


if __name__ == "__main__":
    unittest.main()
