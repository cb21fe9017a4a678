"""The standardized lab tests catalog through nginx and the pool.

Contract: api-reference.txt "standardized-tests" (search, autocomplete with `q` of at
least 2 characters, common, by-category, by-loinc, by-name, count, batch-match); upstream's
OpenAPI schemas StandardizedTestResponse, TestSearchResponse, AutocompleteOption and
BatchMatchResult; decisions.md rule 6 (search: limit 200 by default, at most 1000,
clamped). The catalog is the 174 tests migration 0011 loads from upstream's test library.
"""
import urllib.parse

from apicase import SCRIPT_TEXT, SQL_TEXT, UNICODE_TEXT, ApiTestCase, db_execute, new_user

BASE = "/standardized-tests"
TEST_KEYS = ["id", "loinc_code", "test_name", "short_name", "default_unit", "category", "common_names", "is_common"]
OPTION_KEYS = ["value", "label", "loinc_code", "default_unit", "category"]
MATCH_KEYS = ["input", "matched", "loinc_code", "test_name", "match_type", "confidence", "matched_test"]


def quoted(text):
    """A path segment, percent-encoded (slashes too)."""
    return urllib.parse.quote(text, safe="")


class TestCatalogTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()

    def found(self, path, **params):
        """The body of a 200 answer to GET `path` with `params`."""
        query = urllib.parse.urlencode(params)
        return self.ok(self.get(f"{BASE}{path}" + (f"?{query}" if query else ""), self.user))

    def search_names(self, query, **params):
        return [t["test_name"] for t in self.found("/search", query=query, **params)["tests"]]

    def batch(self, names):
        return self.ok(self.post(f"{BASE}/batch-match", self.user, json_body={"test_names": names}))

    # The catalog ------------------------------------------------------------

    def test_all_174_tests_in_upstreams_shape(self):
        self.assertEqual(self.found("/count"), {"total_tests": 174, "common_tests": 67, "categories": 11})
        body = self.found("/search")
        self.assertEqual(list(body), ["tests", "total"])
        self.assertEqual(body["total"], 174)
        tests = body["tests"]
        self.assertEqual(len(tests), 174)
        self.assertEqual(len({t["id"] for t in tests}), 174)
        for t in tests:
            with self.subTest(test=t["test_name"]):
                self.assertEqual(list(t), TEST_KEYS)
                self.assertIsInstance(t["is_common"], bool)
                self.assertTrue(all(isinstance(n, str) for n in t["common_names"]))
                self.assertTrue(t["loinc_code"] is None or isinstance(t["loinc_code"], str))
        self.assertEqual(sum(t["loinc_code"] is not None for t in tests), 108)
        glucose = next(t for t in tests if t["loinc_code"] == "2345-7")
        self.assertEqual((glucose["test_name"], glucose["short_name"], glucose["default_unit"], glucose["category"]),
                         ("Glucose", "GLU", "mg/dL", "endocrinology"))
        self.assertIn("Blood Sugar", glucose["common_names"])
        stored = db_execute("SELECT COUNT(*) FROM standardized_tests WHERE is_common = 1").strip()
        self.assertEqual(stored, "67")
        self.assertEqual(self.found("/count", category="Hematology")["categories"], 1)

    def test_every_path_with_and_without_trailing_slash(self):
        for path in ("/search", "/autocomplete?q=gl", "/common", "/count", "/by-category/lipids",
                     "/by-loinc/2345-7", "/by-name/Glucose"):
            self.check_both_slashes("GET", BASE + path, self.user, 200)
        self.check_both_slashes("POST", BASE + "/batch-match", self.user, 200, json_body={"test_names": ["ALT"]})

    # Search -----------------------------------------------------------------

    def test_search_by_name_abbreviation_code_and_common_names(self):
        self.assertEqual(self.search_names("Glucose")[0], "Glucose")
        self.assertEqual(self.search_names("2345-7"), ["Glucose"])
        # "SGOT" (AST) is one typo away, so it follows.
        self.assertEqual(self.search_names("SGPT"), ["Alanine Aminotransferase", "Aspartate Aminotransferase"])
        self.assertEqual(self.search_names("blood sugar")[0], "Glucose")
        self.assertEqual(self.search_names("hemoglobn")[0], "Hemoglobin")
        self.assertEqual([t["test_name"] for t in self.found("/search", q="wbc")["tests"]][0], "White Blood Cell Count")
        lipids = self.found("/search", query="cholesterol", category="LIPIDS")["tests"]
        self.assertGreaterEqual(len(lipids), 4)
        self.assertTrue(all(t["category"] == "lipids" for t in lipids))
        self.assertEqual(self.found("/search", query="xyzzyq"), {"tests": [], "total": 0})
        self.assertEqual(self.found("/search", category="no such category"), {"tests": [], "total": 0})

    def test_search_pagination(self):
        self.check_pagination(f"{BASE}/search", self.user, maximum=1000, key="tests")
        self.assertEqual(self.found("/search", limit=1)["total"], 174)
        self.error(self.get(f"{BASE}/search?query={'x' * 101}", self.user), 422, "query")

    def test_hostile_search_terms_are_plain_text(self):
        for text in (SQL_TEXT[:100], SCRIPT_TEXT[:100], UNICODE_TEXT, "%", "_", "\\", "'"):
            with self.subTest(text=text):
                body = self.found("/search", query=text)
                self.assertEqual(body["total"], len(body["tests"]))

    # Autocomplete -----------------------------------------------------------

    def test_autocomplete(self):
        options = self.found("/autocomplete", q="glucose")
        self.assertEqual(options[0], {"value": "Glucose", "label": "Glucose (GLU)", "loinc_code": "2345-7",
                                      "default_unit": "mg/dL", "category": "endocrinology"})
        for option in options:
            self.assertEqual(list(option), OPTION_KEYS)
        # Default 10, maximum 200; `query` (upstream's name) works too.
        self.assertEqual(len(self.found("/autocomplete", q="he")), 10)
        self.assertEqual(len(self.found("/autocomplete", query="he", limit=2)), 2)
        self.assertTrue(all(o["category"] == "hematology"
                            for o in self.found("/autocomplete", q="count", category="hematology")))
        for params, field in (({}, "q"), ({"q": "g"}, "q"), ({"q": " g "}, "q"), ({"query": "x"}, "query"),
                              ({"q": "x" * 101}, "q"), ({"q": "gl", "limit": -1}, "limit")):
            with self.subTest(params=params):
                query = urllib.parse.urlencode(params)
                self.error(self.get(f"{BASE}/autocomplete?{query}", self.user), 422, field)

    # Common, by category, by code, by name ---------------------------------

    def test_common_tests(self):
        common = self.found("/common")
        stored = db_execute(
            "SELECT test_name FROM standardized_tests WHERE is_common = 1 ORDER BY display_order").splitlines()
        self.assertEqual([t["test_name"] for t in common], stored)
        self.assertEqual(len(self.found("/common", limit=3)), 3)
        self.assertEqual(len(self.found("/common", limit=100000)), 67)
        self.assertTrue(all(t["category"] == "lipids" for t in self.found("/common", category="Lipids")))

    def test_by_category(self):
        for spelling in ("hematology", "Hematology", "HEMATOLOGY"):
            self.assertEqual(len(self.found(f"/by-category/{spelling}")), 37)
        self.assertEqual(self.found("/by-category/genetics"), [])

    def test_by_loinc(self):
        hgb = self.found("/by-loinc/718-7")
        self.assertEqual(list(hgb), TEST_KEYS)
        self.assertEqual(hgb["test_name"], "Hemoglobin")
        for unknown in ("0000-0", "718", quoted("718-7' OR '1'='1")):
            with self.subTest(code=unknown):
                body = self.error(self.get(f"{BASE}/by-loinc/{unknown}", self.user), 404)
                self.assertEqual(body["error"], "Test not found")

    def test_by_name_is_case_insensitive_and_exact(self):
        glucose = self.found("/by-name/Glucose")
        self.assertEqual(self.found("/by-name/GLUCOSE"), glucose)
        self.assertEqual(self.found(f"/by-name/{quoted('white blood cell count')}")["loinc_code"], "6690-2")
        # A name with a slash, percent-encoded.
        self.assertEqual(self.found(f"/by-name/{quoted('BUN/Creatinine Ratio')}")["short_name"], "BUN/CREA")
        for other in ("GLU", "Blood Sugar", "Gluc", "nothing"):
            with self.subTest(name=other):
                self.error(self.get(f"{BASE}/by-name/{quoted(other)}", self.user), 404)

    # Batch match ------------------------------------------------------------

    def test_batch_match(self):
        body = self.batch(["Glucose", "Hemoglobin", "Cholesterol", "ldl-c", "6690-2", "Hemoglobn", "Nothing"])
        self.assertEqual(list(body), ["matches", "total_requested", "total_matched", "results"])
        self.assertEqual((body["total_requested"], body["total_matched"]), (7, 6))
        matches = body["matches"]
        for m in matches:
            self.assertEqual(list(m), MATCH_KEYS)
        self.assertEqual([m["input"] for m in matches],
                         ["Glucose", "Hemoglobin", "Cholesterol", "ldl-c", "6690-2", "Hemoglobn", "Nothing"])
        self.assertEqual([m["test_name"] for m in matches],
                         ["Glucose", "Hemoglobin", "Total Cholesterol", "LDL Cholesterol", "White Blood Cell Count",
                          "Hemoglobin", None])
        self.assertEqual([m["match_type"] for m in matches],
                         ["name", "name", "common_name", "common_name", "loinc_code", "fuzzy", None])
        self.assertEqual(matches[0]["loinc_code"], "2345-7")
        self.assertEqual(matches[0]["confidence"], 1)
        self.assertLess(matches[5]["confidence"], matches[2]["confidence"])
        self.assertEqual(list(matches[0]["matched_test"]), TEST_KEYS)
        self.assertEqual((matches[6]["matched"], matches[6]["matched_test"], matches[6]["confidence"]),
                         (False, None, None))
        # Upstream's BatchMatchResponse shape beside the contract's.
        self.assertEqual(body["results"][0], {"test_name": "Glucose", "matched_test": matches[0]["matched_test"]})
        self.assertEqual(self.batch([]), {"matches": [], "total_requested": 0, "total_matched": 0, "results": []})

    def test_batch_match_refuses_bad_bodies(self):
        path = f"{BASE}/batch-match"
        for bad in ({}, {"test_names": None}, {"test_names": "Glucose"}, {"test_names": [1]},
                    {"test_names": ["x"] * 501}):
            with self.subTest(body=str(bad)[:40]):
                self.error(self.post(path, self.user, json_body=bad), 422, "test_names")
        self.check_malformed_bodies("POST", path, self.user, string_field="test_names")

    # Authentication ---------------------------------------------------------

    def test_every_endpoint_needs_a_signed_in_user(self):
        for path in ("/search", "/autocomplete?q=gl", "/autocomplete", "/common", "/count", "/by-category/lipids",
                     "/by-loinc/718-7", "/by-name/Glucose"):
            with self.subTest(path=path):
                self.check_unauthenticated("GET", BASE + path)
        self.check_unauthenticated("POST", BASE + "/batch-match", json_body={"test_names": ["Glucose"]})

    def test_read_only(self):
        for method in ("POST", "PUT", "DELETE"):
            self.error(self.call(method, f"{BASE}/search", self.user, json_body={}), 405)
