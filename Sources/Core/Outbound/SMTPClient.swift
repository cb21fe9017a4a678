import CCurlShim
import Foundation

/// How a mail server is reached: STARTTLS on a plain port (587), TLS from the first byte
/// (465), or plain (a relay on the same host only; the channel says so explicitly).
public enum SMTPSecurity: String, Sendable, CaseIterable {
    case starttls, tls, none
}

/// One message to submit.
public struct OutboundMail: Sendable {
    public var host: String
    public var port: Int
    public var security: SMTPSecurity
    public var username: String?
    public var password: String?
    public var from: String
    public var to: [String]
    public var subject: String
    public var body: String
    public var timeout: Int
}

/// Mail submission through libcurl's SMTP (the same library and TLS stack as the HTTP
/// client, so certificate checks, timeouts and STARTTLS enforcement come from one place
/// instead of a hand-written protocol). Errors are libcurl's text: host and port, never
/// the password.
public enum SMTPClient {
    public static func send(_ mail: OutboundMail) throws(OutboundError) {
        let scheme = mail.security == .tls ? "smtps" : "smtp"
        let host = mail.host.contains(":") && !mail.host.hasPrefix("[") ? "[\(mail.host)]" : mail.host
        let url = "\(scheme)://\(host):\(mail.port)"
        let message = Array(render(mail).utf8)
        let recipients = mail.to.map { "<\($0)>" }
        var result = mk_http_result()
        let copies = recipients.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { UnsafePointer($0) }
        let outcome = pointers.withUnsafeBufferPointer { list in
            message.withUnsafeBufferPointer { bytes in
                url.withCString { url in
                    (mail.username ?? "").withCString { user in
                        (mail.password ?? "").withCString { password in
                            "<\(mail.from)>".withCString { from in
                                var spec = mk_smtp_request()
                                spec.url = url
                                spec.username = user
                                spec.password = password
                                spec.from = from
                                spec.recipients = list.baseAddress
                                spec.recipient_count = Int32(recipients.count)
                                spec.message = bytes.baseAddress
                                spec.message_length = bytes.count
                                spec.require_tls = mail.security == .starttls ? 1 : 0
                                spec.connect_timeout_seconds = min(mail.timeout, 10)
                                spec.timeout_seconds = mail.timeout
                                return mk_smtp_send(&spec, &result)
                            }
                        }
                    }
                }
            }
        }
        guard outcome != 0 else { return }
        let text = withUnsafeBytes(of: result.error) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        let reply = result.status > 0 ? " (SMTP \(result.status))" : ""
        if result.curl_code == mk_http_code_timed_out() { throw OutboundError(kind: .timedOut, message: text) }
        throw OutboundError(kind: .unreachable, message: text + reply)
    }

    /// The RFC 5322 message: a UTF-8 plain-text body, the subject encoded (RFC 2047) when
    /// it is not ASCII, CRLF line ends, header values stripped of line breaks.
    static func render(_ mail: OutboundMail) -> String {
        func clean(_ value: String) -> String {
            String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" })
        }
        let subject = clean(mail.subject)
        let encodedSubject =
            subject.allSatisfy(\.isASCII) ? subject : "=?UTF-8?B?\(Data(subject.utf8).base64EncodedString())?="
        // libcurl escapes a leading dot itself (SMTP transparency); lines only need CRLF.
        let body = mail.body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(
            of: "\n", with: "\r\n")
        let headers = [
            "From: <\(clean(mail.from))>",
            "To: " + mail.to.map { "<\(clean($0))>" }.joined(separator: ", "),
            "Subject: \(encodedSubject)",
            "Date: \(rfc2822Date(Date()))",
            "Message-ID: <\(SecureRandom.hex(12))@medikeep>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body + "\r\n"
    }

    static func rfc2822Date(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S +0000", &parts)
        return String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
