/// The external document servers an entity file may live in instead of the local store.
public enum DocumentBackend: String, Sendable, CaseIterable {
    case paperless
    case papra

    /// The name people know it by, for messages.
    var title: String {
        switch self {
        case .paperless: "Paperless-ngx"
        case .papra: "Papra"
        }
    }

    /// The `entity_files` column holding the document's id in this backend.
    var documentColumn: String {
        switch self {
        case .paperless: "paperless_document_id"
        case .papra: "papra_document_id"
        }
    }
}
