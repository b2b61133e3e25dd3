import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import LeafKit
import NIOSSL
import SQLKit
import Vapor
import WanggeDomain
import WanggePersistence

/// Registers databases, migrations, middleware, views, routes and commands — nothing else.
public func configure(_ app: Application, config: WanggeConfig) async throws {
    app.wanggeConfig = config
    app.rateLimits = RateLimits.fromEnvironment()
    if config.databaseURL == nil {
        // SQLiteNIO runs every statement on this pool. With one thread per core (NIO's default),
        // the writer's statements queued behind the readers'; four threads let them pass.
        app.threadPool = NIOThreadPool(numberOfThreads: max(4, System.coreCount * 2))
    }
    try configureDatabase(app, config: config)
    app.storage[LoopDatabasesKey.self] = LoopDatabases(app)
    app.migrations.add(WanggeMigrations.all)
    // Shared state is created here, before any request, so no request races to create it.
    _ = app.metricsRegistry
    _ = app.gridLocatorCache
    _ = app.gridShapeCache
    _ = app.rateLimiter
    _ = app.open311Limiter
    _ = app.instanceID
    _ = app.recentCasesFloor
    app.storage[SLAContextCacheKey.self] = RefreshingValue(lifetime: .seconds(SLAContext.cacheLifetime))
    // SQLite writes one group at a time on its writer thread; PostgreSQL two at once (`GroupCommit`).
    app.storage[IntakeCommitsKey.self] = config.databaseURL == nil ? IntakeCommits(executor: WriterThread.shared) : IntakeCommits(writers: 2)
    app.storage[TransitionCommitsKey.self] = TransitionCommits(executor: config.databaseURL == nil ? WriterThread.shared : nil)
    app.storage[CatalogNamesKey.self] = RefreshingValue(lifetime: CatalogNames.lifetime)
    app.storage[QueryCodeCipherKey.self] = RefreshingValue(lifetime: .seconds(365 * 86_400))

    app.routes.defaultMaxBodySize = "1mb"
    // ISO 8601 dates and a stable key order in every JSON answer, written in one pass.
    ContentConfiguration.global.use(encoder: StreamingJSONEncoder(), for: .json)
    app.middleware = Middlewares()
    var layers: [any AsyncMiddleware] = [RequestMetricsMiddleware(), GzipMiddleware(), SecurityHeadersMiddleware(),
                                         WanggeErrorMiddleware()]
    if config.databaseURL == nil { layers.append(SQLiteWriterMiddleware()) }
    layers += [StaticFilesMiddleware(publicDirectory: Resources.publicDirectory), TextBodyValidationMiddleware(),
               SessionAuthenticator(), CSRFMiddleware(), LoginRedirectMiddleware()]
    app.middleware.use(AsyncMiddlewareStack(layers))

    // Leaf's own `.leaf` renderer turns its template cache off in Vapor's development environment, which
    // is what `wangge serve` runs in: every page re-read and re-parsed its templates from disk (a tenth of
    // a ranking page). The templates ship inside the binary's bundle and never change while it runs.
    app.views.use { app in
        var userInfo = app.leaf.userInfo
        userInfo["application"] = app
        return LeafRenderer(configuration: app.leaf.configuration, tags: app.leaf.tags, cache: app.leaf.cache, sources: app.leaf.sources,
                            eventLoop: app.eventLoopGroup.next(), userInfo: userInfo)
    }
    app.leaf.sources = .singleSource(NIOLeafFiles(
        fileio: app.fileio, limits: [.toSandbox, .requireExtensions, .onlyLeafExtensions],
        sandboxDirectory: Resources.root, viewDirectory: Resources.viewsDirectory))

    try routes(app)

    // Wangge's serve wraps Vapor's: it migrates and loads the demo first.
    if let vaporServe = app.asyncCommands.commands["serve"] {
        app.asyncCommands.use(WanggeServeCommand(vaporServe: vaporServe), as: "serve", isDefault: true)
    }
    app.asyncCommands.use(MigrateCommand(), as: "migrate")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(UserCommand(), as: "user")
    app.asyncCommands.use(BenchCommand(), as: "bench")
    app.asyncCommands.use(AuditCommand(), as: "audit")
    app.asyncCommands.use(RollupsCommand(), as: "rollups")
    app.asyncCommands.use(BackupCommand(), as: "backup")
    app.asyncCommands.use(RestoreCommand(), as: "restore")
    app.asyncCommands.use(GenerateCommand(), as: "generate")
}

func configureDatabase(_ app: Application, config: WanggeConfig) throws {
    if let url = config.databaseURL {
        var postgres = try SQLPostgresConfiguration(url: url)
        if !url.contains("sslmode") { postgres.coreConfiguration.tls = .disable }
        app.databases.use(.postgres(configuration: postgres), as: .psql)
    } else {
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        app.databases.use(.sqlite(.file(config.sqlitePath)), as: .sqlite)
        app.databases.use(.sqlite(.file(config.sqlitePath)), as: .sqliteWriter, isDefault: false)
        // Readers stay open per concurrent request; beyond a few per core they close after use.
        app.storage.set(SQLiteDirectReaderKey.self, to: SQLiteDirectReader(path: config.sqlitePath, keepIdle: System.coreCount * 4),
                        onShutdown: { $0.close() })
        app.storage[SQLiteWriteConnectionKey.self] = try SQLiteWriteConnection(path: config.sqlitePath, purpose: .server)
    }
}

/// Settings a fresh SQLite file needs once: WAL lets readers run beside the one writer. Then the
/// planner's statistics are refreshed where tables have grown: without them SQLite reads a
/// ranking's rollups through the unique index (all rows of the dimension, 250 ms at 200,000 cases)
/// instead of the level index (4 ms).
func prepareDatabase(_ app: Application) async throws {
    guard app.wanggeConfig.databaseURL == nil, let sql = app.db as? any SQLDatabase else { return }
    try await sql.raw("PRAGMA journal_mode=WAL").run()
    try await sql.raw("PRAGMA optimize=0x10002").run()
}

func routes(_ app: Application) throws {
    try app.register(collection: HealthController())
    let api = app.grouped("api", "v1")
    try api.register(collection: AuthAPIController())
    try api.register(collection: OrgUnitsAPIController())
    try api.register(collection: DepartmentsAPIController())
    try api.register(collection: UsersAPIController())
    try api.register(collection: CasesAPIController())
    try api.register(collection: TrackAPIController())
    try api.register(collection: CategoriesAPIController())
    try api.register(collection: NotificationsAPIController())
    try api.register(collection: SLAAPIController())
    try api.register(collection: APIKeysAPIController())
    try api.register(collection: AssessmentAPIController())
    try app.register(collection: OpenAPIController())
    try app.register(collection: Open311Controller())
    try app.register(collection: SessionPagesController())
    try app.register(collection: AdminUnitPagesController())
    try app.register(collection: AdminPeoplePagesController())
    try app.register(collection: MapPages())
    try app.register(collection: CasePagesController())
    try app.register(collection: CitizenPagesController())
    try app.register(collection: RolePagesController())
    try app.register(collection: AdminCategoryPagesController())
    try app.register(collection: AssessmentPagesController())
    try app.register(collection: DashboardPagesController())
    try app.register(collection: ReportPagesController())
}

/// Templates and static files ship inside the module's resource bundle, so the server finds them
/// whatever directory it is started from.
enum Resources {
    static let root: String = {
        // Foundation on Linux may report the bundle's resource URL with or without its own
        // "Resources" suffix; take whichever candidate really holds the views.
        let candidates = [Bundle.module.resourceURL, Bundle.module.bundleURL].compactMap { $0 }
            .flatMap { [$0.appendingPathComponent("Resources"), $0] }
        let found = candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("Views/base.leaf").path) }
        return (found ?? candidates[0]).path + "/"
    }()

    static var viewsDirectory: String { root + "Views/" }
    static var publicDirectory: String { root + "Public/" }
}

extension DatabaseID {
    /// SQLite's second pool on the same file, for write transactions only (see `SQLiteWriter`).
    static let sqliteWriter = DatabaseID(string: "sqlite-writer")
}

struct SQLiteDirectReaderKey: StorageKey {
    typealias Value = SQLiteDirectReader
}

struct SQLiteWriteConnectionKey: StorageKey {
    typealias Value = SQLiteWriteConnection
}

/// Binds the writer pool for the request, so services' write transactions use it; the direct
/// reader, so its hot reads skip the pool; the direct write connection, so intake's groups
/// skip it too; and the request's own handle (`Request.database`), looked up once (SQLite only).
struct SQLiteWriterMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let storage = request.application.storage
        return try await SQLiteWriter.$source.withValue(.init { request.db(.sqliteWriter) }) {
            try await SQLiteDirectReader.$current.withValue(storage[SQLiteDirectReaderKey.self]) {
                try await SQLiteWriteConnection.$current.withValue(storage[SQLiteWriteConnectionKey.self]) {
                    try await RequestDatabase.$bound.withValue(request.loopDatabase(in: storage)) {
                        try await next.respond(to: request)
                    }
                }
            }
        }
    }
}
