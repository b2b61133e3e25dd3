import Fluent
import Vapor
import WanggePersistence

/// `wangge rollups check|rebuild`: recounts the assessment rollups from the event log and compares
/// them with (or replaces) the ones kept by every case action.
struct RollupsCommand: AsyncCommandGroup {
    var help: String { "Checks or rebuilds the assessment rollups from the event log." }
    var commands: [String: any AnyAsyncCommand] { ["check": RollupsRecountCommand(replace: false), "rebuild": RollupsRecountCommand(replace: true)] }
}

struct RollupsRecountCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "data-dir", help: "Folder of the SQLite file (default ./data).")
        var dataDir: String?
    }

    let replace: Bool

    var help: String {
        replace ? "Recounts the rollups from the event log, reports differences, and replaces the stored ones."
            : "Recounts the rollups from the event log; exits 1 if the stored ones differ."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        let rebuild = RollupRebuild(db: app.db, timeZone: app.wanggeConfig.timeZone)
        let started = Date()
        let recount = try await rebuild.recount()
        let differences = try await rebuild.differences(recount)
        for line in differences.prefix(50) { context.console.warning("differs: \(line)") }
        let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
        context.console.info("rollups: \(recount.cases) cases, \(recount.events) events recounted in \(seconds) s; \(recount.rollups.count) rows, \(differences.count) differences")
        if replace {
            try await rebuild.replace(with: recount)
            context.console.info("rollups: replaced with the recount")
        } else if !differences.isEmpty {
            throw ExitCode(1)
        }
    }
}
