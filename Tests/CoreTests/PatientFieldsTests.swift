import Testing

@testable import Core

/// The patient field rules without a database (`PatientFields.check`).
@Suite struct PatientFieldsTests {
    let today = "2025-06-15"

    func field(_ name: String) throws -> FieldSpec {
        try #require(PatientFields.all.first { $0.name == name })
    }

    func value(_ name: String, _ raw: JSON) throws -> SQLValue? {
        if case .success(let value) = PatientFields.check(raw, try field(name), today: today) { return value }
        return nil
    }

    @Test func namesAreTrimmedAndLimitedTo100CodePoints() throws {
        #expect(try value("first_name", "  Ann ") == .text("Ann"))
        #expect(try value("first_name", .string(String(repeating: "é", count: 100))) != nil)
        #expect(try value("first_name", .string(String(repeating: "x", count: 101))) == nil)
        #expect(try value("first_name", "   ") == nil)
        #expect(try value("first_name", .null) == nil)
        #expect(try value("first_name", 12) == nil)
        #expect(try value("last_name", ["a"]) == nil)
    }

    @Test func birthDateMustBeARealPastDateFrom1900() throws {
        #expect(try value("birth_date", "1990-01-15") == .text("1990-01-15"))
        #expect(try value("birth_date", "2000-02-29") != nil)
        #expect(try value("birth_date", "1900-01-01") != nil)
        #expect(try value("birth_date", "2025-06-15") != nil)
        for bad: JSON in [
            "1900-02-29", "2023-02-29", "2024-13-01", "2024-04-31", "1899-12-31", "2025-06-16",
            "1990/01/15", "1990-1-15", "19900115", "", "abcd-ef-gh", 19900115, .null, true,
        ] {
            #expect(try value("birth_date", bad) == nil, "accepted \(bad)")
        }
    }

    @Test func genderIsACaseInsensitiveChoiceWithUpstreamAliases() throws {
        #expect(try value("gender", "Female") == .text("female"))
        #expect(try value("gender", "M") == .text("male"))
        #expect(try value("gender", "NON-BINARY") == .text("non-binary"))
        #expect(try value("gender", "prefer-not-to-say") == .text("prefer-not-to-say"))
        #expect(try value("gender", "") == .null)
        #expect(try value("gender", .null) == .null)
        #expect(try value("gender", "robot") == nil)
        #expect(try value("gender", 1) == nil)
    }

    @Test func bloodTypeIsOneOfEightStoredUpperCase() throws {
        for type in PatientFields.bloodTypes {
            #expect(try value("blood_type", .string(type.lowercased())) == .text(type))
        }
        #expect(try value("blood_type", "C+") == nil)
        #expect(try value("blood_type", "A") == nil)
    }

    @Test func measuresArePositiveAndBounded() throws {
        #expect(try value("height", 70) == .double(70))
        #expect(try value("height", 120) == .double(120))
        #expect(try value("height", "65.5") == .double(65.5))
        #expect(try value("height", 0) == nil)
        #expect(try value("height", -3) == nil)
        #expect(try value("height", 120.5) == nil)
        #expect(try value("weight", 1500) == .double(1500))
        #expect(try value("weight", 1500.1) == nil)
        #expect(try value("weight", "heavy") == nil)
        #expect(try value("weight", true) == nil)
    }

    @Test func textLimitsAndLiteralStorage() throws {
        #expect(try value("address", .string(String(repeating: "a", count: 500))) != nil)
        #expect(try value("address", .string(String(repeating: "a", count: 501))) == nil)
        #expect(try value("phone_number", .string(String(repeating: "1", count: 31))) == nil)
        #expect(try value("relationship_to_self", .string(String(repeating: "c", count: 51))) == nil)
        let script = "<script>alert(1)</script>'; DROP TABLE patients; --"
        #expect(try value("address", .string(script)) == .text(script))
    }

    @Test func physicianIdMustBeAPositiveInteger() throws {
        #expect(try value("physician_id", 5) == .int(5))
        #expect(try value("physician_id", 5.0) == .int(5))
        #expect(try value("physician_id", 0) == nil)
        #expect(try value("physician_id", 2.5) == nil)
        #expect(try value("physician_id", "x") == nil)
    }

    @Test func datesAreRealCalendarDates() {
        #expect(Validators.date("2024-02-29") != nil)
        #expect(Validators.date("2100-02-29") == nil)
        #expect(Validators.date("2024-4-01") == nil)
    }
}
