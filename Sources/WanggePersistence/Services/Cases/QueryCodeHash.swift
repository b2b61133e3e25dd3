import FluentKit
import Foundation
import WanggeDomain

/// Where a new case's query code comes from.
public enum QueryCodeChoice: Sendable {
    /// Given beforehand (drawn at random, or by a test): stored as its hash, the older kind.
    case given(String)
    /// Issued by the writer with the case's id (`QueryCodeCipher`), from this random draw, drawn off the writer's thread.
    case issued(random: UInt64)
}

/// What `cases.query_code_hash` holds: only a hash, never the code.
public enum QueryCodeHash {
    /// A code drawn at random: its SHA-256, 64 hex digits. Entries land anywhere in the index.
    public static func hash(_ normalised: String) -> String {
        SHA256Hex.of(normalised)
    }

    /// A code that carries its case's id: `v2:`, the id in ten digits, `:`, its SHA-256. In id order, so
    /// a new case's entry goes at the index's end (after every older hash: `v` sorts after hex digits).
    public static func stored(caseID id: Int, code: String) -> String {
        SHA256Hex.of(code, after: "v2:" + RollupKeys.pad(Int64(id), 10) + ":")
    }

    /// What a normalised code is stored as if `cipher` issued it (else `hash`, if it was drawn at random).
    public static func storedIfIssued(_ normalised: String, cipher: QueryCodeCipher?) -> String? {
        cipher?.caseID(of: normalised).map { stored(caseID: $0, code: normalised) }
    }

    /// The code of case `id` and what is stored of it (intake's writer, the generator). Past the cipher's ids, or
    /// without one, a code drawn at random.
    public static func issue(_ choice: QueryCodeChoice, caseID id: Int, cipher: QueryCodeCipher?) -> (code: String, stored: String) {
        switch choice {
        case .given(let code):
            return (code, hash(code))
        case .issued(let random):
            if let code = cipher?.issue(caseID: id, random: random) { return (code, stored(caseID: id, code: code)) }
            let code = QueryCode.generate()
            return (code, hash(code))
        }
    }
}

/// The installation's key for query codes (`QueryCodeCipher`): 16 random bytes in hex, kept in `settings`
/// (made by migration 024), so that every instance of the server issues and reads the same codes.
public enum QueryCodeKey {
    static let setting = "query_code_key"

    public static func cipher(on db: any Database) async throws -> QueryCodeCipher {
        guard let hex = try await SettingsService(db: db).get(setting, as: String.self), let cipher = QueryCodeCipher(key: bytes(hex)) else {
            throw AppError(.unavailable, code: "setup.query_code_key", zh: "系统尚未完成初始化(缺少查询码密钥),请先执行数据库迁移。",
                           en: "The query-code key is missing: run the migrations first.")
        }
        return cipher
    }

    static func newKey() -> String {
        var system = SystemRandomNumberGenerator()
        return SHA256Hex.hex((0..<16).map { _ in UInt8.random(in: 0...255, using: &system) })
    }

    static func bytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return [] }
        return stride(from: 0, to: digits.count, by: 2).compactMap { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16) }
    }
}
