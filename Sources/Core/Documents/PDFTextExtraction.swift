import Foundation

/// Text out of a PDF: the text layer first (poppler's `pdftotext`), OCR (`pdftoppm`
/// renders the page, `tesseract` reads it) for the pages whose text layer is (nearly)
/// empty, i.e. scanned pages. Every tool runs under one deadline (`ExternalTool`).
public struct PDFTextExtraction {
    public var text: String
    /// "native" (text layer only), "ocr" (every page read by OCR) or "hybrid" (some each).
    public var method: String
    public var confidence: Double
    public var pageCount: Int

    public enum Failure: Error, Equatable {
        /// pdftotext refused the file (damaged, encrypted, not really a PDF).
        case unreadable
        case timedOut
        /// A tool is missing or crashed.
        case toolFailed(String)
    }

    /// A page with fewer non-blank characters in its text layer is read by OCR.
    static let minimumNativeCharacters = 20
    /// Pages read by OCR at most (the others keep whatever text layer they have).
    static let maximumOCRPages = 20
    /// Rendering resolution for OCR.
    static let ocrDPI = 200
    /// The confidence given to text-layer text: exact characters, uncertain layout.
    static let nativeConfidence = 0.95

    /// Extracts the text of `pdf` (a file in `workDirectory`, which also takes the tools'
    /// output) before `deadline` (uptime nanoseconds).
    public static func extract(pdf: String, workDirectory: String, deadline: UInt64) throws(Failure) -> Self {
        let textFile = workDirectory + "/text.txt"
        do {
            try ExternalTool.run(
                ["pdftotext", "-layout", "-enc", "UTF-8", "-q", pdf, "-"], outputFile: textFile, deadline: deadline)
        } catch ExternalTool.Failure.timedOut {
            throw .timedOut
        } catch ExternalTool.Failure.failed {
            throw .unreadable
        } catch {
            throw .toolFailed(String(describing: error))
        }
        let layer = readText(textFile)
        // pdftotext ends every page with a form feed.
        var pages = layer.split(separator: "\u{0C}", omittingEmptySubsequences: false).map(String.init)
        if pages.last?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty == true { pages.removeLast() }
        guard !pages.isEmpty else { throw .unreadable }

        var confidences: [(weight: Int, value: Double)] = []
        var ocrPages = 0
        var nativePages = 0
        for index in pages.indices {
            let visible = pages[index].unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.count
            if visible >= minimumNativeCharacters || ocrPages >= maximumOCRPages {
                nativePages += 1
                confidences.append((visible, nativeConfidence))
                continue
            }
            let (text, confidence) = try ocr(
                pdf: pdf, page: index + 1, workDirectory: workDirectory, deadline: deadline)
            ocrPages += 1
            pages[index] = text
            let read = text.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.count
            confidences.append((read, confidence))
        }
        let text = pages.map(tidy).filter { !$0.isEmpty }.joined(separator: "\n\n")
        let totalWeight = confidences.reduce(0) { $0 + $1.weight }
        let confidence =
            totalWeight == 0 ? 0 : confidences.reduce(0.0) { $0 + Double($1.weight) * $1.value } / Double(totalWeight)
        let method = ocrPages == 0 ? "native" : nativePages == 0 ? "ocr" : "hybrid"
        return PDFTextExtraction(
            text: text, method: method, confidence: (confidence * 1000).rounded() / 1000, pageCount: pages.count)
    }

    /// One page rendered and read: its text and tesseract's mean word confidence (0...1).
    static func ocr(pdf: String, page: Int, workDirectory: String, deadline: UInt64) throws(Failure) -> (String, Double)
    {
        let image = workDirectory + "/page"
        let tsv = workDirectory + "/page.tsv"
        do {
            try ExternalTool.run(
                [
                    "pdftoppm", "-f", String(page), "-l", String(page), "-r", String(ocrDPI), "-gray", "-png",
                    "-singlefile", pdf, image,
                ], outputFile: "/dev/null", deadline: deadline)
            try ExternalTool.run(
                ["tesseract", image + ".png", "stdout", "-l", "eng", "--psm", "3", "tsv"], outputFile: tsv,
                deadline: deadline)
        } catch ExternalTool.Failure.timedOut {
            throw .timedOut
        } catch {
            throw .toolFailed(String(describing: error))
        }
        unlink(image + ".png")
        return wordsFromTSV(readText(tsv))
    }

    /// Rebuilds lines from tesseract's TSV (one row per word with its block, paragraph
    /// and line numbers and a confidence 0...100): words of a line joined by spaces, a
    /// blank line between paragraphs.
    static func wordsFromTSV(_ tsv: String) -> (String, Double) {
        var lines: [String] = []
        var current: [String] = []
        var currentKey = ""
        var currentParagraph = ""
        var confidences: [Double] = []
        for row in tsv.split(separator: "\n").dropFirst() {
            let columns = row.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count >= 12, columns[0] == "5", let confidence = Double(columns[10]), confidence >= 0 else {
                continue
            }
            let word = columns[11...].joined(separator: "\t").trimmingCharacters(in: .whitespaces)
            guard !word.isEmpty else { continue }
            let paragraph = "\(columns[1]).\(columns[2]).\(columns[3])"
            let key = paragraph + ".\(columns[4])"
            if key != currentKey {
                if !current.isEmpty { lines.append(current.joined(separator: " ")) }
                if !currentParagraph.isEmpty && paragraph != currentParagraph { lines.append("") }
                current = []
                currentKey = key
                currentParagraph = paragraph
            }
            current.append(word)
            confidences.append(confidence)
        }
        if !current.isEmpty { lines.append(current.joined(separator: " ")) }
        let mean = confidences.isEmpty ? 0 : confidences.reduce(0, +) / Double(confidences.count) / 100
        return (lines.joined(separator: "\n"), min(1, max(0, mean)))
    }

    /// Trailing blanks off every line, blank lines off both ends of the page.
    static func tidy(_ page: String) -> String {
        let lines = page.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.reversed().drop(while: { $0 == " " || $0 == "\t" || $0 == "\r" }).reversed())
        }
        let first = lines.firstIndex { !$0.isEmpty } ?? lines.endIndex
        let last = lines.lastIndex { !$0.isEmpty } ?? -1
        return first <= last ? lines[first...last].joined(separator: "\n") : ""
    }

    /// Text a tool wrote, up to `maximumTextBytes` (a small PDF can inflate to far more).
    static func readText(_ path: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maximumTextBytes)) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// The most extracted text kept (4 MiB).
    static let maximumTextBytes = 4 << 20
}
