import Foundation

/// Where the browser goes after signing in. Only this site's own paths: an absolute URL
/// to another host would make the sign-in an open redirect (a phishing page reached
/// through a trusted login). An absolute URL on the front end's own origin (that of
/// `sso_redirect_uri`) is reduced to its path.
enum ReturnURL {
    static let maximumLength = 2048

    /// The path to return to, or nil when `text` is not one of ours.
    static func validated(_ text: String, redirectURI: String) -> String? {
        guard !text.isEmpty, text.utf8.count <= maximumLength,
            !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || $0 == "\\" })
        else { return nil }
        if text.hasPrefix("/") {
            // "//host/…" is protocol-relative: another host.
            return text.hasPrefix("//") ? nil : text
        }
        guard let url = URLComponents(string: text), let own = URLComponents(string: redirectURI),
            let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            scheme == own.scheme?.lowercased(), url.host?.lowercased() == own.host?.lowercased(),
            url.port == own.port, url.user == nil, url.password == nil
        else { return nil }
        let path = url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath
        let query = url.percentEncodedQuery.map { "?" + $0 } ?? ""
        let fragment = url.percentEncodedFragment.map { "#" + $0 } ?? ""
        let result = path + query + fragment
        return result.hasPrefix("/") && !result.hasPrefix("//") ? result : nil
    }
}
