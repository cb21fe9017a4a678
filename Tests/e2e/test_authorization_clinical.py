"""The clinical records of one user are invisible to another: every endpoint of
allergies, conditions (and their medication links), immunizations, vitals, encounters
and procedures that takes a record, patient, link or bulk id answers the other user 404
— exactly as for an id that does not exist — and changes nothing; a reference in a body
(an encounter's or procedure's condition_id, an allergy's medication_id) to another
user's record is 422 naming the field, exactly as for a missing one; and no response
ever embeds another patient's record. The one exception is the contract's: the
immunization history answers 403 for a patient the caller may not see.

Contract: api-reference.txt "Immunizations" (history: 403/404) and the sections of
each type; reference README: "another user's id → 404 unless the contract names 403".
"""
import unittest

import harness as h
from apicase import ApiTestCase, db_execute, new_user

MISSING = 999999999
MMR_CODE = "MeaslesMumpsandRubella"

# Every record type: collection path, a valid create body (without patient), a PUT body.
TYPES = {
    "allergies": ("/allergies/", {"allergen": "Planted", "severity": "mild"}, {"severity": "severe"}),
    "conditions": ("/conditions/", {"condition_name": "Planted"}, {"status": "resolved"}),
    "immunizations": ("/immunizations/", {"vaccine_name": "Planted", "date_administered": "2025-01-01"},
                      {"dose_number": 9, "standardized_vaccine_who_code": None}),
    "vitals": ("/vitals/", {"recorded_date": "2025-01-01T00:00:00Z", "heart_rate": 99}, {"heart_rate": 31}),
    "encounters": ("/encounters/", {"encounter_date": "2025-01-01"}, {"reason": "Hacked"}),
    "procedures": ("/procedures/", {"procedure_name": "Planted", "procedure_date": "2025-01-01"}, {"outcome": "Hacked"}),
}
# One invalid PUT body per type: refused as for a missing record, never validated first.
BAD_UPDATES = {"allergies": {"severity": "x"}, "conditions": {"status": "x"}, "immunizations": {"dose_number": 0},
               "vitals": {"heart_rate": 1}, "encounters": {"priority": "x"}, "procedures": {"status": "x"}}


class ClinicalCrossUserTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.owner, cls.other = new_user(), new_user()
        cls.marker = h.unique("Secret")
        marker = cls.marker

        def post(user, path, body, status=201):
            r = h.post(f"/api/v1{path}", token=user.token, json_body=body)
            assert r.status == status, f"{path}: {r!r}"
            return r.json

        owner, other = cls.owner, cls.other
        cls.me = h.get("/api/v1/patients/me", token=owner.token).json
        cls.child = post(owner, "/patient-management/", {"first_name": marker, "last_name": "Kid", "birth_date": "2014-04-04"})
        cls.patients = (cls.me, cls.child)
        cls.med = post(owner, "/medications/", {"medication_name": f"{marker} pill", "status": "active"})
        cls.med_child = post(owner, "/medications/", {"patient_id": cls.child["id"], "medication_name": f"{marker} syrup"})
        cls.condition = post(owner, "/conditions/", {"condition_name": f"{marker} condition", "severity": "severe"})
        cls.condition_child = post(owner, "/conditions/", {"patient_id": cls.child["id"], "condition_name": f"{marker} croup"})
        cls.link = post(owner, f"/conditions/{cls.condition['id']}/medications",
                        {"medication_id": cls.med["id"], "relevance_note": marker})
        cls.records = {
            "allergies": post(owner, "/allergies/", {"allergen": f"{marker} pollen", "severity": "life-threatening",
                                                     "medication_id": cls.med["id"]}),
            "conditions": cls.condition,
            "immunizations": post(owner, "/immunizations/", {"vaccine_name": f"{marker} MMR", "date_administered": "2030-01-01",
                                                             "standardized_vaccine_who_code": MMR_CODE}),
            "vitals": post(owner, "/vitals/", {"recorded_date": "2025-02-02T02:02:02Z", "systolic_bp": 177,
                                               "diastolic_bp": 111, "weight": 222, "notes": marker}),
            "encounters": post(owner, "/encounters/", {"encounter_date": "2025-03-03", "reason": marker,
                                                       "condition_id": cls.condition["id"]}),
            "procedures": post(owner, "/procedures/", {"procedure_name": f"{marker} surgery", "procedure_date": "2025-03-04",
                                                       "condition_id": cls.condition["id"]}),
        }
        post(owner, "/vitals/", {"patient_id": cls.child["id"], "recorded_date": "2025-02-03", "heart_rate": 123})
        post(owner, "/allergies/", {"patient_id": cls.child["id"], "allergen": f"{marker} nuts", "severity": "severe"})

        cls.other_me = h.get("/api/v1/patients/me", token=other.token).json
        cls.other_med = post(other, "/medications/", {"medication_name": "Own pill"})
        cls.other_condition = post(other, "/conditions/", {"condition_name": "Own condition"})
        cls.other_encounter = post(other, "/encounters/", {"encounter_date": "2025-05-05"})
        cls.other_procedure = post(other, "/procedures/", {"procedure_name": "Own procedure", "procedure_date": "2025-05-05"})
        cls.other_allergy = post(other, "/allergies/", {"allergen": "Own allergen", "severity": "mild"})

    # What the owner sees, compared before and after each test.
    def owner_view(self):
        pid, kid = self.me["id"], self.child["id"]
        paths = [f"{TYPES[key][0]}{record['id']}" for key, record in self.records.items()]
        paths += [f"/conditions/{self.condition_child['id']}", f"/medications/{self.med['id']}"]
        for patient in (pid, kid):
            paths += [f"{TYPES[key][0]}?patient_id={patient}" for key in TYPES]
            paths += [f"/allergies/patient/{patient}/active", f"/conditions/dropdown?patient_id={patient}",
                      f"/immunizations/patient/{patient}/history", f"/vitals/patient/{patient}/stats",
                      f"/vitals/patient/{patient}/paginated", f"/patients/me/dashboard-stats?patient_id={patient}"]
        paths += [f"/conditions/condition-medications/{self.condition['id']}",
                  f"/conditions/condition-medications/{self.condition_child['id']}",
                  f"/conditions/medication/{self.med['id']}/conditions",
                  f"/conditions/medication/{self.med_child['id']}/conditions", "/vitals/stats"]
        return {path: self.ok(self.get(path, self.owner)) for path in paths}

    def setUp(self):
        self.before = self.owner_view()

    def tearDown(self):
        self.assertEqual(self.owner_view(), self.before, "the other user changed or saw the owner's records")

    def refused(self, method, path, body=None, status=404):
        """The other user's request is refused with `status`, and shows nothing of the owner."""
        r = self.call(method, path, self.other, json_body=body)
        self.error(r, status)
        self.assertNotIn(self.marker, r.text)
        return r.json

    def assert_same_as_missing(self, method, template, body=None, real=None):
        theirs = self.refused(method, template.format(real), body)
        missing = self.refused(method, template.format(MISSING), body)
        self.assertEqual(theirs, missing, f"{method} {template}: another user's id must look absent")

    def same_answer(self, method, template, real, body=None):
        """Whatever the answer to the real id is, it is the answer to a missing one."""
        theirs = self.call(method, template.format(real), self.other, json_body=body)
        missing = self.call(method, template.format(MISSING), self.other, json_body=body)
        self.assertNotIn(self.marker, theirs.text)
        self.assertEqual((theirs.status, theirs.json), (missing.status, missing.json), template)
        return theirs

    # Records by id -------------------------------------------------------------

    def test_records_by_id(self):
        for key, record in self.records.items():
            path, _, update = TYPES[key]
            item = path + "{}"
            with self.subTest(type=key):
                self.assert_same_as_missing("GET", item, real=record["id"])
                self.assert_same_as_missing("PUT", item, update, real=record["id"])
                self.assert_same_as_missing("PUT", item, BAD_UPDATES[key], real=record["id"])
                self.assert_same_as_missing("DELETE", item, real=record["id"])
                self.refused("GET", item.format(record["id"]) + "/")
                self.refused("DELETE", item.format(record["id"]) + "/")

    # Patient ids in paths and queries ------------------------------------------

    def test_patient_paths(self):
        templates = [
            "/allergies/patient/{}/active", "/allergies/patient/{}/critical", "/allergies/patient/{}/check/pollen",
            "/allergies/patients/{}/allergies", "/patients/{}/allergies", "/conditions/patient/{}/active",
            "/conditions/patients/{}/conditions/", "/patients/{}/conditions", "/conditions/dropdown?patient_id={}",
            "/conditions/dropdown?patient_id={}&active_only=true", "/immunizations/patient/{}/upcoming",
            "/immunizations/patient/{}/immunizations", "/patients/{}/immunizations", "/encounters/patients/{}/encounters",
            "/patients/{}/encounters", "/procedures/patients/{}/procedures", "/patients/{}/procedures",
            "/vitals/patient/{}", "/vitals/patient/{}?vital_type=blood_pressure", "/vitals/patient/{}/paginated",
            "/vitals/patient/{}/latest", "/vitals/patient/{}/stats", "/vitals/stats?patient_id={}",
            "/vitals/patient/{}/date-range?start_date=2000-01-01&end_date=2100-01-01",
            "/patients/me/dashboard-stats?patient_id={}",
        ] + [f"{path}?patient_id={{}}" for path, _, _ in TYPES.values()]
        for patient in self.patients:
            for template in templates:
                with self.subTest(patient=patient["id"], path=template):
                    self.assert_same_as_missing("GET", template, real=patient["id"])
        # an allergen the owner's patient has, named in the check: nothing to learn
        self.refused("GET", f"/allergies/patient/{self.me['id']}/check/{self.marker}%20pollen")

    def test_immunization_history_is_403_as_the_contract_says(self):
        for patient in self.patients:
            body = self.refused("GET", f"/immunizations/patient/{patient['id']}/history", status=403)
            self.assertNotIn("items", body)
            self.refused("GET", f"/immunizations/patient/{patient['id']}/history?start_date=2000-01-01", status=403)
        self.refused("GET", f"/immunizations/patient/{MISSING}/history", status=404)

    def test_creating_records_for_their_patients(self):
        reading = {"recorded_date": "2025-01-01T00:00:00Z", "heart_rate": 99}
        for patient in self.patients:
            for key, (path, body, _) in TYPES.items():
                with self.subTest(patient=patient["id"], type=key):
                    theirs = self.refused("POST", path, {**body, "patient_id": patient["id"]})
                    missing = self.refused("POST", path, {**body, "patient_id": MISSING})
                    self.assertEqual(theirs, missing)
                    # an invalid body may be refused first; the answer is still the one for a missing patient
                    bad = {**body, **BAD_UPDATES[key]}
                    theirs = self.call("POST", path, self.other, json_body={**bad, "patient_id": patient["id"]})
                    missing = self.call("POST", path, self.other, json_body={**bad, "patient_id": MISSING})
                    self.assertIn(theirs.status, (404, 422), theirs)
                    self.assertEqual((theirs.status, theirs.json), (missing.status, missing.json))
            for template in ("/vitals/patient/{}/vitals/", "/vitals/patient/{}/vitals"):
                self.assert_same_as_missing("POST", template, reading, real=patient["id"])
                self.same_answer("POST", template, patient["id"], {"recorded_date": "2025-01-01", "heart_rate": 1})
                # the body's patient is not the path's: 422 before any access check, for any path id
                for path_id in (patient["id"], MISSING):
                    self.error(self.post(template.format(path_id), self.other, {**reading, "patient_id": self.other_me["id"]}),
                               422, "patient_id")
            self.assert_same_as_missing("POST", "/patients/{}/medications", {"medication_name": "Planted"},
                                        real=patient["id"])
        # the other user's own lists stayed empty of planted records
        for path, _, _ in TYPES.values():
            self.assertNotIn("Planted", self.get(path, self.other).text, path)

    # Condition ↔ medication links ------------------------------------------------

    def other_links(self):
        return self.ok(self.get(f"/conditions/{self.other_condition['id']}/medications", self.other))

    def test_link_lists_and_reverse_lookup(self):
        for condition in (self.condition, self.condition_child):
            for template in ("/conditions/condition-medications/{}", "/conditions/{}/medications"):
                self.assert_same_as_missing("GET", template, real=condition["id"])
        for med in (self.med, self.med_child):
            self.assert_same_as_missing("GET", "/conditions/medication/{}/conditions", real=med["id"])

    def test_linking_their_medication_to_my_condition(self):
        mine = f"/conditions/{self.other_condition['id']}/medications"
        for med in (self.med, self.med_child):
            theirs = self.refused("POST", mine, {"medication_id": med["id"], "relevance_note": "stolen"})
            missing = self.refused("POST", mine, {"medication_id": MISSING, "relevance_note": "stolen"})
            self.assertEqual(theirs, missing)
        # bulk with one foreign id links nothing, not even my own medication
        for ids in ([self.other_med["id"], self.med["id"]], [self.med["id"], self.other_med["id"]], [self.med_child["id"]],
                    [self.med["id"], self.med_child["id"]]):
            with self.subTest(ids=ids):
                body = self.refused("POST", mine + "/bulk", {"medication_ids": ids})
                absent = [i if i == self.other_med["id"] else MISSING - n for n, i in enumerate(ids)]
                missing = self.refused("POST", mine + "/bulk", {"medication_ids": absent})
                self.assertEqual(body["error"], missing["error"])
        self.assertEqual(self.other_links(), [])
        self.assertEqual(self.ok(self.get(f"/conditions/medication/{self.other_med['id']}/conditions", self.other)), [])
        # my own medication still links, to show the refusals were about the foreign ids
        link = self.ok(self.post(mine, self.other, {"medication_id": self.other_med["id"]}), 201)
        self.ok(self.delete(f"{mine}/{link['id']}", self.other))

    def test_linking_to_their_condition(self):
        for condition in (self.condition, self.condition_child):
            path = "/conditions/{}/medications"
            self.assert_same_as_missing("POST", path, {"medication_id": self.other_med["id"]}, real=condition["id"])
            self.assert_same_as_missing("POST", path, {"medication_id": self.med["id"]}, real=condition["id"])
            self.assert_same_as_missing("POST", path + "/bulk", {"medication_ids": [self.other_med["id"]]},
                                        real=condition["id"])
            self.assert_same_as_missing("POST", path + "/", {"medication_id": self.other_med["id"]}, real=condition["id"])
        self.assertEqual(self.ok(self.get(f"/conditions/medication/{self.other_med['id']}/conditions", self.other)), [])

    def test_their_link_ids(self):
        owner_item = f"/conditions/{self.condition['id']}/medications/{{}}"
        self.assert_same_as_missing("PUT", owner_item, {"relevance_note": "Hacked"}, real=self.link["id"])
        self.assert_same_as_missing("DELETE", owner_item, real=self.link["id"])
        # their link id under my own condition's path
        mine = f"/conditions/{self.other_condition['id']}/medications/{{}}"
        self.assert_same_as_missing("PUT", mine, {"relevance_note": "Hacked"}, real=self.link["id"])
        self.assert_same_as_missing("DELETE", mine, real=self.link["id"])
        self.assert_same_as_missing("PUT", "/conditions/{}/medications/%d" % self.link["id"], {"relevance_note": "x"},
                                    real=self.condition["id"])

    # References in bodies --------------------------------------------------------

    def test_references_to_their_records_are_422_like_missing_ones(self):
        for path, body, field, theirs_ids in (
            ("/encounters/", {"encounter_date": "2025-06-06"}, "condition_id", (self.condition["id"], self.condition_child["id"])),
            ("/procedures/", {"procedure_name": "Mine", "procedure_date": "2025-06-06"}, "condition_id",
             (self.condition["id"], self.condition_child["id"])),
            ("/allergies/", {"allergen": "Mine", "severity": "mild"}, "medication_id", (self.med["id"], self.med_child["id"])),
        ):
            for value in theirs_ids:
                with self.subTest(path=path, value=value):
                    theirs = self.call("POST", path, self.other, json_body={**body, field: value})
                    missing = self.call("POST", path, self.other, json_body={**body, field: MISSING})
                    self.error(theirs, 422, field)
                    self.assertNotIn(self.marker, theirs.text)
                    self.assertEqual(theirs.json["detail"], [
                        {**d, "message": d["message"].replace(str(MISSING), str(value))} for d in missing.json["detail"]])
        for item, field, value in ((f"/encounters/{self.other_encounter['id']}", "condition_id", self.condition["id"]),
                                   (f"/procedures/{self.other_procedure['id']}", "condition_id", self.condition["id"]),
                                   (f"/allergies/{self.other_allergy['id']}", "medication_id", self.med["id"])):
            before = self.ok(self.get(item, self.other))
            self.error(self.put(item, self.other, {field: value}), 422, field)
            self.assertEqual(self.ok(self.get(item, self.other)), before)
        for path in ("/encounters/", "/procedures/", "/allergies/"):
            self.assertNotIn(self.marker, self.get(path, self.other).text)

    def test_no_embed_crosses_patients(self):
        """Rows pointing at another patient's records, as no endpoint lets anyone make
        them (set in SQL): the other user still sees nothing of the owner's records,
        and the owner sees nothing of the other's (tearDown)."""
        encounter, procedure, allergy = self.other_encounter["id"], self.other_procedure["id"], self.other_allergy["id"]
        db_execute(f"UPDATE encounters SET condition_id = {int(self.condition['id'])} WHERE id = {int(encounter)}; "
                   f"UPDATE procedures SET condition_id = {int(self.condition['id'])} WHERE id = {int(procedure)}; "
                   f"UPDATE allergies SET medication_id = {int(self.med['id'])} WHERE id = {int(allergy)}; "
                   "INSERT INTO condition_medications (condition_id, medication_id) VALUES "
                   f"({int(self.other_condition['id'])}, {int(self.med['id'])}), "
                   f"({int(self.condition['id'])}, {int(self.other_med['id'])})")
        self.addCleanup(db_execute, f"UPDATE encounters SET condition_id = NULL WHERE id = {int(encounter)}; "
                                    f"UPDATE procedures SET condition_id = NULL WHERE id = {int(procedure)}; "
                                    f"UPDATE allergies SET medication_id = NULL WHERE id = {int(allergy)}; "
                                    "DELETE FROM condition_medications WHERE "
                                    f"(condition_id = {int(self.other_condition['id'])} AND medication_id = {int(self.med['id'])}) OR "
                                    f"(condition_id = {int(self.condition['id'])} AND medication_id = {int(self.other_med['id'])})")
        for path in (f"/encounters/{encounter}", f"/procedures/{procedure}", f"/allergies/{allergy}", "/encounters/",
                     "/procedures/", "/allergies/", f"/conditions/{self.other_condition['id']}/medications",
                     f"/conditions/condition-medications/{self.other_condition['id']}",
                     f"/conditions/medication/{self.other_med['id']}/conditions"):
            r = self.get(path, self.other)
            body = self.ok(r)
            with self.subTest(path=path):
                self.assertNotIn(self.marker, r.text)
                for record in body if isinstance(body, list) else [body]:
                    for key in ("condition", "medication"):
                        self.assertIsNone(record.get(key), f"{path} embeds another patient's {key}: {record!r}")

    # Listings ----------------------------------------------------------------------

    def test_listings_show_nothing_of_the_owner(self):
        owner_patients = {self.me["id"], self.child["id"]}
        paths = [path for path, _, _ in TYPES.values()] + [
            "/conditions/dropdown", "/vitals/stats", "/patients/me/dashboard-stats", "/patients/me/recent-activity?limit=100",
            f"/immunizations/patient/{self.other_me['id']}/history", f"/immunizations/patient/{self.other_me['id']}/upcoming",
            f"/vitals/patient/{self.other_me['id']}/paginated", f"/allergies/patient/{self.other_me['id']}/critical",
            "/allergies/?allergen=" + self.marker, "/conditions/?tags=" + self.marker, "/medications/",
        ]
        for path in paths:
            r = self.get(path, self.other)
            self.ok(r)
            with self.subTest(path=path):
                self.assertNotIn(self.marker, r.text)
                self.assertNotIn(self.owner.username, r.text)
        dashboard = self.ok(self.get("/patients/me/dashboard-stats", self.other))
        self.assertEqual((dashboard["total_vitals"], dashboard["total_immunizations"], dashboard["total_records"]), (0, 0, 5))
        self.assertEqual(self.ok(self.get("/vitals/stats", self.other))["total_readings"], 0)
        self.assertIs(self.ok(self.get(f"/allergies/patient/{self.other_me['id']}/check/{self.marker}%20pollen",
                                       self.other))["has_allergy"], False)
        for entry in self.ok(self.get("/patients/me/recent-activity?limit=100", self.other)):
            self.assertNotIn(entry.get("patient_id"), owner_patients)

    def test_owner_still_reaches_everything(self):
        for key, record in self.records.items():
            self.assertEqual(self.ok(self.get(f"{TYPES[key][0]}{record['id']}", self.owner))["id"], record["id"])
        links = self.ok(self.get(f"/conditions/{self.condition['id']}/medications", self.owner))
        self.assertEqual([(link["id"], link["relevance_note"]) for link in links], [(self.link["id"], self.marker)])
        history = self.ok(self.get(f"/immunizations/patient/{self.me['id']}/history", self.owner))
        self.assertEqual(history["diseases_index"]["Measles"], [self.records["immunizations"]["id"]])
        self.assertEqual(self.ok(self.get("/vitals/stats", self.owner))["blood_pressure_avg"],
                         {"systolic": 177.0, "diastolic": 111.0})
        for key in ("encounters", "procedures"):
            self.assertEqual(self.records[key]["condition"]["id"], self.condition["id"])
        self.assertEqual(self.records["allergies"]["medication"]["id"], self.med["id"])


if __name__ == "__main__":
    unittest.main()
