import Testing

@testable import Core

@Suite struct ProviderTests {
    let t: TestApp
    init() throws { t = try TestApp() }

    @Test func specialtyCreateIsIdempotentByNameCaseInsensitively() throws {
        let user = try t.registerAndLogin("prov")
        let name = TestApp.unique("Pulmo")
        let first = t.send(
            "POST", "/api/v1/medical-specialties/", json: ["name": .string(name), "description": "Lungs"],
            token: user.token)
        #expect(first.status == 201)
        let again = t.send(
            "POST", "/api/v1/medical-specialties/", json: ["name": .string(name.uppercased())], token: user.token)
        #expect(again.status == 200)
        #expect(again.jsonBody?["id"] == first.jsonBody?["id"])
        let list = t.send("GET", "/api/v1/medical-specialties/", token: user.token)
        #expect(list.jsonBody?.arrayValue?.contains { $0["name"]?.stringValue == name } == true)
    }

    @Test func specialtyCreatesAreLimitedPerUserPerHour() throws {
        let user = try t.registerAndLogin("prov")
        for index in 0..<MedicalSpecialties.createsPerHour {
            let response = t.send(
                "POST", "/api/v1/medical-specialties/", json: ["name": .string(TestApp.unique("S\(index)"))],
                token: user.token)
            #expect(response.status == 201)
        }
        let limited = t.send(
            "POST", "/api/v1/medical-specialties/", json: ["name": .string(TestApp.unique("S"))], token: user.token)
        #expect(limited.status == 429)
        #expect(limited.header("Retry-After") != nil)
    }

    @Test func practitionerResolvesSpecialtyAndPractice() throws {
        let user = try t.registerAndLogin("prov")
        let specialty = try #require(
            t.send(
                "POST", "/api/v1/medical-specialties/", json: ["name": .string(TestApp.unique("Cardio"))],
                token: user.token
            ).jsonBody?["id"]?.intValue)
        let practiceName = TestApp.unique("City General ")
        let practice = t.send(
            "POST", "/api/v1/practices/",
            json: [
                "name": .string(practiceName), "locations": [["label": "Main", "city": "Chapel Hill", "zip": "27514"]],
            ], token: user.token)
        #expect(practice.status == 200)
        let practiceID = try #require(practice.jsonBody?["id"]?.intValue)
        #expect(practice.jsonBody?["locations"]?.arrayValue?.first?["city"] == "Chapel Hill")
        #expect(
            t.send("POST", "/api/v1/practitioners/", json: ["name": "No Specialty"], token: user.token).status == 422)
        #expect(
            t.send(
                "POST", "/api/v1/practitioners/", json: ["name": "Bad", "specialty_id": 999_999_999], token: user.token
            ).status == 422)
        let doctor = t.send(
            "POST", "/api/v1/practitioners/",
            json: [
                "name": .string(TestApp.unique("Dr Smith ")), "specialty_id": .int(specialty),
                "practice_id": .int(practiceID), "rating": 4.5,
            ], token: user.token)
        #expect(doctor.status == 201)
        let body = try #require(doctor.jsonBody)
        #expect(body["specialty"] == body["specialty_name"])
        #expect(body["practice_name"] == .string(practiceName))
        #expect(
            t.send(
                "POST", "/api/v1/practitioners/", json: ["name": "X", "specialty_id": .int(specialty), "rating": 6],
                token: user.token
            ).status == 422)
        let byPractice = t.send("GET", "/api/v1/practitioners/", token: user.token, query: "practice_id=\(practiceID)")
        #expect(byPractice.jsonBody?.arrayValue?.count == 1)
        let detail = t.send("GET", "/api/v1/practices/\(practiceID)", token: user.token)
        #expect(detail.jsonBody?["practitioner_count"] == 1)
        let search = t.send("GET", "/api/v1/practitioners/search/by-name", token: user.token, query: "name=Dr")
        #expect(search.status == 200)
        #expect(t.send("GET", "/api/v1/practitioners/search/by-name", token: user.token, query: "name=D").status == 422)
        // Deleting the practice leaves the practitioner without one.
        #expect(t.send("DELETE", "/api/v1/practices/\(practiceID)", token: user.token).status == 200)
        let orphan = t.send("GET", "/api/v1/practitioners/\(try #require(body["id"]?.intValue))", token: user.token)
        #expect(orphan.jsonBody?["practice_id"] == .null)
    }

    @Test func practiceNamesAreUniqueAndBounded() throws {
        let user = try t.registerAndLogin("prov")
        let name = TestApp.unique("Clinic ")
        #expect(t.send("POST", "/api/v1/practices/", json: ["name": .string(name)], token: user.token).status == 200)
        #expect(
            t.send("POST", "/api/v1/practices/", json: ["name": .string(name.uppercased())], token: user.token).status
                == 409)
        #expect(t.send("POST", "/api/v1/practices/", json: ["name": "A"], token: user.token).status == 422)
        #expect(
            t.send(
                "POST", "/api/v1/practices/", json: ["name": .string(String(repeating: "p", count: 151))],
                token: user.token
            ).status == 422)
        let summary = t.send("GET", "/api/v1/practices/summary", token: user.token)
        #expect(summary.jsonBody?.arrayValue?.contains { $0["name"]?.stringValue == name } == true)
        let search = t.send("GET", "/api/v1/practices/", token: user.token, query: "search=\(name.prefix(10))")
        #expect(search.jsonBody?.arrayValue?.isEmpty == false)
        #expect(t.send("GET", "/api/v1/practices/search/by-name", token: user.token, query: "name=").status == 422)
    }

    @Test func pharmacyFullCrud() throws {
        let user = try t.registerAndLogin("prov")
        let created = t.send(
            "POST", "/api/v1/pharmacies",
            json: [
                "name": "Boots", "zip_code": "SW1A 1AA", "email": "shop@example.com",
                "website": "https://boots.example",
            ], token: user.token)
        #expect(created.status == 201)
        let id = try #require(created.jsonBody?["id"]?.intValue)
        #expect(created.jsonBody?["drive_through"] == false)
        #expect(
            t.send("POST", "/api/v1/pharmacies", json: ["name": "Bad", "email": "nope"], token: user.token).status
                == 422)
        #expect(
            t.send("PUT", "/api/v1/pharmacies/\(id)", json: ["twenty_four_hour": true], token: user.token).jsonBody?[
                "twenty_four_hour"] == true)
        #expect(
            t.send("DELETE", "/api/v1/pharmacies/\(id)", token: user.token).jsonBody?["message"]
                == "Pharmacy deleted successfully")
        #expect(t.send("GET", "/api/v1/pharmacies/\(id)", token: user.token).status == 404)
    }
}
