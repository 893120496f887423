import Foundation

/// `trainmem fit`: fits or not, headroom, the largest micro-batch and sequence, and — when it
/// does not fit — the changes that would, cheapest in throughput first.
enum FitCommand {
  struct Advice { var change: String; var setup: TrainingSetup; var memory: MemoryEstimate; var tokensPerSecond: Double }

  static func run(_ args: [String], _ out: inout some TextOutputStream, _ err: inout some TextOutputStream) throws -> Int32 {
    let a = try Arguments(args, valued: SetupFlags.valued, boolean: SetupFlags.boolean)
    if let p = a.positionals.first { throw UsageError(message: "unexpected argument '\(p)'") }
    let s = try SetupFlags.setup(a)
    if a.value("gpu") == nil {
      let (text, any) = ranking(s)
      out.write(text)
      return any ? ExitStatus.ok : ExitStatus.checkFailed
    }
    let (text, fits) = report(s)
    out.write(text)
    return fits ? ExitStatus.ok : ExitStatus.checkFailed
  }

  static func describe(_ s: TrainingSetup) -> String {
    "\(s.model.id), \(s.optimizer.label), \(s.gpus)× \(s.gpu.id), micro-batch \(s.microBatch), sequence \(s.sequence)"
  }

  static func report(_ s: TrainingSetup) -> (String, Bool) {
    let m = MemoryModel.estimate(s)
    let t = ThroughputModel.estimate(s)
    var o = "# trainmem fit: \(describe(s))\n\n"
    o += m.fits ? "Fits: yes — needs \(Bytes(m.required)) of \(Bytes(m.capacity)), \(Bytes(m.headroom)) to spare.\n"
      : "Fits: **no** — needs \(Bytes(m.required)) of \(Bytes(m.capacity)) (\(Bytes(-m.headroom)) over).\n"
    o += "Peak \(Bytes(m.peak)) in \(m.peakPhase.rawValue); \(NumberFormatting.grouped(t.tokensPerSecond)) tokens/s.\n"
    if m.fits {
      if let b = Planner.maxMicroBatch(s) {
        var big = s; big.microBatch = b
        o += "Largest micro-batch: \(b) (\(NumberFormatting.grouped(ThroughputModel.estimate(big).tokensPerSecond)) tokens/s at it).\n"
      }
      if let q = Planner.maxSequence(s) { o += "Largest sequence at micro-batch \(s.microBatch): \(q).\n" }
      return (o, true)
    }
    let advice = changes(s)
    if advice.isEmpty {
      o += "\nNo single change below makes it fit; try more GPUs with fsdp.\n"
      return (o, false)
    }
    o += "\n## Changes that make it fit (cheapest in throughput first)\n\n| change | needs | saves | tokens/s | vs now | largest micro-batch |\n|---|---:|---:|---:|---:|---:|\n"
    for a in advice {
      let mb = Planner.maxMicroBatch(a.setup).map(String.init) ?? "–"
      o += "| \(a.change) | \(Bytes(a.memory.required)) | \(Bytes(m.required - a.memory.required)) | \(NumberFormatting.grouped(a.tokensPerSecond)) | \(NumberFormatting.percent(a.tokensPerSecond / t.tokensPerSecond - 1)) | \(mb) |\n"
    }
    return (o, false)
  }

  /// Candidate single changes, in the issue's order of increasing memory saving, then combined
  /// ones; those that fit, sorted by throughput (highest first).
  static func changes(_ s: TrainingSetup) -> [Advice] {
    var c: [(String, TrainingSetup)] = []
    func add(_ name: String, _ edit: (inout TrainingSetup) -> Void) { var t = s; edit(&t); if t != s { c.append((name, t)) } }
    let ladder: [OptimizerKind] = [.adamw8bit, .galore, .galore8bit, .apollo, .apolloMini, .qApolloMini]
    for k in ladder where k != s.optimizer.kind {
      add("optimizer \(k.rawValue)") { $0.optimizer = OptimizerConfig(kind: k) }
      add("optimizer \(k.rawValue), layer-wise") { $0.optimizer = OptimizerConfig(kind: k, layerwise: true) }
    }
    if s.optimizer.kind.isLowRank && !s.optimizer.kind.isMini {
      add("rank \(max(1, s.rank / 2))") { $0.optimizer.rank = max(1, s.rank / 2) }
    }
    add("full recomputation") { $0.checkpointing = .full }
    add("layer-wise updates") { $0.optimizer.layerwise = true }
    add("int8 weights") { $0.weights = .int8 }
    add("8-bit GaLore, layer-wise, full recomputation") { $0.optimizer = OptimizerConfig(kind: .galore8bit, layerwise: true); $0.checkpointing = .full }
    add("Q-APOLLO-Mini, layer-wise, full recomputation") { $0.optimizer = OptimizerConfig(kind: .qApolloMini, layerwise: true); $0.checkpointing = .full }
    if s.gpus > 1 { for p in [Parallelism.zero1, .zero2, .zero3] where p != s.parallel { add("\(p.rawValue) over \(s.gpus) GPUs") { $0.parallel = p } } }
    var fsdp = s; if fsdp.parallel == .none { fsdp.parallel = .fsdp }
    if let n = Planner.minGPUs(fsdp), n > s.gpus { add("\(n) GPUs with \(fsdp.parallel.rawValue)") { $0.gpus = n; $0.parallel = fsdp.parallel } }
    var out: [Advice] = []
    for (name, t) in c where t.validationProblems().isEmpty {
      let m = MemoryModel.estimate(t)
      guard m.fits else { continue }
      out.append(Advice(change: name, setup: t, memory: m, tokensPerSecond: ThroughputModel.estimate(t).tokensPerSecond))
    }
    return out.sorted { $0.tokensPerSecond != $1.tokensPerSecond ? $0.tokensPerSecond > $1.tokensPerSecond : $0.change < $1.change }
  }

  static func ranking(_ s: TrainingSetup) -> (String, Bool) {
    var o = "# trainmem fit: which GPU for \(s.model.id), \(s.optimizer.label), \(s.gpus) GPU(s), sequence \(s.sequence)\n\n"
    o += "| GPU | fits | needs (micro-batch \(s.microBatch)) | memory | largest micro-batch | tokens/s at it | $ per 1B tokens |\n|---|---|---:|---:|---:|---:|---:|\n"
    var rows: [(Double, String)] = []
    var any = false
    for g in GPUSpec.catalog {
      var t = s; t.gpu = g
      var name = g.id
      // A card without bf16 (V100) trains in fp16 mixed precision instead.
      if g.bf16FLOPS == 0 && t.precision == .bf16 { t.precision = .mixed; name += " (fp16 mixed)" }
      if !t.validationProblems().isEmpty { rows.append((-1, "| \(name) | n/a (\(t.validationProblems()[0].message)) | | | | | |\n")); continue }
      let m = MemoryModel.estimate(t)
      let mb = Planner.maxMicroBatch(t)
      var tps = 0.0
      if let mb { var big = t; big.microBatch = mb; tps = ThroughputModel.estimate(big).tokensPerSecond; any = true }
      let cost = s.price.map { tps > 0 ? "$" + NumberFormatting.fixed($0 * Double(s.gpus) / tps * 1e9 / 3600, 0) : "–" } ?? "–"
      rows.append((tps, "| \(name) | \(m.fits ? "yes" : "no") | \(Bytes(m.required)) | \(g.memory) | \(mb.map(String.init) ?? "–") | \(tps > 0 ? NumberFormatting.grouped(tps) : "–") | \(cost) |\n"))
    }
    for r in rows.sorted(by: { $0.0 > $1.0 }) { o += r.1 }
    return (o, any)
  }
}

/// `trainmem bench`: an N-point sweep (micro_batch × sequence × gpus × global_batch) with memory,
/// throughput and CSV rendering, timed; prints points per second.
enum BenchCommand {
  static func run(_ args: [String], _ out: inout some TextOutputStream, _ err: inout some TextOutputStream) throws -> Int32 {
    let a = try Arguments(args, valued: ["points", "threads"], boolean: [])
    let points = Int(a.value("points") ?? "100000") ?? 0
    guard points >= 1 && points <= 10_000_000 else { throw UsageError(message: "'--points' expects 1 to 10000000") }
    let threads = Int(a.value("threads") ?? "") ?? ProcessInfo.processInfo.activeProcessorCount
    let sc = benchScenario(points: points)
    let start = DispatchTime.now().uptimeNanoseconds
    var bytes = 0
    var rows = 0
    var sink = NullStream()
    SweepEvaluator.map(sc, threads: max(1, threads), progress: &sink, CSVRenderer.row) { row in bytes += row.utf8.count; rows += 1 }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    out.write("\(rows) points (\(bytes) CSV bytes) in \(NumberFormatting.fixed(seconds, 3)) s with \(threads) thread(s): \(NumberFormatting.grouped(Double(rows) / seconds)) points/s\n")
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
    out.write("per point, 1 thread: memory model \(NumberFormatting.fixed(Double(t1 - t0) / n / 1000, 2)) µs, throughput model \(NumberFormatting.fixed(Double(t2 - t1) / n / 1000, 2)) µs (checksums \(checksum % 1000), \(NumberFormatting.fixed(seconds2.truncatingRemainder(dividingBy: 1), 3)))\n")
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

  static func benchScenario(points: Int) -> Scenario {
    // The text is fixed and valid; a failure here is a programming error.
    guard let sc = try? ScenarioLoader.load(file: "bench", text: sweepText) else {
      preconditionFailure("the built-in benchmark scenario does not load")
    }
    return sc.truncated(to: points)
  }
}

struct NullStream: TextOutputStream { mutating func write(_ string: String) {} }

extension Scenario {
  /// The same scenario limited to its first `n` points (for benchmarks).
  func truncated(to n: Int) -> Scenario {
    var s = self
    s.limit = min(n, count)
    return s
  }
}
