"""Immunizations through nginx and the pool: create (either date name, the WHO code of
a standardized vaccine resolved to its id), list, get, update, delete, the per-patient
paths, /upcoming, and /history over the vaccine catalog (components, is_combined,
is_library_matched by id or by name, diseases_index, unmatched_count, date filters).

Contract: api-reference.txt "Immunizations"; decisions.md rules 3, 5, 8 and 10
(administration_date = date_administered, both returned). The catalog is the 82
vaccines of migration 0005 (MMR is `MeaslesMumpsandRubella`, id 33).
"""
import datetime
import unittest

import harness as h
from apicase import family_with_doctor, SCRIPT_TEXT, ApiTestCase, new_user

MISSING = 999999999
MMR_CODE, MMR_ID = "MeaslesMumpsandRubella", 33
TT_CODE, TT_ID = "TetanusToxoid", 53
MMR_DISEASES = ["Measles", "Mumps", "Rubella"]
HISTORY_ITEM_KEYS = ["id", "patient_id", "vaccine_name", "vaccine_trade_name", "date_administered", "dose_number",
                     "lot_number", "ndc_number", "manufacturer", "site", "route", "expiration_date", "location",
                     "notes", "practitioner_id", "tags", "standardized_vaccine_id", "components", "is_combined",
                     "is_library_matched"]


def detail_fields(body):
    detail = body.get("detail")
    if not isinstance(detail, list):
        return []
    return sorted({d["field"] for d in detail if isinstance(d, dict) and "field" in d})


def utc_today():
    return datetime.datetime.now(datetime.timezone.utc).date()


class ImmunizationCase(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        cls.me, cls.child, cls.doctor = family_with_doctor(cls.user, "Vax", "Pediatrics", "Dr. Vax")

    def create(self, body, user=None, path="/immunizations/"):
        return self.ok(self.post(path, user or self.user, body), 201)

    def invalid(self, r, *fields):
        body = self.error(r, 422, *fields)
        self.assertEqual(detail_fields(body), sorted(fields), r)
        return body

    def ids(self, path, user=None):
        return [item["id"] for item in self.ok(self.get(path, user or self.user))]


class ImmunizationTests(ImmunizationCase):
    def contract_body(self, **overrides):
        body = {"patient_id": self.me["id"], "vaccine_name": "COVID-19 Vaccine", "vaccine_type": "mRNA",
                "dose_number": 1, "administration_date": "2025-01-15", "practitioner_id": self.doctor["id"],
                "lot_number": "LOT12345", "expiration_date": "2026-01-15", "site": "Left arm",
                "route": "Intramuscular", "notes": "No adverse reactions", "standardized_vaccine_who_code": "XM1NL1"}
        body.update(overrides)
        return body

    def test_contract_body_answers_both_date_names(self):
        body = self.contract_body()
        created = self.create(body)
        for key, value in body.items():
            if key != "standardized_vaccine_who_code":
                self.assertEqual(created[key], value, key)
        self.assertEqual(created["date_administered"], "2025-01-15")
        # XM1NL1 is no code of the catalog: silently ignored, saved with a null link
        self.assertIsNone(created["standardized_vaccine_id"])
        self.assertEqual(created["practitioner"]["id"], self.doctor["id"])
        self.assertEqual(created["tags"], [])
        self.assert_timestamps(created)
        self.assertEqual(self.ok(self.get(f"/immunizations/{created['id']}", self.user)), created)
        # upstream's name on input
        other = self.create({"vaccine_name": "Tdap", "date_administered": "2023-03-03"}, path="/immunizations")
        self.assertEqual((other["date_administered"], other["administration_date"]), ("2023-03-03", "2023-03-03"))
        self.assertEqual((other["patient_id"], other["standardized_vaccine_id"], other["practitioner"]),
                         (self.me["id"], None, None))

    def test_who_code_resolution(self):
        known = self.create(self.contract_body(vaccine_name="MMR", standardized_vaccine_who_code=MMR_CODE))
        self.assertEqual(known["standardized_vaccine_id"], MMR_ID)
        self.assertNotIn("standardized_vaccine_who_code", known)
        unknown = self.create(self.contract_body(standardized_vaccine_who_code="NoSuchCode"))
        self.assertIsNone(unknown["standardized_vaccine_id"])
        item = f"/immunizations/{known['id']}"
        # an update without the code keeps the link; another code changes it
        self.assertEqual(self.ok(self.put(item, self.user, {"lot_number": "L2"}))["standardized_vaccine_id"], MMR_ID)
        self.assertEqual(self.ok(self.put(item, self.user, {"standardized_vaccine_who_code": TT_CODE}))
                         ["standardized_vaccine_id"], TT_ID)
        # an explicit null clears it
        cleared = self.ok(self.put(item, self.user, {"standardized_vaccine_who_code": None}))
        self.assertIsNone(cleared["standardized_vaccine_id"])
        self.assertEqual(self.ok(self.get(item, self.user)), cleared)
        # an unknown code saves with a null link (the contract's words for update too)
        self.ok(self.put(item, self.user, {"standardized_vaccine_who_code": MMR_CODE}))
        self.assertIsNone(self.ok(self.put(item, self.user, {"standardized_vaccine_who_code": "Nope"}))
                          ["standardized_vaccine_id"])
        # the id itself may be given; it must exist
        no_code = {k: v for k, v in self.contract_body().items() if k != "standardized_vaccine_who_code"}
        self.assertEqual(self.create({**no_code, "standardized_vaccine_id": MMR_ID})["standardized_vaccine_id"], MMR_ID)
        before = self.ids("/immunizations/?limit=100")
        self.invalid(self.post("/immunizations/", self.user, {**no_code, "standardized_vaccine_id": MISSING}),
                     "standardized_vaccine_id")
        for bad in (42, ["MMR"], {"code": MMR_CODE}, True):
            with self.subTest(code=bad):
                self.error(self.post("/immunizations/", self.user, self.contract_body(standardized_vaccine_who_code=bad)),
                           422, "standardized_vaccine_who_code")
        self.assertEqual(self.ids("/immunizations/?limit=100"), before)

    def test_bad_fields_are_422_naming_the_field(self):
        before = self.ids("/immunizations/?limit=100")
        self.invalid(self.post("/immunizations/", self.user, {"patient_id": self.me["id"]}),
                     "date_administered", "vaccine_name")
        valid = self.contract_body()
        for field, value, named in (
            ("vaccine_name", "", "vaccine_name"), ("vaccine_name", "x", "vaccine_name"),
            ("vaccine_name", "v" * 201, "vaccine_name"), ("vaccine_name", None, "vaccine_name"),
            ("administration_date", "2025-02-30", "date_administered"), ("administration_date", None, "date_administered"),
            ("administration_date", "15.01.2025", "date_administered"), ("dose_number", 0, "dose_number"),
            ("dose_number", 101, "dose_number"), ("dose_number", "1", "dose_number"), ("dose_number", 1.5, "dose_number"),
            ("expiration_date", "2026-13-01", "expiration_date"), ("practitioner_id", MISSING, "practitioner_id"),
            ("lot_number", "l" * 51, "lot_number"), ("site", 5, "site"), ("tags", "flu", "tags"),
        ):
            with self.subTest(field=field, value=repr(value)[:40]):
                self.invalid(self.post("/immunizations/", self.user, {**valid, field: value}), named)
        without = {k: v for k, v in valid.items() if k != "administration_date"}
        self.invalid(self.post("/immunizations/", self.user, {**without, "date_administered": "never"}), "date_administered")
        self.check_malformed_bodies("POST", "/immunizations/", self.user, string_field="vaccine_name", valid=valid)
        self.assertEqual(self.ids("/immunizations/?limit=100"), before)

    def test_list_filters_paths_and_upcoming(self):
        user = new_user()
        pid = self.ok(self.get("/patients/me", user))["id"]
        later = (utc_today() + datetime.timedelta(days=40)).isoformat()
        made = {}
        for key, name, date in (("A", "Influenza", "2024-10-01"), ("B", "Hepatitis B", "2023-05-05"),
                                ("C", "Influenza high-dose", "2025-10-01"), ("D", "Shingrix", later),
                                ("E", "Yellow Fever", "2099-01-01")):
            made[key] = self.create({"vaccine_name": name, "date_administered": date}, user)["id"]

        def ids(*keys):
            return [made[k] for k in keys]

        everything = ids("E", "D", "C", "A", "B")  # by date given, latest first
        for path in ("/immunizations", f"/immunizations/patient/{pid}/immunizations", f"/patients/{pid}/immunizations"):
            for r in self.check_both_slashes("GET", path, user, 200):
                self.assertEqual([i["id"] for i in r.json], everything)
        self.assertEqual(self.ids("/immunizations/?vaccine_name=influenza", user), ids("C", "A"))
        self.assertEqual(self.ids("/immunizations/?start_date=2024-10-01&end_date=2025-10-01", user), ids("C", "A"))
        self.assertEqual(self.ids("/immunizations/?end_date=2024-09-30", user), ids("B"))
        self.error(self.get("/immunizations/?start_date=nope", user), 422, "start_date")
        self.check_pagination("/immunizations/", user, maximum=100)
        for r in self.check_both_slashes("GET", f"/immunizations/patient/{pid}/upcoming", user, 200):
            self.assertEqual([i["id"] for i in r.json], ids("E", "D"))
        for path in (f"/immunizations/patient/{MISSING}/upcoming", f"/immunizations/patient/{MISSING}/immunizations",
                     f"/patients/{MISSING}/immunizations", f"/immunizations/?patient_id={MISSING}"):
            self.error(self.get(path, user), 404)
        self.error(self.get("/immunizations/patient/abc/upcoming", user), 422, "patient_id")

    def test_get_update_delete(self):
        created = self.create(self.contract_body(vaccine_name="Hep A"))
        item = f"/immunizations/{created['id']}"
        for r in self.check_both_slashes("GET", item, self.user, 200):
            self.assertEqual(r.json, created)
        updated = self.ok(self.put(item, self.user, {"administration_date": "2025-02-01", "dose_number": 2,
                                                     "patient_id": self.child["id"], "notes": SCRIPT_TEXT}))
        self.assertEqual((updated["date_administered"], updated["administration_date"], updated["dose_number"]),
                         ("2025-02-01", "2025-02-01", 2))
        self.assertEqual((updated["patient_id"], updated["notes"]), (self.me["id"], SCRIPT_TEXT))
        updated = self.ok(self.put(item + "/", self.user, {"date_administered": "2025-02-02", "practitioner_id": None}))
        self.assertEqual((updated["administration_date"], updated["practitioner"]), ("2025-02-02", None))
        for body, field in (({"vaccine_name": None}, "vaccine_name"), ({"date_administered": None}, "date_administered"),
                            ({"administration_date": "x"}, "date_administered"), ({"dose_number": -1}, "dose_number")):
            self.invalid(self.put(item, self.user, body), field)
        self.assertEqual(self.ok(self.get(item, self.user)), updated)
        self.assertEqual(self.ok(self.delete(item, self.user)), {"message": "Immunization deleted successfully"})
        for method in ("GET", "PUT", "DELETE"):
            self.error(self.call(method, item, self.user, json_body={"dose_number": 1} if method == "PUT" else None), 404)
        self.error(self.get("/immunizations/abc", self.user), 422, "immunization_id")

    def test_every_endpoint_needs_a_token(self):
        for method, path in (("GET", "/immunizations/"), ("POST", "/immunizations/"), ("GET", "/immunizations/1"),
                             ("PUT", "/immunizations/1"), ("DELETE", "/immunizations/1"),
                             ("GET", "/immunizations/patient/1/upcoming"), ("GET", "/immunizations/patient/1/history"),
                             ("GET", "/immunizations/patient/1/immunizations"), ("GET", "/patients/1/immunizations")):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, {"vaccine_name": "X", "date_administered": "2025-01-01"})


class HistoryTests(ImmunizationCase):
    """/immunizations/patient/{id}/history: one record under each disease it covers."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.pid = cls.me["id"]
        cls.records = {}
        for key, body in (
            # matched by the chosen vaccine (its id), whatever the record is called
            ("fk", {"vaccine_name": "School shot", "date_administered": "2020-01-10", "standardized_vaccine_who_code": MMR_CODE}),
            # matched by name: a common name, the vaccine's own name, a brand, any case
            ("common", {"vaccine_name": "mmr", "date_administered": "2021-02-10"}),
            ("name", {"vaccine_name": "MEASLES, MUMPS AND RUBELLA", "date_administered": "2022-03-10"}),
            ("brand", {"vaccine_name": "priorix", "date_administered": "2022-03-10", "dose_number": 2}),
            ("dtap", {"vaccine_name": "DTaP", "vaccine_trade_name": "Daptacel", "date_administered": "2024-03-15",
                      "dose_number": 4, "lot_number": "ABC123"}),
            ("single", {"vaccine_name": "Tetanus Toxoid", "date_administered": "2023-07-07"}),
            ("unmatched", {"vaccine_name": "Homemade serum", "date_administered": "2023-08-08"}),
        ):
            r = h.post("/api/v1/immunizations/", token=cls.user.token, json_body=body)
            assert r.status == 201, r
            cls.records[key] = r.json

    def history(self, query="", user=None, pid=None):
        return self.ok(self.get(f"/immunizations/patient/{pid or self.pid}/history{query}", user or self.user))

    def rid(self, *keys):
        return [self.records[k]["id"] for k in keys]

    def test_items_components_and_index(self):
        for r in self.check_both_slashes("GET", f"/immunizations/patient/{self.pid}/history", self.user, 200):
            self.assertEqual(list(r.json), ["items", "diseases_index", "unmatched_count"])
        body = self.history()
        items = {item["id"]: item for item in body["items"]}
        # latest first; same day: the later record first
        self.assertEqual([item["id"] for item in body["items"]],
                         self.rid("dtap", "unmatched", "single", "brand", "name", "common", "fk"))
        for item in body["items"]:
            self.assert_has_fields(item, HISTORY_ITEM_KEYS)
            self.assertEqual(item["patient_id"], self.pid)
        for key in ("fk", "common", "name", "brand"):
            with self.subTest(record=key):
                item = items[self.records[key]["id"]]
                self.assertEqual(item["components"], MMR_DISEASES)
                self.assertIs(item["is_combined"], True)
                self.assertIs(item["is_library_matched"], True)
        self.assertEqual(items[self.records["fk"]["id"]]["standardized_vaccine_id"], MMR_ID)
        self.assertEqual(items[self.records["fk"]["id"]]["vaccine_name"], "School shot")
        dtap = items[self.records["dtap"]["id"]]
        self.assertEqual((dtap["components"], dtap["is_combined"], dtap["is_library_matched"]),
                         (["Diphtheria", "Tetanus", "Pertussis"], True, True))
        self.assertEqual((dtap["vaccine_trade_name"], dtap["dose_number"], dtap["lot_number"], dtap["date_administered"]),
                         ("Daptacel", 4, "ABC123", "2024-03-15"))
        single = items[self.records["single"]["id"]]
        self.assertEqual((single["components"], single["is_combined"], single["is_library_matched"]), (["Tetanus"], False, True))
        unmatched = items[self.records["unmatched"]["id"]]
        self.assertEqual((unmatched["components"], unmatched["is_combined"], unmatched["is_library_matched"]),
                         ([], False, False))
        self.assertEqual(body["unmatched_count"], 1)
        mmr = self.rid("brand", "name", "common", "fk")
        self.assertEqual(body["diseases_index"], {
            "Diphtheria": self.rid("dtap"), "Tetanus": self.rid("dtap", "single"), "Pertussis": self.rid("dtap"),
            "Measles": mmr, "Mumps": mmr, "Rubella": mmr,
        })

    def test_date_filters(self):
        body = self.history("?start_date=2022-03-10&end_date=2023-07-07")
        self.assertEqual([item["id"] for item in body["items"]], self.rid("single", "brand", "name"))
        self.assertEqual(body["unmatched_count"], 0)
        self.assertEqual(body["diseases_index"], {"Tetanus": self.rid("single"), "Measles": self.rid("brand", "name"),
                                                  "Mumps": self.rid("brand", "name"), "Rubella": self.rid("brand", "name")})
        self.assertEqual([i["id"] for i in self.history("?start_date=2023-08-08")["items"]], self.rid("dtap", "unmatched"))
        self.assertEqual([i["id"] for i in self.history("?end_date=2020-01-10")["items"]], self.rid("fk"))
        self.assertEqual(self.history("?start_date=2030-01-01"), {"items": [], "diseases_index": {}, "unmatched_count": 0})
        self.assertEqual(self.history("?start_date=&end_date="), self.history())
        for query, name in (("start_date=2022-02-30", "start_date"), ("end_date=tomorrow", "end_date")):
            self.error(self.get(f"/immunizations/patient/{self.pid}/history?{query}", self.user), 422, name)

    def test_clearing_the_link_unmatches_a_record(self):
        user = new_user()
        pid = self.ok(self.get("/patients/me", user))["id"]
        record = self.create({"vaccine_name": "Flu shot", "date_administered": "2024-10-10",
                              "standardized_vaccine_who_code": MMR_CODE}, user)
        body = self.history(user=user, pid=pid)
        self.assertEqual((body["items"][0]["components"], body["unmatched_count"]), (MMR_DISEASES, 0))
        self.ok(self.put(f"/immunizations/{record['id']}", user, {"standardized_vaccine_who_code": None}))
        body = self.history(user=user, pid=pid)
        self.assertEqual((body["items"][0]["is_library_matched"], body["items"][0]["components"]), (False, []))
        self.assertEqual((body["diseases_index"], body["unmatched_count"]), ({}, 1))
        self.ok(self.put(f"/immunizations/{record['id']}", user, {"standardized_vaccine_who_code": TT_CODE}))
        self.assertEqual(self.history(user=user, pid=pid)["diseases_index"], {"Tetanus": [record["id"]]})

    def test_empty_missing_and_forbidden_patients(self):
        self.assertEqual(self.history(pid=self.child["id"]), {"items": [], "diseases_index": {}, "unmatched_count": 0})
        self.error(self.get(f"/immunizations/patient/{MISSING}/history", self.user), 404)
        self.error(self.get("/immunizations/patient/abc/history", self.user), 422, "patient_id")
        other = new_user()
        r = self.get(f"/immunizations/patient/{self.pid}/history", other)
        self.error(r, 403)
        self.assertNotIn("Homemade", r.text)
        self.assertNotIn("items", r.json)


if __name__ == "__main__":
    unittest.main()
