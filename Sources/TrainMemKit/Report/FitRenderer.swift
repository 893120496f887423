/// `trainmem fit`'s report: Markdown and JSON of the planner's values (Planner/Advice.swift).
enum FitRenderer {
  static func describe(_ s: TrainingSetup) -> String {
    "\(s.model.id), \(s.optimizer.label), \(s.gpus)× \(s.gpu.id), micro-batch \(s.microBatch), sequence \(s.sequence)"
  }

  /// One setup's fit; `heading` starts the title (a scenario's run label in `fit FILE`).
  static func markdown(_ a: FitAnswer, heading: String = "# trainmem fit:") -> String {
    let m = a.memory
    var o = "\(heading) \(MarkdownRenderer.cell(describe(a.setup)))\n\n"
    o +=
      m.fits
      ? "Fits: yes — needs \(Bytes(m.required)) of \(Bytes(m.capacity)), \(Bytes(m.headroom)) to spare.\n"
      : "Fits: **no** — needs \(Bytes(m.required)) of \(Bytes(m.capacity)) (\(Bytes(-m.headroom)) over).\n"
    o +=
      "Peak \(Bytes(m.peak)) in \(m.peakPhase.rawValue); \(NumberFormatting.grouped(a.throughput.tokensPerSecond)) tokens/s.\n"
    o += "Allocator reserved \(Bytes(m.reserved)) (what nvidia-smi shows, less the CUDA context).\n"
    if let hours = a.throughput.trainHours, let tokens = a.setup.tokens {
      let price = a.setup.gpuPrice.map { " at $\(NumberFormatting.fixed($0, 2)) per GPU-hour" } ?? ""
      let cost = a.throughput.cost.map { ", $" + NumberFormatting.grouped($0) } ?? ""
      o +=
        "Training \(NumberFormatting.tokens(tokens)) tokens\(price) at this micro-batch: \(NumberFormatting.fixed(hours, 1)) h\(cost).\n"
    }
    if m.narrow { o += MarkdownRenderer.narrowWarning(m) + "\n" }
    if let padding = PaddingAdvice.advice(a.setup) { o += padding.sentence + "\n" }
    if m.fits && !m.narrow {
      if let b = a.maxMicroBatch, let tps = a.tokensPerSecondAtMax {
        o += "Largest micro-batch: \(b) (\(NumberFormatting.grouped(tps)) tokens/s at it).\n"
        if let gap = a.microBatchGap {
          o +=
            "Micro-batches \(gap.lowerBound)–\(gap.upperBound) do not fit: with more than one per step, the gradients of the earlier ones are held.\n"
        }
      }
      if let q = a.maxSequence { o += "Largest sequence at micro-batch \(a.setup.microBatch): \(q).\n" }
      return o
    }
    if a.changes.isEmpty { return o + "\nNo single change below makes it fit; try more GPUs with fsdp.\n" }
    o +=
      "\n## Changes that \(m.narrow ? "keep the margin" : "make it fit") (fastest at their own largest micro-batch first)\n\n"
    o += "| change | needs | saves | tokens/s | vs now | largest micro-batch | tokens/s at it | largest sequence |\n"
    o += "|---|---:|---:|---:|---:|---:|---:|---:|\n"
    for c in a.changes {
      let mb = c.maxMicroBatch.map(String.init) ?? "–"
      let seq = c.maxSequence.map { NumberFormatting.grouped(Double($0)) } ?? "–"
      let vs = NumberFormatting.percent(c.tokensPerSecond / a.throughput.tokensPerSecond - 1)
      o +=
        "| \(c.change) | \(Bytes(c.memory.required)) | \(Bytes(m.required - c.memory.required)) | \(NumberFormatting.grouped(c.tokensPerSecond)) | \(vs) | \(mb) | \(NumberFormatting.grouped(c.tokensPerSecondAtMax)) | \(seq) |\n"
    }
    return o
  }

  static func ranking(_ s: TrainingSetup, _ rows: [GPURanking]) -> String {
    var o =
      "# trainmem fit: which GPU for \(MarkdownRenderer.cell(s.model.id)), \(s.optimizer.label), \(s.gpus) GPU(s), sequence \(s.sequence)\n\n"
    // With `--tokens`, the hours to train on this many GPUs at each card's largest micro-batch.
    let hoursColumn = s.tokens.map { " hours for \(NumberFormatting.tokens($0)) tokens |" } ?? ""
    o +=
      "| GPU | fits | needs (micro-batch \(s.microBatch)) | memory | largest micro-batch | tokens/s at it | $ per 1B tokens |"
      + hoursColumn + "\n|---|---|---:|---:|---:|---:|---:|" + (s.tokens == nil ? "" : "---:|") + "\n"
    for r in rows {
      guard let m = r.memory else {
        o +=
          "| \(r.name) | n/a (\(MarkdownRenderer.cell(r.problem ?? ""))) | | | | | |" + (s.tokens == nil ? "" : " |")
          + "\n"
        continue
      }
      let tps = r.tokensPerSecond > 0 ? NumberFormatting.grouped(r.tokensPerSecond) : "–"
      let cost =
        s.price == nil && s.prices.isEmpty
        ? "–" : (r.costPerBillionTokens.map { "$" + NumberFormatting.fixed($0, 0) } ?? "–")
      let hours =
        s.tokens.flatMap { tokens in
          r.tokensPerSecond > 0 ? " | " + NumberFormatting.fixed(tokens / r.tokensPerSecond / 3600, 1) : " | –"
        } ?? ""
      o +=
        "| \(r.name) | \(m.fits ? "yes" : "no") | \(Bytes(m.required)) | \(r.gpu.memory) | \(r.maxMicroBatch.map(String.init) ?? "–") | \(tps) | \(cost)\(hours) |\n"
    }
    return o
  }

  /// `fit --format json`: the plan as data (fields documented in docs/scenario-format.md).
  enum JSON {
    struct Change: Encodable {
      var change: String
      var required_bytes: Int64
      var saves_bytes: Int64
      var tokens_per_second: Double
      var max_micro_batch: Int64?
      var max_sequence: Int64?
      var tokens_per_second_at_max: Double
    }
    struct Answer: Encodable {
      var schema = 1
      var setup: String
      var fits: Bool
      var required_bytes, capacity_bytes, headroom_bytes, peak_bytes: Int64
      var peak_phase: String
      var tokens_per_second: Double
      var max_micro_batch: Int64?
      var tokens_per_second_at_max: Double?
      var max_sequence: Int64?
      var changes: [Change]
    }
    struct Row: Encodable {
      var gpu: String
      var problem: String?
      var fits: Bool?
      var required_bytes: Int64?
      var gpu_memory_bytes: Int64
      var max_micro_batch: Int64?
      var tokens_per_second: Double?
      var cost_per_billion_tokens: Double?
    }
    struct Ranking: Encodable {
      var schema = 1
      var setup: String
      var gpus: [Row]
    }

    struct FileEntry: Encodable {
      var label: String
      var fit: Answer
    }
    struct File: Encodable {
      var schema = 1
      var scenario: String
      var runs: [FileEntry]
    }

    static func file(_ name: String, _ answers: [(label: String, answer: FitAnswer)]) -> String {
      encode(File(scenario: name, runs: answers.map { FileEntry(label: $0.label, fit: value($0.answer)) }))
    }

    static func answer(_ a: FitAnswer) -> String { encode(value(a)) }

    static func value(_ a: FitAnswer) -> Answer {
      let m = a.memory
      let changes = a.changes.map {
        Change(
          change: $0.change, required_bytes: $0.memory.required, saves_bytes: m.required - $0.memory.required,
          tokens_per_second: $0.tokensPerSecond, max_micro_batch: $0.maxMicroBatch, max_sequence: $0.maxSequence,
          tokens_per_second_at_max: $0.tokensPerSecondAtMax)
      }
      return
        (Answer(
          setup: FitRenderer.describe(a.setup), fits: m.fits, required_bytes: m.required, capacity_bytes: m.capacity,
          headroom_bytes: m.headroom, peak_bytes: m.peak, peak_phase: m.peakPhase.rawValue,
          tokens_per_second: a.throughput.tokensPerSecond, max_micro_batch: a.maxMicroBatch,
          tokens_per_second_at_max: a.tokensPerSecondAtMax, max_sequence: a.maxSequence, changes: changes))
    }

    static func ranking(_ s: TrainingSetup, _ rows: [GPURanking]) -> String {
      let out = rows.map { r in
        Row(
          gpu: r.name, problem: r.problem, fits: r.memory?.fits, required_bytes: r.memory?.required,
          gpu_memory_bytes: r.gpu.memory.count, max_micro_batch: r.maxMicroBatch,
          tokens_per_second: r.tokensPerSecond > 0 ? r.tokensPerSecond : nil,
          cost_per_billion_tokens: r.costPerBillionTokens)
      }
      return encode(
        Ranking(setup: "\(s.model.id), \(s.optimizer.label), \(s.gpus) GPU(s), sequence \(s.sequence)", gpus: out))
    }

    static func encode<T: Encodable>(_ value: T) -> String { JSONText.encode(value) + "\n" }
  }
}
