"""The dose log (beyond the contract): doses of a medication taken, skipped or late,
their list with date filters, get/update/delete, one answer per reminder slot, and the
adherence summary over a period; access through the medication's patient (view reads,
edit writes, a stranger sees nothing). The stack's facility time zone is UTC."""

import datetime
import unittest

import harness as h
from apicase import ApiTestCase, new_user


class DoseTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        cls.other = new_user()

    def medication(self, user=None, **fields):
        body = {"medication_name": h.unique("Dose med "), **fields}
        return self.ok(self.post("/medications/", user or self.user, body), 201)

    def dose(self, med, status="taken", user=None, expect=201, **fields):
        body = {"status": status, "taken_at": "2026-01-01T08:05:00Z", **fields}
        return self.ok(self.post(f"/medications/{med['id']}/doses", user or self.user, body), expect)

    def test_crud_filters_and_validation(self):
        med = self.medication(reminder_enabled=True, reminder_times=["08:00", "20:00"])
        base = f"/medications/{med['id']}/doses"
        first = self.dose(med, scheduled_for="2026-01-01T08:00:00Z", notes="with breakfast")
        self.assertEqual((first["medication_id"], first["status"], first["taken_at"], first["scheduled_for"],
                          first["notes"]), (med["id"], "taken", "2026-01-01T08:05:00Z", "2026-01-01T08:00:00Z",
                                            "with breakfast"))
        self.assert_timestamps(first)
        late = self.dose(med, "late", taken_at="2026-01-02T21:30:00+01:00", scheduled_time="2026-01-02T20:00:00Z")
        self.assertEqual((late["taken_at"], late["scheduled_for"]), ("2026-01-02T20:30:00Z", "2026-01-02T20:00:00Z"))
        skipped = self.dose(med, "skipped", taken_at="2026-01-03T08:00:00Z", scheduled_for="2026-01-03T08:00:00Z")

        # Newest first; both slash forms; date and status filters.
        listed = self.check_both_slashes("GET", base, self.user, 200)[0].json
        self.assertEqual([d["id"] for d in listed], [skipped["id"], late["id"], first["id"]])
        on_day = self.ok(self.get(f"{base}?start_date=2026-01-02&end_date=2026-01-02", self.user))
        self.assertEqual([d["id"] for d in on_day], [late["id"]])
        self.assertEqual([d["id"] for d in self.ok(self.get(f"{base}?status=skipped", self.user))], [skipped["id"]])
        self.error(self.get(f"{base}?start_date=yesterday", self.user), 422, "start_date")
        self.error(self.get(f"{base}?status=forgotten", self.user), 422, "status")
        self.check_pagination(base, self.user, maximum=1000)

        self.assertEqual(self.ok(self.get(f"{base}/{first['id']}", self.user))["notes"], "with breakfast")
        changed = self.ok(self.put(f"{base}/{first['id']}", self.user, {"status": "late", "notes": None}))
        self.assertEqual((changed["status"], changed["notes"], changed["scheduled_for"]),
                         ("late", None, "2026-01-01T08:00:00Z"))

        # One answer per slot: a second answer is a conflict and changes nothing.
        r = self.post(base, self.user, {"status": "taken", "taken_at": "2026-01-01T09:00:00Z",
                                        "scheduled_for": "2026-01-01T08:00:00Z"})
        self.error(r, 409)
        self.assertEqual(len(self.ok(self.get(base, self.user))), 3)
        # Extra doses without a slot may be many.
        self.dose(med, taken_at="2026-01-04T12:00:00Z")
        self.dose(med, taken_at="2026-01-04T13:00:00Z")

        valid = {"status": "taken", "taken_at": "2026-01-05T08:00:00Z"}
        self.check_field_errors("POST", base, self.user, valid, 422, [
            ("status", "forgotten"), ("status", None), ("taken_at", "soon"), ("taken_at", None),
            ("scheduled_for", "08:00"), ("notes", "x" * 2001)])
        self.error(self.post(base, self.user, {"status": "late", "taken_at": "2026-01-05T09:00:00Z"}), 422,
                   "scheduled_for")
        self.check_malformed_bodies("POST", base, self.user, string_field="notes", valid=valid)

        self.assertEqual(self.delete(f"{base}/{skipped['id']}", self.user).status, 200)
        self.error(self.get(f"{base}/{skipped['id']}", self.user), 404)
        self.check_unauthenticated("GET", base)
        self.check_unauthenticated("GET", f"/medications/{med['id']}/adherence")

    def test_a_dose_belongs_to_its_medication(self):
        med, other_med = self.medication(), self.medication()
        d = self.dose(med)
        for method in ("GET", "PUT", "DELETE"):
            r = self.call(method, f"/medications/{other_med['id']}/doses/{d['id']}", self.user,
                          json_body={"notes": "x"} if method == "PUT" else None)
            self.error(r, 404)
        self.error(self.get(f"/medications/999999999/doses", self.user), 404)
        self.assertEqual(self.ok(self.get(f"/medications/{other_med['id']}/doses", self.user)), [])

    def test_strangers_see_nothing(self):
        med = self.medication(reminder_times=["08:00"])
        d = self.dose(med)
        base = f"/medications/{med['id']}/doses"
        for method, path in (("GET", base), ("GET", f"{base}/{d['id']}"), ("PUT", f"{base}/{d['id']}"),
                             ("DELETE", f"{base}/{d['id']}"), ("POST", base),
                             ("GET", f"/medications/{med['id']}/adherence")):
            r = self.call(method, path, self.other, json_body={"status": "taken", "taken_at": "2026-01-01T00:00:00Z"}
                          if method in ("POST", "PUT") else None)
            with self.subTest(method=method, path=path):
                self.error(r, 404)
        self.assertEqual(len(self.ok(self.get(base, self.user))), 1)

    def test_adherence_over_a_period(self):
        med = self.medication(reminder_enabled=True, reminder_times=["20:00", "08:00"],
                              effective_period_start="2026-01-01", effective_period_end="2026-01-03")
        base = f"/medications/{med['id']}/doses"
        self.dose(med, "taken", taken_at="2026-01-01T08:01:00Z", scheduled_for="2026-01-01T08:00:00Z")
        self.dose(med, "late", taken_at="2026-01-01T22:00:00Z", scheduled_for="2026-01-01T20:00:00Z")
        self.dose(med, "skipped", taken_at="2026-01-02T08:00:00Z", scheduled_for="2026-01-02T08:00:00Z")
        self.dose(med, "taken", taken_at="2026-01-02T12:00:00Z")  # an extra dose
        self.dose(med, "taken", taken_at="2026-01-09T08:00:00Z", scheduled_for="2026-01-09T08:00:00Z")  # outside

        summary = self.ok(self.get(f"/medications/{med['id']}/adherence?start_date=2025-12-30&end_date=2026-01-05",
                                   self.user))
        self.assertEqual({k: summary[k] for k in ("start_date", "end_date", "timezone", "reminder_times",
                                                  "scheduled", "upcoming", "taken", "late", "skipped", "missed",
                                                  "unscheduled", "adherence_percentage")},
                         {"start_date": "2025-12-30", "end_date": "2026-01-05", "timezone": "UTC",
                          "reminder_times": ["08:00", "20:00"], "scheduled": 6, "upcoming": 0, "taken": 1,
                          "late": 1, "skipped": 1, "missed": 3, "unscheduled": 1, "adherence_percentage": 33.3})
        # Both ends of the period are inclusive: the last day alone has its two slots.
        last = self.ok(self.get(f"/medications/{med['id']}/adherence/?start_date=2026-01-03&end_date=2026-01-03",
                                self.user))
        self.assertEqual((last["scheduled"], last["missed"], last["adherence_percentage"]), (2, 2, 0.0))
        outside = self.ok(self.get(f"/medications/{med['id']}/adherence?start_date=2026-02-01&end_date=2026-02-02",
                                   self.user))
        self.assertEqual((outside["scheduled"], outside["adherence_percentage"]), (0, None))
        for query, name in (("start_date=2026-13-01", "start_date"), ("start_date=2026-01-05&end_date=2026-01-01",
                                                                      "end_date"),
                            ("start_date=2024-01-01&end_date=2026-01-01", "end_date")):
            with self.subTest(query=query):
                self.error(self.get(f"/medications/{med['id']}/adherence?{query}", self.user), 422, name)

    def test_future_slots_are_upcoming_not_missed(self):
        today = datetime.datetime.now(datetime.timezone.utc).date()
        med = self.medication(reminder_times=["00:00", "23:59"], effective_period_start=today.isoformat())
        summary = self.ok(self.get(f"/medications/{med['id']}/adherence?start_date={today}&end_date={today}",
                                   self.user))
        # Midnight has passed; 23:59 is still ahead (unless the test runs in the last minute).
        self.assertEqual(summary["scheduled"] + summary["upcoming"], 2)
        self.assertGreaterEqual(summary["scheduled"], 1)
        self.assertEqual(summary["missed"], summary["scheduled"])
        # Answering the upcoming slot early makes it due and taken.
        if summary["upcoming"]:
            self.dose(med, taken_at=f"{today}T00:10:00Z", scheduled_for=f"{today}T23:59:00Z")
            after = self.ok(self.get(f"/medications/{med['id']}/adherence?start_date={today}&end_date={today}",
                                     self.user))
            self.assertEqual((after["scheduled"], after["taken"], after["adherence_percentage"]), (2, 1, 50.0))


if __name__ == "__main__":
    unittest.main()
