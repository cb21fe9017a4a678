/// The password rules for register, change-password and the first admin: at least 8
/// characters (at most 128), with a letter and a digit, not the username.
public enum PasswordPolicy {
    public static let minimumLength = 8
    public static let maximumLength = 128

    /// Why `password` is refused, or nil when it is acceptable.
    public static func problem(_ password: String, username: String?) -> String? {
        if password.count < minimumLength { return "Password must be at least \(minimumLength) characters long" }
        if password.count > maximumLength { return "Password must be at most \(maximumLength) characters long" }
        if !password.contains(where: \.isLetter) { return "Password must contain at least one letter" }
        if !password.contains(where: \.isNumber) { return "Password must contain at least one number" }
        if let username, !username.isEmpty, password.lowercased() == username.lowercased() {
            return "Password must not be the same as the username"
        }
        return nil
    }
}
