import Foundation

/// `POST /api/v1/lab-results/{lab_result_id}/ocr-parse`: the text of a lab report PDF
/// (multipart field `file`, up to 15 MB) with what was learnt about it. Nothing is
/// saved: the upload lives in the request's temporary body file and a private work
/// directory removed before the answer.
enum OCRParseRoutes {
    /// The contract's limit on the file itself.
    static let fileLimit = 15 << 20
    /// The body: the file plus room for the multipart framing. nginx's
    /// `client_max_body_size` for this location is the same number (15424k).
    static let bodyLimit = fileLimit + (64 << 10)

    static func register(in table: RouteTable) {
        table.post("/api/v1/lab-results/{lab_result_id}/ocr-parse", bodyLimit: bodyLimit, streamed: true, parse)
    }

    static func parse(_ context: Context) throws -> Response {
        let started = DispatchTime.now().uptimeNanoseconds
        let user = try context.requireUser()
        let labResultID = try context.parameters.id("lab_result_id")
        // View access is enough (edit and full include it): nothing is written.
        let access = PatientAccess.condition(patientColumn: "r.patient_id", user: user.id, level: .view)
        guard
            try context.db.queryOne(
                "SELECT 1 FROM lab_results r WHERE r.id = ? AND \(access.sql)", [.int(labResultID)] + access.binds)
                != nil
        else { throw APIError.notFound("Lab result") }

        let source = context.request.bodySource
        let part = try filePart(of: context.request, source: source)
        guard part.content.count <= fileLimit else {
            throw APIError(
                413, "File too large", detail: .string("The largest PDF accepted is 15 MB (\(fileLimit) bytes)."))
        }
        guard part.content.count >= 5, try source.read(at: part.content.lowerBound, count: 5) == Array("%PDF-".utf8)
        else {
            throw APIError.badRequest("Only PDF files are accepted", detail: "The file does not begin with %PDF-.")
        }

        let config = context.config
        let budget = min(config.ocrTimeout, max(1, config.requestTimeout * 0.8))
        let deadline = started + UInt64(budget * 1e9)
        let work = try TemporaryFile.directory(in: TemporaryFile.workDirectory(dataDir: config.dataDir), prefix: "ocr")
        defer { TemporaryFile.removeTree(work) }
        let pdf = work + "/input.pdf"
        let fd = open(pdf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BodyFileError(operation: "create \(pdf)", code: errno) }
        do {
            defer { close(fd) }
            try copy(part.content, of: source, to: fd)
        }

        let extraction: PDFTextExtraction
        do {
            extraction = try PDFTextExtraction.extract(pdf: pdf, workDirectory: work, deadline: deadline)
        } catch .unreadable {
            throw APIError(
                422, "The PDF could not be read", detail: "It is damaged, encrypted or not a PDF document.")
        } catch .timedOut {
            Log.warning(
                "ocr_parse_timeout",
                ["request_id": .string(context.request.requestID), "seconds": .double(budget)])
            throw APIError(
                422, "The PDF took too long to process",
                detail: .string(
                    "Text extraction was stopped after \(Int(budget.rounded())) seconds; try a smaller or text-based PDF."
                ))
        } catch .toolFailed(let message) {
            Log.error(
                "ocr_parse_tool_failed", ["request_id": .string(context.request.requestID), "error": .string(message)])
            throw APIError(500, "Text extraction failed", detail: .string("request \(context.request.requestID)"))
        }

        let facts = LabReportFacts(text: extraction.text)
        var metadata = JSONObject()
        metadata["method"] = .string(extraction.method)
        metadata["confidence"] = .double(extraction.confidence)
        metadata["page_count"] = .int(Int64(extraction.pageCount))
        metadata["char_count"] = .int(Int64(extraction.text.count))
        metadata["filename"] = .string(displayName(part.filename))
        metadata["lab_name"] = facts.labName.map(JSON.string) ?? .null
        metadata["test_count"] = facts.testCount.map { .int(Int64($0)) } ?? .null
        metadata["test_date"] = facts.testDate.map(JSON.string) ?? .null
        metadata["fallback_triggered"] = .bool(false)
        metadata["native_test_count"] = .null
        var body = JSONObject()
        body["status"] = "success"
        body["extracted_text"] = .string(extraction.text)
        body["metadata"] = .object(metadata)
        body["error"] = .null
        return .json(.object(body))
    }

    /// The `file` part of the multipart body: 400 for a body that is not well-formed
    /// multipart, 422 naming `file` when there is no such part (as the contract's
    /// framework answers a missing form field).
    static func filePart(of request: Request, source: any ByteSource) throws -> MultipartPart {
        let missing = APIError.validation([FieldProblem("file", "field required")])
        guard source.count > 0 else { throw missing }
        let parts: [MultipartPart]
        do {
            let boundary = try MultipartReader.boundary(contentType: request.headers["content-type"] ?? "")
            parts = try MultipartReader().parts(of: source, boundary: boundary)
        } catch let error as MultipartError {
            throw APIError.badRequest("Invalid multipart body", detail: .string(error.message))
        }
        guard let part = parts.first(where: { $0.name == "file" && $0.filename != nil }) else { throw missing }
        return part
    }

    static func copy(_ range: Range<Int>, of source: any ByteSource, to fd: Int32) throws {
        var offset = range.lowerBound
        while offset < range.upperBound {
            let piece = try source.read(at: offset, count: min(1 << 16, range.upperBound - offset))
            guard !piece.isEmpty else { break }
            try TemporaryFile.writeAll(fd, piece)
            offset += piece.count
        }
    }

    /// The client's file name without any directory (some browsers send a whole path)
    /// or control characters; "document.pdf" when there is none.
    static func displayName(_ filename: String?) -> String {
        let base = (filename ?? "").split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(255))
        return clean.isEmpty ? "document.pdf" : clean
    }
}
