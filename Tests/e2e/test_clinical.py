"""Clinical records through nginx and the pool: allergies, conditions and their
medication links, encounters, procedures, and the dashboard counting them — plus the
"done when" story of a new user recording one of each (immunization and vitals
included) while a second user sees none of it and cannot link to it.

Contract: api-reference.txt "Allergies", "Conditions" (with the condition-medication
endpoints), "Encounters", "Procedures" and patients' "dashboard-stats"; decisions.md
rules 3 (422 naming each field), 5 (delete message), 8 (full CRUD), 9 (condition_name /
diagnosis), 11 (bulk links: skip linked, all or nothing); README: "another user's id
→ 404", both slash forms, allergy date under both names.
"""
import threading
import unittest
import urllib.parse

import harness as h
from apicase import SCRIPT_TEXT, SQL_TEXT, UNICODE_TEXT, ApiTestCase, new_user

MISSING = 999999999
LINK_KEYS = ["id", "condition_id", "medication_id", "relevance_note", "created_at", "updated_at"]
CONDITION_EMBED = ["id", "condition_name", "diagnosis", "status", "severity"]
# A field and the other names it is accepted under.
ALIASES = {"onset_date": ("diagnosed_date",), "condition_name": ("diagnosis",), "encounter_date": ("date",),
           "encounter_type": ("visit_type",), "procedure_date": ("date",)}


def detail_fields(body):
    """The field names of a validation error's detail list."""
    detail = body.get("detail")
    if not isinstance(detail, list):
        return []
    return sorted({d["field"] for d in detail if isinstance(d, dict) and "field" in d})


def seed(user, path, body, status=201):
    """A request made while setting up a class (no assertions of the test case)."""
    r = h.post(f"/api/v1{path}", token=user.token, json_body=body)
    assert r.status == status, f"{path}: {r!r}"
    return r.json


class ClinicalCase(ApiTestCase):
    """A user with a self record, a child patient and a practitioner."""

    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        cls.me = h.get("/api/v1/patients/me", token=cls.user.token).json
        cls.child = seed(cls.user, "/patient-management/",
                         {"first_name": "Kid", "last_name": "Clinical", "birth_date": "2016-06-06"})
        specialty = _specialty(cls.user)
        cls.doctor = seed(cls.user, "/practitioners/", {
            "name": h.unique("Dr. Heart "), "specialty_id": specialty["id"], "phone_number": "+1 555 0101"})

    def create(self, path, body, user=None):
        return self.ok(self.post(path, user or self.user, body), 201)

    def invalid(self, r, *fields):
        """A 422 whose detail names exactly `fields`."""
        body = self.error(r, 422, *fields)
        self.assertEqual(detail_fields(body), sorted(fields), r)
        return body

    def check_bad_fields(self, method, path, valid, cases, user=None):
        """Each `(field, value[, named])` replaces one field of `valid`: 422 naming
        `named` (default: the field) and nothing else."""
        for case in cases:
            field, value = case[0], case[1]
            named = case[2] if len(case) > 2 else field
            # an alias is sent instead of its field's own name, never beside it
            body = {k: v for k, v in valid.items() if k not in (field, named) and k not in ALIASES.get(named, ())}
            r = self.call(method, path, user or self.user, json_body={**body, field: value})
            with self.subTest(method=method, field=field, value=repr(value)[:60]):
                self.invalid(r, named)

    def ids(self, path, user=None):
        return [item["id"] for item in self.ok(self.get(path, user or self.user))]

    def deleted(self, path, message, user=None):
        """DELETE answers 200 with `message`; the record is gone afterwards."""
        self.assertEqual(self.ok(self.delete(path, user or self.user)), {"message": message})
        self.error(self.get(path, user or self.user), 404)
        self.error(self.delete(path, user or self.user), 404)


def _specialty(user):
    r = h.post("/api/v1/medical-specialties/", token=user.token, json_body={"name": h.unique("Cardiology ")})
    assert r.status in (200, 201), r
    return r.json


# Allergies --------------------------------------------------------------------

class AllergyTests(ClinicalCase):
    PATH = "/allergies/"

    def contract_body(self, **overrides):
        body = {"patient_id": self.me["id"], "allergen": "Penicillin", "severity": "severe", "reaction": "Anaphylaxis",
                "diagnosed_date": "2020-05-15", "notes": "Confirmed by allergist"}
        body.update(overrides)
        return body

    def test_contract_body_answers_both_date_names(self):
        body = self.contract_body()
        created = self.create(self.PATH, body)
        for key, value in body.items():
            self.assertEqual(created[key], value, key)
        self.assertEqual(created["onset_date"], "2020-05-15")
        self.assertEqual((created["status"], created["tags"], created["medication_id"], created["medication"]),
                         ("active", [], None, None))
        self.assert_has_fields(created, ["id", "created_at", "updated_at"])
        self.assert_timestamps(created)
        self.assertEqual(self.ok(self.get(f"/allergies/{created['id']}", self.user)), created)
        # upstream's name on input: the same one field
        other = self.create("/allergies", {"allergen": "Latex", "severity": "mild", "onset_date": "2019-01-02"})
        self.assertEqual((other["onset_date"], other["diagnosed_date"]), ("2019-01-02", "2019-01-02"))
        self.assertEqual(other["patient_id"], self.me["id"])

    def test_both_slashes_and_active_patient(self):
        user = new_user()
        me = self.ok(self.get("/patients/me", user))
        kid = self.create("/patient-management/", {"first_name": "A", "last_name": "B", "birth_date": "2020-02-02"}, user)
        self.ok(self.post("/patient-management/switch", user, {"patient_id": kid["id"]}))
        made = [self.create(path, {"allergen": f"Dust {path}", "severity": "mild"}, user)
                for path in ("/allergies", "/allergies/")]
        self.assertEqual([a["patient_id"] for a in made], [kid["id"]] * 2)
        for r in self.check_both_slashes("GET", "/allergies", user, 200):
            self.assertEqual([a["id"] for a in r.json], [made[1]["id"], made[0]["id"]])
        self.assertEqual(self.ids(f"/allergies/?patient_id={me['id']}", user), [])

    def test_every_severity_and_status(self):
        for severity in ("mild", "moderate", "severe", "life-threatening"):
            self.assertEqual(self.create(self.PATH, self.contract_body(severity=severity))["severity"], severity)
        self.assertEqual(self.create(self.PATH, self.contract_body(severity="life_threatening"))["severity"],
                         "life-threatening")
        self.assertEqual(self.create(self.PATH, self.contract_body(severity="SEVERE"))["severity"], "severe")
        for status in ("active", "inactive", "resolved"):
            self.assertEqual(self.create(self.PATH, self.contract_body(status=status))["status"], status)

    def test_bad_fields_are_422_naming_the_field(self):
        before = self.ids("/allergies/?limit=100")
        self.invalid(self.post(self.PATH, self.user, {"patient_id": self.me["id"]}), "allergen", "severity")
        self.check_bad_fields("POST", self.PATH, self.contract_body(), [
            ("allergen", ""), ("allergen", "a"), ("allergen", "x" * 201), ("allergen", 42), ("allergen", None),
            ("severity", "deadly"), ("severity", None), ("severity", 3), ("reaction", "r" * 501),
            ("diagnosed_date", "2020-13-01", "onset_date"), ("diagnosed_date", "2021-02-29", "onset_date"),
            ("onset_date", "15/05/2020"), ("onset_date", 20200515), ("status", "gone"), ("status", None),
            ("medication_id", MISSING), ("medication_id", "x"), ("medication_id", 0), ("tags", "penicillin"),
            ("tags", [1]), ("notes", "n" * 5001), ("patient_id", "abc"),
        ])
        self.check_malformed_bodies("POST", self.PATH, self.user, string_field="allergen", valid=self.contract_body())
        self.assertEqual(self.ids("/allergies/?limit=100"), before)

    def test_medication_of_the_same_patient_is_embedded(self):
        med = self.create("/medications/", {"medication_name": "Amoxicillin", "dosage": "500mg", "status": "active"})
        allergy = self.create(self.PATH, self.contract_body(allergen="Amoxicillin rash", medication_id=med["id"]))
        self.assertEqual(allergy["medication_id"], med["id"])
        self.assertEqual(allergy["medication"]["id"], med["id"])
        self.assertEqual(allergy["medication"]["medication_name"], "Amoxicillin")
        self.assertEqual(allergy["medication"]["dosage"], "500mg")
        # a medication of my other patient: 422 naming medication_id, on create and update
        kid_med = self.create("/medications/", {"patient_id": self.child["id"], "medication_name": "Kid syrup"})
        self.invalid(self.post(self.PATH, self.user, self.contract_body(medication_id=kid_med["id"])), "medication_id")
        item = f"/allergies/{allergy['id']}"
        self.invalid(self.put(item, self.user, {"medication_id": kid_med["id"]}), "medication_id")
        self.assertEqual(self.ok(self.get(item, self.user)), allergy)
        # deleting the medication clears the reference
        self.assertEqual(self.delete(f"/medications/{med['id']}", self.user).status, 204)
        after = self.ok(self.get(item, self.user))
        self.assertEqual((after["medication_id"], after["medication"]), (None, None))

    def test_list_filters_and_paging(self):
        user = new_user()
        made = {}
        for key, allergen, severity, status, tags in (
            ("A", "Peanuts", "severe", "active", ["food"]), ("B", "Tree pollen", "mild", "active", ["seasonal"]),
            ("C", "Peanut oil", "life-threatening", "resolved", ["food"]), ("D", "Cat 100%_dander", "moderate", "inactive", []),
        ):
            made[key] = self.create(self.PATH, {"allergen": allergen, "severity": severity, "status": status,
                                                "tags": tags}, user)["id"]

        def ids(*keys):
            return [made[k] for k in keys]

        self.assertEqual(self.ids("/allergies/", user), ids("D", "C", "B", "A"))
        self.assertEqual(self.ids("/allergies/?severity=severe", user), ids("A"))
        self.assertEqual(self.ids("/allergies/?severity=LIFE-THREATENING", user), ids("C"))
        self.assertEqual(self.ids("/allergies/?allergen=peanut", user), ids("C", "A"))
        self.assertEqual(self.ids("/allergies/?allergen=%25_", user), ids("D"))
        self.assertEqual(self.ids("/allergies/?allergen=nothing", user), [])
        self.assertEqual(self.ids("/allergies/?status=resolved", user), ids("C"))
        self.assertEqual(self.ids("/allergies/?tags=food", user), ids("C", "A"))
        self.assertEqual(self.ids("/allergies/?tags=food&tags=seasonal&tag_match_all=true", user), [])
        self.assertEqual(self.ids("/allergies/?tags=food&allergen=oil&severity=life-threatening", user), ids("C"))
        self.error(self.get("/allergies/?severity=deadly", user), 422, "severity")
        self.error(self.get("/allergies/?status=gone", user), 422, "status")
        self.check_pagination("/allergies/", user, maximum=100)

    def test_patient_paths_active_critical_and_check(self):
        user = new_user()
        me = self.ok(self.get("/patients/me", user))
        pid = me["id"]
        mild = self.create(self.PATH, {"allergen": "Tree Nuts", "severity": "mild"}, user)
        severe = self.create(self.PATH, {"allergen": "Penicillin", "severity": "severe"}, user)
        deadly = self.create(self.PATH, {"allergen": "Bee venom", "severity": "life-threatening"}, user)
        gone = self.create(self.PATH, {"allergen": "Latex", "severity": "severe", "status": "resolved"}, user)
        everything = [gone["id"], deadly["id"], severe["id"], mild["id"]]
        for path in (f"/allergies/patients/{pid}/allergies", f"/patients/{pid}/allergies"):
            for r in self.check_both_slashes("GET", path, user, 200):
                self.assertEqual([a["id"] for a in r.json], everything)
        for r in self.check_both_slashes("GET", f"/allergies/patient/{pid}/active", user, 200):
            self.assertEqual([a["id"] for a in r.json], [deadly["id"], severe["id"], mild["id"]])
        for r in self.check_both_slashes("GET", f"/allergies/patient/{pid}/critical", user, 200):
            self.assertEqual([a["id"] for a in r.json], [gone["id"], deadly["id"], severe["id"]])
        self.assertEqual(self.ids(f"/allergies/patient/{pid}/critical?severity=severe", user), [gone["id"], severe["id"]])

        def check(allergen):
            body = self.ok(self.get(f"/allergies/patient/{pid}/check/{urllib.parse.quote(allergen)}", user))
            self.assertEqual(list(body), ["patient_id", "allergen", "has_allergy"])
            self.assertEqual((body["patient_id"], body["allergen"]), (pid, allergen))
            return body["has_allergy"]

        self.assertIs(check("Penicillin"), True)
        self.assertIs(check("penicillin"), True)
        self.assertIs(check("PENICILLIN"), True)
        self.assertIs(check("tree nuts"), True)
        self.assertIs(check("Peanuts"), False)
        self.assertIs(check("Penicil"), False)
        self.assertIs(check("Latex"), False)  # resolved: no longer an allergy
        self.assertIs(check("' OR '1'='1"), False)
        for r in self.check_both_slashes("GET", f"/allergies/patient/{pid}/check/Penicillin", user, 200):
            self.assertIs(r.json["has_allergy"], True)
        self.error(self.get(f"/allergies/patient/{pid}/check/{'x' * 201}", user), 422, "allergen")
        for path in (f"/allergies/patient/{MISSING}/active", f"/allergies/patient/{MISSING}/critical",
                     f"/allergies/patient/{MISSING}/check/Penicillin", f"/allergies/patients/{MISSING}/allergies"):
            self.error(self.get(path, user), 404)
        self.error(self.get("/allergies/patient/abc/active", user), 422, "patient_id")

    def test_check_an_allergen_with_a_slash(self):
        # nginx decodes %2F before the pool sees the path, so the allergen arrives as two
        # segments (docs/api-notes.md, standardized vaccines by-name: "the route accepts
        # that too"); the check must still answer for an allergen the patient has.
        user = new_user()
        pid = self.ok(self.get("/patients/me", user))["id"]
        self.create(self.PATH, {"allergen": "Dust/Mold", "severity": "mild"}, user)
        body = self.ok(self.get(f"/allergies/patient/{pid}/check/Dust%2FMold", user))
        self.assertEqual((body["allergen"], body["has_allergy"]), ("Dust/Mold", True))

    def test_get_update_delete(self):
        created = self.create(self.PATH, self.contract_body(allergen="Sulfa"))
        item = f"/allergies/{created['id']}"
        for r in self.check_both_slashes("GET", item, self.user, 200):
            self.assertEqual(r.json, created)
        updated = self.ok(self.put(item, self.user, {"diagnosed_date": "2021-03-04", "severity": "moderate",
                                                     "patient_id": self.child["id"], "tags": [" a ", "a", "b"]}))
        self.assertEqual((updated["onset_date"], updated["diagnosed_date"]), ("2021-03-04", "2021-03-04"))
        self.assertEqual((updated["severity"], updated["patient_id"], updated["tags"]),
                         ("moderate", self.me["id"], ["a", "b"]))
        updated = self.ok(self.put(item + "/", self.user, {"onset_date": None, "reaction": SQL_TEXT, "notes": SCRIPT_TEXT}))
        self.assertEqual((updated["onset_date"], updated["diagnosed_date"]), (None, None))
        self.assertEqual((updated["reaction"], updated["notes"]), (SQL_TEXT, SCRIPT_TEXT))
        self.check_bad_fields("PUT", item, {}, [("allergen", None), ("severity", None), ("severity", "x"),
                                                ("diagnosed_date", "soon", "onset_date"), ("medication_id", MISSING)])
        self.assertEqual(self.ok(self.get(item, self.user)), updated)
        self.deleted(item, "Allergy deleted successfully")
        self.error(self.put(item, self.user, {"severity": "mild"}), 404)
        self.error(self.get("/allergies/abc", self.user), 422, "allergy_id")
        self.error(self.get(f"/allergies/{MISSING}", self.user), 404)

    def test_every_endpoint_needs_a_token(self):
        for method, path in (("GET", "/allergies/"), ("POST", "/allergies/"), ("GET", "/allergies/1"),
                             ("PUT", "/allergies/1"), ("DELETE", "/allergies/1"), ("GET", "/allergies/patient/1/active"),
                             ("GET", "/allergies/patient/1/critical"), ("GET", "/allergies/patient/1/check/x"),
                             ("GET", "/allergies/patients/1/allergies"), ("GET", "/patients/1/allergies")):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, {"allergen": "X", "severity": "mild"})


# Conditions -------------------------------------------------------------------

class ConditionTests(ClinicalCase):
    PATH = "/conditions/"

    def contract_body(self, **overrides):
        body = {"patient_id": self.me["id"], "condition_name": "Hypertension", "status": "active",
                "diagnosed_date": "2023-03-10", "practitioner_id": self.doctor["id"], "severity": "moderate",
                "notes": "Controlled with medication"}
        body.update(overrides)
        return body

    def test_contract_body_answers_both_names(self):
        body = self.contract_body()
        created = self.create(self.PATH, body)
        for key, value in body.items():
            self.assertEqual(created[key], value, key)
        self.assertEqual((created["diagnosis"], created["onset_date"]), ("Hypertension", "2023-03-10"))
        self.assertEqual(created["practitioner"]["id"], self.doctor["id"])
        self.assertEqual(created["practitioner"]["name"], self.doctor["name"])
        self.assert_timestamps(created)
        self.assertEqual(self.ok(self.get(f"/conditions/{created['id']}", self.user)), created)
        # upstream's names on input
        other = self.create("/conditions", {"diagnosis": "Asthma", "onset_date": "2001-02-03"})
        self.assertEqual((other["condition_name"], other["diagnosis"]), ("Asthma", "Asthma"))
        self.assertEqual((other["onset_date"], other["diagnosed_date"]), ("2001-02-03", "2001-02-03"))
        self.assertEqual((other["status"], other["severity"], other["practitioner"], other["tags"]),
                         ("active", None, None, []))
        self.assertEqual(other["patient_id"], self.me["id"])

    def test_every_status_and_severity(self):
        for status in ("active", "resolved", "chronic"):
            self.assertEqual(self.create(self.PATH, self.contract_body(status=status))["status"], status)
        for severity in ("mild", "moderate", "severe"):
            self.assertEqual(self.create(self.PATH, self.contract_body(severity=severity))["severity"], severity)
        self.assertEqual(self.create(self.PATH, self.contract_body(status="CHRONIC"))["status"], "chronic")

    def test_bad_fields_are_422_naming_the_field(self):
        before = self.ids("/conditions/?limit=100")
        self.invalid(self.post(self.PATH, self.user, {"patient_id": self.me["id"]}), "condition_name")
        self.check_bad_fields("POST", self.PATH, self.contract_body(), [
            ("condition_name", ""), ("condition_name", "x"), ("condition_name", "x" * 501), ("condition_name", None),
            ("diagnosis", 7, "condition_name"), ("status", "cured"), ("status", None), ("severity", "extreme"),
            ("diagnosed_date", "2023-02-30", "onset_date"), ("end_date", "tomorrow"), ("practitioner_id", MISSING),
            ("practitioner_id", "Dr"), ("icd10_code", "I" * 11), ("tags", "x"),
        ])
        self.invalid(self.post(self.PATH, self.user, self.contract_body(end_date="2023-01-01")), "end_date")
        self.check_malformed_bodies("POST", self.PATH, self.user, string_field="condition_name",
                                    valid=self.contract_body())
        self.assertEqual(self.ids("/conditions/?limit=100"), before)

    def test_list_filters_dropdown_and_patient_paths(self):
        user = new_user()
        pid = self.ok(self.get("/patients/me", user))["id"]
        made = {}
        for key, name, status, tags in (("A", "Diabetes", "active", ["metabolic"]), ("B", "Asthma", "chronic", ["lung"]),
                                        ("C", "Bronchitis", "resolved", ["lung", "acute"]), ("D", "Anemia", "active", [])):
            made[key] = self.create(self.PATH, {"condition_name": name, "status": status, "tags": tags}, user)

        def ids(*keys):
            return [made[k]["id"] for k in keys]

        for r in self.check_both_slashes("GET", "/conditions", user, 200):
            self.assertEqual([c["id"] for c in r.json], ids("D", "C", "B", "A"))
        self.assertEqual(self.ids("/conditions/?status=active", user), ids("D", "A"))
        self.assertEqual(self.ids("/conditions/?status=Resolved", user), ids("C"))
        self.assertEqual(self.ids("/conditions/?tags=lung", user), ids("C", "B"))
        self.assertEqual(self.ids("/conditions/?tags=lung&tags=acute&tag_match_all=true", user), ids("C"))
        self.assertEqual(self.ids("/conditions/?tags=lung,metabolic", user), ids("C", "B", "A"))
        self.error(self.get("/conditions/?status=cured", user), 422, "status")
        self.error(self.get("/conditions/?tags=a&tag_match_all=perhaps", user), 422, "tag_match_all")
        self.check_pagination("/conditions/", user, maximum=100)
        for r in self.check_both_slashes("GET", f"/conditions/patient/{pid}/active", user, 200):
            self.assertEqual([c["id"] for c in r.json], ids("D", "A"))
        for path in (f"/conditions/patients/{pid}/conditions/", f"/patients/{pid}/conditions"):
            for r in self.check_both_slashes("GET", path, user, 200):
                self.assertEqual([c["id"] for c in r.json], ids("D", "C", "B", "A"))
        self.check_pagination(f"/conditions/patients/{pid}/conditions/", user, maximum=100)
        for r in self.check_both_slashes("GET", "/conditions/dropdown", user, 200):
            self.assertEqual([c["condition_name"] for c in r.json], ["Anemia", "Asthma", "Bronchitis", "Diabetes"])
            for entry in r.json:
                self.assert_has_fields(entry, ["id", "condition_name", "status"])
                self.assertEqual(entry.get("diagnosis"), entry["condition_name"])
        dropdown = self.ok(self.get("/conditions/dropdown?active_only=true", user))
        self.assertEqual([(c["id"], c["condition_name"], c["status"]) for c in dropdown],
                         [(made["D"]["id"], "Anemia", "active"), (made["A"]["id"], "Diabetes", "active")])
        self.assertEqual(self.ok(self.get(f"/conditions/dropdown?patient_id={pid}&active_only=false", user)), 
                         self.ok(self.get("/conditions/dropdown", user)))
        self.error(self.get("/conditions/dropdown?active_only=perhaps", user), 422, "active_only")
        for path in (f"/conditions/patient/{MISSING}/active", f"/conditions/patients/{MISSING}/conditions/",
                     f"/patients/{MISSING}/conditions", f"/conditions/dropdown?patient_id={MISSING}"):
            self.error(self.get(path, user), 404)

    def test_get_has_related_patient_and_practitioner(self):
        # api-reference.txt: GET /conditions/{condition_id} is the "condition with related
        # information (patient, practitioner, treatments)".
        created = self.create(self.PATH, self.contract_body(condition_name="Gout"))
        body = self.ok(self.get(f"/conditions/{created['id']}", self.user))
        self.assertEqual(body["practitioner"]["id"], self.doctor["id"])
        self.assertEqual(body["patient"]["id"], self.me["id"])

    def test_get_update_delete(self):
        created = self.create(self.PATH, self.contract_body(condition_name="Migraine"))
        item = f"/conditions/{created['id']}"
        for r in self.check_both_slashes("GET", item, self.user, 200):
            self.assertEqual(r.json, created)
        updated = self.ok(self.put(item, self.user, {"diagnosis": "Chronic migraine", "status": "chronic",
                                                     "diagnosed_date": "2022-01-01", "end_date": "2022-06-01"}))
        self.assertEqual((updated["condition_name"], updated["diagnosis"]), ("Chronic migraine", "Chronic migraine"))
        self.assertEqual((updated["onset_date"], updated["diagnosed_date"], updated["end_date"]),
                         ("2022-01-01", "2022-01-01", "2022-06-01"))
        self.assertEqual(updated["practitioner"]["id"], self.doctor["id"])
        # the merged dates are checked: an onset after the stored end
        self.invalid(self.put(item, self.user, {"onset_date": "2022-07-01"}), "end_date")
        self.check_bad_fields("PUT", item, {}, [("condition_name", None), ("condition_name", "x"),
                                                ("status", None), ("severity", "huge")])
        updated = self.ok(self.put(item, self.user, {"practitioner_id": None, "condition_name": UNICODE_TEXT}))
        self.assertEqual((updated["practitioner"], updated["condition_name"]), (None, UNICODE_TEXT))
        self.assertEqual(self.ok(self.get(item, self.user)), updated)
        self.deleted(item, "Condition deleted successfully")
        self.error(self.get("/conditions/abc", self.user), 422, "condition_id")


class ConditionMedicationLinkTests(ClinicalCase):
    """POST/GET/PUT/DELETE /conditions/{id}/medications…, the bulk link and the reverse
    list from the medication's side."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.kid_med = seed(cls.user, "/medications/", {"patient_id": cls.child["id"], "medication_name": "Kid syrup"})
        cls.kid_condition = seed(cls.user, "/conditions/", {"patient_id": cls.child["id"], "condition_name": "Croup"})

    def setUp(self):
        self.condition = self.create("/conditions/", {"condition_name": "Hypertension", "severity": "moderate"})
        self.meds = [self.create("/medications/", {"medication_name": f"Med {n}", "dosage": f"{n}mg"}) for n in range(4)]
        self.links_path = f"/conditions/{self.condition['id']}/medications"

    def assert_medication_embedded(self, link, med):
        """Seen from the condition, a link embeds its medication (docs/api-notes.md)."""
        self.assertEqual({k: link["medication"][k] for k in ("id", "medication_name", "dosage", "status")},
                         {k: med[k] for k in ("id", "medication_name", "dosage", "status")})

    def linked(self, condition=None):
        """Medication ids linked to the condition, via both list paths (they agree)."""
        cid = (condition or self.condition)["id"]
        first = self.ok(self.get(f"/conditions/condition-medications/{cid}", self.user))
        self.assertEqual(self.ok(self.get(f"/conditions/{cid}/medications", self.user)), first)
        return [link["medication_id"] for link in first]

    def test_link_list_update_unlink(self):
        med = self.meds[0]
        link = self.ok(self.post(self.links_path, self.user, {"medication_id": med["id"], "relevance_note": "Primary"}), 201)
        self.assert_has_fields(link, LINK_KEYS)
        self.assert_timestamps(link)
        self.assertEqual((link["condition_id"], link["medication_id"], link["relevance_note"]),
                         (self.condition["id"], med["id"], "Primary"))
        self.assert_medication_embedded(link, med)
        for path in (f"/conditions/condition-medications/{self.condition['id']}", self.links_path):
            for r in self.check_both_slashes("GET", path, self.user, 200):
                self.assertEqual([entry["id"] for entry in r.json], [link["id"]])
                entry = r.json[0]
                for key in LINK_KEYS:
                    self.assertEqual(entry[key], link[key], key)
                self.assert_medication_embedded(entry, med)
        # without a note; trailing slash on the create path
        second = self.ok(self.post(self.links_path + "/", self.user, {"medication_id": self.meds[1]["id"]}), 201)
        self.assertIsNone(second["relevance_note"])
        self.assertEqual(self.linked(), [med["id"], self.meds[1]["id"]])

        item = f"{self.links_path}/{link['id']}"
        updated = self.ok(self.put(item, self.user, {"relevance_note": "Updated note about the relationship"}))
        self.assertEqual((updated["id"], updated["relevance_note"], updated["medication_id"], updated["condition_id"]),
                         (link["id"], "Updated note about the relationship", med["id"], self.condition["id"]))
        # the ends never change through PUT
        updated = self.ok(self.put(item + "/", self.user, {"medication_id": self.meds[2]["id"],
                                                           "condition_id": self.kid_condition["id"]}))
        self.assertEqual((updated["medication_id"], updated["condition_id"]), (med["id"], self.condition["id"]))
        self.invalid(self.put(item, self.user, {"relevance_note": "n" * 501}), "relevance_note")
        self.invalid(self.put(item, self.user, {"relevance_note": 5}), "relevance_note")
        cleared = self.ok(self.put(item, self.user, {"relevance_note": None}))
        self.assertIsNone(cleared["relevance_note"])
        # a link id under another condition's path, or one that does not exist
        other = self.create("/conditions/", {"condition_name": "Other one"})
        for path in (f"/conditions/{other['id']}/medications/{link['id']}", f"{self.links_path}/{MISSING}",
                     f"/conditions/{MISSING}/medications/{link['id']}"):
            self.error(self.put(path, self.user, {"relevance_note": "moved"}), 404)
            self.error(self.delete(path, self.user), 404)
        self.error(self.put(f"{self.links_path}/abc", self.user, {"relevance_note": "x"}), 422, "relationship_id")

        self.assertEqual(self.ok(self.delete(item, self.user)),
                         {"message": "Condition medication relationship deleted successfully"})
        self.error(self.delete(item, self.user), 404)
        self.error(self.put(item, self.user, {"relevance_note": "again"}), 404)
        self.assertEqual(self.linked(), [self.meds[1]["id"]])
        # both records stay
        self.ok(self.get(f"/medications/{med['id']}", self.user))
        self.ok(self.get(f"/conditions/{self.condition['id']}", self.user))

    def test_link_refusals(self):
        med = self.meds[0]
        self.ok(self.post(self.links_path, self.user, {"medication_id": med["id"]}), 201)
        # already linked: 400
        self.error(self.post(self.links_path, self.user, {"medication_id": med["id"], "relevance_note": "again"}), 400)
        # a medication of my other patient: 400
        self.error(self.post(self.links_path, self.user, {"medication_id": self.kid_med["id"]}), 400)
        self.error(self.post(f"/conditions/{self.kid_condition['id']}/medications", self.user,
                             {"medication_id": med["id"]}), 400)
        # a medication or condition that does not exist: 404
        self.error(self.post(self.links_path, self.user, {"medication_id": MISSING}), 404)
        self.error(self.post(f"/conditions/{MISSING}/medications", self.user, {"medication_id": med["id"]}), 404)
        # a bad body: 422 naming the field
        for body, field in (({}, "medication_id"), ({"medication_id": "abc"}, "medication_id"),
                            ({"medication_id": 0}, "medication_id"), ({"medication_id": -3}, "medication_id"),
                            ({"medication_id": None}, "medication_id"), ({"medication_id": [med["id"]]}, "medication_id"),
                            ({"medication_id": self.meds[1]["id"], "relevance_note": "n" * 501}, "relevance_note")):
            with self.subTest(body=repr(body)[:60]):
                self.error(self.post(self.links_path, self.user, body), 422, field)
        self.error(self.post("/conditions/abc/medications", self.user, {"medication_id": med["id"]}), 422, "condition_id")
        self.check_malformed_bodies("POST", self.links_path, self.user, string_field="relevance_note",
                                    valid={"medication_id": self.meds[1]["id"]})
        self.assertEqual(self.linked(), [med["id"]])
        self.assertEqual(self.linked(self.kid_condition), [])

    def test_links_within_another_of_my_patients(self):
        kid_condition = self.create("/conditions/", {"patient_id": self.child["id"], "condition_name": "Kid asthma"})
        kid_meds = [self.create("/medications/", {"patient_id": self.child["id"], "medication_name": f"Inhaler {n}"})
                    for n in range(2)]
        path = f"/conditions/{kid_condition['id']}/medications"
        self.assertEqual(self.ok(self.post(path, self.user, {"medication_id": kid_meds[0]["id"]}), 201)["medication_id"],
                         kid_meds[0]["id"])
        created = self.ok(self.post(path + "/bulk", self.user, {"medication_ids": [m["id"] for m in kid_meds]}))
        self.assertEqual([link["medication_id"] for link in created], [kid_meds[1]["id"]])
        self.assertEqual(self.linked(kid_condition), [m["id"] for m in kid_meds])

    def test_bulk_links_skip_linked_ones(self):
        bulk = self.links_path + "/bulk"
        first = self.ok(self.post(self.links_path, self.user, {"medication_id": self.meds[2]["id"], "relevance_note": "Own"}), 201)
        ids = [m["id"] for m in self.meds[:3]]
        created = self.ok(self.post(bulk, self.user, {"medication_ids": ids,
                                                      "relevance_note": "Treatments for managing this condition"}))
        self.assertEqual([link["medication_id"] for link in created], ids[:2])
        for link, med in zip(created, self.meds):
            self.assert_has_fields(link, LINK_KEYS)
            self.assert_medication_embedded(link, med)
            self.assertEqual((link["condition_id"], link["relevance_note"]),
                             (self.condition["id"], "Treatments for managing this condition"))
        self.assertEqual(sorted(self.linked()), sorted(ids))
        # the link that existed keeps its own note
        listed = {link["medication_id"]: link for link in self.ok(self.get(self.links_path, self.user))}
        self.assertEqual(listed[self.meds[2]["id"]]["relevance_note"], "Own")
        self.assertEqual(listed[self.meds[2]["id"]]["id"], first["id"])
        # everything already linked: an empty list; the note is optional; slash form
        self.assertEqual(self.ok(self.post(bulk + "/", self.user, {"medication_ids": ids})), [])
        created = self.ok(self.post(bulk, self.user, {"medication_ids": [self.meds[3]["id"]]}))
        self.assertEqual([(link["medication_id"], link["relevance_note"]) for link in created], [(self.meds[3]["id"], None)])

    def test_bulk_is_all_or_nothing(self):
        bulk = self.links_path + "/bulk"
        ids = [m["id"] for m in self.meds]
        self.error(self.post(bulk, self.user, {"medication_ids": ids[:2] + [self.kid_med["id"]]}), 400)
        self.error(self.post(bulk, self.user, {"medication_ids": [self.kid_med["id"]] + ids[:2]}), 400)
        self.error(self.post(bulk, self.user, {"medication_ids": ids[:2] + [MISSING]}), 404)
        self.error(self.post(f"/conditions/{MISSING}/medications/bulk", self.user, {"medication_ids": ids[:2]}), 404)
        self.error(self.post(f"/conditions/{self.kid_condition['id']}/medications/bulk", self.user,
                             {"medication_ids": [self.kid_med["id"], ids[0]]}), 400)
        for body in ({"medication_ids": []}, {"medication_ids": [ids[0], ids[0]]}, {"medication_ids": [ids[0], "x"]},
                     {"medication_ids": [ids[0], 1.5]}, {"medication_ids": [ids[0], None]}, {"medication_ids": [0]},
                     {"medication_ids": [-1]}, {"medication_ids": [True]}, {"medication_ids": ids[0]},
                     {"medication_ids": str(ids[0])}, {"medication_ids": None}, {},
                     {"medication_ids": [ids[0]], "relevance_note": "n" * 501}):
            with self.subTest(body=repr(body)[:80]):
                field = "relevance_note" if "relevance_note" in body else "medication_ids"
                self.error(self.post(bulk, self.user, body), 422, field)
        self.check_malformed_bodies("POST", bulk, self.user)
        self.assertEqual(self.linked(), [])
        self.assertEqual(self.linked(self.kid_condition), [])

    def test_parallel_links_to_one_condition(self):
        """The same links asked for at once: each is made exactly once; a single create
        that loses the race is the contract's 400 (already linked), never a 5xx."""
        ids = [m["id"] for m in self.meds]
        bulk = f"/api/v1/conditions/{self.condition['id']}/medications/bulk"
        single = f"/api/v1/conditions/{self.condition['id']}/medications"
        token = self.user.token
        calls = [lambda: h.post(bulk, token=token, json_body={"medication_ids": ids}),
                 lambda: h.post(bulk, token=token, json_body={"medication_ids": ids[::-1]}),
                 lambda: h.post(bulk, token=token, json_body={"medication_ids": ids[1:3]})]
        calls += [lambda i=i: h.post(single, token=token, json_body={"medication_id": i}) for i in ids]
        barrier = threading.Barrier(len(calls))
        results = [None] * len(calls)

        def run(index):
            try:
                barrier.wait(10)
                results[index] = calls[index]()
            except Exception as error:
                results[index] = error

        threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        statuses = [getattr(r, "status", r) for r in results]
        self.assertEqual(statuses[:3], [200] * 3, results)
        for r in results[3:]:
            self.assertIn(getattr(r, "status", r), (201, 400), r)
        made = [link["medication_id"] for r in results[:3] for link in r.json]
        made += [r.json["medication_id"] for r in results[3:] if r.status == 201]
        self.assertEqual(sorted(made), sorted(ids))  # every link made once, by someone
        self.assertEqual(sorted(self.linked()), sorted(ids))

    def test_reverse_lookup_embeds_the_condition(self):
        med = self.meds[0]
        other = self.create("/conditions/", {"diagnosis": "Kidney disease", "status": "chronic", "severity": "severe"})
        one = self.ok(self.post(self.links_path, self.user, {"medication_id": med["id"], "relevance_note": "BP"}), 201)
        two = self.ok(self.post(f"/conditions/{other['id']}/medications/bulk", self.user,
                                {"medication_ids": [med["id"]], "relevance_note": "Kidneys"}))[0]
        path = f"/conditions/medication/{med['id']}/conditions"
        for r in self.check_both_slashes("GET", path, self.user, 200):
            self.assertEqual([entry["id"] for entry in r.json], [one["id"], two["id"]])
            for entry, condition, note in zip(r.json, (self.condition, other), ("BP", "Kidneys")):
                self.assert_has_fields(entry, LINK_KEYS + ["condition"])
                self.assertEqual((entry["condition_id"], entry["medication_id"], entry["relevance_note"]),
                                 (condition["id"], med["id"], note))
                embedded = entry["condition"]
                self.assert_has_fields(embedded, CONDITION_EMBED)
                self.assertEqual({k: embedded[k] for k in CONDITION_EMBED},
                                 {"id": condition["id"], "condition_name": condition["condition_name"],
                                  "diagnosis": condition["condition_name"], "status": condition["status"],
                                  "severity": condition["severity"]})
        self.assertEqual(self.ok(self.get(f"/conditions/medication/{self.meds[1]['id']}/conditions", self.user)), [])
        self.error(self.get(f"/conditions/medication/{MISSING}/conditions", self.user), 404)
        self.error(self.get("/conditions/medication/abc/conditions", self.user), 422, "medication_id")
        # renaming the condition shows in the embed
        self.ok(self.put(f"/conditions/{other['id']}", self.user, {"condition_name": "CKD stage 3"}))
        entry = self.ok(self.get(path, self.user))[1]
        self.assertEqual((entry["condition"]["condition_name"], entry["condition"]["diagnosis"]), ("CKD stage 3", "CKD stage 3"))

    def test_deleting_either_end_removes_the_link(self):
        bulk = self.links_path + "/bulk"
        self.ok(self.post(bulk, self.user, {"medication_ids": [m["id"] for m in self.meds[:2]]}))
        self.assertEqual(self.delete(f"/medications/{self.meds[0]['id']}", self.user).status, 204)
        self.assertEqual(self.linked(), [self.meds[1]["id"]])
        self.ok(self.delete(f"/conditions/{self.condition['id']}", self.user))
        self.error(self.get(self.links_path, self.user), 404)
        self.assertEqual(self.ok(self.get(f"/conditions/medication/{self.meds[1]['id']}/conditions", self.user)), [])

    def test_every_link_endpoint_needs_a_token(self):
        for method, path, body in (
            ("GET", "/conditions/condition-medications/1", None), ("GET", "/conditions/1/medications", None),
            ("POST", "/conditions/1/medications", {"medication_id": 1}),
            ("POST", "/conditions/1/medications/bulk", {"medication_ids": [1]}),
            ("PUT", "/conditions/1/medications/1", {"relevance_note": "x"}), ("DELETE", "/conditions/1/medications/1", None),
            ("GET", "/conditions/medication/1/conditions", None), ("GET", "/conditions/dropdown", None),
            ("GET", "/conditions/patient/1/active", None), ("GET", "/conditions/patients/1/conditions/", None),
        ):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, body)


# Encounters and procedures ----------------------------------------------------

class ConditionReferenceMixin:
    """An encounter's or procedure's `condition_id`: a condition of the same patient,
    embedded with both names; any other is 422 naming condition_id."""
    PATH = None
    NAME = None

    def test_condition_reference(self):
        condition = self.create("/conditions/", {"condition_name": "Back pain", "status": "chronic", "severity": "mild"})
        kid_condition = self.create("/conditions/", {"patient_id": self.child["id"], "condition_name": "Kid cough"})
        record = self.create(self.PATH, self.contract_body(condition_id=condition["id"]))
        self.assertEqual(record["condition_id"], condition["id"])
        self.assertEqual({k: record["condition"][k] for k in CONDITION_EMBED},
                         {"id": condition["id"], "condition_name": "Back pain", "diagnosis": "Back pain",
                          "status": "chronic", "severity": "mild"})
        before = self.ids(self.PATH + "?limit=100")
        for value in (kid_condition["id"], MISSING):
            self.invalid(self.post(self.PATH, self.user, self.contract_body(condition_id=value)), "condition_id")
        # and the other way round: a record of my other patient with my condition
        self.invalid(self.post(self.PATH, self.user, self.contract_body(patient_id=self.child["id"],
                                                                        condition_id=condition["id"])), "condition_id")
        self.assertEqual(self.ids(self.PATH + "?limit=100"), before)
        item = f"{self.PATH}{record['id']}"
        self.invalid(self.put(item, self.user, {"condition_id": kid_condition["id"]}), "condition_id")
        self.invalid(self.put(item, self.user, {"condition_id": "abc"}), "condition_id")
        self.assertEqual(self.ok(self.get(item, self.user)), record)
        # a kid's record may name the kid's condition
        kid_record = self.create(self.PATH, self.contract_body(patient_id=self.child["id"], condition_id=kid_condition["id"]))
        self.assertEqual(kid_record["condition"]["id"], kid_condition["id"])
        # deleting the condition clears the reference; null clears it too
        cleared = self.ok(self.put(f"{self.PATH}{kid_record['id']}", self.user, {"condition_id": None}))
        self.assertEqual((cleared["condition_id"], cleared["condition"]), (None, None))
        self.ok(self.delete(f"/conditions/{condition['id']}", self.user))
        after = self.ok(self.get(item, self.user))
        self.assertEqual((after["condition_id"], after["condition"]), (None, None))

    def test_both_slashes_and_delete_message(self):
        made = [self.create(path, self.contract_body()) for path in (self.PATH.rstrip("/"), self.PATH)]
        for r in self.check_both_slashes("GET", self.PATH, self.user, 200):
            listed = [record["id"] for record in r.json]
            self.assertLess(listed.index(made[1]["id"]), listed.index(made[0]["id"]))
        for record in made:
            self.assertEqual(self.ok(self.get(f"{self.PATH}{record['id']}/", self.user)), record)
        self.deleted(f"{self.PATH}{made[0]['id']}", f"{self.NAME} deleted successfully")
        self.deleted(f"{self.PATH}{made[1]['id']}/", f"{self.NAME} deleted successfully")
        self.error(self.get(f"{self.PATH}abc", self.user), 422, f"{self.NAME.lower()}_id")


class EncounterTests(ConditionReferenceMixin, ClinicalCase):
    PATH = "/encounters/"
    NAME = "Encounter"

    def contract_body(self, **overrides):
        body = {"patient_id": self.me["id"], "encounter_type": "Office Visit", "encounter_date": "2025-10-04",
                "practitioner_id": self.doctor["id"], "chief_complaint": "Annual checkup", "diagnosis": "Healthy",
                "treatment_plan": "Continue current medications", "notes": "Patient doing well"}
        body.update(overrides)
        return body

    def test_contract_body_answers_both_names(self):
        body = self.contract_body()
        created = self.create(self.PATH, body)
        for key, value in body.items():
            self.assertEqual(created[key], value, key)
        self.assertEqual((created["date"], created["visit_type"]), ("2025-10-04", "Office Visit"))
        self.assertEqual(created["practitioner"]["id"], self.doctor["id"])
        self.assertEqual((created["condition_id"], created["condition"], created["tags"]), (None, None, []))
        self.assert_timestamps(created)
        other = self.create(self.PATH, {"date": "2024-01-02", "visit_type": "Telehealth", "reason": "Cough",
                                        "priority": "URGENT", "duration_minutes": 15})
        self.assertEqual((other["encounter_date"], other["date"], other["encounter_type"], other["visit_type"]),
                         ("2024-01-02", "2024-01-02", "Telehealth", "Telehealth"))
        self.assertEqual((other["priority"], other["duration_minutes"], other["patient_id"]), ("urgent", 15, self.me["id"]))
        updated = self.ok(self.put(f"/encounters/{other['id']}", self.user, {"date": "2024-02-03", "visit_type": "ER"}))
        self.assertEqual((updated["encounter_date"], updated["date"], updated["encounter_type"], updated["visit_type"]),
                         ("2024-02-03", "2024-02-03", "ER", "ER"))
        updated = self.ok(self.put(f"/encounters/{other['id']}", self.user, {"encounter_date": "2024-02-04",
                                                                          "encounter_type": None}))
        self.assertEqual((updated["date"], updated["visit_type"]), ("2024-02-04", None))

    def test_activity_entry_names_an_untyped_encounter(self):
        # The label of an encounter is its type; without one, the entry falls back to
        # the record's number — which on create is 0, not the new record's id.
        user = new_user()
        created = self.create(self.PATH, {"encounter_date": "2025-01-01"}, user)
        entry = self.ok(self.get("/patients/me/recent-activity?limit=1", user))[0]
        self.assertEqual((entry["model_name"], entry["action"]), ("Encounter", "created"))
        self.assertNotEqual(entry["description"], "Created Encounter: #0")
        self.assertIn(str(created["id"]), entry["description"])

    def test_bad_fields_are_422_naming_the_field(self):
        before = self.ids("/encounters/?limit=100")
        self.invalid(self.post(self.PATH, self.user, {"patient_id": self.me["id"]}), "encounter_date")
        self.check_bad_fields("POST", self.PATH, self.contract_body(), [
            ("encounter_date", "2025-10-32"), ("encounter_date", None), ("date", "yesterday", "encounter_date"),
            ("encounter_type", "t" * 101), ("visit_type", 3, "encounter_type"), ("priority", "whenever"),
            ("duration_minutes", -1), ("duration_minutes", 10001), ("duration_minutes", "30"),
            ("practitioner_id", MISSING), ("chief_complaint", "c" * 501), ("tags", [None]),
        ])
        self.check_malformed_bodies("POST", self.PATH, self.user, string_field="reason", valid=self.contract_body())
        self.assertEqual(self.ids("/encounters/?limit=100"), before)

    def test_list_order_filters_and_patient_paths(self):
        user = new_user()
        pid = self.ok(self.get("/patients/me", user))["id"]
        specialty = _specialty(user)
        doc = self.create("/practitioners/", {"name": h.unique("Dr. E "), "specialty_id": specialty["id"]}, user)
        made = {}
        for key, date, practitioner in (("A", "2025-01-10", doc["id"]), ("B", "2025-03-05", None),
                                        ("C", "2024-12-31", doc["id"]), ("D", "2025-03-05", None)):
            made[key] = self.create(self.PATH, {"encounter_date": date, "practitioner_id": practitioner}, user)["id"]

        def ids(*keys):
            return [made[k] for k in keys]

        everything = ids("D", "B", "A", "C")  # by date, newest first; same day: newest record first
        self.assertEqual(self.ids("/encounters/", user), everything)
        for path in (f"/encounters/patients/{pid}/encounters", f"/patients/{pid}/encounters"):
            for r in self.check_both_slashes("GET", path, user, 200):
                self.assertEqual([e["id"] for e in r.json], everything)
        self.assertEqual(self.ids(f"/encounters/?practitioner_id={doc['id']}", user), ids("A", "C"))
        self.assertEqual(self.ids("/encounters/?start_date=2025-01-01", user), ids("D", "B", "A"))
        self.assertEqual(self.ids("/encounters/?end_date=2025-01-10", user), ids("A", "C"))
        self.assertEqual(self.ids("/encounters/?start_date=2025-01-10&end_date=2025-03-04", user), ids("A"))
        self.assertEqual(self.ids("/encounters/?days=3650", user), everything)
        self.assertEqual(self.ids("/encounters/?days=1", user), [])
        for query, name in (("start_date=2025-13-01", "start_date"), ("end_date=x", "end_date"), ("days=0", "days"),
                            ("days=abc", "days"), ("practitioner_id=abc", "practitioner_id")):
            self.error(self.get(f"/encounters/?{query}", user), 422, name)
        self.check_pagination("/encounters/", user, maximum=100)
        self.error(self.get(f"/encounters/patients/{MISSING}/encounters", user), 404)


class ProcedureTests(ConditionReferenceMixin, ClinicalCase):
    PATH = "/procedures/"
    NAME = "Procedure"

    def contract_body(self, **overrides):
        body = {"patient_id": self.me["id"], "procedure_name": "Blood Draw", "procedure_date": "2025-10-04",
                "practitioner_id": self.doctor["id"], "status": "completed", "outcome": "successful",
                "notes": "Routine lab work"}
        body.update(overrides)
        return body

    def test_contract_body_answers_both_names(self):
        body = self.contract_body()
        created = self.create(self.PATH, body)
        for key, value in body.items():
            self.assertEqual(created[key], value, key)
        self.assertEqual(created["date"], "2025-10-04")
        self.assertEqual(created["practitioner"]["id"], self.doctor["id"])
        self.assert_timestamps(created)
        other = self.create(self.PATH, {"procedure_name": "Colonoscopy", "date": "2026-05-06"})
        self.assertEqual((other["procedure_date"], other["date"], other["status"]), ("2026-05-06", "2026-05-06", "completed"))
        updated = self.ok(self.put(f"/procedures/{other['id']}", self.user, {"date": "2026-06-07", "status": "scheduled"}))
        self.assertEqual((updated["procedure_date"], updated["date"], updated["status"]), ("2026-06-07", "2026-06-07", "scheduled"))

    def test_every_status(self):
        for status in ("scheduled", "in-progress", "completed", "cancelled", "postponed"):
            self.assertEqual(self.create(self.PATH, self.contract_body(status=status))["status"], status)
        self.assertEqual(self.create(self.PATH, self.contract_body(status="in_progress"))["status"], "in-progress")

    def test_bad_fields_are_422_naming_the_field(self):
        before = self.ids("/procedures/?limit=100")
        self.invalid(self.post(self.PATH, self.user, {"patient_id": self.me["id"]}), "procedure_date", "procedure_name")
        self.check_bad_fields("POST", self.PATH, self.contract_body(), [
            ("procedure_name", ""), ("procedure_name", "x"), ("procedure_name", "p" * 301), ("procedure_date", None),
            ("date", "2025-02-29", "procedure_date"), ("status", "done"), ("status", None), ("outcome", "o" * 51),
            ("procedure_duration", -5), ("practitioner_id", MISSING), ("tags", {"a": 1}),
        ])
        self.check_malformed_bodies("POST", self.PATH, self.user, string_field="procedure_name",
                                    valid=self.contract_body())
        self.assertEqual(self.ids("/procedures/?limit=100"), before)

    def test_list_order_filters_and_patient_paths(self):
        user = new_user()
        pid = self.ok(self.get("/patients/me", user))["id"]
        made = {}
        for key, date, status, tags in (("A", "2025-01-10", "completed", ["lab"]), ("B", "2025-06-01", "scheduled", []),
                                        ("C", "2024-02-02", "cancelled", ["lab"])):
            made[key] = self.create(self.PATH, {"procedure_name": f"P {key}", "procedure_date": date,
                                                "status": status, "tags": tags}, user)["id"]

        def ids(*keys):
            return [made[k] for k in keys]

        for path in ("/procedures", f"/procedures/patients/{pid}/procedures", f"/patients/{pid}/procedures"):
            for r in self.check_both_slashes("GET", path, user, 200):
                self.assertEqual([p["id"] for p in r.json], ids("B", "A", "C"))
        self.assertEqual(self.ids("/procedures/?status=scheduled", user), ids("B"))
        self.assertEqual(self.ids("/procedures/?tags=lab", user), ids("A", "C"))
        self.assertEqual(self.ids("/procedures/?start_date=2025-01-10&end_date=2025-01-10", user), ids("A"))
        self.assertEqual(self.ids("/procedures/?end_date=2024-12-31T23:59:59Z", user), ids("C"))
        self.error(self.get("/procedures/?status=done", user), 422, "status")
        self.error(self.get("/procedures/?start_date=soon", user), 422, "start_date")
        self.check_pagination("/procedures/", user, maximum=100)
        self.error(self.get(f"/patients/{MISSING}/procedures", user), 404)


# The story --------------------------------------------------------------------

class DoneWhenStoryTests(ApiTestCase):
    """As a new user: an allergy checked by name, a condition linked to two medications
    in one bulk call and seen from the medication side, an MMR immunization under
    Measles, Mumps and Rubella, a month of blood pressure readings with statistics and a
    paginated view, an encounter and a procedure — and the dashboard counting them all.
    Another user sees none of it and cannot link to it."""

    def test_story(self):
        alice, mallory = new_user(), new_user()
        me = self.ok(self.get("/patients/me", alice))
        pid = me["id"]

        # An allergy, checked by name in any case.
        self.ok(self.post("/allergies/", alice, {"allergen": "Penicillin", "severity": "severe",
                                                 "reaction": "Hives", "diagnosed_date": "2019-04-01"}), 201)
        for name in ("Penicillin", "penicillin", "PENICILLIN"):
            self.assertIs(self.ok(self.get(f"/allergies/patient/{pid}/check/{name}", alice))["has_allergy"], True)
        self.assertIs(self.ok(self.get(f"/allergies/patient/{pid}/check/Aspirin", alice))["has_allergy"], False)

        # A condition linked to two medications in one bulk call, seen from the medication side.
        condition = self.ok(self.post("/conditions/", alice, {"condition_name": "Hypertension", "status": "chronic",
                                                              "severity": "moderate"}), 201)
        meds = [self.ok(self.post("/medications/", alice, {"medication_name": name, "status": "active"}), 201)
                for name in ("Lisinopril", "Amlodipine")]
        links = self.ok(self.post(f"/conditions/{condition['id']}/medications/bulk", alice,
                                  {"medication_ids": [m["id"] for m in meds], "relevance_note": "Blood pressure"}))
        self.assertEqual([link["medication_id"] for link in links], [m["id"] for m in meds])
        for med in meds:
            seen = self.ok(self.get(f"/conditions/medication/{med['id']}/conditions", alice))
            self.assertEqual([entry["condition_id"] for entry in seen], [condition["id"]])
            self.assertEqual((seen[0]["condition"]["condition_name"], seen[0]["condition"]["diagnosis"]),
                             ("Hypertension", "Hypertension"))

        # An MMR immunization, under each of its diseases in the history.
        mmr = self.ok(self.post("/immunizations/", alice, {"vaccine_name": "MMR", "administration_date": "2024-05-01",
                                                           "standardized_vaccine_who_code": "MeaslesMumpsandRubella"}), 201)
        history = self.ok(self.get(f"/immunizations/patient/{pid}/history", alice))
        for disease in ("Measles", "Mumps", "Rubella"):
            self.assertEqual(history["diseases_index"][disease], [mmr["id"]])
        self.assertEqual((history["items"][0]["is_combined"], history["unmatched_count"]), (True, 0))

        # A month of daily blood pressure readings: statistics and a paginated view.
        for day in range(1, 31):
            self.ok(self.post(f"/vitals/patient/{pid}/vitals/", alice, {
                "recorded_date": f"2025-04-{day:02d}T08:00:00Z", "systolic_bp": 110 + day, "diastolic_bp": 70 + day % 10,
                "heart_rate": 60 + day}), 201)
        stats = self.ok(self.get("/vitals/stats", alice))
        self.assertEqual(stats["total_readings"], 30)
        self.assertEqual(stats["latest_reading_date"], "2025-04-30T08:00:00Z")
        self.assertAlmostEqual(stats["blood_pressure_avg"]["systolic"], 125.5)
        self.assertAlmostEqual(stats["blood_pressure_avg"]["diastolic"], 74.5)
        self.assertAlmostEqual(stats["heart_rate_avg"], 75.5)
        page = self.ok(self.get(f"/vitals/patient/{pid}/paginated?skip=10", alice))
        self.assertEqual((page["total"], page["skip"], page["limit"], len(page["items"])), (30, 10, 10, 10))
        self.assertEqual(page["items"][0]["recorded_date"], "2025-04-20T08:00:00Z")

        # An encounter and a procedure for the condition.
        encounter = self.ok(self.post("/encounters/", alice, {"encounter_date": "2025-05-02", "encounter_type": "Follow-up",
                                                              "condition_id": condition["id"]}), 201)
        procedure = self.ok(self.post("/procedures/", alice, {"procedure_name": "ECG", "procedure_date": "2025-05-02",
                                                              "condition_id": condition["id"]}), 201)
        for record in (encounter, procedure):
            self.assertEqual(record["condition"]["condition_name"], "Hypertension")

        # The dashboard counts them all.
        dashboard = self.ok(self.get("/patients/me/dashboard-stats", alice))
        expected = {"patient_id": pid, "active_medications": 2, "total_lab_results": 0, "total_procedures": 1,
                    "total_treatments": 0, "total_conditions": 1, "total_allergies": 1, "total_immunizations": 1,
                    "total_encounters": 1, "total_vitals": 30}
        self.assertEqual({k: dashboard[k] for k in expected}, expected)
        self.assertEqual(dashboard["total_records"], 2 + 1 + 1 + 1 + 30 + 1 + 1)
        self.assertEqual(self.ok(self.get(f"/patients/me/dashboard-stats?patient_id={pid}", alice)), dashboard)

        # Mallory sees none of it …
        their = self.ok(self.get("/patients/me/dashboard-stats", mallory))
        self.assertEqual(their["total_records"], 0)
        for path in ("/allergies/", "/conditions/", "/immunizations/", "/vitals/", "/encounters/", "/procedures/",
                     "/medications/", "/conditions/dropdown"):
            self.assertEqual(self.ok(self.get(path, mallory)), [], path)
        self.assertEqual(self.ok(self.get("/vitals/stats", mallory))["total_readings"], 0)
        for path in (f"/allergies/patient/{pid}/check/Penicillin", f"/conditions/medication/{meds[0]['id']}/conditions",
                     f"/conditions/{condition['id']}/medications", f"/vitals/stats?patient_id={pid}",
                     f"/vitals/patient/{pid}/paginated", f"/patients/me/dashboard-stats?patient_id={pid}",
                     f"/encounters/{encounter['id']}", f"/procedures/{procedure['id']}", f"/immunizations/{mmr['id']}"):
            r = self.get(path, mallory)
            self.error(r, 404)
            self.assertNotIn("Hypertension", r.text)
        self.error(self.get(f"/immunizations/patient/{pid}/history", mallory), 403)  # the contract's 403 here
        # … and cannot link to it, in either direction.
        own_condition = self.ok(self.post("/conditions/", mallory, {"condition_name": "Mine"}), 201)
        own_med = self.ok(self.post("/medications/", mallory, {"medication_name": "Mine"}), 201)
        self.error(self.post(f"/conditions/{own_condition['id']}/medications", mallory, {"medication_id": meds[0]["id"]}), 404)
        self.error(self.post(f"/conditions/{own_condition['id']}/medications/bulk", mallory,
                             {"medication_ids": [own_med["id"], meds[1]["id"]]}), 404)
        self.error(self.post(f"/conditions/{condition['id']}/medications", mallory, {"medication_id": own_med["id"]}), 404)
        self.invalid_reference(mallory, "/encounters/", {"encounter_date": "2025-05-03", "condition_id": condition["id"]},
                               "condition_id")
        self.invalid_reference(mallory, "/allergies/", {"allergen": "Dust", "severity": "mild",
                                                        "medication_id": meds[0]["id"]}, "medication_id")
        self.assertEqual(self.ok(self.get(f"/conditions/{own_condition['id']}/medications", mallory)), [])
        self.assertEqual(self.ok(self.get(f"/conditions/{condition['id']}/medications", alice))[0]["medication_id"],
                         meds[0]["id"])
        self.assertEqual(len(self.ok(self.get(f"/conditions/{condition['id']}/medications", alice))), 2)
        self.assertEqual(self.ok(self.get("/patients/me/dashboard-stats", alice)), dashboard)

        # Deleting the account counts every record type it removes (and nothing of Mallory's).
        theirs_before = self.ok(self.get("/patients/me/dashboard-stats", mallory))
        summary = self.ok(self.delete("/users/me", alice))["deletion_summary"]
        self.assertEqual({k: summary.get(k) for k in ("medications", "allergies", "conditions", "immunizations",
                                                        "vitals", "encounters", "procedures")},
                         {"medications": 2, "allergies": 1, "conditions": 1, "immunizations": 1, "vitals": 30,
                          "encounters": 1, "procedures": 1})
        self.assertEqual(self.ok(self.get("/patients/me/dashboard-stats", mallory)), theirs_before)

    def test_deleting_a_patient_takes_its_records_and_links(self):
        user = new_user()
        kid = self.ok(self.post("/patient-management/", user, {"first_name": "K", "last_name": "D", "birth_date": "2020-01-01"}), 201)
        kid_id = kid["id"]
        condition = self.ok(self.post("/conditions/", user, {"patient_id": kid_id, "condition_name": "Croup"}), 201)
        med = self.ok(self.post("/medications/", user, {"patient_id": kid_id, "medication_name": "Syrup"}), 201)
        self.ok(self.post(f"/conditions/{condition['id']}/medications", user, {"medication_id": med["id"]}), 201)
        made = {
            "allergies": self.ok(self.post("/allergies/", user, {"patient_id": kid_id, "allergen": "Eggs", "severity": "mild",
                                                                 "medication_id": med["id"]}), 201),
            "immunizations": self.ok(self.post("/immunizations/", user, {"patient_id": kid_id, "vaccine_name": "MMR",
                                                                         "date_administered": "2021-01-01"}), 201),
            "vitals": self.ok(self.post(f"/vitals/patient/{kid_id}/vitals", user, {"recorded_date": "2025-01-01",
                                                                                   "heart_rate": 100}), 201),
            "encounters": self.ok(self.post("/encounters/", user, {"patient_id": kid_id, "encounter_date": "2025-01-01",
                                                                   "condition_id": condition["id"]}), 201),
            "procedures": self.ok(self.post("/procedures/", user, {"patient_id": kid_id, "procedure_name": "Xray",
                                                                   "procedure_date": "2025-01-01"}), 201),
            "conditions": condition,
        }
        stats = self.ok(self.get(f"/patients/me/dashboard-stats?patient_id={kid_id}", user))
        self.assertEqual(stats["total_records"], 7)
        self.ok(self.delete(f"/patient-management/{kid_id}", user))
        for key, record in made.items():
            self.error(self.get(f"/{key}/{record['id']}", user), 404)
        self.error(self.get(f"/conditions/medication/{med['id']}/conditions", user), 404)
        for path in (f"/vitals/patient/{kid_id}/stats", f"/immunizations/patient/{kid_id}/history",
                     f"/patients/me/dashboard-stats?patient_id={kid_id}"):
            self.error(self.get(path, user), 404)
        self.assertEqual(self.ok(self.get("/vitals/stats", user))["total_readings"], 0)

    def invalid_reference(self, user, path, body, field):
        body = self.error(self.post(path, user, body), 422, field)
        self.assertEqual(detail_fields(body), [field])


if __name__ == "__main__":
    unittest.main()
