import CShims
import Fluent
import Foundation
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// `wangge generate --cases N`: fills an empty database with a realistic county (1,000 grids and
/// more) and N cases spread over three years (`--days`) in every state, each with its full event trail,
/// written in large multi-row inserts.
struct GenerateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "cases", help: "How many cases (default 10000).")
        var cases: Int?
        @Option(name: "seed", help: "Random seed (default 1).")
        var seed: Int?
        @Option(name: "data-dir", help: "Folder of the SQLite file (default ./data).")
        var dataDir: String?
        @Option(name: "days", help: "Over how many days up to now the cases were reported (default 1095, three years).")
        var days: Int?
    }

    var help: String { "Generates a county with 1,000 grids and N cases with their event trails into an empty database (for benchmarks)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        let total = signature.cases ?? 10_000
        let days = signature.days ?? CaseGenerator.defaultDays
        guard total >= 0, days >= 1 else {
            context.console.error("--cases must be 0 or more and --days 1 or more.")
            throw ExitCode(1)
        }
        try await prepareDatabase(app)
        try await app.autoMigrate()
        guard try await DemoLoader(db: app.db).isDatabaseEmpty() else {
            context.console.error("The database already holds data; generate into an empty one (a new --data-dir).")
            throw ExitCode(1)
        }
        Self.keepFreedMemory()
        let started = Date()
        let (config, sla, hasher, console) = (app.wanggeConfig, try await app.slaContext(on: app.db), app.hasher, context.console)
        let writer = try Self.bulkWriter(app)
        var generator = CaseGenerator(db: app.db, writer: writer, seed: UInt64(signature.seed ?? 1), timeZone: config.timeZone, sla: sla,
                                      console: console)
        generator.escalateAfter = config.escalateAfter
        generator.days = days
        try await generator.county(hasher: hasher)
        let indexes = try await writer?.perform { try Self.dropSecondaryIndexes($0) } ?? []
        try await generator.cases(total, now: Date())
        if let writer {
            let indexing = Date()
            try await writer.perform { writer in
                for pragma in Self.indexBuildPragmas { try writer.execute("PRAGMA " + pragma) }
                for definition in indexes { try writer.execute(definition) }
                // The search index's segments, one or more a batch, merged into one run per term.
                try writer.execute(CaseSearchTerms.mergeFullTextSQL)
            }
            // The load's last copy of the log may still run beside the indexes' builds, not beside the last checkpoint.
            try await writer.settleCheckpoints()
            try await writer.perform { writer in
                // Planner statistics for the loaded tables, and the write-ahead log folded into the file.
                try writer.execute("ANALYZE")
                try writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            }
            console.info(String(format: "indexes: %d built in %.1f s", indexes.count, Date().timeIntervalSince(indexing)))
        }
        let seconds = Date().timeIntervalSince(started)
        context.console.info(String(format: "generated %d cases in %.1f s (%.0f cases/s)", total, seconds, Double(total) / max(seconds, 0.001)))
    }

    /// Batches allocate and free arrays of megabytes; glibc would hand them back to the kernel and
    /// take fresh pages again, and the kernel zeroing those pages was a tenth of the run.
    static func keepFreedMemory() {
        wangge_keep_freed_memory(512 << 20)
    }

    /// On SQLite the cases go in through one connection of their own (`SQLiteWriteConnection`).
    static func bulkWriter(_ app: Application) throws -> SQLiteWriteConnection? {
        guard let sql = app.db as? any SQLDatabase, sql.dialect.name == "sqlite" else { return nil }
        return try SQLiteWriteConnection(path: app.wanggeConfig.sqlitePath)
    }

    /// SQLite sorts an index's keys in memory, in one list on one thread, when temporary data stays
    /// in memory or fits the cache: the load's 1 GB cache held a million cases' 12 million search
    /// terms whole. With temporary files and a 64 MB cache it sorts runs of 64 MB on the second
    /// core (`threads=2`) while it reads on, and merges them: the 17 indexes of a million cases took
    /// 38 s instead of about 70 (`sqlite3`; BENCHMARKS.md, thirty-fifth run). The temporary files
    /// (in `TMPDIR`, else `/var/tmp`) are removed as each index is done. The writer checkpoints
    /// on its own again, every 256 MB (each index is one statement, with no commit between to hand
    /// the copying over).
    static let indexBuildPragmas = ["cache_size=-65536", "temp_store=FILE", "wal_autocheckpoint=65536"]

    static let bulkTables = [CaseModel.schema, CaseEventModel.schema, CaseDepartmentModel.schema, CaseSearchTermModel.schema, RollupModel.schema]

    /// SQLite builds an index from sorted data many times faster than it maintains it row by row,
    /// so the case tables' secondary indexes are dropped for the load and created again after it
    /// (the unique ones stay: they are constraints). Returns their definitions.
    static func dropSecondaryIndexes(_ writer: SQLiteWriteConnection) throws -> [String] {
        let tables = bulkTables.map { "'\($0)'" }.joined(separator: ",")
        let rows = try writer.strings("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(tables))")
        for row in rows { try writer.execute("DROP INDEX \"\(row[0])\"") }
        return rows.map { $0[1] }
    }
}
