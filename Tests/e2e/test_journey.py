"""A family's first session, as a new user would live it, through nginx and the pool.

Register, log in, add a child's patient record, switch to it, record two medications
with a practitioner and a pharmacy, filter by tag, delete the child and see its
medications gone — while another user sees none of it.
"""
import unittest

import harness as h


class FamilyJourneyTests(unittest.TestCase):
    def setUp(self):
        self.username, self.token = h.new_user_token()
        self.other_name, self.other = h.new_user_token()

    def call(self, method, path, token=None, **kw):
        return h.request(method, path, token=token or self.token, **kw)

    def test_family_journey(self):
        me = self.call("GET", "/api/v1/users/me")
        self.assertEqual(me.status, 200, me)
        self.assertEqual(me.json["username"], self.username)
        self.assertNotIn("password_hash", me.text)

        child = self.call("POST", "/api/v1/patient-management/", json_body={
            "first_name": "Lily", "last_name": "Doe", "birth_date": "2018-04-02", "gender": "female"})
        self.assertEqual(child.status, 201, child)
        child_id = child.json["id"]
        switched = self.call("POST", "/api/v1/patient-management/switch", json_body={"patient_id": child_id})
        self.assertEqual(switched.status, 200, switched)
        active = self.call("GET", "/api/v1/patient-management/active/current")
        self.assertEqual(active.json["id"], child_id)

        specialty = self.call("POST", "/api/v1/medical-specialties/", json_body={"name": h.unique("Pediatrics")})
        self.assertEqual(specialty.status, 201, specialty)
        doctor = self.call("POST", "/api/v1/practitioners/", json_body={
            "name": "Dr. Kim", "specialty_id": specialty.json["id"]})
        self.assertEqual(doctor.status, 201, doctor)
        pharmacy = self.call("POST", "/api/v1/pharmacies/", json_body={"name": "Corner Pharmacy", "city": "Leeds"})
        self.assertEqual(pharmacy.status, 201, pharmacy)

        ids = []
        for name, tags in (("Amoxicillin", ["antibiotic", "short-term"]), ("Vitamin D", ["supplement"])):
            created = self.call("POST", "/api/v1/medications/", json_body={
                "medication_name": name, "dosage": "5ml", "route": "oral", "status": "active",
                "practitioner_id": doctor.json["id"], "pharmacy_id": pharmacy.json["id"], "tags": tags,
                "reminder_enabled": True, "reminder_times": ["19:00", "07:30"]})
            self.assertEqual(created.status, 201, created)
            self.assertEqual(created.json["patient_id"], child_id)
            self.assertEqual(created.json["practitioner"]["name"], "Dr. Kim")
            self.assertEqual(created.json["pharmacy"]["name"], "Corner Pharmacy")
            self.assertEqual(created.json["reminder_times"], ["07:30", "19:00"])
            ids.append(created.json["id"])

        tagged = self.call("GET", "/api/v1/medications/?tags=antibiotic")
        self.assertEqual([m["medication_name"] for m in tagged.json], ["Amoxicillin"])
        both = self.call("GET", "/api/v1/medications?tags=antibiotic&tags=supplement")
        self.assertEqual(len(both.json), 2)

        # The other user sees none of it.
        for path in (f"/api/v1/medications/{ids[0]}", f"/api/v1/patient-management/{child_id}",
                     f"/api/v1/medications/patient/{child_id}", f"/api/v1/patients/{child_id}/medications"):
            self.assertEqual(self.call("GET", path, token=self.other).status, 404, path)
        self.assertEqual(self.call("GET", "/api/v1/medications/", token=self.other).json, [])
        self.assertEqual(self.call("DELETE", f"/api/v1/medications/{ids[0]}", token=self.other).status, 404)

        deleted = self.call("DELETE", f"/api/v1/patient-management/{child_id}")
        self.assertEqual(deleted.status, 200, deleted)
        for medication_id in ids:
            self.assertEqual(self.call("GET", f"/api/v1/medications/{medication_id}").status, 404)
        # The self record is active again and has no medications.
        self.assertEqual(self.call("GET", "/api/v1/medications/").json, [])

    def test_errors_have_the_contract_shape(self):
        for response in (
            self.call("POST", "/api/v1/medications/", json_body={"route": "teleport"}),
            self.call("POST", "/api/v1/medications/", body=b"{not json", headers={"Content-Type": "application/json"}),
            self.call("GET", "/api/v1/medications/not-a-number"),
            self.call("GET", "/api/v1/medications/", token="not-a-token"),
        ):
            self.assertIn(response.status, (401, 422), response)
            self.assertEqual(response.json["status"], "error")
            self.assertIn("error", response.json)
            self.assertIn("detail", response.json)

    def test_logout_revokes_the_token(self):
        username, password, _ = h.register_user()
        token = h.login(username, password)
        self.assertEqual(self.call("GET", "/api/v1/users/me", token=token).status, 200)
        self.assertEqual(self.call("POST", "/api/v1/auth/logout", token=token).status, 200)
        self.assertEqual(self.call("GET", "/api/v1/users/me", token=token).status, 401)


if __name__ == "__main__":
    unittest.main()
