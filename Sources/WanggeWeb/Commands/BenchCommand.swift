import Vapor
import WanggeDomain

/// `wangge bench locate`: measures the point-in-polygon grid lookup and prints the figures.
struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "what", help: "What to measure: locate (grid lookup at 10,000 grids).")
        var what: String
        @Option(name: "grids", help: "Number of grids (default 10000).")
        var grids: Int?
        @Option(name: "lookups", help: "Number of lookups (default 200000).")
        var lookups: Int?
    }

    var help: String { "Runs a benchmark and prints its numbers (see BENCHMARKS.md)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        switch signature.what {
        case "locate":
            let result = GridLocatorBenchmark.run(grids: signature.grids ?? 10_000, lookups: signature.lookups ?? 200_000)
            context.console.print(result.report)
        default:
            context.console.error("Unknown benchmark \(signature.what); try: locate")
            throw ExitCode(1)
        }
    }
}
