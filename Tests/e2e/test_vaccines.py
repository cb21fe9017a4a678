"""The standardized vaccines catalog through nginx and the pool.

Contract: api-reference.txt "standardized-vaccines"; upstream's OpenAPI schemas
StandardizedVaccineResponse, VaccineSearchResponse, VaccineAutocompleteOption and
VaccineCategory; decisions.md rule 6 (search: limit 200 by default, at most 1000,
clamped). The catalog is the 82 vaccines migration 0005 loads.
"""
import urllib.parse

from apicase import SCRIPT_TEXT, SQL_TEXT, UNICODE_TEXT, ApiTestCase, db_execute, new_user

BASE = "/standardized-vaccines"
CATEGORIES = ["Viral", "Bacterial", "Combined", "Toxoid", "Parasitic", "Other"]
VACCINE_KEYS = ["id", "who_code", "vaccine_name", "short_name", "category", "common_names", "is_combined",
                "components", "default_manufacturer", "is_common"]
OPTION_KEYS = ["value", "label", "who_code", "short_name", "category", "is_combined", "components"]
MMR = "Measles, Mumps and Rubella"


def quoted(text):
    """A path segment, percent-encoded (slashes too)."""
    return urllib.parse.quote(text, safe="")


class VaccineCatalogTests(ApiTestCase):
    @classmethod
    def setUpClass(cls):
        cls.user = new_user()

    def found(self, path, **params):
        """The body of a 200 answer to GET `path` with `params`."""
        query = urllib.parse.urlencode(params)
        return self.ok(self.get(f"{BASE}{path}" + (f"?{query}" if query else ""), self.user))

    def search(self, query=None, **params):
        if query is not None:
            params["query"] = query
        return self.found("/search", **params)

    def search_names(self, query, **params):
        return [v["vaccine_name"] for v in self.search(query, **params)["vaccines"]]

    # The catalog ------------------------------------------------------------

    def test_all_82_vaccines_in_upstreams_shape(self):
        self.assertEqual(self.found("/count"), {"category": None, "count": 82})
        body = self.search()
        self.assertEqual(list(body), ["vaccines", "total"])
        self.assertEqual(body["total"], 82)
        vaccines = body["vaccines"]
        self.assertEqual(len(vaccines), 82)
        self.assertEqual(len({v["id"] for v in vaccines}), 82)
        self.assertEqual(len({v["vaccine_name"].lower() for v in vaccines}), 82)
        for v in vaccines:
            with self.subTest(vaccine=v["vaccine_name"]):
                self.assertEqual(list(v), VACCINE_KEYS)
                self.assertIsInstance(v["id"], int)
                self.assertIn(v["category"], CATEGORIES)
                self.assertIsInstance(v["is_combined"], bool)
                self.assertIsInstance(v["is_common"], bool)
                self.assertTrue(all(isinstance(n, str) for n in v["common_names"]))
                self.assertTrue(v["components"] is None or all(isinstance(c, str) for c in v["components"]))
                self.assertTrue(v["who_code"] is None or isinstance(v["who_code"], str))
        # WHO codes for the WHO-listed vaccines; none for the curated additions (Tdap, RZV, ...).
        self.assertEqual(sum(v["who_code"] is not None for v in vaccines), 57)
        self.assertEqual(sum(v["is_common"] for v in vaccines), 26)
        mmr = next(v for v in vaccines if v["vaccine_name"] == MMR)
        self.assertEqual(mmr["who_code"], "MeaslesMumpsandRubella")
        self.assertEqual(mmr["short_name"], "MMR")
        self.assertEqual(mmr["category"], "Combined")
        self.assertIs(mmr["is_combined"], True)
        self.assertEqual(mmr["components"], ["Measles", "Mumps", "Rubella"])
        self.assertIn("Priorix", mmr["common_names"])
        by_category = {c: self.found("/count", category=c.lower())["count"] for c in CATEGORIES}
        self.assertEqual(by_category, {"Viral": 38, "Bacterial": 13, "Combined": 29, "Toxoid": 1, "Parasitic": 1,
                                       "Other": 0})
        self.assertEqual(self.found("/count", category="VIRAL")["category"], "Viral")

    def test_every_path_with_and_without_trailing_slash(self):
        for path in ("/search", "/autocomplete", "/common", "/count", "/by-category/Viral", "/by-who-code/BCG",
                     "/by-name/BCG"):
            self.check_both_slashes("GET", BASE + path, self.user, 200)

    # Search -----------------------------------------------------------------

    def test_search_ranks_exact_then_prefix_then_substring(self):
        self.assertEqual(self.search_names("mmr")[0], MMR)
        rubella = self.search_names("rubella")
        self.assertEqual(rubella[0], "Rubella")
        self.assertGreater(rubella.index("Measles and Rubella"), 0)
        self.assertEqual(self.search_names("Hepatitis B")[0], "Hepatitis B")
        # Brand names, short names and WHO codes are searched too.
        self.assertEqual(self.search_names("Shingrix")[0], "Zoster Recombinant (Shingles)")
        self.assertEqual(self.search_names("Tdap")[0], "Tetanus-Diphtheria-Pertussis (Adult, acellular)")
        self.assertEqual(self.search_names("InfluenzaseasonalQuadrivalent")[0], "Influenza, seasonal (Quadrivalent)")
        self.assertEqual(self.search_names("priorix"), [MMR])
        # `q` is a shorthand for upstream's `query`.
        self.assertEqual([v["vaccine_name"] for v in self.found("/search", q="priorix")["vaccines"]], [MMR])

    def test_search_tolerates_typos(self):
        influenza = self.search_names("influensa")
        self.assertEqual(influenza[:2], ["Influenza, seasonal (Quadrivalent)", "Influenza, seasonal (Trivalent)"])
        tetanus = self.search("tetnus")["vaccines"]
        self.assertGreaterEqual(len(tetanus), 10)
        self.assertEqual(tetanus[0]["vaccine_name"], "Tetanus Toxoid")
        names = [v["vaccine_name"] for v in tetanus]
        for expected in ("Tetanus-Diphtheria-Pertussis (Adult, acellular)", "Diphtheria-Tetanus-Pertussis (acellular)",
                         "Diphtheria-Tetanus"):
            self.assertIn(expected, names)
        for v in tetanus:
            texts = [v["vaccine_name"], *v["common_names"]]
            self.assertTrue(any("tetanus" in t.lower() for t in texts), v)
        self.assertEqual(self.search_names("chikenpox"), ["Varicella"])
        self.assertEqual(self.search_names("yelow fever")[0], "Yellow Fever")
        self.assertEqual(self.search_names("rabeis")[0], "Rabies")
        # No typo allowance for short words, and nothing for nonsense.
        self.assertEqual(self.search("flo"), {"vaccines": [], "total": 0})
        self.assertEqual(self.search("qwxzv"), {"vaccines": [], "total": 0})

    def test_search_category_and_limit(self):
        viral = self.search("flu", category="viral")["vaccines"]
        self.assertTrue(viral)
        self.assertTrue(all(v["category"] == "Viral" for v in viral))
        self.assertTrue(all(v["category"] == "Combined" for v in self.search(category="Combined")["vaccines"]))
        one = self.search(limit=1)
        self.assertEqual((len(one["vaccines"]), one["total"]), (1, 82))
        everything = self.search()["vaccines"]
        self.assertEqual(self.search(limit=1)["vaccines"], everything[:1])
        # Over the maximum (1000): clamped, so the whole catalog.
        self.assertEqual(self.search(limit=5000)["vaccines"], everything)
        self.assertEqual(self.search(limit=1000)["vaccines"], everything)
        for params, field in (({"limit": -1}, "limit"), ({"limit": "abc"}, "limit"), ({"limit": "2.5"}, "limit"),
                              ({"category": "Fungal"}, "category"), ({"query": "x" * 101}, "query")):
            with self.subTest(params=params):
                query = urllib.parse.urlencode(params)
                self.error(self.get(f"{BASE}/search?{query}", self.user), 422, field)

    def test_hostile_search_terms_are_plain_text(self):
        for text in (SQL_TEXT[:100], SCRIPT_TEXT[:100], UNICODE_TEXT, "%", "_", "\\", "'", "   "):
            with self.subTest(text=text):
                body = self.search(text)
                self.assertEqual(body["total"], len(body["vaccines"]))
        self.assertEqual(self.search("   ")["total"], 82)

    # Autocomplete -----------------------------------------------------------

    def test_autocomplete_options(self):
        options = self.found("/autocomplete", query="measles mumps")
        self.assertEqual(options[0], {
            "value": "Measles, Mumps and Rubella (MMR)", "label": MMR, "who_code": "MeaslesMumpsandRubella",
            "short_name": "MMR", "category": "Combined", "is_combined": True,
            "components": ["Measles", "Mumps", "Rubella"],
        })
        for option in options:
            self.assertEqual(list(option), OPTION_KEYS)
        bcg = self.found("/autocomplete", query="bcg")[0]
        self.assertEqual((bcg["value"], bcg["label"], bcg["components"]), ("BCG", "BCG", None))
        typo = self.found("/autocomplete", query="shingels")
        self.assertEqual({o["short_name"] for o in typo[:2]}, {"RZV", "ZVL"})
        # Default 50, maximum 200 (clamped).
        self.assertEqual(len(self.found("/autocomplete")), 50)
        self.assertEqual(len(self.found("/autocomplete", limit=5)), 5)
        self.assertEqual(len(self.found("/autocomplete", limit=1000)), 82)
        toxoid = self.found("/autocomplete", category="toxoid")
        self.assertEqual([o["short_name"] for o in toxoid], ["TT"])
        self.error(self.get(f"{BASE}/autocomplete?category=nope", self.user), 422, "category")

    # Common, by category, by code, by name ---------------------------------

    def test_common_vaccines_in_display_order(self):
        common = self.found("/common")
        stored = db_execute(
            "SELECT vaccine_name FROM standardized_vaccines WHERE is_common = 1 ORDER BY display_order").splitlines()
        self.assertEqual(len(stored), 26)
        self.assertEqual([v["vaccine_name"] for v in common], stored)
        self.assertEqual([v["short_name"] for v in common[:5]], ["COVID-19", "Flu (Quad)", "Flu (Tri)", "RSV", "MMR"])
        self.assertTrue(all(v["is_common"] is True for v in common))
        self.assertEqual([v["vaccine_name"] for v in self.found("/common", limit=3)], stored[:3])
        self.assertEqual(len(self.found("/common", limit=100000)), 26)
        combined = self.found("/common", category="Combined")
        self.assertEqual([v["short_name"] for v in combined], ["MMR", "MMRV", "DTaP", "Tdap", "Td", "HepA-HepB"])

    def test_by_category(self):
        for spelling in ("Viral", "viral", "VIRAL", "vIrAl"):
            viral = self.found(f"/by-category/{spelling}")
            self.assertEqual(len(viral), 38)
            self.assertTrue(all(v["category"] == "Viral" for v in viral))
        self.assertEqual([v["short_name"] for v in self.found("/by-category/Toxoid")], ["TT"])
        self.assertEqual(self.found("/by-category/Other"), [])
        for unknown in ("Fungal", "viruses", "1", quoted("Viral'--")):
            with self.subTest(category=unknown):
                self.error(self.get(f"{BASE}/by-category/{unknown}", self.user), 422, "category")

    def test_by_who_code(self):
        mmr = self.found("/by-who-code/MeaslesMumpsandRubella")
        self.assertEqual(list(mmr), VACCINE_KEYS)
        self.assertEqual(mmr["vaccine_name"], MMR)
        self.assertEqual(self.found("/by-who-code/measlesmumpsandrubella"), mmr)
        self.assertEqual(self.found("/by-who-code/Covid19")["short_name"], "COVID-19")
        for unknown in ("NoSuchCode", "Tdap", quoted("BCG' OR '1'='1")):
            with self.subTest(code=unknown):
                body = self.error(self.get(f"{BASE}/by-who-code/{unknown}", self.user), 404)
                self.assertEqual(body["error"], "Vaccine not found")

    def test_by_name_is_case_insensitive_and_exact(self):
        mmr = self.found(f"/by-name/{quoted(MMR)}")
        self.assertEqual(mmr["short_name"], "MMR")
        self.assertEqual(self.found(f"/by-name/{quoted(MMR.upper())}"), mmr)
        self.assertEqual(self.found(f"/by-name/{quoted(MMR.lower())}"), mmr)
        self.assertEqual(self.found(f"/by-name/{quoted('Smallpox and Mpox vaccine (Live Modified Vaccinia Virus Ankara)')}")
                         ["short_name"], "Smallpox/Mpox (MVA)")
        # A name with a slash, percent-encoded: nginx decodes it before the pool sees it.
        self.assertEqual(self.found(f"/by-name/{quoted('DTaP-IPV/Hib')}")["short_name"], "DTaP-IPV/Hib")
        # Exact names only: no short names, brand names or parts of names.
        for other in ("MMR", "Priorix", "Measles, Mumps", "Measles Mumps and Rubella", "nothing"):
            with self.subTest(name=other):
                self.error(self.get(f"{BASE}/by-name/{quoted(other)}", self.user), 404)

    # Authentication ---------------------------------------------------------

    def test_every_endpoint_needs_a_signed_in_user(self):
        for path in ("/search", "/search/?query=mmr", "/autocomplete", "/common", "/count", "/by-category/Viral",
                     "/by-category/Fungal", "/by-who-code/BCG", f"/by-name/{quoted(MMR)}"):
            with self.subTest(path=path):
                self.check_unauthenticated("GET", BASE + path)

    def test_read_only(self):
        for method in ("POST", "PUT", "DELETE"):
            r = self.call(method, f"{BASE}/search", self.user, json_body={})
            self.error(r, 405)
