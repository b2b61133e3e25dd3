import Foundation
import SQLiteNIO
import VaporCSQLite

/// What `SQLiteDirectReader` and `SQLiteWriteConnection` share of SQLite's C API: binding a value,
/// reading a column and turning a result code into an error.
enum SQLiteCalls {
    /// Binds one value, as SQLiteKit stores it; returns SQLite's result code.
    static func bind(_ value: SQLiteData, at index: Int32, _ statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let number): return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
        case .float(let number): return sqlite_nio_sqlite3_bind_double(statement, index, number)
        case .text(var text):
            // A nil pointer would bind NULL, so an empty string binds a static empty C string.
            return text.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) {
                    sqlite_nio_sqlite3_bind_text64(statement, index, $0.baseAddress ?? empty, UInt64($0.count), transient, UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let buffer):
            return buffer.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), transient) }
        case .null: return sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }

    /// One column of the current row, as SQLiteNIO reads it.
    static func column(_ index: Int32, of statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .null }
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            guard let blob = sqlite_nio_sqlite3_column_blob(statement, index) else { return .blob(ByteBuffer()) }
            return .blob(ByteBuffer(bytes: UnsafeRawBufferPointer(start: blob, count: length)))
        default: return .null
        }
    }

    static func error(_ status: Int32, on handle: OpaquePointer?) -> SQLiteDirectReadError {
        SQLiteDirectReadError(code: status, message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    /// SQLite copies bound bytes, so Swift's buffers need not outlive the call.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
    nonisolated(unsafe) private static let empty: UnsafePointer<CChar> = {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: 1)
        pointer.pointee = 0
        return UnsafePointer(pointer)
    }()
}
