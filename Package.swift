// swift-tools-version:6.1
import PackageDescription

/// Settings every Swift target shares: Swift 6 mode plus the stricter upcoming features the house style asks for.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "fineract-jobs",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fineract-jobs", targets: ["fineract-jobs"])
    ],
    targets: [
        // MARK: C libraries
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"])]
        ),
        .systemLibrary(
            name: "CMicroHTTPD",
            pkgConfig: "libmicrohttpd",
            providers: [.apt(["libmicrohttpd-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // MARK: Swift modules, lowest first
        .target(name: "Logging", swiftSettings: strictSettings),
        .target(name: "JobsCore", dependencies: ["Logging"], swiftSettings: strictSettings),
        .target(name: "Postgres", dependencies: ["CLibPQ", "Logging"], swiftSettings: strictSettings),
        .target(name: "HTTPServer", dependencies: ["CMicroHTTPD", "Logging"], swiftSettings: strictSettings),
        .target(name: "HTTPClient", dependencies: ["CCurl"], swiftSettings: strictSettings),
        .target(
            name: "JobsEngine",
            dependencies: ["JobsCore", "Postgres", "Logging"],
            swiftSettings: strictSettings
        ),
        .target(name: "FineractDomain", swiftSettings: strictSettings),
        .target(
            name: "FineractJobs",
            dependencies: ["FineractDomain", "HTTPClient", "JobsCore", "JobsEngine", "Postgres", "Logging"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "JobsServer",
            dependencies: [
                "JobsCore", "JobsEngine", "FineractDomain", "FineractJobs", "Postgres", "HTTPClient", "HTTPServer",
                "Logging",
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "fineract-jobs",
            dependencies: ["JobsServer"],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "fineract-jobs-bench",
            dependencies: ["JobsServer", "Postgres", "Logging"],
            swiftSettings: strictSettings
        ),
        .target(
            name: "TestSupport",
            dependencies: ["Logging", "JobsCore", "Postgres", "HTTPServer"],
            swiftSettings: strictSettings
        ),

        // MARK: Tests
        .testTarget(
            name: "JobsCoreTests",
            dependencies: ["JobsCore", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FineractDomainTests",
            dependencies: ["FineractDomain"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FineractJobsTests",
            dependencies: ["FineractJobs", "HTTPClient", "JobsCore"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HTTPClientTests",
            dependencies: ["HTTPClient", "HTTPServer", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HTTPServerTests",
            dependencies: ["HTTPServer", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JobsServerTests",
            dependencies: ["JobsServer", "JobsEngine", "Postgres", "HTTPServer", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: [
                "JobsServer", "JobsEngine", "FineractJobs", "FineractDomain", "Postgres", "HTTPClient", "HTTPServer",
                "TestSupport",
            ],
            swiftSettings: strictSettings
        ),
    ]
)
