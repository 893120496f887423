import Foundation
import TrainMemCore
import TrainMemIO

/// `trainmem bench`: the sweep benchmark (micro_batch × sequence × gpus × global_batch, and the
/// optimizer beyond 100,000 points) rendered in every format, and the planner's two searches,
/// each timed; prints points per second and milliseconds.
///
/// Reports go to a sink that counts
/// bytes (no disk), so the figures are trainmem's own work.
enum BenchCommand {
  static func run(_ args: [String], _ console: Console) throws -> Int32 {
    let options = try ParsedOptions(args, command: "bench", specs: [.valued("points"), .threads, .valued("format")])
    try options.noPositionals("bench")
    let points = try options.integer("points", in: 1...1_000_000, default: 100_000)
    let threads = try options.integer("threads", in: 1...256, default: RunCommand.defaultThreads)
    let formats = try benchFormats(options.value("format"))
    let sc = benchScenario(points: points)
    var report = ""
    for format in formats {
      let sink = CountingSink()
      let seconds = try timed { try ReportStream.write([sc], format: format, threads: threads, to: sink) }
      report +=
        "\(format.rawValue): \(NumberFormatting.grouped(Double(sc.count))) points, \(NumberFormatting.grouped(Double(sink.bytes))) bytes in \(NumberFormatting.fixed(seconds, 3)) s with \(threads) thread(s): \(NumberFormatting.grouped(Double(sc.count) / seconds)) points/s\n"
    }
    report += perPoint(sc)
    report += try planner()
    try console.stdout.write(report)
    return ExitStatus.ok
  }

  /// `--format csv|json|md|…|all` (default csv, the sweep format).
  static func benchFormats(_ value: String?) throws(UsageError) -> [ReportFormat] {
    guard let value else { return [.csv] }
    if value == "all" { return [.csv] + ReportFormat.sweepFormats.filter { $0 != .csv } }
    guard let f = ReportFormat(rawValue: value), ReportFormat.sweepFormats.contains(f) else {
      let choices = ReportFormat.sweepFormats.map(\.rawValue).joined(separator: ", ")
      throw UsageError(message: "'--format' is '\(visible(value))'; expected \(choices) or all")
    }
    return [f]
  }

  /// Where a point's time goes, one thread: the memory model alone, then the throughput model.
  static func perPoint(_ sc: Scenario) -> String {
    let setups = (0..<min(sc.count, 100_000)).map { sc.setup($0) }
    var cache = InventoryCache()
    var checksum: Int64 = 0
    let t0 = DispatchTime.now().uptimeNanoseconds
    for s in setups { checksum &+= MemoryModel.estimate(s, cache.inventory(for: s.model)).peak }
    let t1 = DispatchTime.now().uptimeNanoseconds
    var seconds = 0.0
    for s in setups { seconds += ThroughputModel.estimate(s, cache.inventory(for: s.model)).stepSeconds }
    let t2 = DispatchTime.now().uptimeNanoseconds
    let n = Double(max(1, setups.count))
    return
      "per point, 1 thread: memory model \(NumberFormatting.fixed(Double(t1 - t0) / n / 1000, 2)) µs, throughput model \(NumberFormatting.fixed(Double(t2 - t1) / n / 1000, 2)) µs (checksums \(checksum % 1000), \(NumberFormatting.fixed(seconds.truncatingRemainder(dividingBy: 1), 3)))\n"
  }

  /// The planner's searches `fit` runs: the layout search for Llama 3.1 405B on 1,024 H100s,
  /// and every catalog GPU ranked by cost for APOLLO 7B on 8.
  static func planner() throws -> String {
    let layout = try CommandLineSetup.setup(
      ParsedOptions(
        [
          "--model", "llama3.1-405b", "--gpu", "h100-sxm", "--gpus", "1024", "--sequence", "8192",
          "--global-batch", "2048", "--precision", "bf16", "--master-weights", "fp32", "--parallel", "zero1",
        ], command: "fit", specs: FitCommand.options))
    let ranked = try CommandLineSetup.setup(
      ParsedOptions(
        [
          "--model", "llama-7b", "--gpus", "8", "--parallel", "ddp", "--optimizer", "apollo", "--global-batch", "512",
          "--tokens", "20B", "--price", "2.0",
        ], command: "fit", specs: FitCommand.options))
    var layouts = 0
    let search = try timed { layouts = FitAnswer(layout, rankBy: .cost).layoutsEvaluated }
    var gpus = 0
    let ranking = try timed { gpus = GPURanking.rank(ranked, by: .cost).count }
    return
      "fit, layout search (llama3.1-405b on 1,024 H100s, \(layouts) layouts): \(NumberFormatting.fixed(search * 1000, 1)) ms\n"
      + "fit, every GPU ranked by cost (llama-7b on 8, \(gpus) GPUs): \(NumberFormatting.fixed(ranking * 1000, 1)) ms\n"
  }

  static func timed(_ body: () throws -> Void) throws -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
  }

  /// The benchmark sweep: 10 optimizers × 50 micro-batches × 10 sequences × 10 GPU counts × 20
  /// global batches = 1,000,000 points; its first 100,000 (APOLLO) are `Benchmarks/sweep-100k.yaml`.
  static let sweepText = """
    name: bench
    model: llama-7b
    gpu: a100-80gb
    parallel: ddp
    sweep:
      optimizer: [\(benchOptimizers.joined(separator: ", "))]
      micro_batch: [\((1...50).map(String.init).joined(separator: ", "))]
      sequence: [128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]
      gpus: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]
      global_batch: [\((1...20).map { String($0 * 512) }.joined(separator: ", "))]

    """

  static let benchOptimizers = [
    "apollo", "adamw", "adamw-8bit", "sgd", "galore", "galore-8bit", "apollo-mini", "adafactor", "lion", "adam-mini",
  ]

  /// The benchmark sweep, loaded (and its 1,000,000 points checked) once per process.
  static let scenario: Scenario = {
    // The text is fixed and valid; a failure here is a programming error.
    guard let sc = try? ScenarioLoader.load(file: "bench", text: sweepText) else {
      preconditionFailure("the built-in benchmark scenario does not load")
    }
    return sc
  }()

  static func benchScenario(points: Int) -> Scenario { scenario.truncated(to: points) }
}

/// A sink that keeps only the count of bytes written (`bench`).
final class CountingSink: ReportSink {
  private(set) var bytes = 0
  func write(_ text: String) throws(OutputFailure) { bytes += text.utf8.count }
  func write(bytes: [UInt8]) throws(OutputFailure) { self.bytes += bytes.count }
  func finish() throws(OutputFailure) {}
  func discard() {}
}

extension Scenario {
  /// The same scenario limited to its first `n` points (for benchmarks).
  func truncated(to n: Int) -> Scenario {
    var s = self
    s.limit = min(n, count)
    return s
  }
}
