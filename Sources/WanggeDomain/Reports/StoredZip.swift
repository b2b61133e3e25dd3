import Foundation

/// A minimal ZIP writer: stored entries only (method 0, no compression), no ZIP64.
/// Our own because the domain stays Foundation-only and an .xlsx needs nothing more; report
/// files are far below the 4 GiB / 65 535-entry limits of the classic format.
public struct StoredZip: Sendable {
    public struct Entry: Sendable, Equatable {
        public var path: String
        public var data: Data
    }

    public private(set) var entries: [Entry] = []

    public init() {}

    /// `path` uses forward slashes and no leading slash, e.g. `xl/workbook.xml`.
    public mutating func add(_ path: String, _ data: Data) {
        entries.append(Entry(path: path, data: data))
    }

    public mutating func add(_ path: String, _ text: String) {
        add(path, Data(text.utf8))
    }

    /// A fixed timestamp (1980-01-01 00:00, the DOS epoch) so the same report gives the same bytes.
    static let dosTime: UInt16 = 0
    static let dosDate: UInt16 = (0 << 9) | (1 << 5) | 1
    /// Bit 11: names are UTF-8.
    static let flags: UInt16 = 0x0800
    static let version: UInt16 = 20

    public func archive() -> Data {
        precondition(entries.count <= Int(UInt16.max), "too many ZIP entries for the classic format")
        var out = Data()
        var central = Data()
        for entry in entries {
            let name = Data(entry.path.utf8)
            let crc = Self.crc32(entry.data)
            let offset = out.count
            precondition(offset <= Int(UInt32.max) && entry.data.count <= Int(UInt32.max), "ZIP64 is not supported")
            let size = UInt32(entry.data.count)

            out.le32(0x0403_4B50)
            out.le16(Self.version); out.le16(Self.flags); out.le16(0) // method: stored
            out.le16(Self.dosTime); out.le16(Self.dosDate)
            out.le32(crc); out.le32(size); out.le32(size)
            out.le16(UInt16(name.count)); out.le16(0) // no extra field
            out.append(name)
            out.append(entry.data)

            central.le32(0x0201_4B50)
            central.le16(Self.version) // made by: MS-DOS attributes, spec 2.0
            central.le16(Self.version); central.le16(Self.flags); central.le16(0)
            central.le16(Self.dosTime); central.le16(Self.dosDate)
            central.le32(crc); central.le32(size); central.le32(size)
            central.le16(UInt16(name.count)); central.le16(0); central.le16(0) // extra, comment
            central.le16(0); central.le16(0); central.le32(0) // disk, internal and external attributes
            central.le32(UInt32(offset))
            central.append(name)
        }
        let centralOffset = out.count
        precondition(centralOffset <= Int(UInt32.max), "ZIP64 is not supported")
        out.append(central)
        out.le32(0x0605_4B50)
        out.le16(0); out.le16(0) // this disk, disk with the central directory
        out.le16(UInt16(entries.count)); out.le16(UInt16(entries.count))
        out.le32(UInt32(central.count)); out.le32(UInt32(centralOffset))
        out.le16(0) // no comment
        return out
    }

    /// CRC-32 as ZIP uses it (IEEE 802.3, reflected polynomial 0xEDB88320).
    public static func crc32(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in data {
            crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}

extension Data {
    /// Little-endian, as every ZIP field is.
    fileprivate mutating func le16(_ v: UInt16) {
        append(UInt8(v & 0xFF)); append(UInt8(v >> 8))
    }

    fileprivate mutating func le32(_ v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((v >> UInt32(shift)) & 0xFF)) }
    }
}
