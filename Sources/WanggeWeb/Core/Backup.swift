import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain

/// One archive holding a consistent online snapshot of the database and the photo store.
/// SQLite: `VACUUM INTO` copies a transaction-consistent database while the server runs.
/// PostgreSQL: `pg_dump` (one snapshot transaction). Photos are content-addressed and written before
/// the transaction that refers to them commits, so copying them after the snapshot misses none.
struct BackupService {
    let app: Application

    struct Manifest: Codable {
        var format = 1
        var createdAt: Date
        var database: String
        /// Cases committed before the snapshot began; the archive holds at least these.
        var cases: Int
    }

    /// Copies the photo store file by file while intake may be writing to it. A photo is written to a
    /// temporary name and renamed into place before its case commits, so every photo of a case in the
    /// snapshot is already in place; temporary files are skipped, and one that is renamed between
    /// listing and copying is simply not there any more (copying the folder whole failed on it).
    static func copyPhotos(from source: String, to target: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
        guard let files = fm.enumerator(atPath: source) else { return }
        while let relative = files.nextObject() as? String {
            let from = (source as NSString).appendingPathComponent(relative)
            let to = (target as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: from, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                try fm.createDirectory(atPath: to, withIntermediateDirectories: true)
            } else if !relative.contains(".tmp-") {
                do {
                    try fm.copyItem(atPath: from, toPath: to)
                } catch where !fm.fileExists(atPath: from) {
                    continue
                }
            }
        }
    }

    func backup(to archive: String) async throws -> Manifest {
        // The snapshot, as large as the database, is made beside the archive, where the operator has made
        // room for backups: the temporary folder may be memory (tmpfs) or the database's own disk.
        let archiveFolder = URL(fileURLWithPath: archive).deletingLastPathComponent()
        let work = archiveFolder.appendingPathComponent(".wangge-backup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let config = app.wanggeConfig
        // Counted before the snapshot: the archive holds at least these (and whatever commits meanwhile).
        let cases = try await app.db.query(CaseModelCount.self).count()
        let kind: String
        if let url = config.databaseURL {
            kind = "postgres"
            try run("pg_dump", ["--format=custom", "--no-owner", "--file", work.appendingPathComponent("wangge.pgdump").path, Self.libpqURL(url)])
        } else {
            kind = "sqlite"
            guard let sql = app.db as? any SQLDatabase else { throw Abort(.internalServerError) }
            let target = work.appendingPathComponent("wangge.sqlite").path
            try await sql.raw("VACUUM INTO \(bind: target)").run()
        }
        let photos = (config.dataDirectory as NSString).appendingPathComponent("photos")
        if FileManager.default.fileExists(atPath: photos) {
            try Self.copyPhotos(from: photos, to: work.appendingPathComponent("photos").path)
        }
        let manifest = Manifest(createdAt: Date(), database: kind, cases: cases)
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(manifest).write(to: work.appendingPathComponent("manifest.json"))
        try run("tar", ["-czf", archive, "-C", work.path, "."])
        try Self.flushToDisk(archive)
        return manifest
    }

    /// Restores into the configured database and data directory. For SQLite the server must be stopped.
    func restore(from archive: String) async throws -> Manifest {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("wangge-restore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try run("tar", ["-xzf", archive, "-C", work.path])
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let manifest = try decoder.decode(Manifest.self, from: Data(contentsOf: work.appendingPathComponent("manifest.json")))
        let config = app.wanggeConfig
        let fm = FileManager.default
        switch (manifest.database, config.databaseURL) {
        case ("sqlite", nil):
            try fm.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
            for suffix in ["", "-wal", "-shm"] { try? fm.removeItem(atPath: config.sqlitePath + suffix) }
            try fm.copyItem(atPath: work.appendingPathComponent("wangge.sqlite").path, toPath: config.sqlitePath)
        case let ("postgres", url?):
            try run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--dbname", Self.libpqURL(url),
                                   work.appendingPathComponent("wangge.pgdump").path])
        default:
            throw AppError(.badRequest, code: "backup.kind", zh: "备份的数据库类型(\(manifest.database))与当前配置不符。",
                           en: "The backup is of a \(manifest.database) database, which is not the one configured.")
        }
        let photos = (config.dataDirectory as NSString).appendingPathComponent("photos")
        let saved = work.appendingPathComponent("photos").path
        if fm.fileExists(atPath: saved) {
            try? fm.removeItem(atPath: photos)
            try fm.copyItem(atPath: saved, toPath: photos)
        }
        return manifest
    }

    /// The archive, and the folder holding its name, are on disk before the command says it is written:
    /// a power cut right after would otherwise lose a backup reported as taken.
    static func flushToDisk(_ path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        for target in [path, folder.isEmpty ? "." : folder] {
            let file = open(target, O_RDONLY)
            guard file >= 0, fsync(file) == 0 else {
                if file >= 0 { close(file) }
                throw AppError(.unavailable, code: "backup.sync", zh: "备份文件未能写入磁盘:\(path)", en: "\(path) could not be written to disk.")
            }
            close(file)
        }
    }

    /// libpq tools take `postgresql://`; Vapor also accepts `postgres://`.
    static func libpqURL(_ url: String) -> String { url }

    func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw AppError(.unavailable, code: "backup.tool", zh: "\(tool) 执行失败:\(message)", en: "\(tool) failed: \(message)")
        }
    }
}

/// Counting rows without loading a model type here.
private final class CaseModelCount: Model, @unchecked Sendable {
    static let schema = "cases"
    @ID(custom: "id", generatedBy: .database) var id: Int?
    init() {}
}
