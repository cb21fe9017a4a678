/// `GET /auth/registration-status` and `POST /auth/register`: self-service sign-up
/// (`AccountCreation` makes the user, preferences and own patient record).
enum RegistrationRoutes {
    static func register(in routes: RouteTable) {
        routes.get("/api/v1/auth/registration-status", status)
        routes.post("/api/v1/auth/register", register)
    }

    static let disabledMessage =
        "Registration is currently disabled. Please contact an administrator to create an account."

    /// The `registration_enabled` setting: the admin's choice in `app_settings`, else the configuration.
    static func isEnabled(_ context: Context) throws -> Bool {
        guard let row = try context.db.queryOne("SELECT value FROM app_settings WHERE name = 'registration_enabled'"),
            let value = row.string("value")
        else { return context.config.registrationEnabled }
        return ["true", "1", "yes", "on"].contains(value.lowercased())
    }

    static func status(_ context: Context) throws -> Response {
        let enabled = try isEnabled(context)
        return .json(["registration_enabled": .bool(enabled), "message": enabled ? .null : .string(disabledMessage)])
    }

    /// A validated sign-up request.
    struct Signup {
        let username: String
        let email: String
        let password: String
        let name: AccountFields.PersonName
    }

    static func register(_ context: Context) throws -> Response {
        guard try isEnabled(context) else { throw APIError.forbidden(disabledMessage) }
        let signup = try parse(try context.jsonObject())
        try refuseTaken(signup, db: context.db)
        let hash = try PasswordHasher().hash(signup.password)
        let db = context.db
        let userID: Int64
        do {
            userID = try AccountCreation.create(
                .init(
                    username: signup.username, email: signup.email, passwordHash: hash, name: signup.name),
                db: db)
        } catch StoreError.duplicate(let key, _) {
            // Another sign-up took the name between the check and the insert.
            throw key.contains("email") ? taken(["email"]) : taken(["username"])
        }
        Log.info("user_registered", ["user_id": .int(userID), "username": .string(signup.username)])
        return .json(try UserJSON.load(userID, db: db), status: 201)
    }

    /// Reads and checks every field, naming all bad ones in one 400 (the contract lists 400).
    static func parse(_ body: JSONObject) throws -> Signup {
        var reader = FieldReader(body)
        let username = reader.string("username")
        let email = reader.string("email")
        let password = reader.string("password", trim: false)
        let name = AccountFields.resolveName(&reader, current: nil)
        reader.require("username", username, AccountFields.usernameProblem)
        reader.require("email", email, AccountFields.emailProblem)
        reader.require("password", password) { PasswordPolicy.problem($0, username: username) }
        try reader.check(status: 400)
        guard let username, let email, let password, let name else { throw APIError.badRequest("Validation failed") }
        return Signup(username: username, email: email, password: password, name: name)
    }

    /// 409 naming the username and/or e-mail already in use (both compare case-insensitively).
    static func refuseTaken(_ signup: Signup, db: Connection) throws {
        let rows = try db.query(
            "SELECT username = ? AS same_name, email = ? AS same_email FROM users WHERE username = ? OR email = ?",
            [.text(signup.username), .text(signup.email), .text(signup.username), .text(signup.email)])
        var fields: [String] = []
        if rows.contains(where: { $0.bool("same_name") == true }) { fields.append("username") }
        if rows.contains(where: { $0.bool("same_email") == true }) { fields.append("email") }
        if !fields.isEmpty { throw taken(fields) }
    }

    static func taken(_ fields: [String]) -> APIError {
        let message =
            switch fields {
            case ["username"]: "Username already exists"
            case ["email"]: "Email already registered"
            default: "Username and email already registered"
            }
        return APIError(
            409, message, detail: .array(fields.map { ["field": .string($0), "message": "is already in use"] }))
    }
}
