import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `wangge backup --to FILE`: a consistent online snapshot of the database plus the photo store.
struct BackupCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "to", help: "Archive to write (.tar.gz).")
        var to: String?
        @Option(name: "data-dir", help: "Folder of the SQLite file and photos (default ./data).")
        var dataDir: String?
    }

    var help: String { "Writes a consistent snapshot of the database and the photos into one archive, while the server runs." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let to = signature.to else {
            context.console.error("--to FILE is required.")
            throw ExitCode(1)
        }
        // Taken beside a live server: behind it for the cores and the disk.
        BackgroundPriority.lower()
        let manifest = try await BackupService(app: context.application).backup(to: to)
        context.console.info("backup: \(manifest.cases) cases (\(manifest.database)) written to \(to)")
    }
}

/// `wangge restore --from FILE`: puts a backup back. Stop the server first when on SQLite.
struct RestoreCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "from", help: "Archive written by `wangge backup`.")
        var from: String?
        @Option(name: "data-dir", help: "Folder to restore the SQLite file and photos into (default ./data).")
        var dataDir: String?
        @Flag(name: "force", help: "Replace a database that already holds data.")
        var force: Bool
    }

    var help: String { "Restores a backup archive into the configured database and data folder (stop the server first on SQLite)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let from = signature.from else {
            context.console.error("--from FILE is required.")
            throw ExitCode(1)
        }
        let app = context.application
        if !signature.force, app.wanggeConfig.databaseURL != nil || FileManager.default.fileExists(atPath: app.wanggeConfig.sqlitePath) {
            try await prepareDatabase(app)
            try await app.autoMigrate()
            if try await !DemoLoader(db: app.db).isDatabaseEmpty() {
                context.console.error("数据库中已有数据;确认要覆盖请加 --force。/ The database holds data; add --force to replace it.")
                throw ExitCode(1)
            }
        }
        let manifest = try await BackupService(app: app).restore(from: from)
        context.console.info("restore: \(manifest.cases) cases from a \(manifest.database) backup of \(manifest.createdAt)")
    }
}
