import Foundation
import Logging
import Vapor

/// What `wangge` does: read the configuration, build the app, run the command given.
public enum WanggeEntry {
    public static func main() async {
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
}
