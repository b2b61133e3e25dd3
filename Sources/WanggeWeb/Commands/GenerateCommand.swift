import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// `wangge generate --cases N`: fills an empty database with a realistic county (1,000 grids and
/// more) and N cases spread over three years in every state, each with its full event trail,
/// written in large multi-row inserts.
struct GenerateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "cases", help: "How many cases (default 10000).")
        var cases: Int?
        @Option(name: "seed", help: "Random seed (default 1).")
        var seed: Int?
        @Option(name: "data-dir", help: "Folder of the SQLite file (default ./data).")
        var dataDir: String?
    }

    var help: String { "Generates a county with 1,000 grids and N cases with their event trails into an empty database (for benchmarks)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        try await app.autoMigrate()
        guard try await DemoLoader(db: app.db).isDatabaseEmpty() else {
            context.console.error("The database already holds data; generate into an empty one (a new --data-dir).")
            throw ExitCode(1)
        }
        let started = Date()
        let total = signature.cases ?? 10_000
        let (config, sla, hasher, console) = (app.wanggeConfig, try await app.slaContext(on: app.db), app.hasher, context.console)
        // One connection for the whole run, so its settings hold for every batch.
        try await app.db.withConnection { db in
            try await Self.tuneForBulkLoad(db)
            var generator = CaseGenerator(db: db, seed: UInt64(signature.seed ?? 1), timeZone: config.timeZone, sla: sla, console: console)
            try await generator.county(hasher: hasher)
            let indexes = try await Self.dropSecondaryIndexes(db)
            try await generator.cases(total, now: Date())
            let indexing = Date()
            try await Self.recreate(indexes, db)
            try await Self.finishBulkLoad(db)
            if !indexes.isEmpty {
                console.info(String(format: "indexes: %d built in %.1f s", indexes.count, Date().timeIntervalSince(indexing)))
            }
        }
        let seconds = Date().timeIntervalSince(started)
        context.console.info(String(format: "generated %d cases in %.1f s (%.0f cases/s)", total, seconds, Double(total) / max(seconds, 0.001)))
    }

    /// A fresh database that is thrown away if generation fails needs no fsync per batch, and a
    /// large page cache keeps the eighteen indexes of `cases` in memory while they grow.
    static func tuneForBulkLoad(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        for pragma in ["PRAGMA synchronous=OFF", "PRAGMA cache_size=-1048576", "PRAGMA temp_store=MEMORY"] {
            try await sql.raw(SQLQueryString(pragma)).run()
        }
    }

    /// Planner statistics for the loaded tables, and the write-ahead log folded into the file. (The
    /// connection's own settings end with it; the server opens its connections with the defaults.)
    static func finishBulkLoad(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return }
        try await sql.raw("ANALYZE").run()
        try await sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
    }

    static let bulkTables = [CaseModel.schema, CaseEventModel.schema, CaseDepartmentModel.schema, CaseSearchTermModel.schema, RollupModel.schema]

    /// SQLite builds an index from sorted data many times faster than it maintains it row by row,
    /// so the case tables' secondary indexes are dropped for the load and created again after it
    /// (the unique ones stay: they are constraints). Returns their definitions.
    static func dropSecondaryIndexes(_ db: any Database) async throws -> [String] {
        guard let sql = db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return [] }
        let tables = bulkTables.map { "'\($0)'" }.joined(separator: ",")
        let rows = try await sql.raw(SQLQueryString("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(tables))")).all()
        var definitions: [String] = []
        for row in rows {
            let name = try row.decode(column: "name", as: String.self)
            definitions.append(try row.decode(column: "sql", as: String.self))
            try await sql.raw("DROP INDEX \(ident: name)").run()
        }
        return definitions
    }

    static func recreate(_ definitions: [String], _ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        for definition in definitions { try await sql.raw(SQLQueryString(definition)).run() }
    }
}
