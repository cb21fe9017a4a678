/// Bytes to send to a backend: an open file (read while it is sent) with its name and type.
struct DocumentSource {
    var descriptor: Int32
    var size: Int
    var name: String
    var mediaType: String

    init(descriptor: Int32, size: Int, name: String, mediaType: String) {
        self.descriptor = descriptor
        self.size = size
        self.name = name
        self.mediaType = mediaType
    }

    /// An accepted upload, still nameless in the store's directory.
    init(_ received: ReceivedFile) {
        self.init(
            descriptor: received.file.descriptor, size: received.file.size, name: received.displayName,
            mediaType: received.mediaType)
    }
}
