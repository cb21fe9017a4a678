/// The kinds of file an attachment may be (the contract: PDF, images, documents, DICOM,
/// NIfTI, video, audio, archives), each judged by its name *and* its first bytes: a
/// file named `.pdf` must begin like a PDF. The media type stored and served is ours,
/// from this table, never the client's `Content-Type`.
public enum FileTypes {
    public struct Kind: Sendable {
        public let extensions: [String]
        public let mediaType: String
        /// Shown inline by `/view` (a browser renders it safely); others are downloaded.
        public let inline: Bool
        let matches: @Sendable ([UInt8]) -> Bool
    }

    static func starts(_ magic: [UInt8], at offset: Int = 0) -> @Sendable ([UInt8]) -> Bool {
        { head in head.count >= offset + magic.count && head[offset..<offset + magic.count].elementsEqual(magic) }
    }
    static func ascii(_ text: String, at offset: Int = 0) -> @Sendable ([UInt8]) -> Bool {
        starts(Array(text.utf8), at: offset)
    }
    static func any(_ tests: [@Sendable ([UInt8]) -> Bool]) -> @Sendable ([UInt8]) -> Bool {
        { head in tests.contains { $0(head) } }
    }
    /// Text: no NUL and no other C0 control besides tab, CR, LF, FF in the first bytes.
    static let text: @Sendable ([UInt8]) -> Bool = { head in
        head.allSatisfy { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0C || $0 == 0x1B }
    }
    static let zip = any([starts([0x50, 0x4B, 0x03, 0x04]), starts([0x50, 0x4B, 0x05, 0x06])])
    static let ole = starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1])
    static let gzip = starts([0x1F, 0x8B])
    static let isoMedia = ascii("ftyp", at: 4)
    static let matroska = starts([0x1A, 0x45, 0xDF, 0xA3])
    static func riff(_ form: String) -> @Sendable ([UInt8]) -> Bool {
        { head in ascii("RIFF")(head) && ascii(form, at: 8)(head) }
    }

    public static let kinds: [Kind] = [
        Kind(extensions: ["pdf"], mediaType: "application/pdf", inline: true, matches: ascii("%PDF-")),
        Kind(extensions: ["jpg", "jpeg"], mediaType: "image/jpeg", inline: true, matches: starts([0xFF, 0xD8, 0xFF])),
        Kind(extensions: ["png"], mediaType: "image/png", inline: true, matches: starts([0x89, 0x50, 0x4E, 0x47])),
        Kind(extensions: ["gif"], mediaType: "image/gif", inline: true, matches: ascii("GIF8")),
        Kind(extensions: ["bmp"], mediaType: "image/bmp", inline: true, matches: ascii("BM")),
        Kind(
            extensions: ["tif", "tiff"], mediaType: "image/tiff", inline: false,
            matches: any([starts([0x49, 0x49, 0x2A, 0x00]), starts([0x4D, 0x4D, 0x00, 0x2A])])),
        Kind(extensions: ["webp"], mediaType: "image/webp", inline: true, matches: riff("WEBP")),
        Kind(extensions: ["heic", "heif"], mediaType: "image/heic", inline: false, matches: isoMedia),
        Kind(extensions: ["txt"], mediaType: "text/plain; charset=utf-8", inline: true, matches: text),
        Kind(extensions: ["csv"], mediaType: "text/csv; charset=utf-8", inline: false, matches: text),
        Kind(extensions: ["rtf"], mediaType: "application/rtf", inline: false, matches: ascii("{\\rtf")),
        Kind(extensions: ["doc"], mediaType: "application/msword", inline: false, matches: ole),
        Kind(extensions: ["xls"], mediaType: "application/vnd.ms-excel", inline: false, matches: ole),
        Kind(extensions: ["ppt"], mediaType: "application/vnd.ms-powerpoint", inline: false, matches: ole),
        Kind(
            extensions: ["docx"], mediaType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            inline: false, matches: zip),
        Kind(
            extensions: ["xlsx"], mediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            inline: false, matches: zip),
        Kind(
            extensions: ["pptx"],
            mediaType: "application/vnd.openxmlformats-officedocument.presentationml.presentation", inline: false,
            matches: zip),
        Kind(extensions: ["odt"], mediaType: "application/vnd.oasis.opendocument.text", inline: false, matches: zip),
        Kind(
            extensions: ["ods"], mediaType: "application/vnd.oasis.opendocument.spreadsheet", inline: false,
            matches: zip),
        // DICOM part 10: a 128-byte preamble, then "DICM".
        Kind(
            extensions: ["dcm", "dicom"], mediaType: "application/dicom", inline: false, matches: ascii("DICM", at: 128)
        ),
        // NIfTI-1/2: the magic at byte 344 (n+1 / ni1) or 4 (n+2); compressed as .nii.gz.
        Kind(
            extensions: ["nii"], mediaType: "application/octet-stream", inline: false,
            matches: any([ascii("n+1\0", at: 344), ascii("ni1\0", at: 344), ascii("n+2\0", at: 4)])),
        Kind(extensions: ["nii.gz"], mediaType: "application/gzip", inline: false, matches: gzip),
        Kind(extensions: ["mp4", "m4v"], mediaType: "video/mp4", inline: true, matches: isoMedia),
        Kind(extensions: ["mov"], mediaType: "video/quicktime", inline: false, matches: isoMedia),
        Kind(extensions: ["avi"], mediaType: "video/x-msvideo", inline: false, matches: riff("AVI ")),
        Kind(extensions: ["webm"], mediaType: "video/webm", inline: true, matches: matroska),
        Kind(extensions: ["mkv"], mediaType: "video/x-matroska", inline: false, matches: matroska),
        Kind(
            extensions: ["mp3"], mediaType: "audio/mpeg", inline: true,
            matches: any([ascii("ID3"), { $0.count >= 2 && $0[0] == 0xFF && $0[1] & 0xE0 == 0xE0 }])),
        Kind(extensions: ["wav"], mediaType: "audio/wav", inline: true, matches: riff("WAVE")),
        Kind(extensions: ["m4a"], mediaType: "audio/mp4", inline: true, matches: isoMedia),
        Kind(extensions: ["ogg", "oga"], mediaType: "audio/ogg", inline: true, matches: ascii("OggS")),
        Kind(extensions: ["flac"], mediaType: "audio/flac", inline: true, matches: ascii("fLaC")),
        Kind(extensions: ["zip"], mediaType: "application/zip", inline: false, matches: zip),
        Kind(extensions: ["gz", "tgz"], mediaType: "application/gzip", inline: false, matches: gzip),
        Kind(extensions: ["tar"], mediaType: "application/x-tar", inline: false, matches: ascii("ustar", at: 257)),
        Kind(
            extensions: ["7z"], mediaType: "application/x-7z-compressed", inline: false,
            matches: starts([0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C])),
        Kind(extensions: ["rar"], mediaType: "application/vnd.rar", inline: false, matches: ascii("Rar!")),
    ]

    /// The images a patient photo may be (the contract: JPEG, PNG, GIF, BMP).
    public static let photoExtensions: Set<String> = ["jpg", "jpeg", "png", "gif", "bmp"]

    /// Every extension accepted, for messages.
    public static var allExtensions: [String] { kinds.flatMap(\.extensions) }

    /// The extension of `filename`, lower-cased (`nii.gz` as one).
    public static func fileExtension(_ filename: String) -> String {
        let lower = filename.lowercased()
        if lower.hasSuffix(".nii.gz") { return "nii.gz" }
        guard let dot = lower.lastIndex(of: "."), dot != lower.startIndex else { return "" }
        return String(lower[lower.index(after: dot)...])
    }

    public enum Verdict: Equatable {
        case accepted(mediaType: String, inline: Bool)
        case extensionNotAllowed(String)
        case contentMismatch(String)
    }

    /// Whether a file named `filename` that begins with `head` is accepted, and as what.
    /// An empty file is judged by its name alone only for text kinds.
    public static func judge(filename: String, head: [UInt8], among allowed: Set<String>? = nil) -> Verdict {
        let ext = fileExtension(filename)
        guard allowed?.contains(ext) ?? true, let kind = kinds.first(where: { $0.extensions.contains(ext) }) else {
            return .extensionNotAllowed(ext)
        }
        guard kind.matches(head) else { return .contentMismatch(ext) }
        return .accepted(mediaType: kind.mediaType, inline: kind.inline)
    }

    /// The client's file name made safe to store and show: the last path segment (some
    /// browsers send a whole path; `../../etc/passwd.pdf` becomes `passwd.pdf`), without
    /// control characters, quotes or backslashes, at most 255 characters; `fallback`
    /// when nothing is left.
    public static func displayName(_ filename: String, fallback: String = "file") -> String {
        let base = filename.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let kept = base.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F && $0 != "\"" }
        var clean = String(String.UnicodeScalarView(kept)).trimmingCharacters(in: .whitespaces)
        while clean.hasPrefix(".") { clean.removeFirst() }
        if clean.count > 255 { clean = String(clean.suffix(255)) }
        return clean.isEmpty ? fallback : clean
    }

    /// `Content-Disposition` for `name`: a plain ASCII `filename` (others replaced by `_`)
    /// and the exact name as RFC 5987 `filename*`.
    public static func contentDisposition(_ kind: String, name: String) -> String {
        let ascii = String(
            name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" }
        )
        var encoded = ""
        for byte in name.utf8 {
            switch byte {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "_"):
                encoded.append(Character(Unicode.Scalar(byte)))
            default:
                encoded += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return "\(kind); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
