import Foundation

/// An email channel's delivery: SMTP to the channel's server (STARTTLS by default, TLS,
/// or plain when the channel asks for it), or the host's sendmail when it names none.
enum EmailSender {
    static func send(heading: String, message: NotificationMessage, config: JSONObject, settings: NotificationSettings)
        throws(DeliveryFailure)
    {
        func text(_ key: String) -> String? { config[key]?.stringValue }
        let recipients = (text("to") ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let security = SMTPSecurity(rawValue: text("smtp_security") ?? "") ?? .starttls
        let defaultPort = security == .tls ? 465 : security == .starttls ? 587 : 25
        let mail = OutboundMail(
            host: text("smtp_host") ?? "", port: Int(config["smtp_port"]?.intValue ?? Int64(defaultPort)),
            security: security, username: text("smtp_username"), password: text("smtp_password"),
            from: text("from") ?? "medikeep@localhost", to: recipients, subject: heading, body: message.body,
            timeout: max(1, Int(settings.timeout.rounded(.up))))
        if mail.host.isEmpty {
            try sendmail(mail, path: settings.sendmailPath, timeout: settings.timeout)
            return
        }
        do {
            try SMTPClient.send(mail)
        } catch {
            let retryable = error.kind == .timedOut || error.kind == .unreachable
            throw DeliveryFailure(message: "the mail server refused or failed: \(error.message)", retryable: retryable)
        }
    }

    /// Hands the message to the local mail system: `sendmail -i -f FROM -- TO...`, the
    /// message on standard input (a temporary file, removed after).
    static func sendmail(_ mail: OutboundMail, path: String, timeout: Double) throws(DeliveryFailure) {
        let file = NSTemporaryDirectory() + "medikeep-mail-\(SecureRandom.hex(8)).eml"
        defer { unlink(file) }
        let written = FileManager.default.createFile(
            atPath: file, contents: Data(SMTPClient.render(mail).utf8), attributes: [.posixPermissions: 0o600])
        guard written else { throw DeliveryFailure(message: "cannot write the mail for sendmail", retryable: false) }
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(timeout * 1_000_000_000)
        do {
            try ExternalTool.run(
                [path, "-i", "-f", mail.from, "--"] + mail.to, outputFile: "/dev/null", deadline: deadline,
                inputFile: file)
        } catch {
            throw DeliveryFailure(message: "sendmail failed: \(error)", retryable: false)
        }
    }
}
