"""Vitals through nginx and the pool: the ranges of every measure (422 naming the
field), list filters (vital_type, glucose_context, start_date, end_date, days), the
10000 limit (clamped), /stats for the active patient or patient_id, and the
per-patient paths: /stats, /paginated, the list, /latest, /date-range and the create
under the patient's path — with a month of daily blood pressure readings.

Contract: api-reference.txt "Vitals"; decisions.md rules 3, 5, 6 (vitals 10000/10000,
/paginated 10/100, clamped, negatives 422) and 8. The ranges outside the contract's
five are Vitals.swift's: oxygen 50-100 %, respiratory rate 4-80, glucose 10-1500,
A1c 2-20, BMI 5-150, weight 0-1500 lb (exclusive of 0), height 0-120 in.
"""
import datetime
import math
import time
import unittest

import harness as h
from apicase import family_with_doctor, SCRIPT_TEXT, ApiTestCase, db_execute, new_user

MISSING = 999999999
STATS_KEYS = ["total_readings", "latest_reading_date", "blood_pressure_avg", "heart_rate_avg", "weight_trend"]
EMPTY_STATS = {"total_readings": 0, "latest_reading_date": None, "blood_pressure_avg": {"systolic": None, "diastolic": None},
               "heart_rate_avg": None, "weight_trend": None, "avg_systolic_bp": None, "avg_diastolic_bp": None,
               "avg_heart_rate": None, "avg_temperature": None, "current_temperature": None, "current_weight": None,
               "current_bmi": None, "weight_change": None, "current_blood_glucose": None, "current_a1c": None}

# (field, too low, lowest accepted, highest accepted, too high)
RANGES = [
    ("systolic_bp", 59, 60, 250, 251), ("diastolic_bp", 29, 30, 150, 151), ("heart_rate", 29, 30, 250, 251),
    ("temperature", 79.9, 80, 115, 115.1), ("pain_scale", -1, 0, 10, 11), ("oxygen_saturation", 49.9, 50, 100, 100.1),
    ("respiratory_rate", 3, 4, 80, 81), ("blood_glucose", 9.9, 10, 1500, 1500.1), ("a1c", 1.9, 2, 20, 20.1),
    ("bmi", 4.9, 5, 150, 150.1), ("weight", 0, 0.1, 1500, 1500.1), ("height", 0, 0.1, 120, 120.1),
]
INTEGER_FIELDS = ["systolic_bp", "diastolic_bp", "heart_rate", "pain_scale", "respiratory_rate"]
GLUCOSE_CONTEXTS = ["fasting", "before_meal", "after_meal", "random"]


def detail_fields(body):
    detail = body.get("detail")
    if not isinstance(detail, list):
        return []
    return sorted({d["field"] for d in detail if isinstance(d, dict) and "field" in d})


def one_decimal(value):
    """Rounded to one decimal, halves away from zero (as the statistics are)."""
    return math.floor(value * 10 + 0.5) / 10


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class VitalsCase(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        cls.me, cls.child, cls.doctor = family_with_doctor(cls.user, "Vitals", "Family Medicine", "Dr. Pulse")

    def create(self, body, user=None, path="/vitals/"):
        return self.ok(self.post(path, user or self.user, body), 201)

    def reading(self, user, when, **measures):
        return self.create({"recorded_date": when, **measures}, user)

    def invalid(self, r, *fields):
        body = self.error(r, 422, *fields)
        self.assertEqual(detail_fields(body), sorted(fields), r)
        return body

    def ids(self, path, user=None):
        return [item["id"] for item in self.ok(self.get(path, user or self.user))]

    def fresh_patient(self):
        """A new user and their own patient id."""
        user = new_user()
        return user, self.ok(self.get("/patients/me", user))["id"]


class CreateTests(VitalsCase):
    def contract_body(self, **overrides):
        body = {"patient_id": self.me["id"], "recorded_date": "2025-10-04T10:30:00Z", "systolic_bp": 120,
                "diastolic_bp": 80, "heart_rate": 72, "temperature": 98.6, "weight": 165, "height": 70,
                "oxygen_saturation": 98, "respiratory_rate": 16, "blood_glucose": 95, "glucose_context": "fasting",
                "bmi": 24.5, "pain_scale": 0, "notes": "Routine checkup", "location": "Doctor's office",
                "device_used": "Digital thermometer", "practitioner_id": self.doctor["id"]}
        body.update(overrides)
        return body

    def test_contract_body(self):
        body = self.contract_body()
        for path in ("/vitals", "/vitals/"):
            created = self.create(body, path=path)
            for key, value in body.items():
                self.assertEqual(created[key], value, key)
            self.assertEqual(created["practitioner"]["id"], self.doctor["id"])
            self.assert_timestamps(created)
            self.assertEqual(self.ok(self.get(f"/vitals/{created['id']}", self.user)), created)

    def test_recorded_date_is_stored_in_utc(self):
        for given, stored in (("2025-10-04T12:30:00+02:00", "2025-10-04T10:30:00Z"), ("2025-10-04", "2025-10-04T00:00:00Z"),
                              ("2025-10-04T10:30:00.123Z", "2025-10-04T10:30:00Z"), ("2025-10-04 10:30", "2025-10-04T10:30:00Z"),
                              ("2025-12-31T23:30:00-01:00", "2026-01-01T00:30:00Z")):
            with self.subTest(given=given):
                self.assertEqual(self.create({"recorded_date": given, "heart_rate": 60})["recorded_date"], stored)
        self.invalid(self.post("/vitals/", self.user, {"heart_rate": 60}), "recorded_date")
        for bad in ("2025-13-01T00:00:00Z", "2025-10-04T25:00:00Z", "yesterday", 1728037800, None):
            with self.subTest(bad=bad):
                self.invalid(self.post("/vitals/", self.user, {"recorded_date": bad, "heart_rate": 60}), "recorded_date")

    def test_every_range_boundary(self):
        before = self.ids("/vitals/?patient_id=%d" % self.child["id"])
        for field, too_low, lowest, highest, too_high in RANGES:
            for value in (lowest, highest):
                with self.subTest(field=field, value=value):
                    created = self.create({"patient_id": self.child["id"], "recorded_date": "2025-01-01T00:00:00Z",
                                           field: value})
                    self.assertEqual(created[field], value)
            for value in (too_low, too_high):
                with self.subTest(field=field, value=value):
                    self.invalid(self.post("/vitals/", self.user, self.contract_body(**{field: value})), field)
        self.assertEqual(len(self.ids("/vitals/?patient_id=%d" % self.child["id"])), len(before) + 2 * len(RANGES))

    def test_bad_values_are_422_naming_every_field(self):
        before = self.ids("/vitals/")
        for field in INTEGER_FIELDS:
            for value in (100.5, "100", True, [100]):
                with self.subTest(field=field, value=value):
                    self.invalid(self.post("/vitals/", self.user, self.contract_body(**{field: value})), field)
        for field in ("temperature", "weight", "height", "oxygen_saturation", "blood_glucose", "a1c", "bmi"):
            for value in ("98.6", False, {"v": 1}):
                with self.subTest(field=field, value=value):
                    self.invalid(self.post("/vitals/", self.user, self.contract_body(**{field: value})), field)
        for field, value in (("glucose_context", "lunch"), ("glucose_context", 1), ("practitioner_id", MISSING),
                             ("location", "l" * 201), ("device_used", "d" * 201), ("notes", "n" * 5001),
                             ("patient_id", "abc")):
            with self.subTest(field=field, value=value):
                self.invalid(self.post("/vitals/", self.user, self.contract_body(**{field: value})), field)
        # every bad field at once
        self.invalid(self.post("/vitals/", self.user, self.contract_body(systolic_bp=300, diastolic_bp=10, heart_rate=10,
                                                                       temperature=130, pain_scale=11)),
                     "systolic_bp", "diastolic_bp", "heart_rate", "temperature", "pain_scale")
        # diastolic must be below systolic
        for systolic, diastolic in ((120, 120), (100, 140)):
            self.invalid(self.post("/vitals/", self.user, self.contract_body(systolic_bp=systolic, diastolic_bp=diastolic)),
                         "diastolic_bp")
        self.check_malformed_bodies("POST", "/vitals/", self.user, string_field="notes", valid=self.contract_body())
        self.assertEqual(self.ids("/vitals/"), before)

    def test_every_glucose_context(self):
        for context in GLUCOSE_CONTEXTS:
            self.assertEqual(self.create(self.contract_body(glucose_context=context.upper()))["glucose_context"], context)


class ListTests(VitalsCase):
    """One user's readings, filtered and paged."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        recent = iso(datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(hours=1))
        cls.readings = {}
        for key, when, measures in (
            ("R1", "2025-01-01T08:00:00Z", {"systolic_bp": 120, "diastolic_bp": 80, "heart_rate": 70}),
            ("R2", "2025-01-02T08:00:00Z", {"temperature": 99.1}),
            ("R3", "2025-01-03T08:00:00Z", {"weight": 180}),
            ("R4", "2025-01-04T08:00:00Z", {"blood_glucose": 95, "glucose_context": "fasting"}),
            ("R5", "2025-01-05T08:00:00Z", {"blood_glucose": 160, "glucose_context": "after_meal", "heart_rate": 88}),
            ("R6", "2025-01-06T08:00:00Z", {"oxygen_saturation": 97, "respiratory_rate": 14, "pain_scale": 2}),
            ("R7", recent, {"systolic_bp": 130, "diastolic_bp": 85, "a1c": 5.6, "bmi": 24, "height": 70}),
        ):
            r = h.post("/api/v1/vitals/", token=cls.user.token, json_body={"recorded_date": when, **measures})
            assert r.status == 201, r
            cls.readings[key] = r.json["id"]
        cls.pid = cls.me["id"]

    def rid(self, *keys):
        return [self.readings[k] for k in keys]

    def test_order_and_slashes(self):
        for path in ("/vitals", f"/vitals/patient/{self.pid}"):
            for r in self.check_both_slashes("GET", path, self.user, 200):
                self.assertEqual([v["id"] for v in r.json], self.rid("R7", "R6", "R5", "R4", "R3", "R2", "R1"))

    def test_vital_type_filter(self):
        for vital_type, keys in (("blood_pressure", ("R7", "R1")), ("heart_rate", ("R5", "R1")), ("temperature", ("R2",)),
                                 ("weight", ("R3",)), ("oxygen_saturation", ("R6",)), ("blood_glucose", ("R5", "R4")),
                                 ("Blood_Pressure", ("R7", "R1")), ("respiratory_rate", ("R6",)), ("pain_scale", ("R6",)),
                                 ("a1c", ("R7",)), ("bmi", ("R7",)), ("height", ("R7",))):
            for base in ("/vitals/", f"/vitals/patient/{self.pid}"):
                with self.subTest(vital_type=vital_type, path=base):
                    self.assertEqual(self.ids(f"{base}?vital_type={vital_type}"), self.rid(*keys))
        for base in ("/vitals/", f"/vitals/patient/{self.pid}", f"/vitals/patient/{self.pid}/paginated"):
            self.error(self.get(f"{base}?vital_type=mood", self.user), 422, "vital_type")

    def test_glucose_context_filter(self):
        for context, keys in (("fasting", ("R4",)), ("after_meal", ("R5",)), ("before_meal", ()), ("random", ()),
                              ("FASTING", ("R4",))):
            with self.subTest(context=context):
                self.assertEqual(self.ids(f"/vitals/?glucose_context={context}"), self.rid(*keys))
                self.assertEqual(self.ids(f"/vitals/patient/{self.pid}?glucose_context={context}"), self.rid(*keys))
        self.assertEqual(self.ids("/vitals/?vital_type=blood_glucose&glucose_context=after_meal"), self.rid("R5"))
        self.error(self.get("/vitals/?glucose_context=lunch", self.user), 422, "glucose_context")

    def test_date_filters(self):
        self.assertEqual(self.ids("/vitals/?start_date=2025-01-03&end_date=2025-01-05"), self.rid("R5", "R4", "R3"))
        self.assertEqual(self.ids("/vitals/?end_date=2025-01-02"), self.rid("R2", "R1"))  # the whole end day
        self.assertEqual(self.ids("/vitals/?start_date=2025-01-05T08:00:00Z&end_date=2025-01-06T07:59:59Z"), self.rid("R5"))
        self.assertEqual(self.ids("/vitals/?start_date=2025-01-05T09:00:00%2B01:00&end_date=2025-01-05"), self.rid("R5"))
        self.assertEqual(self.ids("/vitals/?days=7"), self.rid("R7"))
        self.assertEqual(self.ids(f"/vitals/patient/{self.pid}?days=7"), self.rid("R7"))
        self.assertEqual(self.ids("/vitals/?days=36500"), self.rid("R7", "R6", "R5", "R4", "R3", "R2", "R1"))
        self.assertEqual(self.ids("/vitals/?days=7&vital_type=weight"), [])
        for query, name in (("start_date=2025-02-30", "start_date"), ("end_date=soon", "end_date"), ("days=0", "days"),
                            ("days=-1", "days"), ("days=abc", "days"), ("days=36501", "days")):
            with self.subTest(query=query):
                self.error(self.get(f"/vitals/?{query}", self.user), 422, name)

    def test_paging_and_patient_parameter(self):
        self.check_pagination("/vitals/", self.user, maximum=10000)
        self.check_pagination(f"/vitals/patient/{self.pid}", self.user, maximum=10000)
        self.assertEqual(self.ids("/vitals/?skip=2&limit=2"), self.rid("R5", "R4"))
        self.assertEqual(self.ids(f"/vitals/?patient_id={self.child['id']}"), [])
        self.assertEqual(self.ids(f"/vitals/?patient_id={self.pid}"), self.ids("/vitals/"))
        self.error(self.get(f"/vitals/?patient_id={MISSING}", self.user), 404)
        self.error(self.get("/vitals/?patient_id=abc", self.user), 422, "patient_id")


class StatsTests(VitalsCase):
    def stats_views(self, user, pid):
        """/vitals/stats (active patient), with patient_id, and /patient/{id}/stats: one answer."""
        by_path = self.ok(self.get(f"/vitals/patient/{pid}/stats", user))
        self.assertEqual(self.ok(self.get(f"/vitals/stats?patient_id={pid}", user)), by_path)
        return by_path

    def test_no_readings(self):
        user, pid = self.fresh_patient()
        for r in self.check_both_slashes("GET", "/vitals/stats", user, 200):
            self.assertEqual({k: v for k, v in r.json.items() if k != "patient_id"}, EMPTY_STATS)
        self.assertEqual(self.stats_views(user, pid), self.ok(self.get("/vitals/stats", user)))

    def test_averages_latest_and_weight_trend(self):
        user, pid = self.fresh_patient()
        for when, measures in (
            ("2025-02-01T07:00:00Z", {"systolic_bp": 130, "diastolic_bp": 85, "heart_rate": 80, "weight": 180}),
            ("2025-02-10T07:00:00Z", {"systolic_bp": 120, "diastolic_bp": 80, "heart_rate": 70, "temperature": 98.6}),
            ("2025-02-20T07:00:00Z", {"systolic_bp": 125, "diastolic_bp": 78, "weight": 178, "bmi": 26.1}),
            ("2025-03-01T07:15:30Z", {"weight": 175, "temperature": 99.4, "blood_glucose": 101, "a1c": 5.9}),
        ):
            self.reading(user, when, **measures)
        stats = self.ok(self.get("/vitals/stats", user))
        self.assert_has_fields(stats, STATS_KEYS)
        self.assertEqual(stats["patient_id"], pid)
        self.assertEqual(stats["total_readings"], 4)
        self.assertEqual(stats["latest_reading_date"], "2025-03-01T07:15:30Z")
        self.assertEqual(stats["blood_pressure_avg"], {"systolic": 125.0, "diastolic": 81.0})
        self.assertEqual((stats["avg_systolic_bp"], stats["avg_diastolic_bp"]), (125.0, 81.0))
        self.assertEqual((stats["heart_rate_avg"], stats["avg_heart_rate"]), (75.0, 75.0))
        self.assertEqual(stats["avg_temperature"], 99.0)
        self.assertEqual((stats["current_weight"], stats["weight_change"], stats["weight_trend"]), (175.0, -5.0, "decreasing"))
        self.assertEqual((stats["current_temperature"], stats["current_bmi"], stats["current_blood_glucose"],
                          stats["current_a1c"]), (99.4, 26.1, 101.0, 5.9))
        self.assertEqual(self.stats_views(user, pid), stats)
        # a reading entered late but dated earlier changes neither the latest date nor the current weight
        late = self.reading(user, "2025-01-15T00:00:00Z", weight=200, systolic_bp=140, diastolic_bp=90)
        stats = self.ok(self.get("/vitals/stats", user))
        self.assertEqual((stats["total_readings"], stats["latest_reading_date"]), (5, "2025-03-01T07:15:30Z"))
        self.assertEqual((stats["current_weight"], stats["weight_change"], stats["weight_trend"]), (175.0, -25.0, "decreasing"))
        self.assertEqual(stats["blood_pressure_avg"], {"systolic": 128.8, "diastolic": 83.3})
        # updates and deletes keep the averages right
        self.ok(self.put(f"/vitals/{late['id']}", user, {"systolic_bp": 100, "diastolic_bp": None, "weight": 170}))
        stats = self.ok(self.get("/vitals/stats", user))
        self.assertEqual(stats["blood_pressure_avg"], {"systolic": 118.8, "diastolic": 81.0})
        self.assertEqual((stats["weight_change"], stats["weight_trend"]), (5.0, "increasing"))
        self.ok(self.delete(f"/vitals/{late['id']}", user))
        stats = self.ok(self.get("/vitals/stats", user))
        self.assertEqual((stats["total_readings"], stats["blood_pressure_avg"]), (4, {"systolic": 125.0, "diastolic": 81.0}))
        self.assertEqual(stats["weight_change"], -5.0)

    def test_weight_trend_stable_and_increasing(self):
        user, pid = self.fresh_patient()
        self.reading(user, "2025-01-01T00:00:00Z", weight=150)
        self.reading(user, "2025-01-02T00:00:00Z", weight=150.5)
        self.assertEqual(self.ok(self.get("/vitals/stats", user))["weight_trend"], "stable")
        self.reading(user, "2025-01-03T00:00:00Z", weight=152)
        stats = self.ok(self.get("/vitals/stats", user))
        self.assertEqual((stats["weight_change"], stats["weight_trend"]), (2.0, "increasing"))

    def test_one_weight_has_no_trend(self):
        # docs/api-notes.md "Vitals statistics": the trend is "null without two weights".
        user, pid = self.fresh_patient()
        self.reading(user, "2025-01-01T00:00:00Z", weight=150)
        stats = self.ok(self.get("/vitals/stats", user))
        self.assertEqual(stats["current_weight"], 150.0)
        self.assertIsNone(stats["weight_trend"], stats)

    def test_patient_id_of_another_patient(self):
        user, pid = self.fresh_patient()
        self.reading(user, "2025-01-01T00:00:00Z", systolic_bp=180, diastolic_bp=110)
        kid = self.ok(self.post("/patient-management/", user, {"first_name": "K", "last_name": "S", "birth_date": "2020-01-01"}), 201)
        self.reading(user, "2025-01-01T00:00:00Z", patient_id=kid["id"], systolic_bp=100, diastolic_bp=60)
        self.assertEqual(self.ok(self.get(f"/vitals/stats?patient_id={kid['id']}", user))["blood_pressure_avg"],
                         {"systolic": 100.0, "diastolic": 60.0})
        self.assertEqual(self.ok(self.get("/vitals/stats", user))["blood_pressure_avg"]["systolic"], 180.0)
        self.ok(self.post("/patient-management/switch", user, {"patient_id": kid["id"]}))
        self.assertEqual(self.ok(self.get("/vitals/stats", user))["patient_id"], kid["id"])
        # another user's patient: 404, never their numbers; like a patient that does not exist
        other = new_user()
        for path in (f"/vitals/stats?patient_id={pid}", f"/vitals/patient/{pid}/stats"):
            r = self.get(path, other)
            body = self.error(r, 404)
            self.assertNotIn("180", r.text)
            self.assertNotIn("total_readings", r.text)
            self.assertEqual(body, self.error(self.get(path.replace(str(pid), str(MISSING)), other), 404))
        self.error(self.get("/vitals/stats?patient_id=abc", user), 422, "patient_id")
        self.assertEqual(self.ok(self.get("/vitals/stats", other))["total_readings"], 0)


class PatientPathTests(VitalsCase):
    def test_create_under_the_patient_path(self):
        user, pid = self.fresh_patient()
        kid = self.ok(self.post("/patient-management/", user, {"first_name": "K", "last_name": "P", "birth_date": "2021-01-01"}), 201)
        for path in (f"/vitals/patient/{pid}/vitals", f"/vitals/patient/{pid}/vitals/"):
            created = self.create({"recorded_date": "2025-05-05T05:05:05Z", "heart_rate": 61}, user, path)
            self.assertEqual(created["patient_id"], pid)
        self.assertEqual(self.create({"patient_id": pid, "recorded_date": "2025-05-06", "heart_rate": 62}, user,
                                     f"/vitals/patient/{pid}/vitals/")["patient_id"], pid)
        self.assertEqual(self.create({"recorded_date": "2025-05-06", "heart_rate": 63}, user,
                                     f"/vitals/patient/{kid['id']}/vitals/")["patient_id"], kid["id"])
        before = (self.ids(f"/vitals/patient/{pid}", user), self.ids(f"/vitals/patient/{kid['id']}", user))
        # the body's patient must be the path's
        for given in (kid["id"], MISSING, "abc", str(pid)):
            with self.subTest(given=given):
                self.invalid(self.post(f"/vitals/patient/{pid}/vitals/", user,
                                       {"patient_id": given, "recorded_date": "2025-05-07", "heart_rate": 64}), "patient_id")
        self.invalid(self.post(f"/vitals/patient/{pid}/vitals/", user, {"recorded_date": "2025-05-07", "heart_rate": 20}),
                     "heart_rate")
        self.error(self.post(f"/vitals/patient/{MISSING}/vitals/", user, {"recorded_date": "2025-05-07"}), 404)
        self.error(self.post("/vitals/patient/abc/vitals/", user, {"recorded_date": "2025-05-07"}), 422, "patient_id")
        self.assertEqual((self.ids(f"/vitals/patient/{pid}", user), self.ids(f"/vitals/patient/{kid['id']}", user)), before)

    def test_latest(self):
        user, pid = self.fresh_patient()
        path = f"/vitals/patient/{pid}/latest"
        body = self.error(self.get(path, user), 404)
        self.assertIn("No vitals readings found", body["error"])
        newest = self.reading(user, "2025-06-02T10:00:00Z", heart_rate=70)
        self.reading(user, "2025-06-01T10:00:00Z", heart_rate=80)  # entered later, taken earlier
        for r in self.check_both_slashes("GET", path, user, 200):
            self.assertEqual(r.json, newest)
        self.error(self.get(f"/vitals/patient/{MISSING}/latest", user), 404)

    def test_date_range(self):
        user, pid = self.fresh_patient()
        made = [self.reading(user, f"2025-07-{day:02d}T12:00:00Z", heart_rate=60 + day,
                             **({"blood_glucose": 90, "glucose_context": "fasting"} if day % 2 else {}))["id"]
                for day in range(1, 11)]
        path = f"/vitals/patient/{pid}/date-range"
        self.invalid(self.get(path, user), "end_date", "start_date")
        self.invalid(self.get(f"{path}?start_date=2025-07-01", user), "end_date")
        self.invalid(self.get(f"{path}?end_date=2025-07-01", user), "start_date")
        self.invalid(self.get(f"{path}?start_date=&end_date=", user), "end_date", "start_date")
        self.error(self.get(f"{path}?start_date=2025-07-32&end_date=2025-08-01", user), 422, "start_date")
        query = "?start_date=2025-07-03&end_date=2025-07-05"
        for r in self.check_both_slashes("GET", path + query, user, 200):
            self.assertEqual([v["id"] for v in r.json], made[4:1:-1])
        self.assertEqual(self.ids(f"{path}?start_date=2025-07-03T12:00:01Z&end_date=2025-07-05T12:00:00Z", user),
                         made[4:2:-1])
        self.assertEqual(self.ids(f"{path}{query}&vital_type=blood_glucose", user), [made[4], made[2]])
        self.assertEqual(self.ids(f"{path}{query}&glucose_context=fasting&skip=1&limit=1", user), [made[2]])
        self.assertEqual(self.ids(f"{path}?start_date=2025-07-05&end_date=2025-07-03", user), [])
        self.check_pagination(f"{path}?start_date=2025-01-01&end_date=2025-12-31", user, maximum=10000)
        self.error(self.get(f"/vitals/patient/{MISSING}/date-range{query}", user), 404)

    def test_paginated(self):
        user, pid = self.fresh_patient()
        made = [self.reading(user, f"2025-08-{day:02d}T09:00:00Z", heart_rate=50 + day,
                             **({"temperature": 98.0} if day <= 5 else {}))["id"] for day in range(1, 26)]
        newest_first = made[::-1]
        path = f"/vitals/patient/{pid}/paginated"
        for r in self.check_both_slashes("GET", path, user, 200):
            self.assertEqual(list(r.json), ["items", "total", "skip", "limit"])
            self.assertEqual((r.json["total"], r.json["skip"], r.json["limit"]), (25, 0, 10))
            self.assertEqual([v["id"] for v in r.json["items"]], newest_first[:10])
        page = self.ok(self.get(f"{path}?skip=20", user))
        self.assertEqual(([v["id"] for v in page["items"]], page["total"], page["skip"]), (newest_first[20:], 25, 20))
        page = self.ok(self.get(f"{path}?skip=5&limit=3", user))
        self.assertEqual(([v["id"] for v in page["items"]], page["limit"]), (newest_first[5:8], 3))
        page = self.ok(self.get(f"{path}?limit=1000", user))
        self.assertEqual((len(page["items"]), page["limit"], page["total"]), (25, 100, 25))
        page = self.ok(self.get(f"{path}?skip=100", user))
        self.assertEqual((page["items"], page["total"]), ([], 25))
        page = self.ok(self.get(f"{path}?vital_type=temperature&limit=2", user))
        self.assertEqual(([v["id"] for v in page["items"]], page["total"]), (newest_first[20:22], 5))
        page = self.ok(self.get(f"{path}?limit=0", user))
        self.assertEqual((page["items"], page["total"], page["limit"]), ([], 25, 0))
        for query, name in (("limit=-1", "limit"), ("skip=-1", "skip"), ("limit=x", "limit"), ("skip=1.5", "skip"),
                            ("glucose_context=lunch", "glucose_context")):
            self.error(self.get(f"{path}?{query}", user), 422, name)
        self.error(self.get(f"/vitals/patient/{MISSING}/paginated", user), 404)
        self.error(self.get("/vitals/patient/abc/paginated", user), 422, "patient_id")

    def test_every_endpoint_needs_a_token(self):
        for method, path in (("GET", "/vitals/"), ("POST", "/vitals/"), ("GET", "/vitals/1"), ("PUT", "/vitals/1"),
                             ("DELETE", "/vitals/1"), ("GET", "/vitals/stats"), ("GET", "/vitals/patient/1"),
                             ("GET", "/vitals/patient/1/stats"), ("GET", "/vitals/patient/1/paginated"),
                             ("GET", "/vitals/patient/1/latest"),
                             ("GET", "/vitals/patient/1/date-range?start_date=2025-01-01&end_date=2025-01-02"),
                             ("POST", "/vitals/patient/1/vitals/")):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, {"recorded_date": "2025-01-01", "heart_rate": 60})


class ItemTests(VitalsCase):
    def test_get_update_delete(self):
        created = self.create({"recorded_date": "2025-09-09T09:09:09Z", "systolic_bp": 120, "diastolic_bp": 80,
                               "practitioner_id": self.doctor["id"], "notes": "first"})
        item = f"/vitals/{created['id']}"
        for r in self.check_both_slashes("GET", item, self.user, 200):
            self.assertEqual(r.json, created)
        self.assertEqual(created["practitioner"]["name"], self.doctor["name"])
        updated = self.ok(self.put(item, self.user, {"heart_rate": 66, "notes": SCRIPT_TEXT, "patient_id": self.child["id"],
                                                     "recorded_date": "2025-09-10T00:00:00+03:00"}))
        self.assertEqual((updated["heart_rate"], updated["notes"], updated["patient_id"], updated["recorded_date"]),
                         (66, SCRIPT_TEXT, self.me["id"], "2025-09-09T21:00:00Z"))
        self.assertEqual((updated["systolic_bp"], updated["diastolic_bp"]), (120, 80))
        # every check on update too; the diastolic rule against the stored systolic
        for body, fields in (({"systolic_bp": 251}, ["systolic_bp"]), ({"pain_scale": 11}, ["pain_scale"]),
                             ({"temperature": 79}, ["temperature"]), ({"diastolic_bp": 125}, ["diastolic_bp"]),
                             ({"systolic_bp": 79}, ["diastolic_bp"]), ({"recorded_date": None}, ["recorded_date"]),
                             ({"heart_rate": 300, "temperature": 200}, ["heart_rate", "temperature"])):
            with self.subTest(body=body):
                self.invalid(self.put(item, self.user, body), *fields)
        self.check_malformed_bodies("PUT", item, self.user, string_field="notes")
        self.assertEqual(self.ok(self.get(item, self.user)), updated)
        cleared = self.ok(self.put(item + "/", self.user, {"practitioner_id": None, "systolic_bp": None}))
        self.assertEqual((cleared["practitioner"], cleared["systolic_bp"], cleared["diastolic_bp"]), (None, None, 80))
        self.assertEqual(self.ok(self.delete(item, self.user)), {"message": "Vitals deleted successfully"})
        for method in ("GET", "PUT", "DELETE"):
            self.error(self.call(method, item, self.user, json_body={"heart_rate": 60} if method == "PUT" else None), 404)
        self.error(self.get("/vitals/abc", self.user), 422, "vitals_id")
        self.error(self.get(f"/vitals/{MISSING}", self.user), 404)


class ContractRelationsTests(VitalsCase):
    def test_get_has_patient_and_practitioner_details(self):
        # api-reference.txt: GET /vitals/{vitals_id} answers "Vitals object with patient
        # and practitioner details".
        created = self.create({"recorded_date": "2025-09-09", "heart_rate": 70, "practitioner_id": self.doctor["id"]})
        body = self.ok(self.get(f"/vitals/{created['id']}", self.user))
        self.assertEqual(body["practitioner"]["id"], self.doctor["id"])
        self.assertEqual(body["patient"]["id"], self.me["id"])


class MonthOfBloodPressureTests(VitalsCase):
    """Thirty-one daily readings in March: statistics, pages, ranges, the latest."""

    def test_a_month_of_daily_readings(self):
        user, pid = self.fresh_patient()
        made = []
        for day in range(1, 32):
            made.append(self.create({"recorded_date": f"2025-03-{day:02d}T07:30:00Z", "systolic_bp": 115 + day % 7,
                                     "diastolic_bp": 75 + day % 5, "heart_rate": 64 + day % 3},
                                    user, f"/vitals/patient/{pid}/vitals/")["id"])
        systolic = [115 + d % 7 for d in range(1, 32)]
        diastolic = [75 + d % 5 for d in range(1, 32)]
        heart = [64 + d % 3 for d in range(1, 32)]
        stats = self.ok(self.get(f"/vitals/patient/{pid}/stats", user))
        self.assertEqual(stats["total_readings"], 31)
        self.assertEqual(stats["latest_reading_date"], "2025-03-31T07:30:00Z")
        self.assertEqual(stats["blood_pressure_avg"], {"systolic": one_decimal(sum(systolic) / 31),
                                                       "diastolic": one_decimal(sum(diastolic) / 31)})
        self.assertEqual(stats["heart_rate_avg"], one_decimal(sum(heart) / 31))
        self.assertIsNone(stats["weight_trend"])
        self.assertEqual(self.ok(self.get("/vitals/stats", user)), stats)
        pages, skip = [], 0
        while True:
            page = self.ok(self.get(f"/vitals/patient/{pid}/paginated?skip={skip}&limit=10", user))
            self.assertEqual(page["total"], 31)
            if not page["items"]:
                break
            pages.append([v["id"] for v in page["items"]])
            skip += 10
        self.assertEqual([len(p) for p in pages], [10, 10, 10, 1])
        self.assertEqual(sum(pages, []), made[::-1])
        self.assertEqual(self.ids(f"/vitals/patient/{pid}?vital_type=blood_pressure", user), made[::-1])
        week = self.ids(f"/vitals/patient/{pid}/date-range?start_date=2025-03-08&end_date=2025-03-14", user)
        self.assertEqual(week, made[13:6:-1])
        self.assertEqual(self.ok(self.get(f"/vitals/patient/{pid}/latest", user))["id"], made[-1])
        dashboard = self.ok(self.get("/patients/me/dashboard-stats", user))
        self.assertEqual((dashboard["total_vitals"], dashboard["total_records"]), (31, 31))


class ConcurrentReadingsTests(VitalsCase):
    """The running totals behind /stats stay exact when readings of one patient arrive,
    change and go at the same time — the first ones included (the totals row is created
    by the first reading's trigger)."""

    def test_parallel_creates_updates_and_deletes(self):
        for _ in range(3):
            user, pid = self.fresh_patient()
            path = f"/api/v1/vitals/patient/{pid}/vitals/"
            results = h.in_parallel([
                lambda n=n: h.post(path, token=user.token, json_body={"recorded_date": f"2025-01-01T00:00:{n:02d}Z",
                                                                       "systolic_bp": 100 + n, "diastolic_bp": 70})
                for n in range(8)])
            self.assertEqual([getattr(r, "status", r) for r in results], [201] * 8)
            stats = self.ok(self.get("/vitals/stats", user))
            self.assertEqual((stats["total_readings"], stats["blood_pressure_avg"]), (8, {"systolic": 103.5, "diastolic": 70.0}))
            ids = [r.json["id"] for r in results]
            results = h.in_parallel(
                [lambda i=i: h.request("DELETE", f"/api/v1/vitals/{i}", token=user.token) for i in ids[:4]]
                + [lambda i=i: h.request("PUT", f"/api/v1/vitals/{i}", token=user.token, json_body={"systolic_bp": 200})
                   for i in ids[4:]])
            self.assertEqual([getattr(r, "status", r) for r in results], [200] * 8)
            stats = self.ok(self.get("/vitals/stats", user))
            self.assertEqual((stats["total_readings"], stats["blood_pressure_avg"]), (4, {"systolic": 200.0, "diastolic": 70.0}))
            self.assertEqual(len(self.ok(self.get(f"/vitals/patient/{pid}", user))), 4)


class LimitClampTests(VitalsCase):
    """10,001 readings (inserted in SQL: 10,001 requests would take far too long):
    every list stops at 10,000, /paginated at 100, and the statistics count them all."""

    def test_limits_are_clamped(self):
        user, pid = self.fresh_patient()
        digits = "(" + " UNION ALL ".join(f"SELECT {d} AS d" for d in range(10)) + ")"
        numbers = (f"SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS i FROM {digits} a, {digits} b, "
                   f"{digits} c, {digits} e, {digits} f")
        db_execute(
            "INSERT INTO vitals (patient_id, recorded_date, heart_rate, systolic_bp, diastolic_bp) "
            f"SELECT {int(pid)}, TIMESTAMP('2020-01-01') + INTERVAL n.i MINUTE, 60 + n.i % 40, 120, 80 "
            f"FROM ({numbers}) n WHERE n.i BETWEEN 1 AND 10001")
        started = time.monotonic()
        everything = self.ok(self.get("/vitals/", user))
        self.assertEqual(len(everything), 10000)
        self.assertEqual(everything[0]["recorded_date"], "2020-01-07T22:41:00Z")  # minute 10001, the newest
        for path in ("/vitals/?limit=20000", f"/vitals/patient/{pid}?limit=99999",
                     f"/vitals/patient/{pid}/date-range?start_date=2019-01-01&end_date=2021-01-01&limit=10001"):
            with self.subTest(path=path):
                self.assertEqual(len(self.ok(self.get(path, user))), 10000)
        self.assertEqual(len(self.ok(self.get("/vitals/?skip=10000&limit=10000", user))), 1)
        page = self.ok(self.get(f"/vitals/patient/{pid}/paginated?limit=500", user))
        self.assertEqual((len(page["items"]), page["limit"], page["total"]), (100, 100, 10001))
        stats = self.ok(self.get("/vitals/stats", user))
        self.assertEqual(stats["total_readings"], 10001)
        self.assertEqual(stats["blood_pressure_avg"], {"systolic": 120.0, "diastolic": 80.0})
        self.assertEqual(stats["heart_rate_avg"], one_decimal(sum(60 + i % 40 for i in range(1, 10002)) / 10001))
        self.assertEqual(self.ok(self.get("/patients/me/dashboard-stats", user))["total_vitals"], 10001)
        self.assertLess(time.monotonic() - started, 30)


if __name__ == "__main__":
    unittest.main()
