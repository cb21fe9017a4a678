import Foundation

/// `/api/v1/patients/{patient_id}/photo`: one photo per patient (JPEG, PNG, GIF or BMP,
/// up to 15 MB), replaced by a new upload; sent by nginx like any stored file.
enum PatientPhotoRoutes {
    static let policy = UploadPolicy(maxFileBytes: 15 << 20)
    static let path = "/api/v1/patients/{patient_id}/photo"

    static func register(in table: RouteTable) {
        table.post(path, upload: policy, upload)
        table.get(path, photo)
        table.get(path + "/info", info)
        table.delete(path, delete)
    }

    static let columns = """
        id, patient_id, file_name, file_path, file_size, mime_type, original_name, width, height, uploaded_by, \
        uploaded_at, updated_at
        """

    static func json(_ row: Row) -> JSON {
        var object = JSONObject()
        object["id"] = .int(row.int("id") ?? 0)
        object["patient_id"] = .int(row.int("patient_id") ?? 0)
        object["file_name"] = .string(row.string("file_name") ?? "")
        object["filename"] = .string(row.string("file_name") ?? "")
        object["file_path"] = .string(row.string("file_path") ?? "")
        object["file_size"] = row.int("file_size").map { .int($0) } ?? .null
        object["mime_type"] = JSON.string(row.string("mime_type"))
        object["original_name"] = JSON.string(row.string("original_name"))
        object["width"] = row.int("width").map { .int($0) } ?? .null
        object["height"] = row.int("height").map { .int($0) } ?? .null
        object["uploaded_by"] = row.int("uploaded_by").map { .int($0) } ?? .null
        object["uploaded_at"] = JSON.string(row.string("uploaded_at"))
        object["updated_at"] = JSON.string(row.string("updated_at"))
        return .object(object)
    }

    /// The photo row of `patientID`, after checking `user` may reach the patient at `level`.
    static func find(_ patientID: Int64, user: Int64, level: AccessLevel, db: Connection, lock: Bool = false) throws
        -> Row?
    {
        try PatientAccess.require(level, patient: patientID, user: user, db: db)
        return try db.queryOne(
            "SELECT \(columns) FROM patient_photos WHERE patient_id = ?" + (lock ? " FOR UPDATE" : ""),
            [.int(patientID)])
    }

    /// Stores the new photo, then commits its row in place of the old one; the old file
    /// is removed after the commit, the new one if the commit fails.
    static func upload(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patientID = try context.parameters.id("patient_id")
        let db = context.db
        // The contract: "must have write access".
        try PatientAccess.require(.edit, patient: patientID, user: user.id, db: db)
        let received = try ReceivedFile(
            context, policy: policy, allowed: FileTypes.photoExtensions, kindsMessage: "JPEG, PNG, GIF or BMP")
        let ext =
            FileTypes.fileExtension(received.file.filename) == "jpeg"
            ? "jpg" : FileTypes.fileExtension(received.file.filename)
        let size = ImageSize.of(received.file)
        let files = context.services.shared.files
        let path = FileStore.newPath(in: "photos/\(patientID)")
        try files.place(received.file, at: path)
        var replaced: String?
        do {
            let row: Row = try db.transaction {
                let old = try find(patientID, user: user.id, level: .edit, db: db, lock: true)
                replaced = old?.string("file_path")
                let values: [SQLValue] = [
                    .text("patient_\(patientID)_photo.\(ext)"), .text(path), .int(Int64(received.file.size)),
                    .text(received.mediaType), .text(received.displayName), size.map { .int(Int64($0.width)) } ?? .null,
                    size.map { .int(Int64($0.height)) } ?? .null, .int(user.id),
                ]
                if old != nil {
                    _ = try db.execute(
                        """
                        UPDATE patient_photos SET file_name = ?, file_path = ?, file_size = ?, mime_type = ?,
                            original_name = ?, width = ?, height = ?, uploaded_by = ?, uploaded_at = CURRENT_TIMESTAMP
                        WHERE patient_id = ?
                        """, values + [.int(patientID)])
                } else {
                    _ = try db.execute(
                        """
                        INSERT INTO patient_photos (file_name, file_path, file_size, mime_type, original_name, width,
                            height, uploaded_by, patient_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, values + [.int(patientID)])
                }
                guard let row = try find(patientID, user: user.id, level: .view, db: db) else {
                    throw APIError.notFound("Photo")
                }
                return row
            }
            if let replaced, replaced != path { files.remove([replaced]) }
            return .json(json(row), status: 201)
        } catch {
            files.remove([path])
            throw error
        }
    }

    static func photo(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        guard let row = try find(try context.parameters.id("patient_id"), user: user.id, level: .view, db: context.db),
            let path = row.string("file_path"), FileStore.isStoredPath(path)
        else { throw APIError.notFound("Photo") }
        return EntityFileRoutes.accelRedirect(
            path: path, mediaType: row.string("mime_type") ?? "application/octet-stream",
            disposition: FileTypes.contentDisposition("inline", name: row.string("file_name") ?? "photo"),
            cacheControl: "private, max-age=3600")
    }

    /// The photo's metadata, or null when the patient has none.
    static func info(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let row = try find(try context.parameters.id("patient_id"), user: user.id, level: .view, db: context.db)
        return .json(row.map(json) ?? .null)
    }

    /// The contract: the owner only (204). Others who can see the patient get 403.
    static func delete(_ context: Context) throws -> Response {
        let user = try context.requireUser()
        let patientID = try context.parameters.id("patient_id")
        let db = context.db
        let path: String? = try db.transaction {
            guard let row = try find(patientID, user: user.id, level: .view, db: db, lock: true) else {
                throw APIError.notFound("Photo")
            }
            guard try PatientAccess.owns(patient: patientID, user: user.id, db: db) else {
                throw APIError.forbidden("Only the patient's owner may delete its photo")
            }
            _ = try db.execute("DELETE FROM patient_photos WHERE patient_id = ?", [.int(patientID)])
            return row.string("file_path")
        }
        if let path { context.services.shared.files.remove([path]) }
        return .noContent
    }
}

/// An image's pixel size from its header: PNG, GIF and BMP from the first bytes, JPEG
/// from its first frame marker (read from the file, past any EXIF block).
enum ImageSize {
    static func of(_ file: UploadedFile) -> (width: Int, height: Int)? {
        let head = file.head
        func le16(_ at: Int) -> Int { Int(head[at]) | Int(head[at + 1]) << 8 }
        func be32(_ at: Int) -> Int { (0..<4).reduce(0) { $0 << 8 | Int(head[at + $1]) } }
        func le32(_ at: Int) -> Int32 {
            Int32(bitPattern: (0..<4).reduce(UInt32(0)) { $0 | UInt32(head[at + $1]) << (8 * $1) })
        }
        var size: (width: Int, height: Int)?
        if head.count >= 24, head.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            size = (be32(16), be32(20))
        } else if head.count >= 10, head.starts(with: Array("GIF8".utf8)) {
            size = (le16(6), le16(8))
        } else if head.count >= 26, head.starts(with: Array("BM".utf8)) {
            // A bottom-up BMP has a negative height.
            size = (Int(le32(18)), Int(le32(22)).magnitude > Int(Int32.max) ? 0 : abs(Int(le32(22))))
        } else if head.starts(with: [0xFF, 0xD8]) {
            size = jpeg(file)
        }
        // A header claiming an absurd size is not believed (the columns are INT).
        guard let size, (1...1_000_000).contains(size.width), (1...1_000_000).contains(size.height) else { return nil }
        return size
    }

    /// Walks JPEG segments (reading the file by offset, at most 1 MB in) to the first SOFn.
    static func jpeg(_ file: UploadedFile) -> (width: Int, height: Int)? {
        var offset = 2
        while offset + 9 < min(file.size, 1 << 20) {
            var bytes = [UInt8](repeating: 0, count: 9)
            let got = bytes.withUnsafeMutableBytes { pread(file.descriptor, $0.baseAddress!, 9, off_t(offset)) }
            guard got == 9, bytes[0] == 0xFF else { return nil }
            let marker = bytes[1]
            if marker == 0xFF {
                offset += 1
                continue
            }
            let length = Int(bytes[2]) << 8 | Int(bytes[3])
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (Int(bytes[7]) << 8 | Int(bytes[8]), Int(bytes[5]) << 8 | Int(bytes[6]))
            }
            guard length >= 2 else { return nil }
            offset += 2 + length
        }
        return nil
    }
}
