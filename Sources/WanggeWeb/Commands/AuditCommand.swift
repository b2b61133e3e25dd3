import Fluent
import Vapor
import WanggePersistence

/// `wangge audit verify`: recomputes every case's event hash chain and reports changed or deleted events.
struct AuditCommand: AsyncCommandGroup {
    var help: String { "Checks the tamper-evident audit trail." }
    var commands: [String: any AnyAsyncCommand] { ["verify": AuditVerifyCommand()] }
}

struct AuditVerifyCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "data-dir", help: "Folder of the SQLite file (default ./data).")
        var dataDir: String?
    }

    var help: String { "Recomputes the hash chain of every case's events; exits 1 if any event was changed or deleted." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await prepareDatabase(app)
        let (checked, findings) = try await EventHashChain.verify(on: app.db)
        for finding in findings { context.console.error("tampered: \(finding)") }
        if findings.isEmpty {
            context.console.info("audit: \(checked) cases checked, every event chain intact")
        } else {
            context.console.error("audit: \(checked) cases checked, \(findings.count) problems")
            throw ExitCode(1)
        }
    }
}
