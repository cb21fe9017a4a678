import Testing

@testable import Core

@Suite struct JSONTests {
    @Test func roundTripKeepsOrderAndIntegers() throws {
        let text = #"{"b":1,"a":[true,null,-2.5,"x\"y\u00e9"],"c":{}}"#
        let value = try JSON.parse(text)
        #expect(value.serializedString == #"{"b":1,"a":[true,null,-2.5,"x\"yé"],"c":{}}"#)
        #expect(value["b"] == .int(1))
    }

    @Test func refusesMalformedInput() {
        for bad in ["{", "[1,]", "{\"a\":}", "nul", "01", "\"\u{01}\"", "1 2", "{\"a\" 1}", "\"\\ud800\""] {
            #expect(throws: JSONParseError.self) { try JSON.parse(bad) }
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSON.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func escapesControlCharacters() {
        #expect(JSON.string("a\nb\u{1}").serializedString == #""a\nb\u0001""#)
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParseError.self) { try JSON.parse(deep) }
    }
}
