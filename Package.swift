// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "wangge",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wangge", targets: ["wangge"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.13.0"),
        .package(url: "https://github.com/vapor/fluent-kit.git", from: "1.57.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.9.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.14.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/leaf-kit.git", from: "1.14.3"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-nio.git", from: "1.13.2"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0" ..< "5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // The rules of the field: Foundation only.
        .target(name: "WanggeDomain", resources: [.copy("Resources")]),
        // C calls Swift cannot make: one variadic SQLite call (SQLiteDirectReader.swift), glibc's mallopt (GenerateCommand.swift),
        // the system zlib's gzip at a level of our choosing (GzipMiddleware.swift; Debian's zlib1g-dev), the SQLite VFS
        // that writes a commit's log frames at once (batched_wal_vfs.c, SQLiteWriteConnection.swift) and SQLite's page
        // cache without its walk after a page swap (page_cache.c, SQLitePageCache.swift).
        .target(name: "CShims", linkerSettings: [.linkedLibrary("z")]),
        // Fluent models and migrations; no Vapor.
        .target(
            name: "WanggePersistence",
            dependencies: [
                "WanggeDomain",
                "CShims",
                .product(name: "FluentKit", package: "fluent-kit"),
                .product(name: "FluentSQL", package: "fluent-kit"),
                .product(name: "SQLKit", package: "sql-kit"),
                // To tell one SQLite connection from another (WriteTransaction.swift) and to read directly (SQLiteDirectReader.swift).
                .product(name: "SQLiteNIO", package: "sqlite-nio"),
                // The same decoding of SQLite values as the pool's, for reads made directly (SQLiteDirectReader.swift).
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                // The hot reads as prepared statements on PostgreSQL, decoded by PostgresNIO (PostgresPreparedReads.swift).
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "WanggeWeb",
            dependencies: [
                "WanggeDomain",
                "WanggePersistence",
                "CShims",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "LeafKit", package: "leaf-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                // To run Swift concurrency's jobs on the event loops (WanggeEntry.swift).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Resources")]
        ),
        .executableTarget(name: "wangge", dependencies: ["WanggeWeb"]),
        .testTarget(name: "WanggeDomainTests", dependencies: ["WanggeDomain"]),
        .testTarget(
            name: "WanggeWebTests",
            dependencies: [
                "WanggeWeb",
                .product(name: "XCTVapor", package: "vapor"),
            ]
        ),
    ]
)
