import Foundation
import Logging
import NIOCore
import NIOPosix
import Vapor

/// What `wangge` does: read the configuration, build the app, run the command given.
public enum WanggeEntry {
    public static func main() async {
        if servesRequests(CommandLine.arguments), ProcessInfo.processInfo.environment["WANGGE_CONCURRENCY_ON_EVENT_LOOPS"] != "0" {
            NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        do {
            var env = try Environment.detect()
            try LoggingSystem.bootstrap(from: &env)
            let config = WanggeConfig.fromEnvironment(arguments: env.arguments)
            let app = try await Application.make(env)
            do {
                try await configure(app, config: config)
                try await app.execute()
                try await app.asyncShutdown()
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.code)
        } catch {
            FileHandle.standardError.write(Data("wangge: \(String(reflecting: error))\n".utf8))
            Foundation.exit(1)
        }
    }

    /// Whether this run serves HTTP (`serve`, the default command), and so runs Swift concurrency's jobs on
    /// NIO's event loops: a handler then runs on the loop that read its request, instead of hopping to
    /// Swift's own thread pool and back (a wake-up and a context switch each way). Nothing here blocks a
    /// thread for long: SQLite statements take microseconds, intake's commits have their own thread, and
    /// bcrypt runs on NIO's thread pool. Other commands keep Swift's pool: the generator's parallel batches
    /// ran a third slower on the event loops.
    static func servesRequests(_ arguments: [String]) -> Bool {
        // Vapor's own options (`--env`/`-e NAME`, `--log LEVEL`) may come before the command.
        var rest = arguments.dropFirst()
        while let first = rest.first, ["--env", "-e", "--log"].contains(first) { rest = rest.dropFirst(2) }
        guard let command = rest.first else { return true }
        return command == "serve" || command.hasPrefix("-")
    }
}
