// swift-tools-version: 6.0
import PackageDescription

// No third-party packages: the C libraries come from Debian (see README), and
// everything else is Swift and Foundation. That keeps a clean build to seconds.
let package = Package(
    name: "medikeep-fcgi",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "medikeep-fcgi", targets: ["medikeep-fcgi"]),
        .executable(name: "medikeep-jobs", targets: ["medikeep-jobs"]),
        .library(name: "Core", targets: ["Core"]),
    ],
    targets: [
        .systemLibrary(name: "CFastCGI", pkgConfig: "fcgi", providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2", providers: [.apt(["libargon2-dev"])]),
        .target(name: "CPoolShim"),
        .target(name: "CSystemShim"),
        // libcurl behind a non-variadic C interface: outbound HTTP(S) and SMTP. Opened at
        // first use (dlopen), not linked; its headers come from libcurl4-openssl-dev.
        .target(name: "CCurlShim"),
        .target(
            name: "Core",
            dependencies: ["CMariaDB", "COpenSSL", "CArgon2", "CSystemShim", "CCurlShim"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "medikeep-fcgi",
            dependencies: ["Core", "CFastCGI", "CPoolShim"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "medikeep-jobs",
            dependencies: ["Core"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "CoreTests",
            dependencies: ["Core"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
