/// Administrative-division style codes: city `330100`, county `330110`, township `330110001`,
/// village `330110001001`, grid `330110001001-01`. A child's code extends its parent's, so a code
/// alone tells where a unit sits and codes from different counties can never collide.
public enum OrgCode {
    public static func validate(_ code: String, level: OrgLevel, parentCode: String?) throws {
        let digits = code.split(separator: "-", omittingEmptySubsequences: false)
        func fail(_ zh: String, _ en: String) -> AppError {
            AppError.invalid("org.code", zh: zh, en: en, field: "code")
        }
        func allDigits(_ s: Substring, count: Int) -> Bool {
            s.count == count && s.allSatisfy { $0.isASCII && $0.isNumber }
        }
        switch level {
        case .city, .county:
            guard digits.count == 1, allDigits(digits[0], count: 6) else {
                throw fail("\(level.nameZH)编码应为 6 位数字,例如 330110。", "A \(level.nameEN) code has 6 digits, e.g. 330110.")
            }
        case .township:
            guard digits.count == 1, allDigits(digits[0], count: 9) else {
                throw fail("乡镇街道编码应为 9 位数字,例如 330110001。", "A township code has 9 digits, e.g. 330110001.")
            }
        case .village:
            guard digits.count == 1, allDigits(digits[0], count: 12) else {
                throw fail("村社区编码应为 12 位数字,例如 330110001001。", "A village code has 12 digits, e.g. 330110001001.")
            }
        case .grid:
            guard digits.count == 2, allDigits(digits[0], count: 12),
                  digits[1].count >= 2, digits[1].count <= 4, digits[1].allSatisfy({ $0.isASCII && $0.isNumber })
            else {
                throw fail("网格编码应为「村社区编码-序号」,例如 330110001001-01。",
                           "A grid code is <village code>-<number>, e.g. 330110001001-01.")
            }
        }
        guard let parentCode else { return }
        let expectedPrefix: Substring = switch level {
        case .city: ""
        case .county: parentCode.prefix(4) // a county shares the city's province+city digits
        case .township, .village: Substring(parentCode)
        case .grid: Substring(parentCode) + "-"
        }
        guard code.hasPrefix(expectedPrefix), code != parentCode else {
            throw fail("编码 \(code) 与上级编码 \(parentCode) 不一致:应以 \(expectedPrefix) 开头。",
                       "Code \(code) does not extend its parent's code \(parentCode) (expected prefix \(expectedPrefix)).")
        }
    }
}

extension OrgCode {
    /// The level of a well-formed code: grids have a dash, villages 12 digits, townships 9, counties 6,
    /// and a city's 6 digits end in `00`. Codes are ASCII, so this counts bytes: `contains("-")` went
    /// through Foundation's substring search, and counting characters breaks graphemes. The writer
    /// of a group of reports asks this dozens of times per report.
    public static func level(of code: String) -> OrgLevel? {
        let bytes = code.utf8
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
        if bytes.contains(UInt8(ascii: "-")) { return .grid }
        switch bytes.count {
        case 12: return .village
        case 9: return .township
        case 6: return code.hasSuffix("00") ? .city : .county
        default: return nil
        }
    }

    /// The ancestry a code implies, since every code extends its parent's.
    public static func ancestry(of code: String) -> OrgAncestry {
        guard let level = level(of: code) else { return OrgAncestry() }
        func prefix(_ length: Int) -> String { String(decoding: code.utf8.prefix(length), as: UTF8.self) }
        var ancestry = OrgAncestry(cityCode: prefix(4) + "00")
        if level >= .county { ancestry.countyCode = prefix(6) }
        if level >= .township { ancestry.townshipCode = prefix(9) }
        if level >= .village { ancestry.villageCode = prefix(12) }
        if level == .grid { ancestry.gridCode = code }
        return ancestry
    }

    /// The parent's code, or `nil` for a city.
    public static func parent(of code: String) -> String? {
        switch level(of: code) {
        case .grid: String(code.prefix(12))
        case .village: String(code.prefix(9))
        case .township: String(code.prefix(6))
        case .county: String(code.prefix(4)) + "00"
        case .city, nil: nil
        }
    }
}
