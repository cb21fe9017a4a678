import Foundation

/// Why one delivery try failed, and whether trying again may help (no answer, a time-out,
/// 429 or 5xx). The message names the service and the status, never a URL, token or body:
/// webhook URLs and Telegram's API path carry credentials, and a body can echo them.
struct DeliveryFailure: Error {
    let message: String
    let retryable: Bool
}

/// Sends one message through one channel, once. Every type speaks through the shared
/// outbound clients (`HTTPClient`, `SMTPClient`) or the local sendmail.
enum ChannelSender {
    static func send(
        _ message: NotificationMessage, type: ChannelType, config: JSONObject, settings: NotificationSettings
    ) throws(DeliveryFailure) {
        func text(_ key: String) -> String? { config[key]?.stringValue }
        let timeout = settings.timeout
        let heading = message.isTest ? "[Test] \(message.title)" : message.title
        switch type {
        case .telegram:
            let url = "\(settings.telegramAPIURL)/bot\(text("bot_token") ?? "")/sendMessage"
            let body: JSON = [
                "chat_id": .string(text("chat_id") ?? ""), "text": .string("\(heading)\n\n\(message.body)"),
            ]
            try post(json: body, to: url, service: "the Telegram API", timeout: timeout)
        case .discord:
            let body: JSON = ["content": .string("**\(heading)**\n\(message.body)")]
            try post(json: body, to: text("webhook_url") ?? "", service: "the Discord webhook", timeout: timeout)
        case .slack:
            let body: JSON = ["text": .string("*\(heading)*\n\(message.body)")]
            try post(json: body, to: text("webhook_url") ?? "", service: "the Slack webhook", timeout: timeout)
        case .webhook:
            var headers: [(name: String, value: String)] = []
            for (name, value) in config["headers"]?.objectValue ?? [:] {
                headers.append((name: name, value: value.stringValue ?? ""))
            }
            try post(
                json: message.webhookPayload(sentAt: Timestamp.iso8601(Date())), to: text("url") ?? "",
                method: text("method") ?? "POST", headers: headers, service: "the webhook", timeout: timeout)
        case .pushover:
            var fields = [
                ("token", text("api_token") ?? ""), ("user", text("user_key") ?? ""), ("title", heading),
                ("message", message.body),
            ]
            if let device = text("device") { fields.append(("device", device)) }
            if let priority = config["priority"]?.intValue { fields.append(("priority", String(priority))) }
            try exchange(
                .urlEncoded(settings.pushoverAPIURL, fields, timeout: timeout), service: "the Pushover API")
        case .email:
            try EmailSender.send(heading: heading, message: message, config: config, settings: settings)
        }
    }

    private static func post(
        json: JSON, to url: String, method: String = "POST", headers: [(name: String, value: String)] = [],
        service: String, timeout: Double
    ) throws(DeliveryFailure) {
        let request = OutboundRequest(
            method: method, url: url,
            headers: headers + [(name: "Content-Type", value: "application/json")],
            body: json.serialized(), timeout: timeout)
        try exchange(request, service: service)
    }

    /// One exchange; any 2xx is success.
    private static func exchange(_ request: OutboundRequest, service: String) throws(DeliveryFailure) {
        let response: OutboundResponse
        do {
            response = try HTTPClient.send(request, maxBodyBytes: 64 << 10)
        } catch {
            switch error.kind {
            case .timedOut: throw DeliveryFailure(message: "\(service) did not answer in time", retryable: true)
            case .tooLarge:
                throw DeliveryFailure(message: "\(service) answered with an oversized body", retryable: false)
            case .unreachable, .writeFailed:
                throw DeliveryFailure(message: "\(service) is unreachable: \(error.message)", retryable: true)
            }
        }
        guard (200..<300).contains(response.status) else {
            throw DeliveryFailure(
                message: "\(service) answered HTTP \(response.status)",
                retryable: response.status == 429 || response.status >= 500)
        }
    }
}
