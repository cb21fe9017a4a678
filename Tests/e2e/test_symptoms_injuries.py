"""Symptoms (occurrences, statistics, timeline, links to conditions, medications and
treatments), injuries (links to medications, conditions, treatments and procedures) and
the shared injury types, through nginx and the pool."""

import unittest

import harness as h
from apicase import ApiTestCase, db_execute, family_with_doctor, new_user


class SymptomInjuryCase(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        cls.me, cls.child, cls.doctor = family_with_doctor(cls.user, "Ache", "Neurology", "Dr. Nerve")
        cls.other = new_user()

    def made(self, path, body, user=None, status=201):
        return self.ok(self.post(path, user or self.user, body), status)

    def symptom(self, user=None, **fields):
        return self.made("/symptoms/", {"symptom_name": h.unique("Ache "), **fields}, user)

    def occurrence(self, symptom, user=None, **fields):
        body = {"occurred_at": "2026-01-05T10:00:00Z", "severity": "mild", **fields}
        body = {key: value for key, value in body.items() if value is not None}
        return self.made(f"/symptoms/{symptom['id']}/occurrences", body, user)

    def medication(self, user=None, **fields):
        return self.made("/medications/", {"medication_name": h.unique("Med "), **fields}, user)

    def condition(self, user=None, **fields):
        return self.made("/conditions/", {"condition_name": h.unique("Cond "), **fields}, user)

    def treatment(self, user=None, **fields):
        return self.made("/treatments/", {"treatment_name": h.unique("Plan "), **fields}, user)

    def procedure(self, user=None, **fields):
        return self.made("/procedures/", {"procedure_name": h.unique("Proc "), "procedure_date": "2026-02-01",
                                          **fields}, user)

    def injury(self, user=None, **fields):
        return self.made("/injuries/", {"injury_name": h.unique("Hurt "), "body_part": "Knee", **fields}, user)

    def type_id(self, name):
        types = self.ok(self.get("/injury-types/", self.user))
        return next(t["id"] for t in types if t["name"] == name)

    def count(self, sql):
        return int(db_execute(sql).strip() or 0)


class SymptomTests(SymptomInjuryCase):
    def test_crud_filters_and_validation(self):
        s = self.symptom(symptom_name="Tension headache", body_part="Head", status="active",
                         notes="Recurring tension headaches", tags=["head"], typical_triggers=["stress"])
        self.assertEqual(s["patient_id"], self.me["id"])
        self.assertEqual(s["general_notes"], "Recurring tension headaches")
        self.assertEqual((s["occurrence_count"], s["last_occurrence_date"], s["is_chronic"]), (0, None, False))
        self.assert_timestamps(s)
        self.check_both_slashes("GET", "/symptoms/", self.user, 200)
        self.check_both_slashes("GET", f"/symptoms/{s['id']}", self.user, 200)
        self.assertEqual(self.ok(self.get(f"/symptoms/{s['id']}", self.user)), s)
        resolved = self.symptom(status="resolved", symptom_name=h.unique("Rash "))
        ids = lambda query: [x["id"] for x in self.ok(self.get(f"/symptoms/?{query}", self.user))]
        self.assertIn(resolved["id"], ids("status=resolved"))
        self.assertNotIn(s["id"], ids("status=resolved"))
        self.assertEqual(ids("search=tension%20head"), [s["id"]])
        self.assertEqual(ids("search=TENSION"), [s["id"]])
        self.assertEqual(ids("search=_"), [])
        self.assertIn(s["id"], ids("tags=head"))
        self.error(self.get("/symptoms/?status=sometimes", self.user), 422, "status")
        self.check_pagination("/symptoms/", self.user, maximum=100)
        # A child's symptom by patient_id, and not in the active patient's list.
        kid = self.symptom(patient_id=self.child["id"])
        self.assertIn(kid["id"], ids(f"patient_id={self.child['id']}"))
        self.assertNotIn(kid["id"], ids(""))

        updated = self.ok(self.put(f"/symptoms/{s['id']}", self.user, {"is_chronic": True, "general_notes": "daily"}))
        self.assertEqual((updated["is_chronic"], updated["notes"]), (True, "daily"))
        self.error(self.put(f"/symptoms/{s['id']}", self.user, {"status": "gone"}), 422, "status")
        self.error(self.put(f"/symptoms/{s['id']}", self.user,
                            {"first_occurrence_date": "2026-02-01", "resolved_date": "2026-01-01"}),
                   422, "resolved_date")
        valid = {"symptom_name": "Cough"}
        self.check_field_errors("POST", "/symptoms/", self.user, valid, 422, [
            ("symptom_name", ""), ("symptom_name", "x" * 201), ("status", "often"), ("is_chronic", "perhaps"),
            ("first_occurrence_date", "2026-13-01"), ("typical_triggers", "stress"), ("tags", [1]),
            ("patient_id", "me"),
        ])
        self.error(self.post("/symptoms/", self.user, {}), 422, "symptom_name")
        self.check_malformed_bodies("POST", "/symptoms/", self.user, string_field="symptom_name", valid=valid)
        self.check_unauthenticated("GET", "/symptoms/")
        self.assertEqual(self.ok(self.delete(f"/symptoms/{resolved['id']}/", self.user)),
                         {"message": "Symptom deleted successfully"})
        self.error(self.get(f"/symptoms/{resolved['id']}", self.user), 404)

    def test_occurrences(self):
        s = self.symptom()
        path = f"/symptoms/{s['id']}/occurrences"
        first = self.occurrence(s, occurred_at="2026-01-05T14:30:00+02:00", severity="moderate",
                                duration_minutes=120, notes="after lunch", pain_scale=5, time_of_day="Afternoon",
                                triggers=["noise"])
        self.assertEqual(first["occurred_at"], "2026-01-05T12:30:00Z")
        self.assertEqual(first["occurrence_date"], "2026-01-05")
        self.assertEqual((first["symptom_id"], first["time_of_day"], first["duration_minutes"]),
                         (s["id"], "afternoon", 120))
        # Upstream's spelling: a date alone.
        second = self.occurrence(s, occurred_at=None, occurrence_date="2026-01-07", severity="severe")
        self.assertEqual(second["occurred_at"], "2026-01-07T00:00:00Z")
        self.check_both_slashes("GET", path, self.user, 200)
        self.check_both_slashes("GET", f"{path}/{first['id']}", self.user, 200)
        self.assertEqual([x["id"] for x in self.ok(self.get(path, self.user))], [second["id"], first["id"]])
        self.assertEqual(self.ok(self.get(f"{path}/{first['id']}", self.user)), first)
        after = self.ok(self.get(f"/symptoms/{s['id']}", self.user))
        self.assertEqual((after["occurrence_count"], after["last_occurrence_date"]), (2, "2026-01-07"))
        updated = self.ok(self.put(f"{path}/{first['id']}", self.user, {"severity": "critical", "symptom_id": 1}))
        self.assertEqual((updated["severity"], updated["symptom_id"]), ("critical", s["id"]))
        valid = {"occurred_at": "2026-01-05T10:00:00Z", "severity": "mild"}
        self.check_field_errors("POST", path, self.user, valid, 422, [
            ("occurred_at", "yesterday"), ("occurred_at", None), ("severity", "unbearable"), ("pain_scale", 11),
            ("duration_minutes", -1), ("time_of_day", "noon"), ("impact_level", "huge"), ("resolved_date", "2026-01-04"),
        ])
        self.error(self.post(path, self.user, {"notes": "x"}), 422, "occurred_at", "severity")
        self.error(self.post(path, self.user, {"occurred_at": "2026-01-01", "occurrence_date": "2026-01-02",
                                               "severity": "mild"}), 422, "occurrence_date")
        self.error(self.get("/symptoms/999999999/occurrences", self.user), 404)
        # An occurrence is reached only through its own symptom.
        elsewhere = self.symptom()
        for method, body in (("GET", None), ("PUT", {"severity": "mild"}), ("DELETE", None)):
            self.error(self.call(method, f"/symptoms/{elsewhere['id']}/occurrences/{first['id']}", self.user,
                                 json_body=body), 404)
        self.assertEqual(self.ok(self.delete(f"{path}/{second['id']}", self.user)),
                         {"message": "Symptom occurrence deleted successfully"})
        # Deleting the symptom deletes the rest.
        self.ok(self.delete(f"/symptoms/{s['id']}", self.user))
        self.assertEqual(self.count(f"SELECT COUNT(*) FROM symptom_occurrences WHERE symptom_id = {s['id']}"), 0)

    def test_stats_and_timeline(self):
        user = new_user()
        empty = self.ok(self.get("/symptoms/stats", user))
        self.assertEqual((empty["total_symptoms"], empty["total_occurrences"], empty["most_frequent_symptom"]),
                         (0, 0, None))
        self.assertEqual(self.ok(self.get("/symptoms/timeline", user)), [])
        a = self.symptom(user, symptom_name="Back pain", is_chronic=True)
        b = self.symptom(user, symptom_name="Dizziness", status="resolved")
        self.occurrence(a, user, occurred_at="2026-03-01T08:00:00Z", severity="mild", pain_scale=3)
        self.occurrence(a, user, occurred_at="2026-03-01T19:00:00Z", severity="critical", pain_scale=9)
        self.occurrence(b, user, occurred_at="2026-03-01T12:00:00Z", severity="moderate")
        self.occurrence(b, user, occurred_at="2026-03-04T12:00:00Z", severity="severe")
        stats = self.ok(self.get("/symptoms/stats", user))
        for key, value in (("total_symptoms", 2), ("active_symptoms", 1), ("resolved_symptoms", 1),
                           ("chronic_symptoms", 1), ("total_occurrences", 4)):
            self.assertEqual(stats[key], value, key)
        self.assertIn(stats["most_frequent_symptom"], ("Back pain", "Dizziness"))
        self.assertEqual(stats["most_frequent_count"], 2)
        self.assertIn("recent_occurrences", stats)
        timeline = self.ok(self.get("/symptoms/timeline/", user))
        self.assertEqual([p["date"] for p in timeline], ["2026-03-01", "2026-03-04"])
        day = timeline[0]
        self.assertEqual((day["occurrence_count"], day["max_severity"], day["average_severity"]),
                         (3, "critical", 2.3))
        self.assertEqual((day["max_pain_scale"], day["average_pain_scale"]), (9, 6.0))
        self.assertEqual([x["symptom_name"] for x in day["symptoms"]], ["Back pain", "Dizziness"])
        self.assertEqual(day["symptoms"][0]["average_severity"], 2.5)
        ranged = self.ok(self.get("/symptoms/timeline?start_date=2026-03-02&end_date=2026-03-04", user))
        self.assertEqual([p["date"] for p in ranged], ["2026-03-04"])
        self.error(self.get("/symptoms/timeline?start_date=03/01/2026", user), 422, "start_date")
        self.error(self.get("/symptoms/timeline?start_date=2026-03-05&end_date=2026-03-01", user), 422, "end_date")
        self.error(self.get("/symptoms/stats?patient_id=abc", user), 422, "patient_id")
        # Another user's patient: 404 from both, and their own views stay empty.
        mine = self.ok(self.get("/patients/me", user))["id"]
        self.error(self.get(f"/symptoms/stats?patient_id={mine}", self.other), 404)
        self.error(self.get(f"/symptoms/timeline?patient_id={mine}", self.other), 404)
        self.check_both_slashes("GET", f"/symptoms/stats?patient_id={mine}", user, 200)

    def test_timeline_day_totals_follow_every_change(self):
        """Whole days come from the per-day totals the triggers keep, a bound inside a day
        from the occurrences: after inserts, a move to another day, a change of severity
        and a delete, both give the same chart."""
        user = new_user()
        s = self.symptom(user, symptom_name="Migraine")
        path = f"/symptoms/{s['id']}/occurrences"
        made = [self.occurrence(s, user, occurred_at=f"2026-05-0{day}T{hour:02d}:30:00Z", severity=severity,
                                pain_scale=pain)
                for day, hour, severity, pain in ((1, 6, "mild", 2), (1, 20, "severe", None), (2, 9, "moderate", 5),
                                                  (3, 23, "critical", 10), (3, 1, "mild", 1))]
        self.ok(self.put(f"{path}/{made[0]['id']}", user, {"occurred_at": "2026-05-02T07:00:00Z"}))
        self.ok(self.put(f"{path}/{made[2]['id']}", user, {"severity": "critical", "pain_scale": 8}))
        self.ok(self.delete(f"{path}/{made[4]['id']}", user))
        whole = self.ok(self.get("/symptoms/timeline?start_date=2026-05-01&end_date=2026-05-03", user))
        inside = self.ok(self.get(
            "/symptoms/timeline?start_date=2026-05-01T00:00:01Z&end_date=2026-05-03T23:59:58Z", user))
        self.assertEqual(whole, inside)
        self.assertEqual([(p["date"], p["occurrence_count"], p["max_severity"], p["max_pain_scale"])
                          for p in whole],
                         [("2026-05-01", 1, "severe", None), ("2026-05-02", 2, "critical", 8),
                          ("2026-05-03", 1, "critical", 10)])
        self.assertEqual(self.ok(self.get("/symptoms/timeline?start_date=2026-05-02&end_date=2026-05-02", user)),
                         [whole[1]])
        # Deleting the symptom takes its days with it.
        self.ok(self.delete(f"/symptoms/{s['id']}", user))
        self.assertEqual(self.count(f"SELECT COUNT(*) FROM symptom_days WHERE symptom_id = {s['id']}"), 0)


class SymptomLinkTests(SymptomInjuryCase):
    def test_condition_medication_and_treatment_links(self):
        s = self.symptom()
        base = f"/symptoms/{s['id']}"
        c = self.condition(condition_name="Migraine")
        m = self.medication(medication_name="Sumatriptan")
        t = self.treatment(treatment_name="Neck physio")
        link = self.made(f"{base}/link-condition", {"condition_id": c["id"], "symptom_id": s["id"],
                                                      "notes": "Primary symptom"})
        self.assertEqual((link["symptom_id"], link["condition_id"], link["relevance_note"]),
                         (s["id"], c["id"], "Primary symptom"))
        self.assertEqual(link["condition"]["diagnosis"], "Migraine")
        self.assert_timestamps(link)
        helped = self.made(f"{base}/link-medication/", {"medication_id": m["id"], "relationship_type": "treatment"})
        self.assertEqual(helped["relationship_type"], "helped_by")
        self.assertEqual(helped["medication"]["medication_name"], "Sumatriptan")
        self.made(f"{base}/link-treatment", {"treatment_id": t["id"], "relevance_note": "helps"})
        for kind, other in (("conditions", c), ("medications", m), ("treatments", t)):
            self.check_both_slashes("GET", f"{base}/{kind}", self.user, 200)
            listed = self.ok(self.get(f"{base}/{kind}", self.user))
            self.assertEqual([x[kind[:-1] + "_id"] for x in listed], [other["id"]])
        plain = self.made(f"{base}/link-medication", {"medication_id": self.medication()["id"]})
        self.assertEqual(plain["relationship_type"], "related_to")
        self.error(self.post(f"{base}/link-medication", self.user, {"medication_id": m["id"]}), 400)
        self.error(self.post(f"{base}/link-medication", self.user,
                             {"medication_id": self.medication()["id"], "relationship_type": "cause"}),
                   422, "relationship_type")
        self.error(self.post(f"{base}/link-condition", self.user, {}), 422, "condition_id")
        self.error(self.post(f"{base}/link-treatment", self.user, {"treatment_id": "two"}), 422, "treatment_id")
        self.error(self.post(f"{base}/link-condition", self.user, {"condition_id": 999999999}), 404)
        # Unlinking names the other record; a second time there is nothing to unlink.
        for kind, other in (("condition", c), ("medication", m), ("treatment", t)):
            gone = self.ok(self.delete(f"{base}/unlink-{kind}/{other['id']}", self.user))
            self.assertEqual(gone, {"message": f"{kind.capitalize()} unlinked from symptom"})
            self.error(self.delete(f"{base}/unlink-{kind}/{other['id']}/", self.user), 404)
        self.ok(self.get(f"/conditions/{c['id']}", self.user))
        self.ok(self.get(f"/medications/{m['id']}", self.user))

    def test_links_stay_within_one_patient_and_user(self):
        s = self.symptom()
        base = f"/symptoms/{s['id']}"
        childs = self.condition(patient_id=self.child["id"])
        foreign = self.condition(self.other)
        self.error(self.post(f"{base}/link-condition", self.user, {"condition_id": childs["id"]}), 400)
        self.error(self.post(f"{base}/link-condition", self.user, {"condition_id": foreign["id"]}), 404)
        self.assertEqual(self.ok(self.get(f"{base}/conditions", self.user)), [])
        mine = self.condition()
        self.made(f"{base}/link-condition", {"condition_id": mine["id"]})
        # The other user: not the symptom, its links, or a link to their own condition.
        theirs = self.symptom(self.other)
        self.error(self.post(f"/symptoms/{theirs['id']}/link-condition", self.other, {"condition_id": mine["id"]}), 404)
        self.error(self.post(f"{base}/link-condition", self.other, {"condition_id": foreign["id"]}), 404)
        self.error(self.get(f"{base}/conditions", self.other), 404)
        self.error(self.delete(f"{base}/unlink-condition/{mine['id']}", self.other), 404)
        self.error(self.post(f"{base}/occurrences", self.other, {"occurred_at": "2026-01-01", "severity": "mild"}),
                   404)
        for method, body in (("GET", None), ("PUT", {"status": "resolved"}), ("DELETE", None)):
            self.error(self.call(method, f"/symptoms/{s['id']}", self.other, json_body=body), 404)
        self.error(self.get(f"/symptoms/?patient_id={self.me['id']}", self.other), 404)
        self.assertNotIn(s["id"], [x["id"] for x in self.ok(self.get("/symptoms/", self.other))])
        self.assertEqual(self.ok(self.get(f"/symptoms/{s['id']}", self.user))["status"], "active")
        self.assertEqual([x["condition_id"] for x in self.ok(self.get(f"{base}/conditions", self.user))], [mine["id"]])
        self.assertEqual(self.count(f"SELECT COUNT(*) FROM symptom_conditions WHERE condition_id = {foreign['id']}"), 0)


class InjuryTypeTests(SymptomInjuryCase):
    def test_system_and_user_types(self):
        types = self.ok(self.get("/injury-types", self.user))
        names = [t["name"] for t in types]
        for name in ("Sprain", "Strain", "Fracture", "Dislocation", "Burn", "Concussion"):
            self.assertIn(name, names)
        sprain = next(t for t in types if t["name"] == "Sprain")
        self.assertTrue(sprain["is_system"])
        self.assert_has_fields(sprain, ("id", "name", "description", "is_system", "created_at", "updated_at"))
        self.check_both_slashes("GET", "/injury-types/", self.user, 200)
        self.check_both_slashes("GET", "/injury-types/dropdown", self.user, 200)
        dropdown = self.ok(self.get("/injury-types/dropdown", self.user))
        self.assertIn({"id": sprain["id"], "name": "Sprain", "is_system": True}, dropdown)
        self.assertEqual(self.ok(self.get(f"/injury-types/{sprain['id']}/", self.other)), sprain)

        # System types change only by migration.
        self.error(self.delete(f"/injury-types/{sprain['id']}", self.user), 400)
        self.error(self.put(f"/injury-types/{sprain['id']}", self.user, {"name": "Sprains"}), 400)
        # A user's type: any user sees it, only its creator changes or deletes it.
        name = h.unique("Turf toe ")
        mine = self.made("/injury-types/", {"name": name, "description": "Big toe joint"})
        self.assertFalse(mine["is_system"])
        self.error(self.post("/injury-types/", self.other, {"name": name.upper()}), 400)
        self.error(self.post("/injury-types/", self.user, {"name": "Sprain"}), 400)
        self.error(self.post("/injury-types/", self.user, {"name": "x", "description": "y" * 301}),
                   422, "name", "description")
        self.assertIn(mine["id"], [t["id"] for t in self.ok(self.get("/injury-types/", self.other))])
        self.error(self.put(f"/injury-types/{mine['id']}", self.other, {"description": "mine now"}), 403)
        self.error(self.delete(f"/injury-types/{mine['id']}", self.other), 403)
        renamed = self.ok(self.put(f"/injury-types/{mine['id']}", self.user, {"description": "MTP sprain"}))
        self.assertEqual(renamed["description"], "MTP sprain")
        # In use (here by another user's injury): refused, and the type stays.
        hurt = self.injury(self.other, injury_type_id=mine["id"])
        self.error(self.delete(f"/injury-types/{mine['id']}", self.user), 400)
        self.ok(self.get(f"/injury-types/{mine['id']}", self.user))
        self.ok(self.delete(f"/injuries/{hurt['id']}", self.other))
        self.assertEqual(self.ok(self.delete(f"/injury-types/{mine['id']}/", self.user)),
                         {"message": "Injury type deleted successfully"})
        self.error(self.get(f"/injury-types/{mine['id']}", self.user), 404)
        self.error(self.delete("/injury-types/999999999", self.user), 404)
        self.check_unauthenticated("GET", "/injury-types/")


class InjuryTests(SymptomInjuryCase):
    def test_crud_filters_and_validation(self):
        sprain = self.type_id("Sprain")
        i = self.injury(injury_name="Left Ankle Sprain", injury_type_id=sprain, body_part="Ankle", laterality="left",
                        date_of_injury="2025-10-01", mechanism="Twisted while running", severity="moderate",
                        treatment_received="RICE", recovery_notes="Improving", practitioner_id=self.doctor["id"],
                        notes="No running", tags=["sports", "acute"])
        self.assertEqual(i["injury_type"]["name"], "Sprain")
        self.assertTrue(i["injury_type"]["is_system"])
        self.assertEqual(i["practitioner"]["id"], self.doctor["id"])
        self.assertEqual(i["status"], "active")
        self.assert_timestamps(i)
        self.check_both_slashes("GET", "/injuries/", self.user, 200)
        self.check_both_slashes("GET", f"/injuries/{i['id']}", self.user, 200)
        self.assertEqual(self.ok(self.get(f"/injuries/{i['id']}", self.user)), i)
        healed = self.injury(status="resolved", laterality="not-applicable", severity="life_threatening")
        self.assertEqual((healed["laterality"], healed["severity"], healed["injury_type"]),
                         ("not_applicable", "life-threatening", None))
        ids = lambda query: [x["id"] for x in self.ok(self.get(f"/injuries/?{query}", self.user))]
        self.assertIn(i["id"], ids(f"injury_type_id={sprain}"))
        self.assertNotIn(healed["id"], ids(f"injury_type_id={sprain}"))
        self.assertIn(healed["id"], ids("status=resolved"))
        self.assertNotIn(i["id"], ids("status=resolved"))
        self.assertIn(i["id"], ids("tags=acute&tags=nothing"))
        self.assertNotIn(i["id"], ids("tags=acute&tags=nothing&tag_match_all=true"))
        self.error(self.get("/injuries/?status=broken", self.user), 422, "status")
        self.error(self.get("/injuries/?injury_type_id=sprain", self.user), 422, "injury_type_id")
        self.check_pagination("/injuries/", self.user, maximum=100)
        active = f"/injuries/patient/{self.me['id']}/active"
        self.check_both_slashes("GET", active, self.user, 200)
        self.assertIn(i["id"], [x["id"] for x in self.ok(self.get(active, self.user))])
        self.assertNotIn(healed["id"], [x["id"] for x in self.ok(self.get(active, self.user))])
        updated = self.ok(self.put(f"/injuries/{i['id']}", self.user, {"status": "healing", "injury_type_id": None}))
        self.assertEqual((updated["status"], updated["injury_type"]), ("healing", None))
        valid = {"injury_name": "Wrist", "body_part": "Wrist"}
        self.check_field_errors("POST", "/injuries/", self.user, valid, 422, [
            ("injury_name", "W"), ("injury_name", "x" * 301), ("body_part", ""), ("body_part", "x" * 101),
            ("laterality", "middle"), ("severity", "ouch"), ("status", "broken"), ("date_of_injury", "yesterday"),
            ("mechanism", "x" * 501), ("injury_type_id", 999999999), ("practitioner_id", 999999999),
            ("tags", "sports"),
        ])
        self.error(self.post("/injuries/", self.user, {}), 422, "injury_name", "body_part")
        self.check_malformed_bodies("POST", "/injuries/", self.user, string_field="injury_name", valid=valid)
        self.assertEqual(self.ok(self.delete(f"/injuries/{healed['id']}/", self.user)),
                         {"message": "Injury deleted successfully"})

    def test_links_to_medications_conditions_treatments_procedures(self):
        i = self.injury()
        base = f"/injuries/{i['id']}"
        others = {"medications": self.medication(), "conditions": self.condition(), "treatments": self.treatment(),
                  "procedures": self.procedure()}
        for kind, other in others.items():
            key = kind[:-1] + "_id"
            path = f"{base}/{kind}"
            link = self.made(path + "/", {key: other["id"], "relevance_note": "related"})
            self.assertEqual((link["injury_id"], link[key], link["relevance_note"]), (i["id"], other["id"], "related"))
            self.assertEqual(link[kind[:-1]]["id"], other["id"])
            self.assert_timestamps(link)
            self.check_both_slashes("GET", path, self.user, 200)
            self.assertEqual([x[key] for x in self.ok(self.get(path, self.user))], [other["id"]])
            self.error(self.post(path, self.user, {key: other["id"]}), 400)
            self.error(self.post(path, self.user, {}), 422, key)
            self.error(self.post(path, self.user, {key: 999999999}), 404)
            self.error(self.post(path, self.user, {key: other["id"], "relevance_note": "x" * 501}),
                       422, "relevance_note")
        self.assertEqual(self.ok(self.get(f"{base}/procedures", self.user))[0]["procedure"]["procedure_name"],
                         others["procedures"]["procedure_name"])
        # Bulk: linked ids skipped, anything unreachable fails the whole call.
        extra = self.medication()
        bulk = self.ok(self.post(f"{base}/medications/bulk", self.user,
                                 {"medication_ids": [others["medications"]["id"], extra["id"]]}), 200)
        self.assertEqual([x["medication_id"] for x in bulk], [extra["id"]])
        for bad in ([], [extra["id"], extra["id"]], ["x"]):
            self.error(self.post(f"{base}/medications/bulk", self.user, {"medication_ids": bad}), 422,
                       "medication_ids")
        for kind, other in others.items():
            gone = self.ok(self.delete(f"{base}/{kind}/{other['id']}", self.user))
            self.assertEqual(gone, {"message": f"{kind[:-1].capitalize()} unlinked from injury"})
            self.error(self.delete(f"{base}/{kind}/{other['id']}/", self.user), 404)
            self.ok(self.get(f"/{kind}/{other['id']}", self.user))

    def test_another_user_and_another_patient(self):
        i = self.injury()
        base = f"/injuries/{i['id']}"
        childs = self.procedure(patient_id=self.child["id"])
        foreign = self.procedure(self.other)
        mine = self.procedure()
        self.error(self.post(f"{base}/procedures", self.user, {"procedure_id": childs["id"]}), 400)
        self.error(self.post(f"{base}/procedures", self.user, {"procedure_id": foreign["id"]}), 404)
        self.error(self.post(f"{base}/procedures/bulk", self.user,
                             {"procedure_ids": [mine["id"], childs["id"]]}), 400)
        self.error(self.post(f"{base}/procedures/bulk", self.user,
                             {"procedure_ids": [mine["id"], foreign["id"]]}), 404)
        self.assertEqual(self.ok(self.get(f"{base}/procedures", self.user)), [])
        self.made(f"{base}/procedures", {"procedure_id": mine["id"]})
        for method, body in (("GET", None), ("PUT", {"status": "resolved"}), ("DELETE", None)):
            self.error(self.call(method, base, self.other, json_body=body), 404)
        self.error(self.get(f"{base}/procedures", self.other), 404)
        self.error(self.post(f"{base}/procedures", self.other, {"procedure_id": foreign["id"]}), 404)
        self.error(self.post(f"{base}/procedures/bulk", self.other, {"procedure_ids": [foreign["id"]]}), 404)
        self.error(self.delete(f"{base}/procedures/{mine['id']}", self.other), 404)
        self.error(self.get(f"/injuries/patient/{self.me['id']}/active", self.other), 404)
        self.error(self.get(f"/injuries/?patient_id={self.me['id']}", self.other), 404)
        self.assertNotIn(i["id"], [x["id"] for x in self.ok(self.get("/injuries/", self.other))])
        self.assertEqual(self.ok(self.get(base, self.user))["status"], "active")
        self.assertEqual([x["procedure_id"] for x in self.ok(self.get(f"{base}/procedures", self.user))], [mine["id"]])
        # Their injury cannot take my procedure either.
        theirs = self.injury(self.other)
        self.error(self.post(f"/injuries/{theirs['id']}/procedures", self.other, {"procedure_id": mine["id"]}), 404)
        self.assertEqual(self.count(f"SELECT COUNT(*) FROM injury_procedures WHERE injury_id = {theirs['id']}"), 0)


class StoryTests(SymptomInjuryCase):
    def test_the_recurring_headache_and_the_ankle_sprain(self):
        """A recurring headache with ten occurrences has statistics and a timeline and is
        linked as a side effect of a medication; an ankle sprain is linked to a procedure
        and a medication; another user sees none of it."""
        user, other = new_user(), new_user()
        headache = self.symptom(user, symptom_name="Headache", body_part="Head", status="recurring")
        pill = self.medication(user, medication_name="Nitroglycerin")
        days = [f"2026-04-{d:02d}T{8 + d % 10:02d}:00:00Z" for d in (1, 1, 2, 4, 4, 4, 7, 8, 9, 10)]
        severities = ["mild", "moderate", "severe", "mild", "moderate", "critical", "mild", "mild", "moderate",
                      "severe"]
        # Logged in parallel: all ten land.
        results = h.in_parallel([
            (lambda day=day, severity=severity: self.post(
                f"/symptoms/{headache['id']}/occurrences", user,
                {"occurred_at": day, "severity": severity, "pain_scale": 5}))
            for day, severity in zip(days, severities)])
        self.assertEqual([r.status for r in results], [201] * 10, results)
        self.assertEqual(self.ok(self.get(f"/symptoms/{headache['id']}", user))["occurrence_count"], 10)
        stats = self.ok(self.get("/symptoms/stats", user))
        self.assertEqual((stats["total_symptoms"], stats["total_occurrences"], stats["most_frequent_symptom"],
                          stats["most_frequent_count"]), (1, 10, "Headache", 10))
        timeline = self.ok(self.get("/symptoms/timeline?start_date=2026-04-01&end_date=2026-04-30", user))
        self.assertEqual([p["date"] for p in timeline],
                         ["2026-04-01", "2026-04-02", "2026-04-04", "2026-04-07", "2026-04-08", "2026-04-09",
                          "2026-04-10"])
        self.assertEqual(sum(p["occurrence_count"] for p in timeline), 10)
        fourth = timeline[2]
        self.assertEqual((fourth["occurrence_count"], fourth["max_severity"], fourth["average_severity"]),
                         (3, "critical", 2.3))
        link = self.made(f"/symptoms/{headache['id']}/link-medication",
                         {"medication_id": pill["id"], "symptom_id": headache["id"], "relationship_type": "side_effect",
                          "notes": "Occurs 2 hours after taking medication"}, user)
        self.assertEqual((link["relationship_type"], link["medication"]["medication_name"]),
                         ("side_effect", "Nitroglycerin"))

        ankle = self.injury(user, injury_name="Left ankle sprain", body_part="Ankle", laterality="left",
                            injury_type_id=self.type_id("Sprain"), severity="moderate")
        xray = self.procedure(user, procedure_name="Ankle X-ray")
        ibuprofen = self.medication(user, medication_name="Ibuprofen")
        self.made(f"/injuries/{ankle['id']}/procedures", {"procedure_id": xray["id"], "relevance_note": "imaging"}, user)
        self.made(f"/injuries/{ankle['id']}/medications", {"medication_id": ibuprofen["id"],
                                                           "relevance_note": "Pain management"}, user)
        meds = self.ok(self.get(f"/injuries/{ankle['id']}/medications", user))
        self.assertEqual([m["medication"]["medication_name"] for m in meds], ["Ibuprofen"])

        dashboard = self.ok(self.get("/patients/me/dashboard-stats", user))
        self.assertEqual((dashboard["total_symptoms"], dashboard["total_injuries"]), (1, 1))

        # Another user sees none of it.
        self.assertEqual(self.ok(self.get("/symptoms/", other)), [])
        self.assertEqual(self.ok(self.get("/injuries/", other)), [])
        self.assertEqual(self.ok(self.get("/symptoms/stats", other))["total_occurrences"], 0)
        self.assertEqual(self.ok(self.get("/symptoms/timeline", other)), [])
        for path in (f"/symptoms/{headache['id']}", f"/symptoms/{headache['id']}/occurrences",
                     f"/symptoms/{headache['id']}/medications", f"/injuries/{ankle['id']}",
                     f"/injuries/{ankle['id']}/procedures", f"/injuries/{ankle['id']}/medications"):
            self.error(self.get(path, other), 404)
        mine = self.ok(self.get("/patients/me", user))["id"]
        self.error(self.get(f"/symptoms/stats?patient_id={mine}", other), 404)
        self.error(self.get(f"/symptoms/timeline?patient_id={mine}", other), 404)
        self.assertEqual(self.ok(self.get("/patients/me/dashboard-stats", other))["total_records"], 0)


if __name__ == "__main__":
    unittest.main()
