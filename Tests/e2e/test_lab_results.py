"""Lab results, their test components (bulk, statistics, trends) and their links to
conditions, encounters (from both sides) and treatments, through nginx and the pool."""

import unittest
from urllib.parse import quote

import harness as h
from apicase import ApiTestCase, family_with_doctor, new_user

COMPONENTS = "/lab-test-components/lab-result/{}/components"


class LabCase(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        cls.me, cls.child, cls.doctor = family_with_doctor(cls.user, "Lab", "Pathology", "Dr. Lab")
        cls.other = new_user()

    def made(self, path, body, user=None, status=201):
        return self.ok(self.post(path, user or self.user, body), status)

    def result(self, user=None, **fields):
        return self.made("/lab-results/", {"test_name": h.unique("Panel "), **fields}, user)

    def component(self, lab, user=None, **fields):
        body = {"test_name": "Glucose", "value": 90, "unit": "mg/dL", **fields}
        return self.made(COMPONENTS.format(lab["id"]), body, user)


class LabResultCrudTests(LabCase):
    def test_crud_enums_and_validation(self):
        r = self.result(test_code="CBC", test_category="hematology", test_type="routine", facility="LabCorp",
                        ordered_date="2025-10-01", completed_date="2025-10-02", practitioner_id=self.doctor["id"],
                        labs_result="normal", notes="Routine checkup", tags=["annual", "routine"])
        self.assertEqual(r["status"], "ordered")  # upstream's default
        self.assertEqual(r["patient"]["id"], self.me["id"])
        self.assertEqual(r["practitioner"]["id"], self.doctor["id"])
        self.assert_timestamps(r)
        self.assertEqual(self.ok(self.get(f"/lab-results/{r['id']}", self.user)), r)
        self.check_both_slashes("GET", "/lab-results/", self.user, 200)
        both = self.check_both_slashes("POST", "/lab-results/", self.user, 201, json_body={"test_name": "Slash"})
        for made in both:
            self.ok(self.delete(f"/lab-results/{made.json['id']}", self.user))
        updated = self.ok(self.put(f"/lab-results/{r['id']}", self.user, {"status": "in_progress"}))
        self.assertEqual(updated["status"], "in-progress")
        self.assertEqual(updated["test_code"], "CBC")
        self.check_field_errors("POST", "/lab-results/", self.user, {"test_name": "Valid"}, 422, [
            ("test_name", ""), ("status", "done"), ("labs_result", "fine"), ("test_category", "astrology"),
            ("test_type", "someday"), ("ordered_date", "2025-13-01"), ("practitioner_id", 10**12),
            ("tags", "not-a-list"), ("test_code", "x" * 51)])
        self.error(self.post("/lab-results/", self.user, {"facility": "x"}), 422, "test_name")
        self.error(self.put(f"/lab-results/{r['id']}", self.user, {"completed_date": "2025-09-01"}),
                   422, "completed_date")
        self.check_malformed_bodies("POST", "/lab-results/", self.user, string_field="test_name")
        self.check_unauthenticated("GET", "/lab-results/")
        self.check_unauthenticated("POST", f"{COMPONENTS.format(r['id'])}/bulk", {"components": []})
        self.assertEqual(self.ok(self.delete(f"/lab-results/{r['id']}", self.user)), {
            "message": "Lab result and associated files deleted successfully", "files_deleted": 0,
            "files_preserved": 0})
        self.error(self.get(f"/lab-results/{r['id']}", self.user), 404)

    def test_lists_searches_and_counts(self):
        code = h.unique("T").upper()[:20]
        a = self.result(test_code=code, practitioner_id=self.doctor["id"], tags=["lipids"])
        b = self.result(test_code=code + "_X")
        kid = self.result(test_code=code, patient_id=self.child["id"])
        me = self.me["id"]
        self.check_pagination("/lab-results/", self.user, maximum=1000)
        for path in (f"/lab-results/patient/{me}", f"/patients/{me}/lab-results", f"/lab-results/?patient_id={me}"):
            with self.subTest(path=path):
                listed = [x["id"] for x in self.ok(self.get(path, self.user))]
                self.assertIn(a["id"], listed)
                self.assertNotIn(kid["id"], listed)
                self.check_both_slashes("GET", path, self.user, 200)
        self.assertEqual([x["id"] for x in self.ok(self.get("/lab-results/?tags=lipids", self.user))], [a["id"]])
        self.assertEqual([x["id"] for x in self.ok(self.get(f"/lab-results/patient/{me}/code/{code}", self.user))],
                         [a["id"]])
        exact = {x["id"] for x in self.ok(self.get(f"/lab-results/search/code/{code}", self.user))}
        self.assertEqual(exact, {a["id"], kid["id"]})  # every patient the caller may see
        partial = {x["id"] for x in self.ok(self.get(f"/lab-results/search/code-pattern/{code[1:]}", self.user))}
        self.assertEqual(partial, {a["id"], b["id"], kid["id"]})
        literal = self.ok(self.get(f"/lab-results/search/code-pattern/{quote(code + '_')}", self.user))
        self.assertEqual([x["id"] for x in literal], [b["id"]])  # "_" is not a wildcard
        self.assertEqual(self.ok(self.get("/lab-results/search/code-pattern/%25", self.user)), [])
        self.check_both_slashes("GET", f"/lab-results/search/code/{code}", self.user, 200)
        self.assertEqual(self.ok(self.get(f"/lab-results/practitioner/{self.doctor['id']}", self.user))[0]["id"],
                         a["id"])
        self.assertEqual(self.ok(self.get(f"/lab-results/stats/code/{code}/count", self.user)),
                         {"code": code, "usage_count": 2})
        count = self.ok(self.get(f"/lab-results/stats/patient/{self.child['id']}/count", self.user))
        self.assertEqual(count, {"patient_id": self.child["id"], "lab_result_count": 1})
        by_doctor = self.ok(self.get(f"/lab-results/stats/practitioner/{self.doctor['id']}/count", self.user))
        self.assertGreaterEqual(by_doctor["lab_result_count"], 1)
        self.error(self.get("/lab-results/patient/abc", self.user), 422, "patient_id")


class LabAuthorizationTests(LabCase):
    """Another user reaches none of it: records, components, links, bulk lists, counts."""

    def test_records_and_lists(self):
        r = self.result(test_code="AUTHZ1", practitioner_id=self.doctor["id"])
        for method, body in (("GET", None), ("PUT", {"status": "completed"}), ("DELETE", None)):
            self.error(self.call(method, f"/lab-results/{r['id']}", self.other, json_body=body), 404)
        me = self.me["id"]
        for path in (f"/lab-results/?patient_id={me}", f"/lab-results/patient/{me}", f"/patients/{me}/lab-results",
                     f"/lab-results/patient/{me}/code/AUTHZ1", f"/lab-results/stats/patient/{me}/count"):
            with self.subTest(path=path):
                self.error(self.get(path, self.other), 404)
        self.error(self.post("/lab-results/", self.other, {"test_name": "x", "patient_id": me}), 404)
        for path in ("/lab-results/search/code/AUTHZ1", "/lab-results/search/code-pattern/AUTHZ",
                     f"/lab-results/practitioner/{self.doctor['id']}"):
            self.assertEqual(self.ok(self.get(path, self.other)), [], path)
        self.assertEqual(self.ok(self.get("/lab-results/stats/code/AUTHZ1/count", self.other))["usage_count"], 0)
        self.assertEqual(
            self.ok(self.get(f"/lab-results/stats/practitioner/{self.doctor['id']}/count", self.other)),
            {"practitioner_id": self.doctor["id"], "lab_result_count": 0})
        self.assertEqual(self.ok(self.get(f"/lab-results/{r['id']}", self.user))["status"], "ordered")

    def test_components(self):
        lab = self.result()
        c = self.component(lab)
        base = COMPONENTS.format(lab["id"])
        item = f"/lab-test-components/components/{c['id']}"
        calls = (("GET", base, None), ("POST", base, {"test_name": "X", "value": 1, "unit": "u"}),
                 ("POST", f"{base}/bulk", {"components": [{"test_name": "X", "value": 1, "unit": "u"}]}),
                 ("GET", item, None), ("PUT", item, {"value": 1}), ("DELETE", item, None),
                 ("GET", f"/lab-test-components/lab-result/{lab['id']}/statistics", None),
                 ("GET", f"/lab-test-components/patient/{self.me['id']}/trends/Glucose", None),
                 ("GET", f"/lab-test-components/patient/{self.me['id']}/trends?test_name=Glucose", None))
        for method, path, body in calls:
            with self.subTest(method=method, path=path):
                self.error(self.call(method, path, self.other, json_body=body), 404)
        self.assertEqual(self.ok(self.get(item, self.user))["value"], 90)

    def test_links(self):
        lab = self.result()
        mine = {"condition": self.made("/conditions/", {"condition_name": "Diabetes"}),
                "encounter": self.made("/encounters/", {"encounter_date": "2026-01-10"}),
                "treatment": self.made("/treatments/", {"treatment_name": "Statin plan"})}
        theirs = {"condition": self.made("/conditions/", {"condition_name": "Other"}, self.other),
                  "encounter": self.made("/encounters/", {"encounter_date": "2026-01-10"}, self.other),
                  "treatment": self.made("/treatments/", {"treatment_name": "Other plan"}, self.other)}
        childs = {"condition": self.made("/conditions/", {"condition_name": "Croup", "patient_id": self.child["id"]}),
                  "encounter": self.made("/encounters/", {"encounter_date": "2026-01-10",
                                                          "patient_id": self.child["id"]})}
        their_lab = self.result(self.other)
        # From the lab result's side.
        for kind, status in (("condition", 201), ("encounter", 201)):
            path = f"/lab-results/{lab['id']}/{kind}s"
            with self.subTest(kind=kind):
                self.error(self.post(path, self.user, {f"{kind}_id": theirs[kind]["id"]}), 404)
                self.error(self.post(path, self.user, {f"{kind}_id": childs[kind]["id"]}), 400)
                link = self.ok(self.post(path, self.user, {f"{kind}_id": mine[kind]["id"]}), status)
                self.error(self.post(path, self.user, {f"{kind}_id": mine[kind]["id"]}), 400)
                self.error(self.get(path, self.other), 404)
                self.error(self.post(path, self.other, {f"{kind}_id": theirs[kind]["id"]}), 404)
                self.error(self.put(f"{path}/{link['id']}", self.other, {"relevance_note": "x"}), 404)
                self.error(self.delete(f"{path}/{link['id']}", self.other), 404)
        self.error(self.post(f"/lab-results/{lab['id']}/encounters/bulk", self.user,
                             {"encounter_ids": [mine["encounter"]["id"], theirs["encounter"]["id"]]}), 404)
        # From the other records' sides.
        for path, key in ((f"/encounters/{mine['encounter']['id']}/lab-results", "lab_result_id"),
                          (f"/treatments/{mine['treatment']['id']}/lab-results", "lab_result_id")):
            with self.subTest(path=path):
                self.error(self.post(path, self.user, {key: their_lab["id"]}), 404)
                self.error(self.post(f"{path}/bulk", self.user, {key + "s": [lab["id"], their_lab["id"]]}), 404)
                self.error(self.get(path, self.other), 404)
                self.error(self.post(f"{path}/bulk", self.other, {key + "s": [their_lab["id"]]}), 404)
        self.error(self.get(f"/conditions/{mine['condition']['id']}/lab-results", self.other), 404)
        self.error(self.get(f"/lab-results/{lab['id']}/treatments", self.other), 404)
        self.assertEqual(len(self.ok(self.get(f"/lab-results/{lab['id']}/encounters", self.user))), 1)
        self.assertEqual(self.ok(self.get(f"/treatments/{mine['treatment']['id']}/lab-results", self.user)), [])


class LabComponentTests(LabCase):
    def test_crud_filters_and_statistics(self):
        lab = self.result()
        base = COMPONENTS.format(lab["id"])
        c = self.component(lab, test_name="White Blood Cell Count", abbreviation="WBC", value=7.5, unit="x10*9/L",
                           ref_range_text="4.5 - 11.0", status="normal", category="hematology", display_order=2,
                           canonical_test_name="White Blood Cell Count", notes="Optional notes")
        self.assertEqual(c["lab_result_id"], lab["id"])
        self.assertEqual(c["result_type"], "quantitative")
        self.assertEqual(c["lab_result"]["id"], lab["id"])
        self.component(lab, test_name="Hemoglobin", value=11, unit="g/dL", status="low", category="hematology",
                       display_order=1)
        self.component(lab, test_name="HIV", result_type="qualitative", qualitative_value="negative",
                       value=None, unit=None, status="normal", category="serology")
        listed = self.ok(self.get(base, self.user))
        self.assertEqual([x["test_name"] for x in listed], ["Hemoglobin", "White Blood Cell Count", "HIV"])
        self.check_both_slashes("GET", base, self.user, 200)
        self.assertEqual(len(self.ok(self.get(f"{base}?category=hematology", self.user))), 2)
        self.assertEqual([x["test_name"] for x in self.ok(self.get(f"{base}?status=low", self.user))], ["Hemoglobin"])
        self.error(self.get(f"{base}?status=weird", self.user), 422, "status")
        self.check_pagination(base, self.user, maximum=1000)
        item = f"/lab-test-components/components/{c['id']}"
        got = self.ok(self.get(item, self.user))
        self.assertEqual(got["lab_result"]["test_name"], lab["test_name"])
        self.assertEqual(self.ok(self.put(item, self.user, {"value": 12.5, "status": "high"}))["value"], 12.5)
        self.error(self.put(item, self.user, {"value": None}), 422, "value")
        self.error(self.put(item, self.user, {"ref_range_min": 10, "ref_range_max": 5}), 422, "ref_range_max")
        self.check_field_errors("POST", base, self.user, {"test_name": "X", "value": 1, "unit": "u"}, 422, [
            ("test_name", ""), ("value", "high"), ("status", "fine"), ("result_type", "both"),
            ("display_order", -1)])
        self.error(self.post(base, self.user, {"test_name": "X"}), 422, "value")
        self.error(self.post(base, self.user, {"test_name": "X", "result_type": "qualitative"}), 422,
                   "qualitative_value")
        stats = self.ok(self.get(f"/lab-test-components/lab-result/{lab['id']}/statistics", self.user))
        self.assertEqual((stats["total_components"], stats["normal_count"], stats["abnormal_count"]), (3, 1, 2))
        self.assertEqual(stats["category_counts"], {"hematology": 2, "serology": 1})
        self.assertEqual(stats["result_type_counts"], {"qualitative": 1, "quantitative": 2})
        deleted = self.delete(item, self.user)
        self.assertEqual(deleted.status, 204, deleted)
        self.error(self.get(item, self.user), 404)
        other_lab = self.result()
        self.error(self.post(f"{base}/bulk", self.user, {"lab_result_id": other_lab["id"],
                                                         "components": [{"test_name": "X", "value": 1, "unit": "u"}]}),
                   422, "lab_result_id")
        self.error(self.post(f"{base}/bulk", self.user, {"components": []}), 422, "components")
        self.error(self.post(f"{base}/bulk", self.user, {"components": [{"test_name": "X"}]}), 422, "value")
        # Deleting the result removes its components.
        self.ok(self.delete(f"/lab-results/{lab['id']}", self.user))
        self.error(self.get(base, self.user), 404)


class LabLinkTests(LabCase):
    def test_condition_links(self):
        lab = self.result()
        condition = self.made("/conditions/", {"condition_name": "Type 2 Diabetes", "severity": "moderate"})
        path = f"/lab-results/{lab['id']}/conditions"
        link = self.made(path, {"condition_id": condition["id"], "relevance_note": "Monitoring glucose"})
        self.assertEqual(link["condition"]["diagnosis"], "Type 2 Diabetes")
        self.assertEqual(link["condition"]["severity"], "moderate")
        self.check_both_slashes("GET", path, self.user, 200)
        self.assertEqual([x["id"] for x in self.ok(self.get(path, self.user))], [link["id"]])
        self.assertEqual(self.ok(self.put(f"{path}/{link['id']}", self.user, {"relevance_note": "Updated"}))
                         ["relevance_note"], "Updated")
        reverse = self.ok(self.get(f"/conditions/{condition['id']}/lab-results", self.user))
        self.assertEqual(reverse[0]["lab_result"]["id"], lab["id"])
        self.error(self.post(path, self.user, {"condition_id": "x"}), 422, "condition_id")
        self.error(self.put(f"{path}/{link['id']}", self.user, {"relevance_note": "x" * 501}), 422, "relevance_note")
        self.assertEqual(self.ok(self.delete(f"{path}/{link['id']}", self.user)),
                         {"message": "Lab result condition relationship deleted successfully"})
        self.assertEqual(self.ok(self.get(path, self.user)), [])

    def test_encounter_links_from_both_sides(self):
        lab = self.result(completed_date="2026-01-12", status="completed")
        visits = [self.made("/encounters/", {"encounter_date": f"2026-01-1{n}", "reason": f"Visit {n}"})
                  for n in range(3)]
        from_lab = f"/lab-results/{lab['id']}/encounters"
        link = self.made(from_lab, {"encounter_id": visits[0]["id"], "purpose": "ordered_during",
                                    "relevance_note": "CBC ordered during checkup"})
        self.assertEqual(link["encounter"]["id"], visits[0]["id"])
        self.assertEqual((link["lab_result_name"], link["lab_result_date"], link["encounter_reason"]),
                         (lab["test_name"], "2026-01-12", "Visit 0"))
        self.error(self.post(from_lab, self.user, {"encounter_id": visits[1]["id"], "purpose": "maybe"}),
                   422, "purpose")
        self.error(self.post(from_lab, self.user, {"lab_result_id": lab["id"]}), 422, "encounter_id")
        bulk = self.ok(self.post(f"{from_lab}/bulk", self.user,
                                 {"encounter_ids": [visits[0]["id"], visits[1]["id"]], "purpose": "reference"}))
        self.assertEqual([x["encounter_id"] for x in bulk], [visits[1]["id"]])
        self.error(self.post(f"{from_lab}/bulk", self.user, {"encounter_ids": []}), 422, "encounter_ids")
        self.check_both_slashes("GET", from_lab, self.user, 200)
        updated = self.ok(self.put(f"{from_lab}/{link['id']}", self.user, {"purpose": "results_reviewed"}))
        self.assertEqual(updated["purpose"], "results_reviewed")
        from_visit = f"/encounters/{visits[2]['id']}/lab-results"
        other = self.made(from_visit, {"lab_result_id": lab["id"], "purpose": "follow_up_for"})
        self.assertEqual(other["lab_result"]["id"], lab["id"])
        self.ok(self.post(f"{from_visit}/bulk", self.user, {"lab_result_ids": [lab["id"]]}))
        self.assertEqual(len(self.ok(self.get(from_lab, self.user))), 3)
        seen = self.ok(self.get(f"/encounters/{visits[0]['id']}/lab-results", self.user))
        self.assertEqual([(x["lab_result"]["id"], x["purpose"]) for x in seen], [(lab["id"], "results_reviewed")])
        self.ok(self.put(f"{from_visit}/{other['id']}", self.user, {"relevance_note": "Seen again"}))
        self.assertEqual(self.ok(self.delete(f"{from_visit}/{other['id']}", self.user)),
                         {"message": "Encounter lab result relationship deleted successfully"})
        self.assertEqual(self.ok(self.delete(f"{from_lab}/{link['id']}", self.user)),
                         {"message": "Lab result encounter relationship deleted successfully"})
        # A link reached through the wrong record is absent.
        self.error(self.delete(f"/encounters/{visits[2]['id']}/lab-results/{bulk[0]['id']}", self.user), 404)
        self.assertEqual(len(self.ok(self.get(from_lab, self.user))), 1)

    def test_treatment_links(self):
        t = self.made("/treatments/", {"treatment_name": "Statin therapy"})
        labs = [self.result(), self.result()]
        path = f"/treatments/{t['id']}/lab-results"
        link = self.ok(self.post(path, self.user, {"lab_result_id": labs[0]["id"], "purpose": "monitoring",
                                                   "expected_frequency": "every 3 months"}))
        self.assertEqual(link["lab_result"]["id"], labs[0]["id"])
        bulk = self.ok(self.post(f"{path}/bulk", self.user, {"lab_result_ids": [x["id"] for x in labs],
                                                             "relevance_note": "baseline"}))
        self.assertEqual([x["lab_result_id"] for x in bulk], [labs[1]["id"]])
        self.check_both_slashes("GET", path, self.user, 200)
        self.assertEqual(self.ok(self.put(f"{path}/{link['id']}", self.user, {"expected_frequency": "yearly"}))
                         ["expected_frequency"], "yearly")
        self.error(self.put(f"{path}/{link['id']}", self.user, {"purpose": "x" * 51}), 422, "purpose")
        self.assertEqual(self.ok(self.get(f"/lab-results/{labs[0]['id']}/treatments", self.user))[0]["treatment"]["id"],
                         t["id"])
        self.assertEqual(self.ok(self.delete(f"{path}/{link['id']}", self.user)),
                         {"status": "success", "message": "Lab result link removed"})
        self.assertEqual(len(self.ok(self.get(path, self.user))), 1)


class LipidPanelStoryTests(LabCase):
    def test_the_lipid_panel(self):
        """A lipid panel as one result with four components in one bulk call (one bad
        component reported, the rest saved); LDL's trend across three results; the result
        linked to a condition and an encounter (and seen from the encounter); found by
        LOINC code and by code pattern; another user sees none of it."""
        user, other = new_user(), new_user()
        me = self.ok(self.get("/patients/me", user))["id"]
        code = h.unique("LIPID").upper()
        earlier = []
        for day, ldl in (("2025-03-02", 162), ("2025-09-14", 141)):
            lab = self.result(user, test_name="Lipid panel", test_code=code, completed_date=day, status="completed")
            self.made(f"{COMPONENTS.format(lab['id'])}", {"test_name": "LDL-C", "canonical_test_name": "LDL Cholesterol",
                                                          "test_code": "13457-7", "value": ldl, "unit": "mg/dL",
                                                          "ref_range_max": 100, "status": "high"}, user)
            earlier.append(lab)
        panel = self.result(user, test_name="Lipid panel", test_code=code, test_category="chemistry",
                            ordered_date="2026-02-01", completed_date="2026-02-03", status="completed",
                            labs_result="high")
        saved = self.made(f"{COMPONENTS.format(panel['id'])}/bulk", {"lab_result_id": panel["id"], "components": [
            {"test_name": "LDL Cholesterol", "abbreviation": "LDL", "test_code": "13457-7", "value": 118,
             "unit": "mg/dL", "ref_range_max": 100, "status": "high", "category": "lipids", "display_order": 1},
            {"test_name": "HDL Cholesterol", "abbreviation": "HDL", "test_code": "2085-9", "value": 52,
             "unit": "mg/dL", "ref_range_min": 40, "status": "normal", "category": "lipids", "display_order": 2},
            {"test_name": "Triglycerides", "test_code": "2571-8", "value": "lots", "unit": "mg/dL"},
            {"test_name": "Total Cholesterol", "test_code": "2093-3", "value": 195, "unit": "mg/dL",
             "ref_range_max": 200, "status": "normal", "category": "lipids", "display_order": 4},
        ]}, user)
        self.assertEqual(saved["created_count"], 3)
        self.assertEqual([x["test_name"] for x in saved["components"]],
                         ["LDL Cholesterol", "HDL Cholesterol", "Total Cholesterol"])
        self.assertEqual([(e["index"], e["test_name"]) for e in saved["errors"]], [(2, "Triglycerides")])
        self.assertIn("value", str(saved["errors"][0]["detail"]))
        self.assertEqual(len(self.ok(self.get(COMPONENTS.format(panel["id"]), user))), 3)
        # LDL over a year, however each lab printed its name.
        for path in (f"/lab-test-components/patient/{me}/trends/{quote('LDL Cholesterol')}",
                     f"/lab-test-components/patient/{me}/trends?test_name=13457-7"):
            with self.subTest(path=path):
                trend = self.ok(self.get(path, user))
                self.assertEqual([(p["recorded_date"], p["value"]) for p in trend["data_points"]],
                                 [("2025-03-02", 162), ("2025-09-14", 141), ("2026-02-03", 118)])
                self.assertEqual(trend["data_points"][-1]["lab_result"]["id"], panel["id"])
                self.assertEqual(trend["statistics"]["trend_direction"], "decreasing")
                self.assertEqual(trend["statistics"]["time_in_range_percent"], 0)
                self.assertEqual(trend["unit"], "mg/dL")
        # Linked to the condition it monitors and the visit it was ordered at.
        condition = self.made("/conditions/", {"condition_name": "Hyperlipidemia"}, user)
        visit = self.made("/encounters/", {"encounter_date": "2026-02-01", "reason": "Annual physical"}, user)
        self.made(f"/lab-results/{panel['id']}/conditions", {"condition_id": condition["id"],
                                                             "relevance_note": "On statin"}, user)
        self.made(f"/lab-results/{panel['id']}/encounters", {"encounter_id": visit["id"],
                                                             "purpose": "ordered_during"}, user)
        seen = self.ok(self.get(f"/encounters/{visit['id']}/lab-results", user))
        self.assertEqual([(x["lab_result"]["id"], x["purpose"]) for x in seen], [(panel["id"], "ordered_during")])
        self.assertEqual(self.ok(self.get(f"/lab-results/{panel['id']}/conditions", user))[0]["condition"]
                         ["condition_name"], "Hyperlipidemia")
        # Found by its code, exactly and by a part of it.
        exact = self.ok(self.get(f"/lab-results/search/code/{code}", user))
        self.assertEqual({x["id"] for x in exact}, {panel["id"]} | {x["id"] for x in earlier})
        pattern = self.ok(self.get(f"/lab-results/search/code-pattern/{code[2:-2]}", user))
        self.assertEqual(len(pattern), 3)
        stats = self.ok(self.get(f"/lab-test-components/lab-result/{panel['id']}/statistics", user))
        self.assertEqual((stats["total_components"], stats["abnormal_count"]), (3, 1))
        # Another user: none of it.
        self.assertEqual(self.ok(self.get(f"/lab-results/search/code/{code}", other)), [])
        self.assertEqual(self.ok(self.get(f"/lab-results/search/code-pattern/{code[2:-2]}", other)), [])
        self.assertNotIn(panel["id"], [x["id"] for x in self.ok(self.get("/lab-results/", other))])
        for path in (f"/lab-results/{panel['id']}", COMPONENTS.format(panel["id"]),
                     f"/lab-test-components/patient/{me}/trends/13457-7", f"/encounters/{visit['id']}/lab-results",
                     f"/lab-results/{panel['id']}/conditions", f"/lab-results/{panel['id']}/encounters",
                     f"/lab-test-components/components/{saved['components'][0]['id']}"):
            with self.subTest(path=path):
                self.error(self.get(path, other), 404)
        dashboard = self.ok(self.get("/patients/me/dashboard-stats", user))
        self.assertEqual(dashboard["total_lab_results"], 3)


if __name__ == "__main__":
    unittest.main()
