import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `wangge serve`: migrates, loads the demo county into an empty database (unless `--no-demo`),
/// then runs Vapor's server.
struct WanggeServeCommand: AsyncCommand {
    let vaporServe: any AnyAsyncCommand

    struct Signature: CommandSignature {
        @Option(name: "hostname", short: "H", help: "Address to listen on (default 127.0.0.1).")
        var hostname: String?
        @Option(name: "port", short: "p", help: "Port to listen on (default 8080).")
        var port: Int?
        @Option(name: "data-dir", help: "Folder for the SQLite file and uploaded photos (default ./data; ignored for the database when DATABASE_URL is set).")
        var dataDir: String?
        @Flag(name: "no-demo", help: "Do not load the demo county into an empty database.")
        var noDemo: Bool
    }

    var help: String {
        "Runs the Wangge server. Migrates the database first and loads the demo county if it is empty."
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        try await app.autoMigrate()
        let loader = DemoLoader(db: app.db)
        if !signature.noDemo, try await loader.isDatabaseEmpty() {
            try await loader.load(hasher: app.hasher)
            context.console.info("Loaded the demo county (every demo user's password: demo12345).")
        }
        // Watched in the server only: a bulk command (generate, a rollup rebuild) holds the writer by design.
        WriterHoldMetrics.observe(app)
        let sweep = RepeatingJob(every: app.wanggeConfig.sweepInterval) { app in
            let report = try await app.sweep(now: app.clock.now())
            if !report.markedOverdue.isEmpty || !report.escalated.isEmpty {
                app.logger.notice("sweep: \(report.markedOverdue.count) overdue, \(report.escalated.count) escalated")
            }
            if let moved = report.thresholdTimesMoved, moved > 0 {
                app.logger.notice("sweep: the thresholds or the calendar changed; the warning times of \(moved) open cases moved")
            }
        }
        let searchIndex = RepeatingJob(every: app.wanggeConfig.searchIndexInterval) { app in try await app.indexSearchTerms() }
        let rollupFold = RepeatingJob(every: app.wanggeConfig.rollupFoldInterval) { app in try await app.foldRollups() }
        for job in [sweep, searchIndex, rollupFold] {
            app.lifecycle.use(job)
            job.start(app)
        }
        let checkpointer = WALCheckpointer()
        app.lifecycle.use(checkpointer)
        try checkpointer.start(app)
        let arguments = ["serve", "--hostname", signature.hostname ?? "127.0.0.1", "--port", String(signature.port ?? 8080)]
        var serveContext = CommandContext(console: context.console, input: CommandInput(arguments: arguments))
        serveContext.application = app
        try await vaporServe.run(using: &serveContext)
    }
}

/// `wangge migrate`: brings the schema up to date.
struct MigrateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "data-dir", help: "Folder of the SQLite file (default ./data).")
        var dataDir: String?
    }

    var help: String { "Applies every pending database migration (SQLite, or PostgreSQL with DATABASE_URL)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await prepareDatabase(context.application)
        try await context.application.autoMigrate()
        context.console.info("The database schema is up to date.")
    }
}

/// `wangge demo`: loads the demo county into an empty database.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "data-dir", help: "Folder of the SQLite file (default ./data).")
        var dataDir: String?
    }

    var help: String { "Loads the demo county (3 townships, 8 villages, 24 grids, departments, a user per role) into an empty database." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        try await app.autoMigrate()
        do {
            try await DemoLoader(db: app.db).load(hasher: app.hasher)
        } catch let error as AppError {
            context.console.error(error.messageZH + " / " + error.messageEN)
            throw ExitCode(1)
        }
        context.console.info("Loaded the demo county. Sign in as admin, dispatcher, grid1, handler-cg or leader with password demo12345.")
    }
}
