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
        var generator = CaseGenerator(db: app.db, seed: UInt64(signature.seed ?? 1), timeZone: app.wanggeConfig.timeZone,
                                      sla: try await app.slaContext(on: app.db), console: context.console)
        let started = Date()
        try await generator.county(hasher: app.hasher)
        let total = signature.cases ?? 10_000
        try await generator.cases(total, now: Date())
        let seconds = Date().timeIntervalSince(started)
        context.console.info(String(format: "generated %d cases in %.1f s (%.0f cases/s)", total, seconds, Double(total) / max(seconds, 0.001)))
    }
}
