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
      if let problem = t.validationProblems().first { rows.append((-1, "| \(name) | n/a (\(problem.message)) | | | | | |\n")); continue }
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
