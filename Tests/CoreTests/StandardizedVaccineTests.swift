import Testing

@testable import Core

/// The standardized vaccines catalog: the 82 vaccines of migration 0005, its search
/// (ranked, typo-tolerant), autocomplete and lookups.
@Suite struct StandardizedVaccineTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    static let base = "/api/v1/standardized-vaccines"
    static let vaccineKeys = [
        "id", "who_code", "vaccine_name", "short_name", "category", "common_names", "is_combined", "components",
        "default_manufacturer", "is_common",
    ]

    func get(_ path: String, _ user: TestUser, query: String = "") -> Response {
        t.send("GET", Self.base + path, token: user.token, query: query)
    }

    func names(_ response: Response, key: String? = nil) -> [String] {
        let list = key.map { response.jsonBody?[$0] } ?? response.jsonBody
        return list?.arrayValue?.compactMap { $0["vaccine_name"]?.stringValue } ?? []
    }

    @Test func everyVaccineIsLoadedInUpstreamsShape() throws {
        let user = try t.registerAndLogin("vax")
        let count = get("/count", user)
        #expect(count.status == 200)
        #expect(count.jsonBody == ["category": nil, "count": 82])
        let all = get("/search", user)
        #expect(all.status == 200)
        #expect(all.jsonBody?["total"] == 82)
        let vaccines = try #require(all.jsonBody?["vaccines"]?.arrayValue)
        #expect(vaccines.count == 82)
        #expect(Set(vaccines.compactMap { $0["id"]?.intValue }).count == 82)
        for vaccine in vaccines {
            #expect(vaccine.objectValue?.keys == Self.vaccineKeys)
            #expect(vaccine["is_combined"]?.boolValue != nil)
            #expect(vaccine["is_common"]?.boolValue != nil)
            #expect(vaccine["common_names"]?.arrayValue?.allSatisfy { $0.stringValue != nil } == true)
            #expect(vaccine["components"]?.arrayValue != nil || vaccine["components"] == .null)
        }
        let mmr = try #require(vaccines.first { $0["short_name"] == "MMR" })
        #expect(mmr["who_code"] == "MeaslesMumpsandRubella")
        #expect(mmr["category"] == "Combined")
        #expect(mmr["is_combined"] == true)
        #expect(mmr["components"] == ["Measles", "Mumps", "Rubella"])
        #expect(mmr["common_names"]?.arrayValue?.contains("Priorix") == true)
        // The curated entries WHO does not list have no code.
        let tdap = try #require(vaccines.first { $0["short_name"] == "Tdap" })
        #expect(tdap["who_code"] == .null)
        let stored = try t.services.db.queryOne("SELECT COUNT(*) AS n FROM standardized_vaccines")
        #expect(stored?.int("n") == 82)
        let viral = get("/count", user, query: "category=viral")
        #expect(viral.jsonBody == ["category": "Viral", "count": 38])
    }

    @Test func searchRanksExactThenPrefixThenSubstring() throws {
        let user = try t.registerAndLogin("vax")
        let mmr = get("/search", user, query: "query=mmr")
        #expect(names(mmr, key: "vaccines").first == "Measles, Mumps and Rubella")
        // Exact name, then names that begin with it, then names that contain it.
        let rubella = names(get("/search", user, query: "query=rubella"), key: "vaccines")
        #expect(rubella.first == "Rubella")
        let measlesRubella = try #require(rubella.firstIndex(of: "Measles and Rubella"))
        #expect(measlesRubella > 0)
        #expect(rubella.allSatisfy { $0.lowercased().contains("rubella") || $0 == "Measles" })
        // Brand names and WHO codes are searched too; `q` is a shorthand for `query`.
        #expect(
            names(get("/search", user, query: "query=Shingrix"), key: "vaccines").first
                == "Zoster Recombinant (Shingles)")
        #expect(names(get("/search", user, query: "q=priorix"), key: "vaccines") == ["Measles, Mumps and Rubella"])
        #expect(names(get("/search", user, query: "query=YellowFever"), key: "vaccines").first == "Yellow Fever")
        #expect(names(get("/search", user, query: "query=hep%20b"), key: "vaccines").first == "Hepatitis B")
        let nothing = get("/search", user, query: "query=xyzzyq")
        #expect(nothing.status == 200)
        #expect(nothing.jsonBody == ["vaccines": [], "total": 0])
        let tooLong = get("/search", user, query: "query=" + String(repeating: "a", count: 101))
        #expect(tooLong.status == 422)
        #expect(tooLong.jsonBody?["detail"]?.arrayValue?.first?["field"] == "query")
    }

    @Test func searchToleratesTypos() throws {
        let user = try t.registerAndLogin("vax")
        let influenza = names(get("/search", user, query: "query=influensa"), key: "vaccines")
        #expect(influenza.prefix(2).allSatisfy { $0.hasPrefix("Influenza, seasonal") })
        #expect(influenza.contains("Influenza, Pandemic (H1N1)"))
        let tetanus = try #require(get("/search", user, query: "query=tetnus").jsonBody?["vaccines"]?.arrayValue)
        let tetanusNames = tetanus.compactMap { $0["vaccine_name"]?.stringValue }
        #expect(tetanusNames.count >= 10)
        // The closest fit first: "Tetanus" itself, misspelt, before the combinations.
        #expect(tetanusNames.first == "Tetanus Toxoid")
        #expect(tetanusNames.contains("Tetanus-Diphtheria-Pertussis (Adult, acellular)"))
        #expect(tetanusNames.contains("Diphtheria-Tetanus-Pertussis (acellular)"))
        for vaccine in tetanus {
            let text = ([vaccine["vaccine_name"]] + (vaccine["common_names"]?.arrayValue ?? []))
                .compactMap { $0?.stringValue?.lowercased() }
            #expect(text.contains { $0.contains("tetanus") }, "\(vaccine)")
        }
        #expect(names(get("/search", user, query: "query=chikenpox"), key: "vaccines").first == "Varicella")
        // A swap of two letters counts as one typo; a word still being typed matches.
        #expect(names(get("/search", user, query: "query=rabeis"), key: "vaccines").first == "Rabies")
        #expect(names(get("/search", user, query: "query=diptheria"), key: "vaccines").count >= 10)
        // Short words get no typo allowance: "flo" is not "flu".
        #expect(get("/search", user, query: "query=flo").jsonBody?["total"] == 0)
    }

    @Test func searchFiltersByCategoryAndClampsLimit() throws {
        let user = try t.registerAndLogin("vax")
        let viral = get("/search", user, query: "query=flu&category=VIRAL")
        let vaccines = try #require(viral.jsonBody?["vaccines"]?.arrayValue)
        #expect(!vaccines.isEmpty)
        #expect(vaccines.allSatisfy { $0["category"] == "Viral" })
        #expect(get("/search", user, query: "category=Fungal").status == 422)
        let one = get("/search", user, query: "limit=1")
        #expect(one.jsonBody?["vaccines"]?.arrayValue?.count == 1)
        #expect(one.jsonBody?["total"] == 82)
        let clamped = get("/search", user, query: "limit=5000")
        #expect(clamped.status == 200)
        #expect(clamped.jsonBody?["vaccines"]?.arrayValue?.count == 82)
        for bad in ["limit=-1", "limit=abc", "limit=1.5"] {
            let response = get("/search", user, query: bad)
            #expect(response.status == 422, "\(bad)")
            #expect(response.jsonBody?["detail"]?.arrayValue?.first?["field"] == "limit")
        }
        #expect(get("/autocomplete", user).jsonBody?.arrayValue?.count == 50)
        #expect(get("/autocomplete", user, query: "limit=1000").jsonBody?.arrayValue?.count == 82)
        #expect(get("/common", user, query: "limit=2").jsonBody?.arrayValue?.count == 2)
        #expect(get("/common", user, query: "limit=9999").jsonBody?.arrayValue?.count == 26)
    }

    @Test func autocompleteHasTheDropdownShape() throws {
        let user = try t.registerAndLogin("vax")
        let response = get("/autocomplete", user, query: "query=measles%20mumps")
        #expect(response.status == 200)
        let first = try #require(response.jsonBody?.arrayValue?.first)
        #expect(
            first
                == [
                    "value": "Measles, Mumps and Rubella (MMR)", "label": "Measles, Mumps and Rubella",
                    "who_code": "MeaslesMumpsandRubella", "short_name": "MMR", "category": "Combined",
                    "is_combined": true, "components": ["Measles", "Mumps", "Rubella"],
                ])
        // A short name equal to the name is not repeated in the value.
        let bcg = try #require(get("/autocomplete", user, query: "query=BCG").jsonBody?.arrayValue?.first)
        #expect(bcg["value"] == "BCG")
        #expect(bcg["components"] == .null)
        let combined = try #require(get("/autocomplete", user, query: "category=combined").jsonBody?.arrayValue)
        #expect(combined.count == 29)
        #expect(combined.allSatisfy { $0["category"] == "Combined" })
    }

    @Test func commonVaccinesFollowDisplayOrder() throws {
        let user = try t.registerAndLogin("vax")
        let response = get("/common", user)
        #expect(response.status == 200)
        let expected = try t.services.db.query(
            "SELECT vaccine_name FROM standardized_vaccines WHERE is_common = 1 ORDER BY display_order"
        ).compactMap { $0.string("vaccine_name") }
        #expect(expected.count == 26)
        #expect(names(response) == expected)
        #expect(names(response).first == "Covid-19")
        #expect(response.jsonBody?.arrayValue?.allSatisfy { $0["is_common"] == true } == true)
        let combined = get("/common", user, query: "category=Combined").jsonBody?.arrayValue
        #expect(
            combined?.compactMap { $0["short_name"]?.stringValue } == [
                "MMR", "MMRV", "DTaP", "Tdap", "Td", "HepA-HepB",
            ])
    }

    @Test func byCategoryIsCaseInsensitiveAndRefusesUnknownOnes() throws {
        let user = try t.registerAndLogin("vax")
        for spelling in ["Viral", "viral", "VIRAL"] {
            let response = get("/by-category/\(spelling)", user)
            #expect(response.status == 200)
            let list = try #require(response.jsonBody?.arrayValue)
            #expect(list.count == 38)
            #expect(list.allSatisfy { $0["category"] == "Viral" })
        }
        #expect(get("/by-category/Toxoid/", user).jsonBody?.arrayValue?.count == 1)
        #expect(get("/by-category/Other", user).jsonBody == [])
        let unknown = get("/by-category/Fungal", user)
        #expect(unknown.status == 422)
        #expect(unknown.jsonBody?["status"] == "error")
        #expect(unknown.jsonBody?["detail"]?.arrayValue?.first?["field"] == "category")
        #expect(get("/count", user, query: "category=nope").status == 422)
        #expect(get("/common", user, query: "category=nope").status == 422)
    }

    @Test func lookupsByWHOCodeAndName() throws {
        let user = try t.registerAndLogin("vax")
        let byCode = get("/by-who-code/MeaslesMumpsandRubella", user)
        #expect(byCode.status == 200)
        #expect(byCode.jsonBody?["short_name"] == "MMR")
        #expect(byCode.jsonBody?.objectValue?.keys == Self.vaccineKeys)
        #expect(get("/by-who-code/measlesmumpsandrubella/", user).jsonBody == byCode.jsonBody)
        let unknown = get("/by-who-code/NoSuchCode", user)
        #expect(unknown.status == 404)
        #expect(unknown.jsonBody?["status"] == "error")
        #expect(unknown.jsonBody?["error"] == "Vaccine not found")

        #expect(get("/by-name/Measles, Mumps and Rubella", user).jsonBody == byCode.jsonBody)
        #expect(get("/by-name/MEASLES, MUMPS AND RUBELLA", user).jsonBody == byCode.jsonBody)
        // An exact-name lookup: neither short nor brand names.
        #expect(get("/by-name/MMR", user).status == 404)
        #expect(get("/by-name/Measles, Mumps", user).status == 404)
        // A name with a slash arrives from nginx as two segments.
        #expect(get("/by-name/dtap-ipv/hib", user).jsonBody?["short_name"] == "DTaP-IPV/Hib")
    }

    @Test func everyEndpointNeedsASignedInUser() throws {
        let paths = [
            "/search", "/search/", "/autocomplete", "/common", "/by-category/Viral", "/by-who-code/BCG",
            "/by-name/BCG", "/count",
        ]
        for path in paths {
            for token in [nil, "not-a-token"] as [String?] {
                let response = t.send("GET", Self.base + path, token: token)
                #expect(response.status == 401, "\(path)")
                #expect(response.jsonBody?["status"] == "error")
            }
        }
        // Checked before the parameters: an unknown category without a token is still 401.
        #expect(t.send("GET", Self.base + "/by-category/Fungal").status == 401)
    }

    @Test func editDistanceCountsSwapsAsOneAndFindsPrefixes() {
        func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }
        #expect(SearchText.distances(scalars("tetnus"), scalars("tetanus")) == (1, 1))
        #expect(SearchText.distances(scalars("tetnaus"), scalars("tetanus")).whole == 1)
        #expect(SearchText.distances(scalars("influens"), scalars("influenza")) == (2, 1))
        #expect(SearchText.distances(scalars("abc"), scalars("")) == (3, 3))
        #expect(SearchText("Mérieux A+C").words.map { String(String.UnicodeScalarView($0)) } == ["merieux", "a", "c"])
        #expect(SearchText("Hep-B").compact == SearchText("hep b").compact)
    }
}
