/// What a report must look like before it becomes a case.
public enum IntakeRules {
    public static let descriptionLength = 5...2000
    public static let maxPhotos = 9
    public static let maxPhotoBytes = 10 * 1024 * 1024

    public static func description(_ raw: String?) throws -> String {
        let text = (raw ?? "").trimmed()
        guard descriptionLength.contains(text.count) else {
            throw AppError.invalid("case.description", zh: "问题描述须为 5–2000 个字。",
                                   en: "The description must be 5–2,000 characters.", field: "description")
        }
        return text
    }

    public static func optionalText(_ raw: String?, field: String, max: Int, zh: String) throws -> String? {
        guard let text = raw?.trimmed(), !text.isEmpty else { return nil }
        guard text.count <= max else {
            throw AppError.invalid("case.\(field)", zh: "\(zh)不能超过 \(max) 个字。", en: "\(field) is limited to \(max) characters.", field: field)
        }
        return text
    }

    /// Mainland mobile or landline style numbers; anything else is rejected rather than stored wrong.
    public static func phone(_ raw: String?) throws -> String? {
        guard let phone = raw?.trimmingCharacters(in: .whitespaces), !phone.isEmpty else { return nil }
        let ok = (5...20).contains(phone.count) && phone.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-" || $0 == "+") }
        guard ok else {
            throw AppError.invalid("case.phone", zh: "联系电话格式不正确。", en: "Invalid phone number.", field: "reporterPhone")
        }
        return phone
    }

    public static func location(lat: Double?, lon: Double?) throws -> GeoPoint? {
        switch (lat, lon) {
        case (nil, nil): return nil
        case let (lat?, lon?):
            let point = GeoPoint(lon: lon, lat: lat)
            guard point.isValidWGS84 else {
                throw AppError.invalid("case.location", zh: "经纬度超出范围(纬度 -90~90,经度 -180~180)。",
                                       en: "Latitude must be within -90…90 and longitude within -180…180.", field: "location")
            }
            return point
        default:
            throw AppError.invalid("case.location", zh: "位置须同时提供纬度和经度。", en: "Give both lat and lon.", field: "location")
        }
    }
}

/// Terms for searching Chinese text without a word segmenter: every pair of adjacent characters
/// (bigram) of each run of CJK characters, and each whole run of letters or digits (lower-cased).
/// A 2-character word such as 井盖 is then one indexed term.
public enum SearchTerms {
    public static func terms(_ text: String) -> Set<String> {
        Set(sortedTerms(text))
    }

    /// The same terms once each, in the order of their UTF-8 bytes (of their code points): the order a
    /// case's terms are kept in (`CaseSearchTerms.terms`), the same in every process.
    public static func sortedTerms(_ text: String) -> [String] {
        plainTerms(text) ?? sortedCharacterTerms(text)
    }

    /// Terms of any text, character by character (`characterTerms`), in byte order.
    private static func sortedCharacterTerms(_ text: String) -> [String] {
        characterTerms(text).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The sorted terms, read scalar by scalar, for text made only of ASCII, CJK ideographs and the
    /// common Chinese punctuation (`plainSeparators`), which is nearly every report: there each scalar is
    /// a character of its own (a CR LF pair aside, which is two separators either way) and only ASCII
    /// has case. Breaking text into characters was 1.7% of an intake. Nil for any other text.
    static func plainTerms(_ text: String) -> [String]? {
        guard let (words, pairs) = plainKeys(text) else { return nil }
        var result = words
        result.reserveCapacity(words.count + pairs.count)
        for pair in pairs {
            var term = String.UnicodeScalarView()
            forEachScalar(of: pair) { term.append($0) }
            result.append(String(term))
        }
        return result
    }

    /// The sorted terms as one text, each with a space before and after it (` 井盖 盖缺 `), as a case's
    /// terms are queued and indexed (`CaseSearchTerms.queued`); empty for none. Written byte by byte from
    /// the sorted numbers, without a text for each term in between.
    public static func spacedTerms(_ text: String) -> String {
        guard let (words, pairs) = plainKeys(text) else {
            // Read by character; through `sortedTerms` the scalar reading would run a second time first.
            let terms = sortedCharacterTerms(text)
            return terms.isEmpty ? "" : " " + terms.joined(separator: " ") + " "
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(words.reduce(0) { $0 + $1.utf8.count + 1 } + pairs.count * 7 + 1)
        for word in words {
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: word.utf8)
        }
        for pair in pairs {
            bytes.append(UInt8(ascii: " "))
            forEachScalar(of: pair) { UTF8.encode($0) { bytes.append($0) } }
        }
        if !bytes.isEmpty { bytes.append(UInt8(ascii: " ")) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A CJK term's scalars: its first, and its second unless it is a run of one character.
    private static func forEachScalar(of pair: UInt64, _ body: (Unicode.Scalar) -> Void) {
        body(Unicode.Scalar(UInt32(pair >> 21))!)
        if let second = Unicode.Scalar(UInt32(pair & 0x1F_FFFF)), second.value != 0 { body(second) }
    }

    /// The terms of plain text (as `plainTerms` reads it), sorted and each once: its words, and its CJK terms as
    /// numbers (a term's first scalar's value above its second's, which is 0 for a run of one character), made
    /// text only at the end. As texts in a set, each hashed and compared as Unicode text, and then sorted as
    /// such, a report's terms were 3.9% of the server's samples under full intake; as numbers, written straight
    /// into its queued text (`spacedTerms`), 0.75%.
    private static func plainKeys(_ text: String) -> (words: [String], pairs: [UInt64])? {
        var pairs: [UInt64] = []
        var words: [String] = []
        var previous: UInt32?
        var runLength = 0
        var word: [UInt8] = []
        func flushCJK() {
            if runLength == 1, let previous { pairs.append(UInt64(previous) << 21) }
            (previous, runLength) = (nil, 0)
        }
        func flushWord() {
            if word.count >= 2 { words.append(String(decoding: word.prefix(40), as: UTF8.self)) }
            word.removeAll(keepingCapacity: true)
        }
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                let byte = UInt8(value)
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    flushCJK()
                    word.append(byte)
                case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                    flushCJK()
                    word.append(byte | 0x20)
                default:
                    flushCJK()
                    flushWord()
                }
            } else if isCJK(value) {
                flushWord()
                if let previous { pairs.append(UInt64(previous) << 21 | UInt64(value)) }
                (previous, runLength) = (value, runLength + 1)
            } else if plainSeparators.contains(where: { $0.contains(value) }) {
                flushCJK()
                flushWord()
            } else {
                return nil
            }
        }
        flushCJK()
        flushWord()
        // Words are ASCII, so they come before every CJK term; a run of one character before the pairs it begins.
        words.sort()
        pairs.sort()
        var uniqueWords: [String] = []
        for word in words where word != uniqueWords.last { uniqueWords.append(word) }
        var uniquePairs: [UInt64] = []
        uniquePairs.reserveCapacity(pairs.count)
        for pair in pairs where pair != uniquePairs.last { uniquePairs.append(pair) }
        return (uniqueWords, uniquePairs)
    }

    /// Chinese punctuation and spaces: no letters, digits, case or marks that join the character before.
    static let plainSeparators: [ClosedRange<UInt32>] = [
        0x00B7...0x00B7, 0x2014...0x2014, 0x2018...0x2019, 0x201C...0x201D, 0x2026...0x2026, 0x3000...0x3003, 0x3008...0x3011,
        0x3014...0x301F, 0xFF01...0xFF0F, 0xFF1A...0xFF20, 0xFF3B...0xFF40, 0xFF5B...0xFF65,
    ]

    /// Terms of any text, character by character.
    static func characterTerms(_ text: String) -> Set<String> {
        var result = Set<String>()
        var cjkRun: [Character] = []
        var wordRun = ""
        func flushCJK() {
            if cjkRun.count == 1 { result.insert(String(cjkRun[0])) }
            if cjkRun.count >= 2 {
                for i in 0..<(cjkRun.count - 1) { result.insert(String(cjkRun[i...i + 1])) }
            }
            cjkRun.removeAll()
        }
        func flushWord() {
            if wordRun.count >= 2 { result.insert(String(wordRun.prefix(40))) }
            wordRun = ""
        }
        for ch in text.lowercased() {
            if isCJK(ch) {
                flushWord()
                cjkRun.append(ch)
            } else if ch.isLetter || ch.isNumber {
                flushCJK()
                wordRun.append(ch)
            } else {
                flushCJK()
                flushWord()
            }
        }
        flushCJK()
        flushWord()
        return result
    }

    /// The terms a query needs: a case matches when it has all of them.
    public static func queryTerms(_ query: String) -> Set<String> {
        terms(query)
    }

    static func isCJK(_ ch: Character) -> Bool {
        guard let scalar = ch.unicodeScalars.first else { return false }
        return isCJK(scalar.value)
    }

    static func isCJK(_ value: UInt32) -> Bool {
        switch value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FA1F: true
        default: false
        }
    }
}
