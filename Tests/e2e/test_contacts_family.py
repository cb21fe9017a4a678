"""Insurances, emergency contacts and family history through nginx and the pool — plus
the "done when" story: an insurance, two emergency contacts (one primary) and a father
with two conditions, none of which another user sees.

Contract: api-reference.txt "insurances", "emergency-contacts", "family-members" (with
a family member's conditions); upstream's OpenAPI for the fields, enums and extra
routes (insurance status / set-primary / expiring / search, emergency contact
set-primary and primary); decisions.md rules 3 (422 naming each field), 4 (201),
5 (delete message), 6 (paging), 8 (full CRUD); README: another user's id → 404, both
slash forms.
"""
import unittest

import harness as h
from apicase import SCRIPT_TEXT, SQL_TEXT, UNICODE_TEXT, ApiTestCase, db_execute, new_user

MISSING = 999999999

INSURANCE = {"provider_name": "Blue Cross Blue Shield", "policy_number": "ABC123456", "group_number": "GRP789",
             "insurance_type": "primary", "effective_date": "2025-01-01", "expiration_date": "2025-12-31",
             "notes": "PPO plan"}
CONTACT = {"name": "Jane Doe", "relationship": "Spouse", "phone_number": "+1234567890", "email": "jane@example.com",
           "address": "123 Main St", "is_primary": True}
FATHER = {"name": "John Doe Sr.", "relationship": "Father", "birth_date": "1960-05-20", "is_deceased": False,
          "medical_history": "Diabetes, Hypertension"}


def detail_fields(body):
    detail = body.get("detail")
    if not isinstance(detail, list):
        return []
    return sorted({d["field"] for d in detail if isinstance(d, dict) and "field" in d})


class RecordsCase(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        cls.me = h.get("/api/v1/patients/me", token=cls.user.token).json
        cls.other = new_user()

    def made(self, path, body, user=None):
        return self.ok(self.post(path, user or self.user, body), 201)

    def invalid(self, r, *fields):
        """A 422 whose detail names exactly `fields`."""
        body = self.error(r, 422, *fields)
        self.assertEqual(detail_fields(body), sorted(fields), r)

    def ids(self, path, user=None):
        return [item["id"] for item in self.ok(self.get(path, user or self.user))]

    def deleted(self, path, message, user=None):
        self.assertEqual(self.ok(self.delete(path, user or self.user)), {"message": message})
        self.error(self.get(path, user or self.user), 404)
        self.error(self.delete(path, user or self.user), 404)

    def untouchable(self, item, attempts):
        """Another user's attempts at `item` are each 404 and change nothing."""
        before = self.ok(self.get(item, self.user))
        for method, path, body in attempts:
            with self.subTest(method=method, path=path):
                r = self.call(method, path, self.other, json_body=body)
                self.error(r, 404)
                self.assertNotIn(str(before.get("name") or before.get("company_name") or "~"), r.text)
        self.assertEqual(self.ok(self.get(item, self.user)), before)

    def primaries(self, table, patient_id):
        out = db_execute(f"SELECT id FROM {table} WHERE patient_id = {int(patient_id)} AND is_primary = 1 ORDER BY id")
        return [int(line) for line in out.split()]


# Insurances -------------------------------------------------------------------

class InsuranceTests(RecordsCase):
    def insurance(self, user=None, **fields):
        body = {"insurance_type": "medical", "company_name": h.unique("Insurer "), "effective_date": "2025-01-01",
                **fields}
        return self.made("/insurances/", body, user)

    def test_contract_body_answers_both_names(self):
        created = self.made("/insurances/", {"patient_id": self.me["id"], **INSURANCE})
        for key, value in INSURANCE.items():
            self.assertEqual(created[key], value, key)
        self.assertEqual((created["company_name"], created["member_id"]), ("Blue Cross Blue Shield", "ABC123456"))
        self.assertEqual((created["status"], created["is_primary"], created["patient_id"], created["coverage_details"]),
                         ("active", False, self.me["id"], None))
        self.assert_timestamps(created)
        self.assertEqual(self.ok(self.get(f"/insurances/{created['id']}", self.user)), created)
        # Upstream's names and fields, in any case for the enums.
        upstream = self.made("/insurances", {
            "insurance_type": "Dental", "company_name": "Delta Dental", "member_name": "Pat Doe", "member_id": "D-1",
            "plan_name": "PPO", "policy_holder_name": "Pat Doe", "relationship_to_holder": "self",
            "effective_date": "2025-02-01", "status": "pending", "contact_info": {"phone": "+1 800 555 0100"},
            "coverage_details": {"preventive_coverage": 100, "basic_coverage": 80, "annual_maximum": [1500, "USD"]}})
        self.assertEqual((upstream["insurance_type"], upstream["provider_name"], upstream["policy_number"]),
                         ("dental", "Delta Dental", "D-1"))
        self.assertEqual(upstream["coverage_details"]["annual_maximum"], [1500, "USD"])
        self.assertEqual(upstream["contact_info"], {"phone": "+1 800 555 0100"})

    def test_bad_fields_are_422_naming_the_field(self):
        valid = {"insurance_type": "vision", "company_name": "Eyes Inc", "effective_date": "2025-01-01"}
        for field, value in (("insurance_type", "life"), ("insurance_type", None), ("company_name", ""),
                             ("company_name", "x" * 256), ("effective_date", "2025-13-01"), ("status", "lapsed"),
                             ("is_primary", "yes"), ("relationship_to_holder", "boss"), ("coverage_details", [1]),
                             ("contact_info", "call me"), ("expiration_date", "2024-12-31")):
            with self.subTest(field=field, value=value):
                self.invalid(self.post("/insurances/", self.user, {**valid, field: value}), field)
        self.invalid(self.post("/insurances/", self.user, {}), "insurance_type", "company_name", "effective_date")
        self.invalid(self.post("/insurances/", self.user, {**valid, "company_name": "A", "provider_name": "B"}),
                     "provider_name")
        self.check_malformed_bodies("POST", "/insurances/", self.user, string_field="company_name", valid=valid)

    def test_get_update_delete_and_both_slashes(self):
        created = self.insurance(notes="first")
        item = f"/insurances/{created['id']}"
        for r in self.check_both_slashes("GET", item, self.user, 200):
            self.assertEqual(r.json, created)
        self.check_both_slashes("GET", "/insurances/", self.user, 200)
        updated = self.ok(self.put(item, self.user, {"provider_name": SQL_TEXT[:200], "notes": SCRIPT_TEXT,
                                                     "plan_name": UNICODE_TEXT, "patient_id": MISSING}))
        self.assertEqual((updated["company_name"], updated["provider_name"], updated["notes"], updated["plan_name"]),
                         (SQL_TEXT[:200], SQL_TEXT[:200], SCRIPT_TEXT, UNICODE_TEXT))
        self.assertEqual(updated["patient_id"], self.me["id"])
        self.invalid(self.put(item + "/", self.user, {"expiration_date": "2020-01-01"}), "expiration_date")
        self.assertEqual(self.ok(self.get(item, self.user)), updated)
        self.deleted(item + "/", "Insurance deleted successfully")
        self.error(self.get("/insurances/abc", self.user), 422, "insurance_id")

    def test_one_primary_per_type_and_the_patch_routes(self):
        user = new_user()
        pid = self.ok(self.get("/patients/me", user))["id"]
        a = self.insurance(user, is_primary=True)
        dental = self.insurance(user, insurance_type="dental", is_primary=True)
        b = self.insurance(user, is_primary=True)
        self.assertEqual(self.primaries("insurances", pid), [dental["id"], b["id"]])
        for r in self.check_both_slashes("PATCH", f"/insurances/{a['id']}/set-primary", user, 200):
            self.assertIs(r.json["is_primary"], True)
        self.assertEqual(self.primaries("insurances", pid), [a["id"], dental["id"]])
        self.assertIs(self.ok(self.get(f"/insurances/{b['id']}", user))["is_primary"], False)
        self.ok(self.put(f"/insurances/{b['id']}", user, {"is_primary": True}))
        self.assertEqual(self.primaries("insurances", pid), [dental["id"], b["id"]])

        r = self.ok(self.call("PATCH", f"/insurances/{a['id']}/status", user,
                              json_body={"status": "Expired", "company_name": "not this"}))
        self.assertEqual((r["status"], r["company_name"]), ("expired", a["company_name"]))
        self.invalid(self.call("PATCH", f"/insurances/{a['id']}/status", user, json_body={"status": "gone"}), "status")
        self.invalid(self.call("PATCH", f"/insurances/{a['id']}/status/", user, json_body={}), "status")
        self.error(self.call("PATCH", f"/insurances/{MISSING}/set-primary", user), 404)
        self.error(self.call("PATCH", f"/insurances/{MISSING}/status", user, json_body={"status": "active"}), 404)

    def test_filters_search_expiring_and_paging(self):
        user = new_user()
        expiring = self.insurance(user, company_name="Acme Health", expiration_date="2025-06-30")
        later = self.insurance(user, company_name="Zenith Dental", insurance_type="dental", expiration_date="2099-01-01")
        inactive = self.insurance(user, company_name="Old Acme", status="inactive", expiration_date="2025-02-01")
        self.assertEqual(self.ids("/insurances/?insurance_type=DENTAL", user), [later["id"]])
        self.assertEqual(self.ids("/insurances/?status=inactive", user), [inactive["id"]])
        self.assertEqual(self.ids("/insurances/?active_only=true", user), [later["id"], expiring["id"]])
        self.assertEqual(len(self.ids("/insurances/?active_only=false", user)), 3)
        for query, name in (("insurance_type=life", "insurance_type"), ("status=x", "status"),
                            ("active_only=maybe", "active_only")):
            self.error(self.get(f"/insurances/?{query}", user), 422, name)
        # Active policies that expire within the window or already have (still marked active).
        self.assertEqual(self.ids("/insurances/expiring", user), [expiring["id"]])
        self.assertEqual(self.ids("/insurances/expiring/?days=365", user), [expiring["id"]])
        for bad in ("0", "366", "x"):
            self.error(self.get(f"/insurances/expiring?days={bad}", user), 422, "days")
        self.assertEqual(self.ids("/insurances/search?company=acme", user), [inactive["id"], expiring["id"]])
        self.assertEqual(self.ids("/insurances/search/?company=100%25", user), [])
        self.error(self.get("/insurances/search", user), 422, "company")
        self.check_pagination("/insurances/", user, maximum=1000)

    def test_another_users_insurance_is_not_found(self):
        mine = self.insurance(is_primary=True)
        item = f"/insurances/{mine['id']}"
        self.untouchable(item, [
            ("GET", item, None), ("PUT", item, {"notes": "x"}), ("DELETE", item, None),
            ("PATCH", item + "/status", {"status": "inactive"}), ("PATCH", item + "/set-primary", None)])
        theirs = self.insurance(self.other, is_primary=True)
        self.assertNotIn(theirs["id"], self.ids("/insurances/"))
        self.error(self.get(f"/insurances/?patient_id={self.me['id']}", self.other), 404)
        self.assertIs(self.ok(self.get(item, self.user))["is_primary"], True)
        self.error(self.post("/insurances/", self.other, {"patient_id": self.me["id"], "insurance_type": "medical",
                                                          "company_name": "X", "effective_date": "2025-01-01"}), 404)

    def test_every_endpoint_needs_a_token(self):
        for method, path in (("GET", "/insurances/"), ("POST", "/insurances/"), ("GET", "/insurances/1"),
                             ("PUT", "/insurances/1"), ("DELETE", "/insurances/1"), ("PATCH", "/insurances/1/status"),
                             ("PATCH", "/insurances/1/set-primary"), ("GET", "/insurances/expiring"),
                             ("GET", "/insurances/search?company=a")):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, {"status": "active"})


# Emergency contacts -----------------------------------------------------------

class EmergencyContactTests(RecordsCase):
    def contact(self, user=None, **fields):
        body = {"name": h.unique("Contact "), "relationship": "friend", "phone_number": "555 010 0100", **fields}
        return self.made("/emergency-contacts/", body, user)

    def test_contract_body(self):
        created = self.made("/emergency-contacts/", {"patient_id": self.me["id"], **CONTACT})
        for key, value in CONTACT.items():
            self.assertEqual(created[key], "spouse" if key == "relationship" else value, key)
        self.assertEqual((created["is_active"], created["secondary_phone"], created["notes"]), (True, None, None))
        self.assert_timestamps(created)
        self.assertEqual(self.ok(self.get(f"/emergency-contacts/{created['id']}", self.user)), created)

    def test_bad_fields_are_422_naming_the_field(self):
        valid = {"name": "Sam Smith", "relationship": "sibling", "phone_number": "+44 20 7946 0958"}
        for field, value in (("name", "S"), ("name", None), ("relationship", "boss"), ("phone_number", "555-0100"),
                             ("phone_number", "1" * 21), ("secondary_phone", "12345"), ("email", "not-an-email"),
                             ("is_primary", "true"), ("is_active", None), ("address", "x" * 501)):
            with self.subTest(field=field, value=value):
                self.invalid(self.post("/emergency-contacts/", self.user, {**valid, field: value}), field)
        self.invalid(self.post("/emergency-contacts/", self.user, {}), "name", "relationship", "phone_number")
        self.check_malformed_bodies("POST", "/emergency-contacts/", self.user, string_field="name", valid=valid)

    def test_one_primary_per_patient(self):
        user = new_user()
        pid = self.ok(self.get("/patients/me", user))["id"]
        kid = self.made("/patient-management/", {"first_name": "K", "last_name": "C", "birth_date": "2015-01-01"}, user)
        jane = self.contact(user, name="Jane", is_primary=True)
        kids = self.contact(user, name="Nanny", patient_id=kid["id"], is_primary=True)
        self.assertEqual((self.primaries("emergency_contacts", pid), self.primaries("emergency_contacts", kid["id"])),
                         ([jane["id"]], [kids["id"]]))
        bob = self.contact(user, name="Bob", is_primary=True)
        self.assertEqual(self.primaries("emergency_contacts", pid), [bob["id"]])
        self.assertIs(self.ok(self.get(f"/emergency-contacts/{jane['id']}", user))["is_primary"], False)
        self.ok(self.put(f"/emergency-contacts/{jane['id']}/", user, {"is_primary": True}))
        self.assertEqual(self.primaries("emergency_contacts", pid), [jane["id"]])
        for r in self.check_both_slashes("POST", f"/emergency-contacts/{bob['id']}/set-primary", user, 200):
            self.assertIs(r.json["is_primary"], True)
        self.assertEqual(self.primaries("emergency_contacts", pid), [bob["id"]])
        self.assertEqual(self.primaries("emergency_contacts", kid["id"]), [kids["id"]])
        for r in self.check_both_slashes("GET", f"/emergency-contacts/patient/{pid}/primary", user, 200):
            self.assertEqual(r.json["id"], bob["id"])
        # Primary first, then by name.
        self.assertEqual(self.ids("/emergency-contacts/", user), [bob["id"], jane["id"]])
        self.ok(self.put(f"/emergency-contacts/{bob['id']}", user, {"is_primary": False}))
        self.assertEqual(self.primaries("emergency_contacts", pid), [])
        self.error(self.get(f"/emergency-contacts/patient/{pid}/primary", user), 404)
        self.error(self.call("POST", f"/emergency-contacts/{MISSING}/set-primary", user), 404)

    def test_filters_crud_and_paging(self):
        user = new_user()
        active = self.contact(user, name="Amy", is_primary=True)
        retired = self.contact(user, name="Ben", is_active=False, notes=SCRIPT_TEXT, secondary_phone="555 010 0199")
        self.assertEqual(self.ids("/emergency-contacts/?is_active=false", user), [retired["id"]])
        self.assertEqual(self.ids("/emergency-contacts/?is_primary=1", user), [active["id"]])
        self.assertEqual(self.ids("/emergency-contacts/?is_primary=0&is_active=true", user), [])
        self.error(self.get("/emergency-contacts/?is_active=perhaps", user), 422, "is_active")
        item = f"/emergency-contacts/{retired['id']}"
        for r in self.check_both_slashes("GET", item, user, 200):
            self.assertEqual(r.json, retired)
        self.check_both_slashes("GET", "/emergency-contacts/", user, 200)
        updated = self.ok(self.put(item, user, {"relationship": "Caregiver", "email": None, "address": SQL_TEXT}))
        self.assertEqual((updated["relationship"], updated["address"], updated["notes"]),
                         ("caregiver", SQL_TEXT, SCRIPT_TEXT))
        self.invalid(self.put(item, user, {"phone_number": None}), "phone_number")
        self.check_pagination("/emergency-contacts/", user, maximum=10000)
        self.deleted(item, "Emergency Contact deleted successfully", user)

    def test_another_users_contact_is_not_found(self):
        mine = self.contact(is_primary=True)
        item = f"/emergency-contacts/{mine['id']}"
        self.untouchable(item, [("GET", item, None), ("PUT", item, {"name": "Mallory"}), ("DELETE", item, None),
                                ("POST", item + "/set-primary", None)])
        self.contact(self.other, is_primary=True)
        self.assertEqual(self.primaries("emergency_contacts", self.me["id"]), [mine["id"]])
        self.error(self.get(f"/emergency-contacts/patient/{self.me['id']}/primary", self.other), 404)
        self.error(self.get(f"/emergency-contacts/?patient_id={self.me['id']}", self.other), 404)

    def test_every_endpoint_needs_a_token(self):
        for method, path in (("GET", "/emergency-contacts/"), ("POST", "/emergency-contacts/"),
                             ("GET", "/emergency-contacts/1"), ("PUT", "/emergency-contacts/1"),
                             ("DELETE", "/emergency-contacts/1"), ("POST", "/emergency-contacts/1/set-primary"),
                             ("GET", "/emergency-contacts/patient/1/primary")):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, CONTACT)


# Family members and their conditions ------------------------------------------

class FamilyTests(RecordsCase):
    def member(self, user=None, **fields):
        return self.made("/family-members/", {"name": h.unique("Relative "), "relationship": "cousin", **fields}, user)

    def test_contract_body_and_conditions(self):
        father = self.made("/family-members/", {"patient_id": self.me["id"], **FATHER})
        for key, value in FATHER.items():
            self.assertEqual(father[key], "father" if key == "relationship" else value, key)
        self.assertEqual((father["family_conditions"], father["gender"], father["birth_year"]), ([], None, None))
        self.assert_timestamps(father)
        base = f"/family-members/{father['id']}/conditions"
        first = self.made(base, {"condition_name": "Diabetes Type 2", "diagnosis_age": 55,
                                 "notes": "Controlled with medication"})
        self.assertEqual({k: first[k] for k in ("family_member_id", "condition_name", "diagnosis_age", "notes")},
                         {"family_member_id": father["id"], "condition_name": "Diabetes Type 2", "diagnosis_age": 55,
                          "notes": "Controlled with medication"})
        self.assert_timestamps(first)
        second = self.made(base + "/", {"condition_name": "Hypertension", "diagnosis_age": 45, "severity": "Moderate",
                                        "status": "chronic", "condition_type": "cardiovascular", "icd10_code": "I10",
                                        "family_member_id": MISSING})
        self.assertEqual((second["family_member_id"], second["severity"]), (father["id"], "moderate"))
        for r in self.check_both_slashes("GET", base, self.user, 200):
            self.assertEqual(r.json, [second, first])
        got = self.ok(self.get(f"/family-members/{father['id']}", self.user))
        self.assertEqual(got["family_conditions"], [second, first])
        listed = [m for m in self.ok(self.get("/family-members/", self.user)) if m["id"] == father["id"]]
        self.assertEqual(listed, [got])

        item = f"{base}/{first['id']}"
        updated = self.ok(self.put(item, self.user, {"diagnosis_age": 50, "notes": SQL_TEXT}))
        self.assertEqual((updated["diagnosis_age"], updated["notes"], updated["condition_name"]),
                         (50, SQL_TEXT, "Diabetes Type 2"))
        self.assertEqual(self.ok(self.get(item + "/", self.user)), updated)
        for field, value in (("condition_name", "X"), ("diagnosis_age", 121), ("diagnosis_age", -1),
                             ("severity", "extreme"), ("status", "cured"), ("condition_type", "weird"),
                             ("icd10_code", "X" * 11)):
            with self.subTest(field=field, value=value):
                self.invalid(self.post(base, self.user, {"condition_name": "Asthma", field: value}), field)
                self.invalid(self.put(item, self.user, {field: value}), field)
        self.invalid(self.post(base, self.user, {}), "condition_name")
        self.deleted(item, "Family Condition deleted successfully")
        self.assertEqual(self.ids(base), [second["id"]])
        self.error(self.get(f"/family-members/{MISSING}/conditions", self.user), 404)
        self.error(self.post(f"/family-members/{MISSING}/conditions", self.user, {"condition_name": "Gout"}), 404)

    def test_a_condition_belongs_to_its_family_member(self):
        mother, aunt = self.member(relationship="mother"), self.member(relationship="aunt")
        condition = self.made(f"/family-members/{mother['id']}/conditions", {"condition_name": "Migraine"})
        wrong = f"/family-members/{aunt['id']}/conditions/{condition['id']}"
        self.error(self.get(wrong, self.user), 404)
        self.error(self.put(wrong, self.user, {"diagnosis_age": 3}), 404)
        self.error(self.delete(wrong, self.user), 404)
        self.assertEqual(self.ok(self.get(f"/family-members/{aunt['id']}/conditions", self.user)), [])
        self.assertEqual(self.ok(self.get(f"/family-members/{mother['id']}/conditions", self.user)), [condition])
        # Deleting the family member takes the conditions along.
        self.deleted(f"/family-members/{mother['id']}", "Family Member deleted successfully")
        self.error(self.get(f"/family-members/{mother['id']}/conditions/{condition['id']}", self.user), 404)
        self.assertEqual(db_execute(f"SELECT COUNT(*) FROM family_conditions WHERE id = {condition['id']}").strip(), "0")

    def test_bad_fields_are_422_naming_the_field(self):
        valid = {"name": "Ann", "relationship": "sister"}
        for field, value in (("name", ""), ("name", "x" * 101), ("relationship", "pet"), ("relationship", None),
                             ("gender", "robot"), ("birth_year", 1800), ("birth_date", "1960-02-30"),
                             ("death_year", 2031), ("is_deceased", "no"), ("notes", "x" * 5001)):
            with self.subTest(field=field, value=value):
                self.invalid(self.post("/family-members/", self.user, {**valid, field: value}), field)
        self.invalid(self.post("/family-members/", self.user, {}), "name", "relationship")
        # A death year needs is_deceased, and may not come before the birth year.
        self.invalid(self.post("/family-members/", self.user, {**valid, "death_year": 2000}), "death_year")
        self.invalid(self.post("/family-members/", self.user, {**valid, "birth_year": 1950, "death_year": 1940,
                                                               "is_deceased": True}), "death_year")
        self.check_malformed_bodies("POST", "/family-members/", self.user, string_field="name", valid=valid)

    def test_filters_search_dropdown_and_paging(self):
        user = new_user()
        grandpa = self.member(user, name="Walter Stone", relationship="Paternal_Grandfather", gender="M",
                              birth_year=1920, death_year=1990, is_deceased=True)
        sister = self.member(user, name="Wanda Stone", relationship="sister", gender="female")
        cousin = self.member(user, name="Carl Brook", notes=UNICODE_TEXT)
        self.assertEqual(grandpa["gender"], "male")
        self.assertEqual(self.ids("/family-members/?relationship=SISTER", user), [sister["id"]])
        self.error(self.get("/family-members/?relationship=pet", user), 422, "relationship")
        for r in self.check_both_slashes("GET", "/family-members/search/?name=stone", user, 200):
            self.assertEqual([m["id"] for m in r.json], [sister["id"], grandpa["id"]])
            self.assertEqual(r.json[1]["family_conditions"], [])
        self.assertEqual(self.ids("/family-members/search/?name=%25%25", user), [])
        for query in ("", "?name=", "?name=W", "?name=%20W%20"):
            self.error(self.get("/family-members/search/" + query, user), 422, "name")
        for r in self.check_both_slashes("GET", "/family-members/dropdown", user, 200):
            self.assertEqual(r.json, [{"id": cousin["id"], "name": "Carl Brook", "relationship": "cousin"},
                                      {"id": grandpa["id"], "name": "Walter Stone",
                                       "relationship": "paternal_grandfather"},
                                      {"id": sister["id"], "name": "Wanda Stone", "relationship": "sister"}])
        updated = self.ok(self.put(f"/family-members/{sister['id']}/", user, {"is_deceased": True, "death_year": 2020,
                                                                               "birth_date": None}))
        self.assertEqual((updated["is_deceased"], updated["death_year"]), (True, 2020))
        self.invalid(self.put(f"/family-members/{sister['id']}", user, {"is_deceased": False}), "death_year")
        self.check_pagination("/family-members/", user, maximum=100)

    def test_another_users_family_is_not_found(self):
        relative = self.member(name="Private Person")
        condition = self.made(f"/family-members/{relative['id']}/conditions", {"condition_name": "Secret"})
        item = f"/family-members/{relative['id']}"
        citem = f"{item}/conditions/{condition['id']}"
        self.untouchable(item, [
            ("GET", item, None), ("PUT", item, {"name": "Mallory"}), ("DELETE", item, None),
            ("GET", item + "/conditions", None), ("POST", item + "/conditions", {"condition_name": "Injected"}),
            ("GET", citem, None), ("PUT", citem, {"condition_name": "Changed"}), ("DELETE", citem, None)])
        self.assertEqual(self.ok(self.get(item + "/conditions", self.user)), [condition])
        self.assertEqual(self.ok(self.get("/family-members/dropdown", self.other)), [])
        self.assertEqual(self.ok(self.get("/family-members/search/?name=private", self.other)), [])
        self.error(self.get(f"/family-members/dropdown?patient_id={self.me['id']}", self.other), 404)

    def test_every_endpoint_needs_a_token(self):
        for method, path in (("GET", "/family-members/"), ("POST", "/family-members/"), ("GET", "/family-members/1"),
                             ("PUT", "/family-members/1"), ("DELETE", "/family-members/1"),
                             ("GET", "/family-members/dropdown"), ("GET", "/family-members/search/?name=ab"),
                             ("GET", "/family-members/1/conditions"), ("POST", "/family-members/1/conditions"),
                             ("PUT", "/family-members/1/conditions/1"), ("DELETE", "/family-members/1/conditions/1")):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, FATHER)


# The story --------------------------------------------------------------------

class DoneWhenStoryTests(ApiTestCase):
    """As a new user: an insurance, two emergency contacts (one primary), a father with
    two conditions — counted on the dashboard. Another user sees none of it."""

    def test_story(self):
        alice, mallory = new_user(), new_user()
        pid = self.ok(self.get("/patients/me", alice))["id"]
        insurance = self.ok(self.post("/insurances/", alice, {"patient_id": pid, **INSURANCE}), 201)
        jane = self.ok(self.post("/emergency-contacts/", alice, {"patient_id": pid, **CONTACT}), 201)
        john = self.ok(self.post("/emergency-contacts/", alice, {
            "name": "John Roe", "relationship": "friend", "phone_number": "+1 555 010 0199"}), 201)
        father = self.ok(self.post("/family-members/", alice, {"patient_id": pid, **FATHER}), 201)
        base = f"/family-members/{father['id']}/conditions"
        conditions = [self.ok(self.post(base, alice, body), 201) for body in (
            {"condition_name": "Diabetes Type 2", "diagnosis_age": 55, "notes": "Controlled with medication"},
            {"condition_name": "Hypertension", "diagnosis_age": 45, "notes": "Started medication at 50"})]

        self.assertEqual([c["id"] for c in self.ok(self.get("/emergency-contacts/", alice))], [jane["id"], john["id"]])
        self.assertEqual(self.ok(self.get(f"/emergency-contacts/patient/{pid}/primary", alice))["id"], jane["id"])
        family = self.ok(self.get("/family-members/", alice))
        self.assertEqual([m["id"] for m in family], [father["id"]])
        self.assertEqual([c["condition_name"] for c in family[0]["family_conditions"]], ["Hypertension", "Diabetes Type 2"])
        self.assertEqual(self.ok(self.get("/insurances/", alice)), [insurance])
        dashboard = self.ok(self.get("/patients/me/dashboard-stats", alice))
        self.assertEqual({k: dashboard[k] for k in ("total_insurances", "total_emergency_contacts",
                                                    "total_family_members", "total_records")},
                         {"total_insurances": 1, "total_emergency_contacts": 2, "total_family_members": 1,
                          "total_records": 4})

        # Mallory sees none of it.
        for path in ("/insurances/", "/emergency-contacts/", "/family-members/", "/family-members/dropdown",
                     "/family-members/search/?name=john", "/insurances/search?company=blue", "/insurances/expiring"):
            self.assertEqual(self.ok(self.get(path, mallory)), [], path)
        for path in (f"/insurances/{insurance['id']}", f"/emergency-contacts/{jane['id']}",
                     f"/emergency-contacts/patient/{pid}/primary", f"/family-members/{father['id']}", base,
                     f"{base}/{conditions[0]['id']}", f"/insurances/?patient_id={pid}",
                     f"/family-members/?patient_id={pid}", f"/emergency-contacts/?patient_id={pid}"):
            r = self.get(path, mallory)
            self.error(r, 404)
            for secret in ("Blue Cross", "Jane Doe", "John Doe", "Diabetes"):
                self.assertNotIn(secret, r.text, path)
        self.assertEqual(self.ok(self.get("/patients/me/dashboard-stats", mallory))["total_records"], 0)

        # Deleting the account counts them in its summary.
        summary = self.ok(self.delete("/users/me", alice))["deletion_summary"]
        self.assertEqual({k: summary.get(k) for k in ("insurances", "emergency_contacts", "family_members")},
                         {"insurances": 1, "emergency_contacts": 2, "family_members": 1})


if __name__ == "__main__":
    unittest.main()
