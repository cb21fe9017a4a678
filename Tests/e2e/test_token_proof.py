"""Reads that check the token inside their own statement (`Caller.proof`): a token that
no longer stands must be refused by every one of them even though their records are
there to be read, and a valid one must see them. Three ways a token stops standing:
logout (revoked), a password change (the epoch moves), an account disabled in SQL."""
import unittest

import harness as h
from apicase import ApiTestCase, db_execute, login, new_user

PASSWORD = "Str0ng-Passw0rd!"  # new_user's default


def reads_with_records(user):
    """Paths of folded reads, each with records in it for `user`."""
    me = h.get("/api/v1/patients/me", token=user.token).json
    pid = me["id"]

    def made(path, body):
        r = h.post("/api/v1" + path, token=user.token, json_body=body)
        assert r.status in (200, 201), (path, r)
        return r.json

    medication = made("/medications/", {"medication_name": h.unique("Proof med ")})
    treatment = made("/treatments/", {"treatment_name": h.unique("Proof plan ")})
    made(f"/treatments/{treatment['id']}/medications", {"medication_id": medication["id"]})
    symptom = made("/symptoms/", {"symptom_name": h.unique("Proof ache ")})
    made(f"/symptoms/{symptom['id']}/occurrences", {"occurred_at": "2026-01-05T10:00:00Z", "severity": "mild"})
    made("/vitals/", {"recorded_date": "2026-01-05T10:00:00Z", "heart_rate": 60})
    lab = made("/lab-results/", {"test_name": h.unique("Proof panel "), "test_code": "PROOF1"})
    made(f"/lab-test-components/lab-result/{lab['id']}/components",
         {"test_name": "LDL Cholesterol", "value": 100, "unit": "mg/dL"})
    return [
        "/users/me",  # the profile, read by the statement that checks the token
        "/medications/",  # the active patient, resolved inside the list's statement
        f"/medications/?patient_id={pid}",
        f"/medications/{medication['id']}",
        f"/treatments/{treatment['id']}/medications",
        f"/symptoms/{symptom['id']}/occurrences",
        "/symptoms/timeline",
        f"/symptoms/timeline?patient_id={pid}",
        f"/vitals/patient/{pid}/stats",
        f"/lab-test-components/patient/{pid}/trends/LDL%20Cholesterol",
        "/lab-results/search/code/PROOF1",
    ]


class TokenProofTests(ApiTestCase):
    def assert_all_read(self, user, paths):
        for path in paths:
            with self.subTest(path=path):
                body = self.ok(self.get(path, user))
                self.assertTrue(body, f"{path} has records to show")

    def assert_all_refused(self, user, paths):
        for path in paths:
            with self.subTest(path=path):
                self.error(self.get(path, user), 401)

    def test_logout_refuses_every_read(self):
        user = new_user()
        paths = reads_with_records(user)
        self.assert_all_read(user, paths)
        self.ok(self.post("/auth/logout", user))
        self.assert_all_refused(user, paths)

    def test_password_change_refuses_every_read(self):
        user = new_user()
        paths = reads_with_records(user)
        self.assert_all_read(user, paths)
        self.ok(self.post("/auth/change-password", user,
                          {"current_password": PASSWORD, "new_password": "N3w-Passw0rd!"}))
        self.assert_all_refused(user, paths)

    def test_disabled_account_refuses_every_read(self):
        user = new_user()
        paths = reads_with_records(user)
        self.assert_all_read(user, paths)
        db_execute(f"UPDATE users SET is_active = 0 WHERE id = {int(user.id)}")
        self.assert_all_refused(user, paths)

    def test_another_session_still_reads(self):
        user = new_user()
        paths = reads_with_records(user)
        other = login(user.username, PASSWORD)
        self.ok(self.post("/auth/logout", user))
        for path in paths:
            with self.subTest(path=path):
                r = self.call("GET", path, token=other)
                self.assertEqual(r.status, 200, (path, r))


if __name__ == "__main__":
    unittest.main()
