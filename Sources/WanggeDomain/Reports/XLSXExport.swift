import Foundation

/// A minimal but valid .xlsx (Office Open XML SpreadsheetML): one sheet per table, header row in
/// bold and frozen, inline strings (no shared-string table to keep in step), numbers as numbers,
/// percentages as numbers formatted 0.0% so they still sort and sum in Excel.
public enum XLSXExport {
    public static let contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// Style indexes into `cellXfs` in styles.xml.
    enum Style: Int { case normal = 0, header = 1, percent = 2 }

    public static func data(_ sheets: [ReportTable]) -> Data {
        // A workbook needs at least one sheet to open.
        let tables = sheets.isEmpty ? [ReportTable(title: "Sheet1", header: [], rows: [])] : sheets
        let names = sheetNames(tables.map(\.title))
        var zip = StoredZip()
        zip.add("[Content_Types].xml", contentTypes(count: tables.count))
        zip.add("_rels/.rels", rootRels)
        zip.add("xl/workbook.xml", workbook(names))
        zip.add("xl/_rels/workbook.xml.rels", workbookRels(count: tables.count))
        zip.add("xl/styles.xml", styles)
        for (i, table) in tables.enumerated() {
            zip.add("xl/worksheets/sheet\(i + 1).xml", worksheet(table))
        }
        return zip.archive()
    }

    // MARK: Sheet names

    /// Excel's rules: 1–31 characters, none of []:*?/\, not starting or ending with an apostrophe,
    /// unique ignoring case, and "History" is reserved.
    static func sheetNames(_ titles: [String]) -> [String] {
        var used: Set<String> = ["history"]
        var names: [String] = []
        for (i, title) in titles.enumerated() {
            var base = String(String.UnicodeScalarView(title.unicodeScalars.map { u in
                "[]:*?/\\".unicodeScalars.contains(u) || u.value < 0x20 || u.value == 0xFFFE || u.value == 0xFFFF ? "_" : u
            }))
            base = base.trimmingCharacters(in: CharacterSet(charactersIn: "' ").union(.whitespacesAndNewlines))
            if base.isEmpty { base = "Sheet\(i + 1)" }
            var name = truncated(base, to: 31)
            var n = 2
            while used.contains(name.lowercased()) {
                let suffix = " (\(n))"
                name = truncated(base, to: 31 - suffix.utf16.count) + suffix
                n += 1
            }
            used.insert(name.lowercased())
            names.append(name)
        }
        return names
    }

    /// Excel counts UTF-16 units; never split a character.
    static func truncated(_ s: String, to limit: Int) -> String {
        var out = ""
        for ch in s {
            if out.utf16.count + ch.utf16.count > limit { break }
            out.append(ch)
        }
        return out
    }

    // MARK: Parts

    static let xmlHeader = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"# + "\n"
    static let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let packageRelNS = "http://schemas.openxmlformats.org/package/2006/relationships"

    static func contentTypes(count: Int) -> String {
        var s = xmlHeader + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        s += #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        s += #"<Default Extension="xml" ContentType="application/xml"/>"#
        s += #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
        s += #"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#
        for i in 1...count {
            s += #"<Override PartName="/xl/worksheets/sheet\#(i).xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        }
        return s + "</Types>"
    }

    static let rootRels = xmlHeader + #"<Relationships xmlns="\#(packageRelNS)">"#
        + #"<Relationship Id="rId1" Type="\#(relNS)/officeDocument" Target="xl/workbook.xml"/>"#
        + "</Relationships>"

    static func workbook(_ names: [String]) -> String {
        var s = xmlHeader + #"<workbook xmlns="\#(mainNS)" xmlns:r="\#(relNS)"><sheets>"#
        for (i, name) in names.enumerated() {
            s += #"<sheet name="\#(ExportText.xmlEscape(name))" sheetId="\#(i + 1)" r:id="rId\#(i + 1)"/>"#
        }
        return s + "</sheets></workbook>"
    }

    static func workbookRels(count: Int) -> String {
        var s = xmlHeader + #"<Relationships xmlns="\#(packageRelNS)">"#
        for i in 1...count {
            s += #"<Relationship Id="rId\#(i)" Type="\#(relNS)/worksheet" Target="worksheets/sheet\#(i).xml"/>"#
        }
        s += #"<Relationship Id="rId\#(count + 1)" Type="\#(relNS)/styles" Target="styles.xml"/>"#
        return s + "</Relationships>"
    }

    /// Custom number formats start at id 164; the fills must include none and gray125 or Excel repairs the file.
    static let styles = xmlHeader + #"<styleSheet xmlns="\#(mainNS)">"#
        + #"<numFmts count="1"><numFmt numFmtId="164" formatCode="0.0%"/></numFmts>"#
        + #"<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>"#
        + #"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#
        + #"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#
        + #"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#
        + #"<cellXfs count="3">"#
        + #"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#
        + #"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
        + #"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#
        + "</cellXfs>"
        + #"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#
        + "</styleSheet>"

    static func worksheet(_ table: ReportTable) -> String {
        var s = xmlHeader + #"<worksheet xmlns="\#(mainNS)">"#
        if !table.header.isEmpty {
            s += #"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>"#
        }
        let widths = columnWidths(table)
        if !widths.isEmpty {
            s += "<cols>"
            for (i, w) in widths.enumerated() {
                s += #"<col min="\#(i + 1)" max="\#(i + 1)" width="\#(w)" customWidth="1"/>"#
            }
            s += "</cols>"
        }
        s += "<sheetData>"
        var rowNumber = 0
        if !table.header.isEmpty {
            rowNumber += 1
            s += row(rowNumber, table.header.enumerated().map { cell(.text($1), column: $0, row: rowNumber, style: .header) })
        }
        for r in table.rows {
            rowNumber += 1
            s += row(rowNumber, r.enumerated().map { cell($1, column: $0, row: rowNumber) })
        }
        return s + "</sheetData></worksheet>"
    }

    static func row(_ number: Int, _ cells: [String]) -> String {
        #"<row r="\#(number)">"# + cells.joined() + "</row>"
    }

    static func cell(_ value: ReportCell, column: Int, row: Int, style: Style = .normal) -> String {
        let ref = columnName(column) + String(row)
        let s = style == .normal ? "" : #" s="\#(style.rawValue)""#
        func inline(_ text: String) -> String {
            #"<c r="\#(ref)"\#(s) t="inlineStr"><is><t xml:space="preserve">\#(ExportText.xmlEscape(text))</t></is></c>"#
        }
        func number(_ v: String, style: String) -> String { #"<c r="\#(ref)"\#(style)><v>\#(v)</v></c>"# }
        switch value {
        case .text(let t): return inline(t)
        case .integer(let i): return number(String(i), style: s)
        case .number(let d): return d.isFinite ? number(String(d), style: s) : inline(ExportText.missing)
        case .percent(let f):
            guard let f, f.isFinite else { return inline(ExportText.missing) }
            return number(String(f), style: #" s="\#(Style.percent.rawValue)""#)
        }
    }

    /// 0 → A, 25 → Z, 26 → AA.
    static func columnName(_ index: Int) -> String {
        var n = index + 1, name = ""
        while n > 0 {
            let r = (n - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + r))) + name
            n = (n - 1) / 26
        }
        return name
    }

    /// Wide enough for the longest text in each column, counting CJK as two (Excel's default is
    /// 8.43 characters, which cuts off most Chinese headings).
    static func columnWidths(_ table: ReportTable) -> [Int] {
        let count = max(table.header.count, table.rows.map(\.count).max() ?? 0)
        var widths = Array(repeating: 8, count: count)
        func measure(_ s: String) -> Int {
            s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
        }
        for (i, h) in table.header.enumerated() { widths[i] = max(widths[i], measure(h) + 2) }
        for r in table.rows {
            for (i, c) in r.enumerated() { widths[i] = max(widths[i], measure(c.displayText) + 2) }
        }
        return widths.map { min($0, 60) }
    }
}
