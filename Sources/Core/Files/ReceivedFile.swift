/// An upload route's checks on what arrived, shared by entity files, the legacy
/// lab-result files and the patient photo: a readable multipart body (400), a `file`
/// part (422), not over the size limit (413), not empty, of an allowed kind judged by
/// name and content (422). The file is then ready for `FileStore.place`.
struct ReceivedFile {
    let upload: Upload
    let file: UploadedFile
    /// The sanitized client file name, stored and shown (never a path).
    let displayName: String
    /// Our media type for it (from `FileTypes`, not the client's Content-Type).
    let mediaType: String

    /// Checks the request's upload against `policy`; `allowed` narrows the kinds
    /// (photos), `kindsMessage` names them in the refusal.
    init(
        _ context: Context, policy: UploadPolicy, allowed: Set<String>? = nil, kindsMessage: String? = nil
    ) throws {
        let request = context.request
        let upload =
            request.upload
            ?? Upload.receive(
                from: request.bodySource, contentType: request.headers["content-type"] ?? "", policy: policy,
                store: context.services.shared.files)
        if let problem = upload.problem {
            if request.bodyCount == 0 { throw APIError.validation([FieldProblem("file", "field required")]) }
            throw APIError.badRequest("Invalid multipart body", detail: .string(problem))
        }
        guard let file = upload.file else { throw APIError.validation([FieldProblem("file", "field required")]) }
        guard !file.tooLarge else {
            throw APIError(
                413, "File too large",
                detail: .string("The largest file accepted is \(policy.maxFileBytes) bytes."))
        }
        guard file.size > 0 else { throw APIError.validation([FieldProblem("file", "is empty")]) }
        switch FileTypes.judge(filename: file.filename, head: file.head, among: allowed) {
        case .accepted(let mediaType, _):
            self.mediaType = mediaType
        case .extensionNotAllowed(let ext):
            let kinds = kindsMessage ?? "PDF, images, documents, DICOM, NIfTI, video, audio or archives"
            throw APIError.validation([
                FieldProblem(
                    "file",
                    ext.isEmpty
                        ? "has no file extension; allowed: \(kinds)" : "type .\(ext) is not allowed; allowed: \(kinds)")
            ])
        case .contentMismatch(let ext):
            throw APIError.validation([FieldProblem("file", "content is not a .\(ext) file")])
        }
        self.upload = upload
        self.file = file
        self.displayName = FileTypes.displayName(file.filename)
    }

    /// A text field of the form, trimmed; nil when absent or blank; 422 past `maxLength`.
    func field(_ name: String, maxLength: Int) throws -> String? {
        guard let raw = upload.fields[name] else { return nil }
        let value = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !value.isEmpty else { return nil }
        guard value.count <= maxLength else {
            throw APIError.validation([FieldProblem(name, "must be at most \(maxLength) characters")])
        }
        return value
    }
}
