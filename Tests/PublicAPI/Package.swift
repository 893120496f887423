// swift-tools-version:6.0
import PackageDescription

// A package of its own, so its test sees TrainMemCore's public API alone (`package` members are
// visible to every target of trainmem's package, tests included). `.ci/run` runs it.
let package = Package(
  name: "PublicAPI",
  dependencies: [.package(name: "trainmem", path: "../..")],
  targets: [
    .testTarget(name: "PublicAPITests", dependencies: [.product(name: "TrainMemCore", package: "trainmem")])
  ]
)
