// swift-tools-version:6.0
import PackageDescription

// Layers the compiler enforces (docs/architecture.md): the models know nothing of files or
// formats; reading and writing knows nothing of the command line.
//
//   TrainMemCore  units → model → hardware → setup → optimizers → memory, throughput → planner
//   TrainMemIO    settings, scenarios, config.json, evaluation, validation, reports  (uses Core)
//   TrainMemCLI   the commands, options and output sinks                             (uses both)
//   trainmem      the executable: main.swift
let package = Package(
  name: "trainmem",
  products: [
    .executable(name: "trainmem", targets: ["trainmem"]),
    .library(name: "TrainMemCore", targets: ["TrainMemCore"]),
  ],
  dependencies: [],
  targets: [
    .target(name: "TrainMemCore"),
    .target(name: "TrainMemIO", dependencies: ["TrainMemCore"]),
    .target(name: "TrainMemCLI", dependencies: ["TrainMemCore", "TrainMemIO"]),
    .executableTarget(name: "trainmem", dependencies: ["TrainMemCLI"]),
    .testTarget(
      name: "TrainMemKitTests",
      dependencies: ["TrainMemCore", "TrainMemIO", "TrainMemCLI", "trainmem"],
      exclude: ["Golden"]
    ),
  ]
)
