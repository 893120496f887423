// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "trainmem",
  products: [
    .executable(name: "trainmem", targets: ["trainmem"])
  ],
  dependencies: [],
  targets: [
    .target(name: "TrainMemKit"),
    .executableTarget(name: "trainmem", dependencies: ["TrainMemKit"]),
    .testTarget(
      name: "TrainMemKitTests",
      dependencies: ["TrainMemKit", "trainmem"],
      exclude: ["Golden"]
    ),
  ]
)
