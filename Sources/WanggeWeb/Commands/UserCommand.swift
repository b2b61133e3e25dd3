import Fluent
import Vapor
import WanggeDomain
import WanggePersistence

/// `wangge user create …`: creates a user from the command line (the first administrator of a new
/// installation, for instance).
struct UserCommand: AsyncCommandGroup {
    var help: String { "Manages users." }
    var commands: [String: any AnyAsyncCommand] { ["create": CreateUserCommand()] }
}

struct CreateUserCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "username", help: "Sign-in name (letters, digits, . - _).")
        var username: String?
        @Option(name: "role", help: "One of: citizen, grid_worker, dispatcher, handler, leader, admin.")
        var role: String?
        @Option(name: "org", help: "Code of the user's org unit, e.g. 330110.")
        var org: String?
        @Option(name: "department", help: "Department code (handlers only), e.g. 330110-CG.")
        var department: String?
        @Option(name: "name", help: "Display name.")
        var name: String?
        @Option(name: "grid", help: "Grid codes a grid worker walks, comma-separated.")
        var grid: String?
        @Flag(name: "password-stdin", help: "Read the password from standard input instead of prompting.")
        var passwordStdin: Bool
        @Option(name: "data-dir", help: "Folder of the SQLite file (default ./data).")
        var dataDir: String?
    }

    var help: String { "Creates a user; prompts for the password unless --password-stdin is given." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let username = signature.username, let role = signature.role, let org = signature.org else {
            context.console.error("--username, --role and --org are required.")
            throw ExitCode(1)
        }
        let password: String
        if signature.passwordStdin {
            password = (readLine(strippingNewline: true) ?? "")
        } else {
            password = context.console.ask("Password:".consoleText(), isSecure: true)
            let again = context.console.ask("Password again:".consoleText(), isSecure: true)
            guard password == again else {
                context.console.error("The two passwords differ.")
                throw ExitCode(1)
            }
        }
        let app = context.application
        try await prepareDatabase(app)
        try await app.autoMigrate()
        let input = UserInput(username: username, displayName: signature.name, password: password, role: role, orgCode: org,
                              departmentCode: signature.department,
                              gridCodes: signature.grid?.split(separator: ",").map(String.init))
        do {
            let user = try await UserService(db: app.db).create(input, by: nil, hasher: app.hasher)
            context.console.info("Created \(user.username) (\(user.userRole.nameEN)).")
        } catch let error as AppError {
            context.console.error(error.messageZH + " / " + error.messageEN)
            throw ExitCode(1)
        }
    }
}

struct ExitCode: Error {
    var code: Int32
    init(_ code: Int32) { self.code = code }
}
