"""Treatments, medical equipment and a treatment's links (medications with overrides and
effective values, encounters, equipment), through nginx and the pool."""

import unittest

import harness as h
from apicase import ApiTestCase, family_with_doctor, new_user


class TreatmentCase(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        cls.me, cls.child, cls.doctor = family_with_doctor(cls.user, "Plan", "Cardiology", "Dr. Heart")
        cls.other = new_user()

    def made(self, path, body, user=None, status=201):
        return self.ok(self.post(path, user or self.user, body), status)

    def medication(self, user=None, **fields):
        return self.made("/medications/", {"medication_name": h.unique("Med "), **fields}, user)

    def treatment(self, user=None, **fields):
        return self.made("/treatments/", {"treatment_name": h.unique("Plan "), **fields}, user)


class TreatmentCrudTests(TreatmentCase):
    def test_crud_filters_and_lists(self):
        condition = self.made("/conditions/", {"condition_name": "Angina"})
        t = self.treatment(condition_id=condition["id"], status="in_progress", mode="advanced",
                           start_date="2026-01-01", end_date="2026-06-30", tags=["heart"])
        self.assertEqual(t["status"], "in-progress")
        self.assertEqual(t["condition"]["condition_name"], "Angina")
        self.assertEqual(t["patient"]["id"], self.me["id"])
        self.assert_timestamps(t)
        self.check_both_slashes("GET", "/treatments/", self.user, 200)
        got = self.ok(self.get(f"/treatments/{t['id']}", self.user))
        self.assertEqual(got, t)
        by_condition = self.ok(self.get(f"/treatments/?condition_id={condition['id']}", self.user))
        self.assertEqual([x["id"] for x in by_condition], [t["id"]])
        self.assertEqual([x["id"] for x in self.ok(self.get("/treatments/?tags=heart", self.user))], [t["id"]])
        ongoing = self.ok(self.get("/treatments/ongoing", self.user))
        self.assertIn(t["id"], [x["id"] for x in ongoing])
        for path in (f"/treatments/patient/{self.me['id']}/active", f"/patients/{self.me['id']}/treatments",
                     f"/treatments/patients/{self.me['id']}/treatments/"):
            self.ok(self.get(path, self.user))
        updated = self.ok(self.put(f"/treatments/{t['id']}", self.user, {"status": "completed"}))
        self.assertEqual(updated["status"], "completed")
        self.error(self.put(f"/treatments/{t['id']}", self.user, {"end_date": "2025-01-01"}), 422, "end_date")
        self.error(self.post("/treatments/", self.user, {"treatment_name": "x"}), 422, "treatment_name")
        self.error(self.post("/treatments/", self.user, {"treatment_name": "Okay", "mode": "weird"}), 422, "mode")
        self.assertEqual(self.ok(self.delete(f"/treatments/{t['id']}", self.user)),
                         {"message": "Treatment deleted successfully"})
        self.error(self.get(f"/treatments/{t['id']}", self.user), 404)

    def test_condition_must_be_the_same_patients(self):
        childs = self.made("/conditions/", {"condition_name": "Croup", "patient_id": self.child["id"]})
        self.error(self.post("/treatments/", self.user,
                             {"treatment_name": "Mine", "condition_id": childs["id"]}), 422, "condition_id")

    def test_another_user_sees_and_changes_nothing(self):
        t = self.treatment()
        for method, body in (("GET", None), ("PUT", {"status": "completed"}), ("DELETE", None)):
            self.error(self.call(method, f"/treatments/{t['id']}", self.other, json_body=body), 404)
        self.assertNotIn(t["id"], [x["id"] for x in self.ok(self.get("/treatments/", self.other))])
        self.error(self.get(f"/treatments/?patient_id={self.me['id']}", self.other), 404)
        self.assertEqual(self.ok(self.get(f"/treatments/{t['id']}", self.user))["status"], "active")


class EquipmentTests(TreatmentCase):
    def test_crud_and_lists(self):
        e = self.made("/medical-equipment/", {"equipment_name": "CPAP", "equipment_type": "breathing",
                                              "next_service_date": "2000-01-01"})
        self.assertEqual(e["status"], "active")
        self.check_both_slashes("GET", "/medical-equipment/", self.user, 200)
        self.assertIn(e["id"], [x["id"] for x in self.ok(self.get("/medical-equipment/active", self.user))])
        self.assertIn(e["id"], [x["id"] for x in self.ok(self.get("/medical-equipment/needing-service", self.user))])
        self.error(self.post("/medical-equipment/", self.user, {"equipment_name": "CPAP"}), 422, "equipment_type")
        self.ok(self.put(f"/medical-equipment/{e['id']}", self.user, {"status": "inactive"}))
        self.error(self.get(f"/medical-equipment/{e['id']}", self.other), 404)
        self.ok(self.delete(f"/medical-equipment/{e['id']}", self.user))


class TreatmentMedicationTests(TreatmentCase):
    def test_the_cardiac_story(self):
        """An advanced-mode cardiac treatment with two medications, one with a dosage and
        prescriber override, shows the right effective values, and the medication's
        treatment history shows the treatment."""
        condition = self.made("/conditions/", {"condition_name": "Heart failure"})
        t = self.treatment(treatment_name="Cardiac rehabilitation", mode="advanced", condition_id=condition["id"])
        specialty = self.made("/medical-specialties/", {"name": h.unique("Cardio ")}, status=201)
        cardiologist = self.made("/practitioners/", {"name": "Dr. Override", "specialty_id": specialty["id"]})
        pharmacy = self.made("/pharmacies/", {"name": "Corner"})
        lisinopril = self.medication(dosage="10mg", frequency="Once daily", practitioner_id=self.doctor["id"],
                                     pharmacy_id=pharmacy["id"], effective_period_start="2025-06-01",
                                     effective_period_end="2025-09-25")
        aspirin = self.medication(dosage="81mg", frequency="Daily")
        path = f"/treatments/{t['id']}/medications"
        first = self.ok(self.post(path, self.user, {
            "medication_id": lisinopril["id"], "specific_dosage": "20mg", "specific_prescriber_id": cardiologist["id"],
            "specific_start_date": "2026-01-09", "timing_instructions": "with food"}))
        self.assertEqual(first["effective_dosage"], "20mg")
        self.assertEqual(first["effective_frequency"], "Once daily")
        self.assertEqual(first["effective_prescriber"]["name"], "Dr. Override")
        self.assertEqual(first["effective_pharmacy"]["id"], pharmacy["id"])
        self.assertEqual(first["effective_start_date"], "2026-01-09")
        self.assertIsNone(first["effective_end_date"])  # the smart end date: ongoing
        self.assertEqual(first["medication"]["practitioner"]["id"], self.doctor["id"])
        self.assertEqual(first["specific_prescriber"]["id"], cardiologist["id"])
        self.assertIsNone(first["specific_pharmacy"])
        second = self.ok(self.post(f"{path}/bulk", self.user, {"medication_ids": [lisinopril["id"], aspirin["id"]]}))
        self.assertEqual([x["medication_id"] for x in second], [aspirin["id"]])  # linked ones are skipped
        self.assertEqual(second[0]["effective_dosage"], "81mg")
        listed = self.ok(self.get(path, self.user))
        self.assertEqual(sorted(x["medication_id"] for x in listed), sorted([lisinopril["id"], aspirin["id"]]))
        history = self.ok(self.get(f"/medications/{lisinopril['id']}/treatments", self.user))
        self.assertEqual(history[0]["treatment"]["treatment_name"], "Cardiac rehabilitation")
        self.assertEqual(history[0]["treatment"]["condition"]["condition_name"], "Heart failure")
        updated = self.ok(self.put(f"{path}/{first['id']}", self.user, {"specific_end_date": "2026-03-01"}))
        self.assertEqual(updated["effective_end_date"], "2026-03-01")
        self.assertEqual(updated["medication_id"], lisinopril["id"])
        self.error(self.put(f"{path}/{first['id']}", self.user, {"specific_end_date": "2025-01-01"}),
                   422, "specific_end_date")
        self.assertEqual(self.ok(self.delete(f"{path}/{first['id']}", self.user)),
                         {"status": "success", "message": "Medication link removed"})
        self.assertEqual(len(self.ok(self.get(path, self.user))), 1)

    def test_links_stay_within_one_patient_and_user(self):
        t = self.treatment()
        path = f"/treatments/{t['id']}/medications"
        childs = self.medication(patient_id=self.child["id"])
        foreign = self.medication(user=self.other)
        mine = self.medication()
        self.error(self.post(path, self.user, {"medication_id": childs["id"]}), 400)
        self.error(self.post(path, self.user, {"medication_id": foreign["id"]}), 404)
        self.error(self.post(f"{path}/bulk", self.user, {"medication_ids": [mine["id"], foreign["id"]]}), 404)
        self.assertEqual(self.ok(self.get(path, self.user)), [])
        for bad in ([], [mine["id"], mine["id"]], ["x"]):
            self.error(self.post(f"{path}/bulk", self.user, {"medication_ids": bad}), 422, "medication_ids")
        link = self.ok(self.post(path, self.user, {"medication_id": mine["id"]}))
        self.error(self.post(path, self.user, {"medication_id": mine["id"]}), 400)
        for method, body in (("GET", None), ("POST", {"medication_id": foreign["id"]})):
            self.error(self.call(method, path, self.other, json_body=body), 404)
        self.error(self.put(f"{path}/{link['id']}", self.other, {"relevance_note": "x"}), 404)
        self.error(self.delete(f"{path}/{link['id']}", self.other), 404)
        self.error(self.get(f"/medications/{mine['id']}/treatments", self.other), 404)
        self.assertEqual(len(self.ok(self.get(path, self.user))), 1)


class TreatmentOtherLinkTests(TreatmentCase):
    def test_encounters_and_equipment(self):
        t = self.treatment()
        visit = self.made("/encounters/", {"encounter_date": "2026-01-10", "encounter_type": "Follow-up"})
        device = self.made("/medical-equipment/", {"equipment_name": "Monitor", "equipment_type": "cardiac"})
        cases = (("encounters", "encounter", visit, {"visit_label": "week 1", "visit_sequence": 1}),
                 ("equipment", "equipment", device, {"usage_frequency": "nightly"}))
        for kind, key, record, fields in cases:
            with self.subTest(kind=kind):
                path = f"/treatments/{t['id']}/{kind}"
                link = self.ok(self.post(path, self.user, {f"{key}_id": record["id"], **fields}))
                self.assertEqual(link[key]["id"], record["id"])
                self.ok(self.post(f"{path}/bulk", self.user, {f"{key}_ids": [record["id"]]}))
                self.assertEqual(len(self.ok(self.get(path, self.user))), 1)
                self.ok(self.put(f"{path}/{link['id']}", self.user, {"relevance_note": "noted"}))
                self.error(self.delete(f"{path}/{link['id']}", self.other), 404)
                self.ok(self.delete(f"{path}/{link['id']}", self.user))
                self.assertEqual(self.ok(self.get(path, self.user)), [])
        self.error(self.post(f"/treatments/{t['id']}/encounters", self.user, {"encounter_id": 10**12}), 404)
        self.error(self.post(f"/treatments/{t['id']}/equipment", self.user, {"equipment_id": "x"}), 422, "equipment_id")


if __name__ == "__main__":
    unittest.main()
