import Foundation

/// A channel's configuration: checked against its type's fields, stored sealed, and only
/// ever shown masked.
enum ChannelConfig {
    /// A validated configuration, or every problem with it.
    enum Checked {
        case success(JSONObject)
        case failure([FieldProblem])
    }

    /// The configuration `object` normalised for `type`, or the problems with it, each
    /// named `config.<key>` ("config.bot_token: is required for a telegram channel").
    static func validate(_ object: JSONObject, type: ChannelType) -> Checked {
        var problems: [FieldProblem] = []
        var clean: JSONObject = [:]
        let known = Set(type.fields.map(\.key))
        for key in object.keys where !known.contains(key) {
            let allowed = type.fields.map(\.key).joined(separator: ", ")
            problems.append(FieldProblem("config.\(key)", "is not a \(type.rawValue) setting (allowed: \(allowed))"))
        }
        for field in type.fields {
            let value = object[field.key] ?? .null
            let blank = value.isNull || value.stringValue?.trimmingCharacters(in: .whitespaces).isEmpty == true
            if blank {
                if field.required {
                    problems.append(FieldProblem("config.\(field.key)", "is required for a \(type.rawValue) channel"))
                }
                continue
            }
            switch check(value, field.kind) {
            case .success(let normalised): clean[field.key] = normalised
            case .failure(let problem): problems.append(FieldProblem("config.\(field.key)", problem.message))
            }
        }
        if type == .email, clean["smtp_host"] == nil {
            for key in ["smtp_port", "smtp_security", "smtp_username", "smtp_password"] where clean[key] != nil {
                problems.append(FieldProblem("config.\(key)", "needs smtp_host (without it mail goes to sendmail)"))
            }
        }
        return problems.isEmpty ? .success(clean) : .failure(problems)
    }

    /// `update` laid over `current`: a key given replaces, a key given as null removes,
    /// a key left out is kept (so a client can change `chat_id` without re-sending the token).
    static func merge(_ current: JSONObject, _ update: JSONObject) -> JSONObject {
        var result = current
        for (key, value) in update {
            if value.isNull { result[key] = nil } else { result[key] = value }
        }
        return result
    }

    /// What a client may see: secrets as `***masked***`, identifiers as `123***789`, URLs
    /// with credentials as scheme and host, header values masked.
    static func masked(_ config: JSONObject, type: ChannelType) -> JSONObject {
        var result: JSONObject = [:]
        for field in type.fields {
            guard let value = config[field.key] else { continue }
            switch field.kind {
            case .secret: result[field.key] = .string(secretMask)
            case .identifier: result[field.key] = .string(partialMask(value.stringValue ?? ""))
            case .secretURL:
                let parts = URLComponents(string: value.stringValue ?? "")
                result[field.key] = .string("\(parts?.scheme ?? "https")://\(parts?.host ?? "")/\(secretMask)")
            case .secretHeaders:
                var headers: JSONObject = [:]
                for (name, _) in value.objectValue ?? [:] { headers[name] = .string(secretMask) }
                result[field.key] = .object(headers)
            case .text, .email, .emailList, .host, .integer, .choice: result[field.key] = value
            }
        }
        return result
    }

    static let secretMask = "***masked***"

    /// The first and last three characters of a long identifier; `***` for a short one.
    static func partialMask(_ text: String) -> String {
        guard text.count > 6 else { return "***" }
        return "\(text.prefix(3))***\(text.suffix(3))"
    }

    private static func check(_ value: JSON, _ kind: ChannelField.Kind) -> Result<JSON, ProblemText> {
        switch kind {
        case .text(let maxLength):
            guard let text = trimmed(value) else { return .failure("must be a string") }
            return text.count <= maxLength
                ? .success(.string(text)) : .failure("must be at most \(maxLength) characters")
        case .secret:
            guard let text = value.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines) else {
                return .failure("must be a string")
            }
            guard !text.contains(where: { $0.isNewline }) else { return .failure("must be one line") }
            return text.count <= 500 ? .success(.string(text)) : .failure("must be at most 500 characters")
        case .identifier:
            // Telegram chat ids arrive as numbers too; they are kept as text.
            let text = value.intValue.map(String.init) ?? trimmed(value)
            guard let text else { return .failure("must be a string") }
            guard text.count <= 100, !text.contains(where: { $0.isWhitespace }) else {
                return .failure("must be at most 100 characters, without spaces")
            }
            return .success(.string(text))
        case .secretURL:
            guard let text = trimmed(value) else { return .failure("must be a string") }
            guard text.count <= 1000, let parts = URLComponents(string: text),
                let scheme = parts.scheme?.lowercased(), scheme == "http" || scheme == "https",
                let host = parts.host, !host.isEmpty, parts.user == nil, parts.password == nil
            else { return .failure("must be an http:// or https:// URL with a host (no user name or password)") }
            return .success(.string(text))
        case .email:
            guard let text = trimmed(value), Validators.isEmail(text) else {
                return .failure("must be an email address")
            }
            return .success(.string(text))
        case .emailList:
            guard let text = trimmed(value) else {
                return .failure("must be an email address (or several, comma-separated)")
            }
            let addresses = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            guard !addresses.isEmpty, addresses.count <= 10, addresses.allSatisfy(Validators.isEmail) else {
                return .failure("must be an email address (or up to 10, comma-separated)")
            }
            return .success(.string(addresses.joined(separator: ", ")))
        case .host:
            guard let text = trimmed(value), text.count <= 255,
                text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:[]".contains($0)) })
            else { return .failure("must be a host name or IP address") }
            return .success(.string(text))
        case .integer(let range):
            let number = value.intValue ?? trimmed(value).flatMap { Int64($0) }
            guard let number, range.contains(Int(number)) else {
                return .failure("must be an integer from \(range.lowerBound) to \(range.upperBound)")
            }
            return .success(.int(number))
        case .choice(let choices):
            guard let text = trimmed(value), let match = choices.first(where: { $0.lowercased() == text.lowercased() })
            else { return .failure("must be one of \(choices.joined(separator: ", "))") }
            return .success(.string(match))
        case .secretHeaders:
            guard let object = value.objectValue, object.count <= 20 else {
                return .failure("must be an object of header names to values (at most 20)")
            }
            var headers: JSONObject = [:]
            for (name, headerValue) in object {
                let tokenCharacters = "!#$%&'*+-.^_`|~"
                guard !name.isEmpty, name.count <= 100,
                    name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || tokenCharacters.contains($0)) })
                else { return .failure("header name \(name.prefix(40)) is not a valid HTTP header name") }
                // Framing and content type are the server's: a receiver must get the JSON it expects.
                guard
                    !["host", "content-length", "transfer-encoding", "content-type", "connection"].contains(
                        name.lowercased())
                else { return .failure("header \(name) is set by the server") }
                guard let text = headerValue.stringValue, text.count <= 1000,
                    !text.contains(where: { $0 == "\r" || $0 == "\n" })
                else { return .failure("header \(name) must have a one-line string value") }
                headers[name] = .string(text)
            }
            return .success(.object(headers))
        }
    }

    private static func trimmed(_ value: JSON) -> String? {
        value.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct ProblemText: Error, ExpressibleByStringInterpolation {
        let message: String
        init(stringLiteral value: String) { message = value }
        init(_ value: String) { message = value }
    }
}
