import Foundation

/// The rules for the account fields that register and `PUT /users/me` share: username,
/// e-mail and the person's name, which may come as first and last name or as full name.
enum AccountFields {
    static let usernameLength = 3...50
    static let emailMaximumLength = 255
    static let namePartMaximumLength = 100
    static let fullNameMaximumLength = 201

    /// Why `username` is refused, or nil: 3–50 ASCII letters, digits, `.`, `_` or `-`.
    /// No `@`, so a login name with `@` is always an e-mail address.
    static func usernameProblem(_ username: String) -> String? {
        guard usernameLength.contains(username.count) else {
            return "must be \(usernameLength.lowerBound) to \(usernameLength.upperBound) characters long"
        }
        let allowed = username.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "._-".unicodeScalars.contains(scalar))
        }
        return allowed ? nil : "may contain only letters, digits, '.', '_' and '-'"
    }

    /// Why `email` is refused, or nil. A pragmatic check (one `@`, a dotted domain of
    /// sensible labels, no spaces), not RFC 5322: the address is only ever displayed.
    static func emailProblem(_ email: String) -> String? {
        guard email.utf8.count <= emailMaximumLength else {
            return "must be at most \(emailMaximumLength) characters long"
        }
        return Validators.isEmail(email) ? nil : "is not a valid e-mail address"
    }

    /// A person's name in both forms the API uses, always consistent.
    struct PersonName: Equatable {
        var first: String
        var last: String
        var full: String { last.isEmpty ? first : first + " " + last }
    }

    /// Splits a full name on its last space: "Mary Ann Smith" is "Mary Ann" + "Smith";
    /// a single word is a first name with an empty last name.
    static func split(fullName: String) -> PersonName {
        guard let space = fullName.lastIndex(of: " ") else { return PersonName(first: fullName, last: "") }
        let first = fullName[..<space].trimmingCharacters(in: .whitespaces)
        let last = fullName[fullName.index(after: space)...].trimmingCharacters(in: .whitespaces)
        return PersonName(first: first, last: last)
    }

    /// Resolves the name fields of a body against the `current` name (nil when
    /// registering, where some name is required). First and last name, when either is
    /// given, win over `full_name` and the full name is derived from them; otherwise a
    /// given `full_name` is split. Returns nil when nothing changes or a field is bad.
    static func resolveName(_ reader: inout FieldReader, current: PersonName?) -> PersonName? {
        let first = nameField(&reader, "first_name", limit: namePartMaximumLength)
        let last = nameField(&reader, "last_name", limit: namePartMaximumLength)
        let full = nameField(&reader, "full_name", limit: fullNameMaximumLength)
        if first.given || last.given {
            if let current {
                return PersonName(first: first.value ?? current.first, last: last.value ?? current.last)
            }
            if let f = first.value, let l = last.value { return PersonName(first: f, last: l) }
            if let full = full.value { return split(fullName: full) }
            if !first.given { reader.fail("first_name", "is required (or give full_name)") }
            if !last.given { reader.fail("last_name", "is required (or give full_name)") }
            return nil
        }
        if let value = full.value {
            let name = split(fullName: value)
            if name.first.storedLength > namePartMaximumLength || name.last.storedLength > namePartMaximumLength {
                reader.fail(
                    "full_name", "each part of the name must be at most \(namePartMaximumLength) characters long")
                return nil
            }
            return name
        }
        if current == nil && !full.given {
            reader.fail("first_name", "is required (or give full_name)")
            reader.fail("last_name", "is required (or give full_name)")
        }
        return nil
    }

    /// One name field: whether the body has it (non-null), and its value when valid.
    private static func nameField(_ reader: inout FieldReader, _ key: String, limit: Int) -> (
        given: Bool, value: String?
    ) {
        let before = reader.problems.count
        guard let text = reader.string(key) else { return (reader.problems.count > before, nil) }
        if text.isEmpty {
            reader.fail(key, "must not be empty")
        } else if text.storedLength > limit {
            reader.fail(key, "must be at most \(limit) characters long")
        } else if text.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) {
            reader.fail(key, "must not contain control characters")
        } else {
            return (true, text)
        }
        return (true, nil)
    }
}
