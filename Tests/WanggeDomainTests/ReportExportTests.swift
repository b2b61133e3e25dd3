import Foundation
#if canImport(FoundationXML)
import FoundationXML // XMLParser lives here on Linux; test-only
#endif
import XCTest
@testable import WanggeDomain

final class ReportExportTests: XCTestCase {
    private let table = ReportTable(
        title: "2026/11 月报: <各乡镇>",
        header: ["名称", "结案数", "办结率"],
        rows: [
            [.text("城关镇 & \"新区\" <b>"), .integer(42), .percent(0.986)],
            [.text("=HYPERLINK(\"x\")"), .integer(-5), .percent(nil)],
            [.text("多行\n备注,含逗号"), .number(0.1 + 0.2), .percent(1)],
            [.text("bad\u{1}char"), .number(.nan), .percent(0)],
        ])

    // MARK: CSV

    func testCSVHasBOMCRLFQuotingAndFormulaGuard() {
        let data = CSVExport.data(table)
        XCTAssertEqual(Array(data.prefix(3)), [0xEF, 0xBB, 0xBF])
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        XCTAssertEqual(text, "名称,结案数,办结率\r\n"
            + "\"城关镇 & \"\"新区\"\" <b>\",42,98.6%\r\n"
            + "\"'=HYPERLINK(\"\"x\"\")\",-5,—\r\n"
            + "\"多行\n备注,含逗号\",0.3,100.0%\r\n"
            + "bad\u{1}char,—,0.0%\r\n")
    }

    func testFormulaGuardCoversEveryTrigger() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            XCTAssertEqual(CSVExport.guarded(s), "'" + s, s)
        }
        for s in ["1-1", "正常", "", "a=b"] { XCTAssertEqual(CSVExport.guarded(s), s, s) }
        XCTAssertEqual(CSVExport.field("a\r\nb"), "\"a\r\nb\"")
        XCTAssertEqual(CSVExport.field("plain"), "plain")
    }

    func testTextFormatting() {
        XCTAssertEqual(ExportText.percent(0.986), "98.6%")
        XCTAssertEqual(ExportText.percent(0.98649), "98.6%")
        XCTAssertEqual(ExportText.percent(nil), "—")
        XCTAssertEqual(ExportText.percent(-0.0000001), "0.0%")
        XCTAssertEqual(ExportText.decimal(2.5, maxFractionDigits: 2), "2.5")
        XCTAssertEqual(ExportText.decimal(3, maxFractionDigits: 2), "3")
        XCTAssertEqual(ExportText.decimal(-0.001, maxFractionDigits: 1), "0")
        XCTAssertEqual(ExportText.decimal(1234.5678, maxFractionDigits: 1), "1234.6")
        XCTAssertEqual(ExportText.xmlEscape("a&b<c>\"d\"'e'\u{0}\u{1B}\tf\u{FFFF}"), "a&amp;b&lt;c&gt;&quot;d&quot;&apos;e&apos;\tf")
        // Written as UTF-8 bytes: characters of two, three and four bytes kept whole, U+FFFE dropped but its
        // neighbours (U+FFFD, U+FFEF, U+EFBF) kept, and a last byte of a character never taken for a mark.
        XCTAssertEqual(ExportText.xmlEscape("é井\u{FFFE}\u{FFFD}\u{FFEF}\u{EFBF}😀\u{7F}\r\n<"), "é井\u{FFFD}\u{FFEF}\u{EFBF}😀\u{7F}\r\n&lt;")
        XCTAssertEqual(ExportText.xmlEscape("\u{FFFF}\u{FFFF}x\u{FFFE}"), "x")
        XCTAssertEqual(ExportText.xmlEscape(""), "")
    }

    // MARK: ZIP

    func testCRC32CheckValues() {
        XCTAssertEqual(StoredZip.crc32(Data("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(StoredZip.crc32(Data()), 0)
        XCTAssertEqual(StoredZip.crc32(Data("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
    }

    func testZipEntriesReadBackWithMatchingCRC() throws {
        var zip = StoredZip()
        zip.add("a.txt", "hello")
        zip.add("目录/数据.bin", Data((0..<300).map { UInt8($0 % 256) }))
        zip.add("empty", Data())
        let archive = zip.archive()
        let entries = try readZip(archive)
        XCTAssertEqual(entries.map(\.name), ["a.txt", "目录/数据.bin", "empty"])
        XCTAssertEqual(entries[0].data, Data("hello".utf8))
        XCTAssertEqual(entries[1].data.count, 300)
        XCTAssertEqual(entries[2].data, Data())
        XCTAssertEqual(zip.archive(), archive, "same input, same bytes")
    }

    // MARK: XLSX

    func testXLSXHasThePartsAndCells() throws {
        let data = XLSXExport.data([table, ReportTable(title: "2026/11 月报: <各乡镇>", header: ["x"], rows: [])])
        let entries = try readZip(data)
        XCTAssertEqual(entries.map(\.name), [
            "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml",
            "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml",
        ])
        for entry in entries { XCTAssertTrue(isWellFormed(entry.data), entry.name) }
        let files = Dictionary(uniqueKeysWithValues: entries.map { ($0.name, String(decoding: $0.data, as: UTF8.self)) })

        let sheet = try XCTUnwrap(files["xl/worksheets/sheet1.xml"])
        XCTAssertTrue(sheet.contains(#"<c r="A1" s="1" t="inlineStr"><is><t xml:space="preserve">名称</t></is></c>"#))
        XCTAssertTrue(sheet.contains(#"<t xml:space="preserve">城关镇 &amp; &quot;新区&quot; &lt;b&gt;</t>"#))
        XCTAssertTrue(sheet.contains(#"<c r="B2"><v>42</v></c>"#))
        XCTAssertTrue(sheet.contains(#"<c r="C2" s="2"><v>0.986</v></c>"#))
        XCTAssertTrue(sheet.contains(#"<c r="C3" t="inlineStr"><is><t xml:space="preserve">—</t></is></c>"#))
        XCTAssertTrue(sheet.contains(#"<c r="B3"><v>-5</v></c>"#))
        XCTAssertTrue(sheet.contains(#"<c r="C4" s="2"><v>1.0</v></c>"#))
        XCTAssertTrue(sheet.contains(#"<t xml:space="preserve">badchar</t>"#), "control character stripped")
        XCTAssertTrue(sheet.contains(#"<c r="B5" t="inlineStr"><is><t xml:space="preserve">—</t></is></c>"#), "NaN is no number")

        let workbook = try XCTUnwrap(files["xl/workbook.xml"])
        XCTAssertTrue(workbook.contains(#"<sheet name="2026_11 月报_ &lt;各乡镇&gt;" sheetId="1" r:id="rId1"/>"#))
        XCTAssertTrue(workbook.contains(#"<sheet name="2026_11 月报_ &lt;各乡镇&gt; (2)" sheetId="2" r:id="rId2"/>"#))
        XCTAssertTrue(try XCTUnwrap(files["xl/styles.xml"]).contains(#"formatCode="0.0%""#))
        XCTAssertTrue(try XCTUnwrap(files["xl/_rels/workbook.xml.rels"]).contains(#"Id="rId3""#))
        XCTAssertTrue(try XCTUnwrap(files["[Content_Types].xml"]).contains("/xl/worksheets/sheet2.xml"))
    }

    func testSheetNamesAreSanitisedAndUnique() {
        let long = String(repeating: "长", count: 40)
        XCTAssertEqual(XLSXExport.sheetNames(["a/b:c", "a/b:c", long, long, "", "History", "ABC", "abc", "'引号'", "[x]*?\\"]), [
            "a_b_c", "a_b_c (2)", String(repeating: "长", count: 31), String(repeating: "长", count: 27) + " (2)",
            "Sheet5", "History (2)", "ABC", "abc (2)", "引号", "_x____",
        ])
        XCTAssertEqual(XLSXExport.columnName(0), "A")
        XCTAssertEqual(XLSXExport.columnName(25), "Z")
        XCTAssertEqual(XLSXExport.columnName(26), "AA")
        XCTAssertEqual(XLSXExport.columnName(27 * 26), "AAA")
    }

    func testEmptyWorkbookStillHasASheet() throws {
        let entries = try readZip(XLSXExport.data([]))
        XCTAssertTrue(entries.contains { $0.name == "xl/worksheets/sheet1.xml" })
        for entry in entries { XCTAssertTrue(isWellFormed(entry.data), entry.name) }
    }

    func testPythonZipfileAcceptsTheWorkbook() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard let python = path.split(separator: ":").map({ "\($0)/python3" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("python3 is not installed")
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-\(UUID().uuidString).xlsx")
        defer { try? FileManager.default.removeItem(at: file) }
        try XLSXExport.data([table]).write(to: file)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", """
            import zipfile, sys, xml.dom.minidom
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            for n in z.namelist(): xml.dom.minidom.parseString(z.read(n))
            print(z.namelist())
            """, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("xl/worksheets/sheet1.xml"), output)
    }

    // MARK: Helpers

    struct ZipEntry { var name: String; var data: Data }
    struct ZipError: Error, CustomStringConvertible { var description: String }

    /// Walks the end record and central directory, then checks each local header and the CRC
    /// of the bytes it points at: an independent reading of what StoredZip wrote.
    private func readZip(_ zip: Data) throws -> [ZipEntry] {
        let b = [UInt8](zip)
        func u16(_ o: Int) -> Int { Int(b[o]) | Int(b[o + 1]) << 8 }
        func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
        guard b.count >= 22, let end = stride(from: b.count - 22, through: 0, by: -1).first(where: { u32($0) == 0x0605_4B50 })
        else { throw ZipError(description: "no end record") }
        let count = u16(end + 10), cdSize = u32(end + 12), cdOffset = u32(end + 16)
        guard cdOffset + cdSize == end, u16(end + 8) == count else { throw ZipError(description: "bad end record") }
        var entries: [ZipEntry] = []
        var o = cdOffset
        for _ in 0..<count {
            guard u32(o) == 0x0201_4B50 else { throw ZipError(description: "bad central header at \(o)") }
            let method = u16(o + 10), crc = u32(o + 16), size = u32(o + 20), usize = u32(o + 24)
            let nameLength = u16(o + 28), extra = u16(o + 30), comment = u16(o + 32), local = u32(o + 42)
            let name = String(decoding: b[(o + 46)..<(o + 46 + nameLength)], as: UTF8.self)
            guard method == 0, size == usize, u32(local) == 0x0403_4B50, u32(local + 14) == crc,
                  u32(local + 18) == size, u16(local + 26) == nameLength,
                  Array(b[(local + 30)..<(local + 30 + nameLength)]) == Array(name.utf8)
            else { throw ZipError(description: "local header of \(name) disagrees") }
            let start = local + 30 + nameLength + u16(local + 28)
            let data = Data(b[start..<(start + size)])
            guard StoredZip.crc32(data) == UInt32(crc) else { throw ZipError(description: "CRC of \(name)") }
            entries.append(ZipEntry(name: name, data: data))
            o += 46 + nameLength + extra + comment
        }
        return entries
    }

    private func isWellFormed(_ xml: Data) -> Bool {
        XMLParser(data: xml).parse()
    }
}
