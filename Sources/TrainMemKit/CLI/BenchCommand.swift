import Foundation

/// `trainmem bench`: an N-point sweep (at most the 100,000 points of the benchmark scenario) (micro_batch × sequence × gpus × global_batch) with memory,
/// throughput and CSV rendering, timed; prints points per second.
enum BenchCommand {
  static func run(_ args: [String], _ console: Console) throws -> Int32 {
    let options = try ParsedOptions(args, command: "bench", specs: [.valued("points"), .threads])
    try options.noPositionals("bench")
    let points = try options.integer("points", in: 1...100_000, default: 100_000)
    let threads = try options.integer("threads", in: 1...256, default: RunCommand.defaultThreads)
    let sc = benchScenario(points: points)
    let start = DispatchTime.now().uptimeNanoseconds
    var bytes = 0
    var rows = 0
    try SweepEngine.csv(sc, threads: threads) { part in
      bytes += part.count
      rows += part.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    var report =
      "\(rows) points (\(bytes) CSV bytes) in \(NumberFormatting.fixed(seconds, 3)) s with \(threads) thread(s): \(NumberFormatting.grouped(Double(rows) / seconds)) points/s\n"
    // Where a point's time goes, one thread: the memory model alone, then the throughput model.
    let setups = (0..<sc.count).map { sc.point($0).setup }
    var cache = InventoryCache()
    var checksum: Int64 = 0
    let t0 = DispatchTime.now().uptimeNanoseconds
    for s in setups { checksum &+= MemoryModel.estimate(s, cache.inventory(for: s.model)).peak }
    let t1 = DispatchTime.now().uptimeNanoseconds
    var seconds2 = 0.0
    for s in setups { seconds2 += ThroughputModel.estimate(s, cache.inventory(for: s.model)).stepSeconds }
    let t2 = DispatchTime.now().uptimeNanoseconds
    let n = Double(max(1, setups.count))
    report +=
      "per point, 1 thread: memory model \(NumberFormatting.fixed(Double(t1 - t0) / n / 1000, 2)) µs, throughput model \(NumberFormatting.fixed(Double(t2 - t1) / n / 1000, 2)) µs (checksums \(checksum % 1000), \(NumberFormatting.fixed(seconds2.truncatingRemainder(dividingBy: 1), 3)))\n"
    try console.stdout.write(report)
    return ExitStatus.ok
  }

  /// The benchmark sweep: 50 micro-batches × 10 sequences × 10 GPU counts × 20 global batches
  /// = 100,000 points. `Benchmarks/sweep-100k.yaml` holds the same text for `trainmem run`.
  static let sweepText = """
    name: bench
    model: llama-7b
    gpu: a100-80gb
    parallel: ddp
    optimizer: apollo
    sweep:
      micro_batch: [\((1...50).map(String.init).joined(separator: ", "))]
      sequence: [128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]
      gpus: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
      global_batch: [\((1...20).map { String($0 * 512) }.joined(separator: ", "))]

    """

  /// The benchmark sweep, loaded (and its 100,000 points checked) once per process.
  static let scenario: Scenario = {
    // The text is fixed and valid; a failure here is a programming error.
    guard let sc = try? ScenarioLoader.load(file: "bench", text: sweepText) else {
      preconditionFailure("the built-in benchmark scenario does not load")
    }
    return sc
  }()

  static func benchScenario(points: Int) -> Scenario { scenario.truncated(to: points) }
}

extension Scenario {
  /// The same scenario limited to its first `n` points (for benchmarks).
  func truncated(to n: Int) -> Scenario {
    var s = self
    s.limit = min(n, count)
    return s
  }
}
