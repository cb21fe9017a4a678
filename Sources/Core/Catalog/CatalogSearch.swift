import Foundation
import Synchronization

/// A catalog name prepared for matching: case and accents folded away, split into words
/// at anything that is not a letter or digit ("Diphtheria-Tetanus (reduced)" reads as
/// `diphtheria tetanus reduced`), and the words run together for whole-text comparisons,
/// so "Hep B", "HepB" and "hep-b" are the same text.
///
/// Catalogs are small (tens to hundreds of rows) and fixed between migrations, so their
/// names are prepared once and a query is matched against every one in turn.
struct SearchText: Sendable {
    let words: [[Unicode.Scalar]]
    /// The words run together.
    let compact: [Unicode.Scalar]
    /// Where each word starts in `compact`.
    let wordStarts: [Int]

    init(_ text: String) {
        var words: [[Unicode.Scalar]] = []
        var word: [Unicode.Scalar] = []
        for scalar in text.decomposedStringWithCanonicalMapping.unicodeScalars {
            let properties = scalar.properties
            if properties.generalCategory == .nonspacingMark { continue }
            if properties.isAlphabetic || properties.numericType != nil {
                word.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
            } else if !word.isEmpty {
                words.append(word)
                word = []
            }
        }
        if !word.isEmpty { words.append(word) }
        self.words = words
        var compact: [Unicode.Scalar] = []
        var starts: [Int] = []
        for word in words {
            starts.append(compact.count)
            compact.append(contentsOf: word)
        }
        self.compact = compact
        self.wordStarts = starts
    }

    var isEmpty: Bool { compact.isEmpty }

    /// How well `query` matches this text, or nil when it does not.
    func match(_ query: SearchText) -> SearchMatch? {
        guard !query.isEmpty else { return nil }
        let needle = query.compact
        if compact == needle { return SearchMatch(.exact) }
        if compact.starts(with: needle) { return SearchMatch(.prefix) }
        if wordStarts.contains(where: { compact[$0...].starts(with: needle) }) { return SearchMatch(.wordPrefix) }
        if Self.contains(compact, needle) { return SearchMatch(.substring) }
        return fuzzyMatch(query)
    }

    /// Every word of the query close to some word here: within the typo allowance of
    /// the whole word, or (a word still being typed) of the word's beginning.
    private func fuzzyMatch(_ query: SearchText) -> SearchMatch? {
        var total = 0
        var partial = false
        for typed in query.words {
            var best: (distance: Int, partial: Bool)?
            for word in words {
                let (whole, prefix) = Self.distances(typed, word)
                if whole <= Self.allowance(forWord: typed.count), best == nil || whole < best!.distance {
                    best = (whole, false)
                }
                if prefix < whole, prefix <= Self.allowance(forPrefix: typed.count),
                    best == nil || prefix < best!.distance
                {
                    best = (prefix, true)
                }
                if best?.distance == 0 && best?.partial == false { break }
            }
            guard let best else { return nil }
            total += best.distance
            partial = partial || best.partial
        }
        return SearchMatch(
            .fuzzy, distance: total, partial: partial, extraWords: max(0, words.count - query.words.count))
    }

    /// Typos tolerated in a whole word of this length: none up to 3 letters (too many
    /// short words are one letter apart), one up to 7, two beyond.
    static func allowance(forWord length: Int) -> Int {
        length <= 3 ? 0 : length <= 7 ? 1 : 2
    }

    /// Typos tolerated when the typed word is matched against a word's beginning only,
    /// one step stricter (a short typed prefix fits too many words).
    static func allowance(forPrefix length: Int) -> Int {
        length <= 4 ? 0 : length <= 8 ? 1 : 2
    }

    /// The edit distance (insertions, deletions, substitutions and swaps of neighbours)
    /// from `typed` to `word`, and to the closest beginning of `word`.
    static func distances(_ typed: [Unicode.Scalar], _ word: [Unicode.Scalar]) -> (whole: Int, prefix: Int) {
        let m = typed.count
        let n = word.count
        if m == 0 { return (n, 0) }
        if n == 0 { return (m, m) }
        // Three rows of the optimal-string-alignment table.
        var before = [Int](repeating: 0, count: n + 1)
        var previous = Array(0...n)
        var current = [Int](repeating: 0, count: n + 1)
        for i in 1...m {
            current[0] = i
            for j in 1...n {
                let cost = typed[i - 1] == word[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, typed[i - 1] == word[j - 2], typed[i - 2] == word[j - 1] {
                    value = min(value, before[j - 2] + 1)
                }
                current[j] = value
            }
            (before, previous, current) = (previous, current, before)
        }
        return (previous[n], previous.min() ?? m)
    }

    private static func contains(_ haystack: [Unicode.Scalar], _ needle: [Unicode.Scalar]) -> Bool {
        guard needle.count <= haystack.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start...].starts(with: needle) {
            return true
        }
        return false
    }
}

/// Ranks catalog entries against a query, for every catalog that searches its rows in
/// memory (vaccines, lab tests).
enum CatalogRanking {
    /// "Name (SHORT)" for a dropdown, or the name alone when the short name is empty or
    /// the same name.
    static func nameWithShortName(_ name: String, _ shortName: String?) -> String {
        guard let shortName, !shortName.isEmpty, shortName.lowercased() != name.lowercased() else { return name }
        return "\(name) (\(shortName))"
    }

    /// Each entry that matches `query`, best first: by the kind of match (exact, prefix,
    /// word prefix, substring, typo-tolerant), then by the rank of the text that matched
    /// (a name before a brand or other common name), then in the order given. `texts`
    /// are what a search looks at in an entry, each with its rank.
    static func ranked<Entry>(
        _ entries: [Entry], _ query: SearchText, texts: (Entry) -> [(text: SearchText, rank: Int)]
    ) -> [(entry: Entry, match: SearchMatch, rank: Int)] {
        var found: [(match: SearchMatch, rank: Int, position: Int)] = []
        for (position, entry) in entries.enumerated() {
            var best: (match: SearchMatch, rank: Int)?
            for (text, rank) in texts(entry) {
                guard let match = text.match(query) else { continue }
                if best == nil || match < best!.match || (match == best!.match && rank < best!.rank) {
                    best = (match, rank)
                }
            }
            if let best { found.append((best.match, best.rank, position)) }
        }
        found.sort { lhs, rhs in
            if lhs.match != rhs.match { return lhs.match < rhs.match }
            if lhs.rank != rhs.rank { return lhs.rank < rhs.rank }
            return lhs.position < rhs.position
        }
        return found.map { (entries[$0.position], $0.match, $0.rank) }
    }
}

/// How a query matched a text; a smaller value is a better match.
struct SearchMatch: Comparable, Sendable {
    enum Kind: Int, Sendable {
        /// The whole text.
        case exact
        /// The text's beginning.
        case prefix
        /// The beginning of a later word.
        case wordPrefix
        /// Somewhere inside.
        case substring
        /// Every query word within its typo allowance of a word of the text.
        case fuzzy
    }

    let kind: Kind
    /// Typos corrected (fuzzy matches only).
    let distance: Int
    /// Some query word matched only the beginning of a word (fuzzy matches only).
    let partial: Bool
    /// Words of the text beyond the query's (fuzzy matches only): a misspelt "tetnus"
    /// fits "Tetanus" better than "Diphtheria-Tetanus-Pertussis".
    let extraWords: Int

    init(_ kind: Kind, distance: Int = 0, partial: Bool = false, extraWords: Int = 0) {
        self.kind = kind
        self.distance = distance
        self.partial = partial
        self.extraWords = extraWords
    }

    static func < (lhs: SearchMatch, rhs: SearchMatch) -> Bool {
        if lhs.kind != rhs.kind { return lhs.kind.rawValue < rhs.kind.rawValue }
        if lhs.distance != rhs.distance { return lhs.distance < rhs.distance }
        if lhs.partial != rhs.partial { return !lhs.partial }
        return lhs.extraWords < rhs.extraWords
    }
}

/// A read-only catalog loaded once per process (per database) and shared by every thread:
/// catalogs change only by migration. Threads arriving together may each read it once;
/// the first to finish is kept, so every caller sees the same catalog afterwards.
final class CatalogCache<Catalog: Sendable>: Sendable {
    private let loaded = Mutex<[String: Catalog]>([:])

    func shared(_ db: Connection, load: (Connection) throws -> Catalog) throws -> Catalog {
        let key = "\(db.config.endpoint)/\(db.config.database)"
        if let catalog = loaded.withLock({ $0[key] }) { return catalog }
        let fresh = try load(db)
        return loaded.withLock { catalogs in
            if let existing = catalogs[key] { return existing }
            catalogs[key] = fresh
            return fresh
        }
    }
}
