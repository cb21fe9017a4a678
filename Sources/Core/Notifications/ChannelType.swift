/// The kinds of notification channel and, for each, the configuration keys it takes.
/// One table describes every type: validation, masking and the senders all read it.
public enum ChannelType: String, Sendable, CaseIterable {
    case email, telegram, discord, slack, webhook, pushover

    /// The keys of this type's `config`, in the order they are shown.
    var fields: [ChannelField] {
        switch self {
        case .email:
            return [
                ChannelField("to", .emailList, required: true),
                ChannelField("from", .email),
                ChannelField("smtp_host", .host),
                ChannelField("smtp_port", .integer(1...65535)),
                ChannelField("smtp_security", .choice(SMTPSecurity.allCases.map(\.rawValue))),
                ChannelField("smtp_username", .text(maxLength: 255)),
                ChannelField("smtp_password", .secret),
            ]
        case .telegram:
            return [
                ChannelField("bot_token", .secret, required: true),
                ChannelField("chat_id", .identifier, required: true),
            ]
        case .discord, .slack:
            return [ChannelField("webhook_url", .secretURL, required: true)]
        case .webhook:
            return [
                ChannelField("url", .secretURL, required: true),
                ChannelField("method", .choice(["POST", "PUT"])),
                ChannelField("headers", .secretHeaders),
            ]
        case .pushover:
            return [
                ChannelField("user_key", .identifier, required: true),
                ChannelField("api_token", .secret, required: true),
                ChannelField("device", .text(maxLength: 25)),
                ChannelField("priority", .integer(-2...1)),
            ]
        }
    }
}

/// One configuration key: what it holds and whether it may be shown.
struct ChannelField: Sendable {
    enum Kind: Sendable {
        /// Plain text, shown as is.
        case text(maxLength: Int)
        /// A credential: shown only as `***masked***`.
        case secret
        /// An address the user recognises (chat id, user key): shown as `123***789`.
        case identifier
        /// An http(s) URL that carries a credential in it (Discord and Slack webhooks):
        /// shown as its scheme and host only.
        case secretURL
        case email, emailList, host
        case integer(ClosedRange<Int>)
        case choice([String])
        /// Extra HTTP headers (name → value); values are credentials (`Authorization`).
        case secretHeaders
    }

    let key: String
    let kind: Kind
    let required: Bool

    init(_ key: String, _ kind: Kind, required: Bool = false) {
        self.key = key
        self.kind = kind
        self.required = required
    }
}
