"""Providers through nginx and the pool: pharmacies, practitioners, medical specialties
and practices — the shared directories every signed-in user reads and maintains.

Contract: api-reference.txt "Pharmacies", "Practitioners", "Medical Specialties",
"Practices"; decisions.md rules 3 (422), 4 (201 unless the endpoint says otherwise),
5 (delete: 200 + message unless the endpoint says otherwise), 6 (paging) and 8 (full CRUD).
"""
import unittest

import harness as h
from apicase import SCRIPT_TEXT, SQL_TEXT, UNICODE_TEXT, ApiTestCase, new_user


def pharmacy_body(**overrides):
    body = {
        "name": h.unique("CVS Pharmacy - Main Street "), "brand": "CVS", "street_address": "456 Oak St",
        "city": "Anytown", "state": "NC", "zip_code": "27514", "country": "United States",
        "store_number": "12345", "phone_number": "+1234567890", "fax_number": "+1234567891",
        "email": "pharmacy@example.com", "website": "https://www.cvs.com", "hours": "Mon-Fri 9AM-9PM",
        "drive_through": True, "twenty_four_hour": False,
        "specialty_services": "Vaccinations, Compounding, Medication Therapy Management",
    }
    body.update(overrides)
    return body


def practice_body(**overrides):
    body = {
        "name": h.unique("City General Hospital "), "phone_number": "+1234567890", "fax_number": "+1234567891",
        "website": "https://www.citygeneral.com", "patient_portal_url": "https://portal.citygeneral.com",
        "notes": "Main campus location",
        "locations": [{"label": "Main Office", "address": "123 Medical Dr", "city": "Chapel Hill", "state": "NC",
                       "zip": "27514", "phone": "+1234567890"}],
    }
    body.update(overrides)
    return body


def create_specialty(user, name=None):
    """A specialty (new: 201, or an existing one of that name: 200)."""
    r = h.post("/api/v1/medical-specialties/", json_body={"name": name or h.unique("Specialty ")}, token=user.token)
    if r.status not in (200, 201):
        raise AssertionError(f"creating a specialty failed: {r!r}")
    return r.json


class DirectoryCase(ApiTestCase):
    """A class-wide user and specialty; helpers that create directory entries."""

    @classmethod
    def setUpClass(cls):
        cls.user = new_user()
        cls.shared_specialty = create_specialty(cls.user)

    def specialty(self, user=None, name=None):
        r = self.post("/medical-specialties/", user or self.user, {"name": name or h.unique("Specialty ")})
        self.assertIn(r.status, (200, 201), r)
        return r.json

    def practice(self, **overrides):
        return self.ok(self.post("/practices/", self.user, practice_body(**overrides)), 200)

    def practitioner(self, **overrides):
        body = {"name": h.unique("Dr. Sarah Smith "), "specialty_id": self.shared_specialty["id"]}
        body.update(overrides)
        return self.ok(self.post("/practitioners/", self.user, body), 201)


class PharmacyTests(DirectoryCase):
    def test_create_get_list(self):
        body = pharmacy_body()
        created = self.ok(self.post("/pharmacies/", self.user, body), 201)
        self.assert_has_fields(created, ["id", "created_at", "updated_at"])
        self.assert_timestamps(created)
        for key, value in body.items():
            self.assertEqual(created[key], value, key)
        self.ok(self.post("/pharmacies", self.user, pharmacy_body()), 201)
        item = f"/pharmacies/{created['id']}"
        for r in self.check_both_slashes("GET", item, self.user, 200):
            self.assertEqual(r.json, created)
        for r in self.check_both_slashes("GET", "/pharmacies", self.user, 200):
            self.assertIn(created["id"], [p["id"] for p in r.json])
        self.check_pagination("/pharmacies/", self.user, maximum=100)

    def test_international_postal_codes(self):
        for code in ("SW1A 1AA", "K1A 0B1", "10115", "27514-1234", "100-0001"):
            created = self.ok(self.post("/pharmacies/", self.user, pharmacy_body(zip_code=code)), 201)
            self.assertEqual(created["zip_code"], code)

    def test_update_and_delete(self):
        created = self.ok(self.post("/pharmacies/", self.user, pharmacy_body()), 201)
        item = f"/pharmacies/{created['id']}"
        updated = self.ok(self.put(item, self.user, {"city": "Leeds", "drive_through": False}))
        self.assertEqual({**created, "city": "Leeds", "drive_through": False, "updated_at": updated["updated_at"]}, updated)
        updated = self.ok(self.put(item + "/", self.user, {"brand": None}))
        self.assertIsNone(updated["brand"])
        self.assertEqual(self.ok(self.delete(item, self.user)), {"message": "Pharmacy deleted successfully"})
        for method, body in (("GET", None), ("PUT", {"city": "X"}), ("DELETE", None)):
            self.error(self.call(method, item, self.user, json_body=body), 404)
            self.error(self.call(method, "/pharmacies/abc", self.user, json_body=body), 422, "pharmacy_id")
        other = self.ok(self.post("/pharmacies/", self.user, pharmacy_body()), 201)
        self.ok(self.delete(f"/pharmacies/{other['id']}/", self.user))

    def test_deleting_a_pharmacy_in_use_keeps_the_medication(self):
        pharmacy = self.ok(self.post("/pharmacies/", self.user, pharmacy_body()), 201)
        medication = self.ok(self.post("/medications/", self.user, {"medication_name": "X", "pharmacy_id": pharmacy["id"]}), 201)
        r = self.delete(f"/pharmacies/{pharmacy['id']}", self.user)
        self.assertIn(r.status, (200, 409), r)
        after = self.ok(self.get(f"/medications/{medication['id']}", self.user))
        if r.status == 200:
            self.assertIsNone(after["pharmacy_id"])
            self.assertIsNone(after["pharmacy"])

    def test_bad_bodies_are_422(self):
        self.error(self.post("/pharmacies/", self.user, {}), 422, "name")
        bad = [("name", ""), ("name", "n" * 151), ("name", 5), ("email", "not-an-email"), ("website", "not a url"),
               ("website", "javascript:alert(1)"), ("drive_through", "yes"), ("twenty_four_hour", 1),
               ("zip_code", "9" * 21), ("phone_number", "1" * 31), ("city", ["Leeds"])]
        self.check_field_errors("POST", "/pharmacies/", self.user, pharmacy_body(), 422, bad)
        self.check_malformed_bodies("POST", "/pharmacies/", self.user, string_field="name", valid=pharmacy_body())
        created = self.ok(self.post("/pharmacies/", self.user, pharmacy_body()), 201)
        item = f"/pharmacies/{created['id']}"
        self.check_field_errors("PUT", item, self.user, {}, 422, bad)
        self.check_malformed_bodies("PUT", item, self.user, string_field="city")
        self.assertEqual(self.ok(self.get(item, self.user)), created)

    def test_text_is_stored_literally(self):
        name = SQL_TEXT + h.unique(" ")
        created = self.ok(self.post("/pharmacies/", self.user, pharmacy_body(name=name, specialty_services=SCRIPT_TEXT,
                                                                              hours=UNICODE_TEXT)), 201)
        fetched = self.ok(self.get(f"/pharmacies/{created['id']}", self.user))
        self.assertEqual((fetched["name"], fetched["specialty_services"], fetched["hours"]), (name, SCRIPT_TEXT, UNICODE_TEXT))

    def test_every_endpoint_needs_a_token(self):
        for method, path, body in (("GET", "/pharmacies/", None), ("POST", "/pharmacies/", pharmacy_body()),
                                   ("GET", "/pharmacies/1", None), ("PUT", "/pharmacies/1", {"city": "X"}),
                                   ("DELETE", "/pharmacies/1", None)):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, body)


class PractitionerTests(DirectoryCase):
    def test_create_returns_201_with_resolved_names(self):
        practice = self.practice()
        body = {"name": h.unique("Dr. Sarah Smith "), "specialty_id": self.shared_specialty["id"], "practice_id": practice["id"],
                "phone_number": "+1234567890", "email": "dr.smith@clinic.com", "website": "https://drsmith.com", "rating": 4.5}
        created = self.ok(self.post("/practitioners/", self.user, body), 201)
        for key, value in body.items():
            self.assertEqual(created[key], value, key)
        self.assert_has_fields(created, ["id", "specialty", "specialty_name", "practice_name", "created_at", "updated_at"])
        self.assert_timestamps(created)
        self.assertEqual(created["specialty"], self.shared_specialty["name"])
        self.assertEqual(created["specialty_name"], self.shared_specialty["name"])
        self.assertEqual(created["practice_name"], practice["name"])
        for r in self.check_both_slashes("GET", f"/practitioners/{created['id']}", self.user, 200):
            self.assertEqual(r.json, created)
        legacy = self.practitioner(practice="Old Street Surgery")
        self.assertEqual(legacy["practice"], "Old Street Surgery")
        self.assertIsNone(legacy["practice_id"])
        self.ok(self.post("/practitioners", self.user, {"name": "Dr. No Slash", "specialty_id": self.shared_specialty["id"]}), 201)

    def test_list_filters_and_pages(self):
        specialty = self.specialty()
        practice = self.practice()
        a = self.practitioner(specialty_id=specialty["id"])
        b = self.practitioner(specialty_id=specialty["id"], practice_id=practice["id"])
        c = self.practitioner(practice_id=practice["id"])
        for r in self.check_both_slashes("GET", "/practitioners", self.user, 200):
            ids = [p["id"] for p in r.json]
            self.assertTrue({a["id"], b["id"], c["id"]} <= set(ids) or len(ids) == 100, ids)
            for p in r.json:
                self.assert_has_fields(p, ["specialty", "specialty_name", "practice_name", "created_at", "updated_at"])
        by_specialty = self.ok(self.get(f"/practitioners/?specialty_id={specialty['id']}", self.user))
        self.assertEqual({p["id"] for p in by_specialty}, {a["id"], b["id"]})
        by_practice = self.ok(self.get(f"/practitioners/?practice_id={practice['id']}", self.user))
        self.assertEqual({p["id"] for p in by_practice}, {b["id"], c["id"]})
        both = self.ok(self.get(f"/practitioners/?practice_id={practice['id']}&specialty_id={specialty['id']}", self.user))
        self.assertEqual([p["id"] for p in both], [b["id"]])
        self.assertEqual(self.ok(self.get("/practitioners/?specialty_id=999999999", self.user)), [])
        for query, name in (("specialty_id=abc", "specialty_id"), ("practice_id=x", "practice_id")):
            self.error(self.get(f"/practitioners/?{query}", self.user), 422, name)
        self.check_pagination("/practitioners/", self.user, maximum=100)
        self.check_pagination("/practitioners/", self.user, maximum=100, extra=f"&specialty_id={specialty['id']}")

    def test_search_by_name(self):
        token = h.unique("Zed")
        one = self.practitioner(name=f"Dr. {token} Alpha")
        two = self.practitioner(name=f"Dr. {token} Beta")
        self.practitioner(name="Dr. Someone Else")
        for r in self.check_both_slashes("GET", f"/practitioners/search/by-name?name={token.lower()}", self.user, 200):
            self.assertEqual({p["id"] for p in r.json}, {one["id"], two["id"]})
        beta = self.ok(self.get(f"/practitioners/search/by-name?name={token}%20beta", self.user))
        self.assertEqual([p["id"] for p in beta], [two["id"]])
        # LIKE wildcards are literal.
        self.assertEqual(self.ok(self.get("/practitioners/search/by-name?name=%25%25", self.user)), [])
        self.assertEqual(self.ok(self.get("/practitioners/search/by-name?name=__", self.user)), [])
        for query in ("", "?name=", "?name=a", "?other=xx"):
            self.error(self.get(f"/practitioners/search/by-name{query}", self.user), 422, "name")

    def test_update_and_delete(self):
        created = self.practitioner(rating=3)
        item = f"/practitioners/{created['id']}"
        cardiology = self.specialty()
        updated = self.ok(self.put(item, self.user, {"specialty_id": cardiology["id"], "rating": 5}))
        self.assertEqual((updated["specialty_id"], updated["specialty"], updated["specialty_name"], updated["rating"]),
                         (cardiology["id"], cardiology["name"], cardiology["name"], 5))
        self.assertEqual(updated["name"], created["name"])
        self.assertEqual(self.ok(self.get(item + "/", self.user)), updated)
        renamed = self.ok(self.put(item + "/", self.user, {"name": created["name"] + " Jr."}))
        self.assertEqual(renamed["name"], created["name"] + " Jr.")
        self.assertEqual(self.ok(self.delete(item, self.user)), {"message": "Practitioner deleted successfully"})
        spare = self.practitioner()
        self.ok(self.delete(f"/practitioners/{spare['id']}/", self.user))
        for method, body in (("GET", None), ("PUT", {"rating": 1}), ("DELETE", None)):
            self.error(self.call(method, item, self.user, json_body=body), 404)
            self.error(self.call(method, "/practitioners/abc", self.user, json_body=body), 422, "practitioner_id")

    def test_bad_bodies_are_422(self):
        valid = {"name": "Dr. Valid", "specialty_id": self.shared_specialty["id"]}
        self.error(self.post("/practitioners/", self.user, {}), 422, "name", "specialty_id")
        self.error(self.post("/practitioners/", self.user, {"name": "Dr. No Specialty"}), 422, "specialty_id")
        bad = [("specialty_id", 999999999), ("specialty_id", "cardiology"), ("practice_id", 999999999), ("rating", 6),
               ("rating", -1), ("rating", "good"), ("email", "nope"), ("website", "ftp:/x"), ("name", "n" * 101),
               ("name", ""), ("phone_number", 12345)]
        self.check_field_errors("POST", "/practitioners/", self.user, valid, 422, bad)
        self.check_malformed_bodies("POST", "/practitioners/", self.user, string_field="name", valid=valid)
        created = self.practitioner()
        item = f"/practitioners/{created['id']}"
        self.check_field_errors("PUT", item, self.user, {}, 422, bad)
        self.check_malformed_bodies("PUT", item, self.user, string_field="name")
        self.assertEqual(self.ok(self.get(item, self.user)), created)

    def test_text_is_stored_literally(self):
        created = self.practitioner(name=SCRIPT_TEXT[:100], practice=SQL_TEXT)
        fetched = self.ok(self.get(f"/practitioners/{created['id']}", self.user))
        self.assertEqual((fetched["name"], fetched["practice"]), (SCRIPT_TEXT[:100], SQL_TEXT))

    def test_every_endpoint_needs_a_token(self):
        for method, path, body in (("GET", "/practitioners/", None), ("POST", "/practitioners/", {"name": "X", "specialty_id": 1}),
                                   ("GET", "/practitioners/1", None), ("PUT", "/practitioners/1", {"rating": 1}),
                                   ("DELETE", "/practitioners/1", None), ("GET", "/practitioners/search/by-name?name=xx", None)):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, body)


class MedicalSpecialtyTests(DirectoryCase):
    def test_create_list_and_existing_name(self):
        user = new_user()
        name = h.unique("Pulmonology ")
        created = self.ok(self.post("/medical-specialties/", user, {"name": name, "description": "Lung & respiratory care"}), 201)
        self.assert_has_fields(created, ["id", "name", "description", "is_active"])
        self.assertEqual((created["name"], created["description"], created["is_active"]), (name, "Lung & respiratory care", True))
        again = self.ok(self.post("/medical-specialties", user, {"name": name.upper()}), 200)
        self.assertEqual(again["id"], created["id"])
        self.assertEqual(again["name"], name)
        self.ok(self.post("/medical-specialties", user, {"name": h.unique("NoSlash ")}), 201)
        for r in self.check_both_slashes("GET", "/medical-specialties", user, 200):
            entry = next(s for s in r.json if s["id"] == created["id"])
            self.assertEqual(entry, {"id": created["id"], "name": name, "description": "Lung & respiratory care", "is_active": True})
            for s in r.json:
                self.assertEqual(set(s), {"id", "name", "description", "is_active"})
                self.assertIs(s["is_active"], True)

    def test_bad_bodies_are_422(self):
        user = new_user()
        self.error(self.post("/medical-specialties/", user, {}), 422, "name")
        self.check_field_errors("POST", "/medical-specialties/", user, {"name": "Valid"}, 422, [
            ("name", ""), ("name", "n" * 101), ("name", 5), ("description", "d" * 501), ("is_active", "yes")])
        self.check_malformed_bodies("POST", "/medical-specialties/", user)

    def test_text_is_stored_literally(self):
        user = new_user()
        name = SQL_TEXT[:80] + h.unique(" ")
        created = self.ok(self.post("/medical-specialties/", user, {"name": name, "description": SCRIPT_TEXT}), 201)
        listed = next(s for s in self.ok(self.get("/medical-specialties/", user)) if s["id"] == created["id"])
        self.assertEqual((listed["name"], listed["description"]), (name, SCRIPT_TEXT))

    def test_twenty_creates_per_hour_per_user(self):
        user = new_user()
        for i in range(20):
            self.ok(self.post("/medical-specialties/", user, {"name": h.unique(f"Rate{i} ")}), 201)
        r = self.post("/medical-specialties/", user, {"name": h.unique("Rate21 ")})
        self.error(r, 429)
        self.assertGreater(int(r.header("Retry-After")), 0)
        # Another user is not limited by it.
        self.ok(self.post("/medical-specialties/", new_user(), {"name": h.unique("Other ")}), 201)

    def test_every_endpoint_needs_a_token(self):
        self.check_unauthenticated("GET", "/medical-specialties/")
        self.check_unauthenticated("POST", "/medical-specialties/", {"name": "X"})


class PracticeTests(DirectoryCase):
    def test_create_is_200_with_the_practice(self):
        body = practice_body()
        created = self.ok(self.post("/practices/", self.user, body), 200)
        self.assert_has_fields(created, ["id", "created_at", "updated_at"])
        self.assert_timestamps(created)
        for key, value in body.items():
            self.assertEqual(created[key], value, key)
        self.ok(self.post("/practices", self.user, practice_body()), 200)
        for r in self.check_both_slashes("GET", f"/practices/{created['id']}", self.user, 200):
            self.assertEqual(r.json, {**created, "practitioner_count": 0})

    def test_names_are_unique_case_insensitively(self):
        created = self.practice()
        self.error(self.post("/practices/", self.user, practice_body(name=created["name"])), 409)
        self.error(self.post("/practices/", self.user, practice_body(name=created["name"].upper())), 409)
        other = self.practice()
        self.error(self.put(f"/practices/{other['id']}", self.user, {"name": created["name"].lower()}), 409)
        self.assertEqual(self.ok(self.get(f"/practices/{other['id']}", self.user))["name"], other["name"])

    def test_list_search_summary(self):
        token = h.unique("Clinic")
        one = self.practice(name=f"{token} North")
        two = self.practice(name=f"{token} South")
        for r in self.check_both_slashes("GET", "/practices", self.user, 200):
            self.assertTrue(all("id" in p and "name" in p for p in r.json))
        found = self.ok(self.get(f"/practices/?search={token.upper()}", self.user))
        self.assertEqual({p["id"] for p in found}, {one["id"], two["id"]})
        self.assertEqual(self.ok(self.get("/practices/?search=%25_%25", self.user)), [])
        self.error(self.get("/practices/?search=", self.user), 422, "search")
        self.check_pagination("/practices/", self.user, maximum=100)
        for r in self.check_both_slashes("GET", "/practices/summary", self.user, 200):
            self.assertIn({"id": one["id"], "name": one["name"]}, r.json)
            for entry in r.json:
                self.assertEqual(set(entry), {"id", "name"})
        for r in self.check_both_slashes("GET", f"/practices/search/by-name?name={token}%20south", self.user, 200):
            self.assertEqual([p["id"] for p in r.json], [two["id"]])
        self.assertEqual(len(self.ok(self.get(f"/practices/search/by-name?name={token}", self.user))), 2)
        for query in ("", "?name="):
            self.error(self.get(f"/practices/search/by-name{query}", self.user), 422, "name")

    def test_practitioner_count_and_delete_unlinks(self):
        practice = self.practice()
        doctors = [self.practitioner(practice_id=practice["id"]) for _ in range(2)]
        self.assertEqual(self.ok(self.get(f"/practices/{practice['id']}", self.user))["practitioner_count"], 2)
        self.assertEqual(self.ok(self.delete(f"/practices/{practice['id']}", self.user)), {"message": "Practice deleted successfully"})
        for doctor in doctors:
            after = self.ok(self.get(f"/practitioners/{doctor['id']}", self.user))
            self.assertIsNone(after["practice_id"])
            self.assertIsNone(after["practice_name"])
            self.assertEqual(after["name"], doctor["name"])
        for method, body in (("GET", None), ("PUT", {"notes": "x"}), ("DELETE", None)):
            self.error(self.call(method, f"/practices/{practice['id']}", self.user, json_body=body), 404)
            self.error(self.call(method, "/practices/abc", self.user, json_body=body), 422, "practice_id")

    def test_update(self):
        created = self.practice()
        item = f"/practices/{created['id']}"
        updated = self.ok(self.put(item, self.user, {"notes": "Moved", "locations": []}))
        self.assertEqual((updated["notes"], updated["locations"], updated["name"]), ("Moved", [], created["name"]))
        renamed = self.ok(self.put(item + "/", self.user, {"name": created["name"] + " Renamed"}))
        self.assertEqual(renamed["name"], created["name"] + " Renamed")
        self.ok(self.delete(item + "/", self.user))

    def test_bad_bodies_are_422(self):
        self.error(self.post("/practices/", self.user, {}), 422, "name")
        bad = [("name", "x"), ("name", "n" * 151), ("name", 12), ("website", "not a url"), ("patient_portal_url", 5),
               ("locations", "Main Office"), ("locations", [{"label": 5}]), ("locations", ["x"]), ("notes", ["a"])]
        self.check_field_errors("POST", "/practices/", self.user, practice_body(), 422, bad)
        self.check_malformed_bodies("POST", "/practices/", self.user, string_field="name", valid=practice_body())
        created = self.practice()
        item = f"/practices/{created['id']}"
        self.check_field_errors("PUT", item, self.user, {}, 422, bad)
        self.check_malformed_bodies("PUT", item, self.user, string_field="notes")
        self.assertEqual(self.ok(self.get(item, self.user)), {**created, "practitioner_count": 0})

    def test_text_is_stored_literally(self):
        name = SCRIPT_TEXT[:60] + h.unique(" ")
        created = self.practice(name=name, notes=SQL_TEXT, locations=[{"label": UNICODE_TEXT, "address": SQL_TEXT}])
        fetched = self.ok(self.get(f"/practices/{created['id']}", self.user))
        self.assertEqual((fetched["name"], fetched["notes"]), (name, SQL_TEXT))
        self.assertEqual(fetched["locations"][0]["label"], UNICODE_TEXT)
        self.assertEqual(fetched["locations"][0]["address"], SQL_TEXT)

    def test_every_endpoint_needs_a_token(self):
        for method, path, body in (("GET", "/practices/", None), ("POST", "/practices/", practice_body()),
                                   ("GET", "/practices/summary", None), ("GET", "/practices/search/by-name?name=x", None),
                                   ("GET", "/practices/1", None), ("PUT", "/practices/1", {"notes": "x"}),
                                   ("DELETE", "/practices/1", None)):
            with self.subTest(method=method, path=path):
                self.check_unauthenticated(method, path, body)


if __name__ == "__main__":
    unittest.main()
