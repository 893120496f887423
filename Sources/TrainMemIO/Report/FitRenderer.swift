import TrainMemCore

/// `trainmem fit`'s report: Markdown and JSON of the planner's values (Planner/Advice.swift).
package enum FitRenderer {
  package static func describe(_ s: TrainingSetup) -> String {
    "\(s.model.id), \(s.optimizer.label), \(s.gpus)× \(s.gpu.id), micro-batch \(s.microBatch), sequence \(s.sequence)"
  }

  /// One setup's fit; `heading` starts the title (a scenario's run label in `fit FILE`).
  package static func markdown(_ a: FitAnswer, heading: String = "# trainmem fit:") -> String {
    body(a, heading: heading) + layoutsSection(a)
  }

  /// The fastest layouts over the run's GPUs (`LayoutSearch`), and what the search covered.
  package static func layoutsSection(_ a: FitAnswer) -> String {
    guard a.layoutsEvaluated > 0 else { return "" }
    let s = a.setup
    var o = "\n## Layouts on \(s.gpus) GPUs (the fastest that fit first, at the slow end of each one's error band)\n\n"
    o += "Searched \(a.layoutsEvaluated) layouts: \(a.layoutsCovered); each at its fastest micro-batch.\n\n"
    guard !a.layouts.isEmpty else { return o + "None fits.\n" }
    o += "| layout | needs | peak on | tokens/s | band | per GPU | MFU |\n|---|---:|---|---:|---:|---:|---:|\n"
    for l in a.layouts {
      let t = l.throughput
      o +=
        "| \(MarkdownRenderer.cell(l.text)) | \(Bytes(l.memory.required)) | \(l.memory.stage ?? "every GPU") | \(NumberFormatting.grouped(l.tokensPerSecond)) | \(bandCell(l.band)) | \(NumberFormatting.grouped(t.tokensPerSecondPerGPU)) | \(NumberFormatting.fixed(t.mfu * 100, 1))%\(l.abovePublishedMFU ? " †" : "") |\n"
    }
    if let best = a.layouts.first(where: \.abovePublishedMFU)?.publishedBest {
      o +=
        "\n† Above the best MFU any published run on \(s.gpu.architecture.displayName) reached\(s.fp8 != nil ? " in FP8" : ""): \(NumberFormatting.fixed(best.mfu * 100, 1))% (`\(best.figure)` in `trainmem validate`). The model is most optimistic there; plan on that rate at best.\n"
    }
    return o
  }

  /// "±25%", or "±50%, unchecked" where no published or measured figure covers the GPU family's
  /// speed (outside what `validate` covers).
  static func bandCell(_ band: ErrorBand) -> String {
    "±\(ErrorBand.points(band.throughput))" + (band.throughputChecked ? "" : ", unchecked")
  }

  package static func body(_ a: FitAnswer, heading: String) -> String {
    let m = a.memory
    var o = "\(heading) \(MarkdownRenderer.cell(describe(a.setup)))\n\n"
    if !a.assumptions.isEmpty { o += MarkdownRenderer.assumptionsLine(a.assumptions) + "\n\n" }
    if let line = MarkdownRenderer.frameworkLine(a.setup) { o += line + "\n\n" }
    let band = a.band
    let needs = "needs \(Bytes(m.required)) (±\(ErrorBand.points(band.memory))) of \(Bytes(m.capacity))"
    o +=
      m.fits
      ? "Fits: yes — \(needs), \(Bytes(m.headroom)) to spare.\n"
      : "Fits: **no** — \(needs) (\(Bytes(-m.headroom)) over).\n"
    if let warning = band.headroomWarning(m) { o += warning + "\n" }
    o +=
      "Peak \(Bytes(m.peak)) in \(m.peakPhase.rawValue); \(NumberFormatting.grouped(a.throughput.tokensPerSecond)) tokens/s (±\(ErrorBand.points(band.throughput))\(band.throughputChecked ? "" : ", unchecked on this GPU family")).\n"
    o += "Allocator reserved \(Bytes(m.reserved)) (what nvidia-smi shows, less the CUDA context).\n"
    if let hours = a.throughput.trainHours, let tokens = a.setup.tokens {
      let price = a.setup.priceClause
      let cost = a.throughput.cost.map { ", $" + NumberFormatting.grouped($0) } ?? ""
      o +=
        "Training \(NumberFormatting.tokens(tokens)) tokens\(price) at this micro-batch: \(NumberFormatting.fixed(hours, 1)) h\(cost).\n"
    }
    if m.narrow { o += MarkdownRenderer.narrowWarning(m) + "\n" }
    if let padding = a.padding { o += padding.sentence + "\n" }
    if m.fits && !m.narrow {
      if let point = a.maxMicroBatch, let tps = a.tokensPerSecondAtMax {
        let bill = a.bill.map {
          "; \(NumberFormatting.tokens($0.tokens)) tokens in \(NumberFormatting.fixed($0.hours, 1)) h, \(cost($0))"
        }
        // Recommended: the largest that fits at the top of the memory error band.
        let b = a.maxMicroBatchInsideBand ?? point
        let points = ErrorBand.points(band.memory)
        o +=
          a.maxMicroBatchInsideBand == nil
          ? "Largest micro-batch: \(point) at the point estimate (none fits at the top of the ±\(points) band)"
          : b == point
            ? "Largest micro-batch: \(b), inside the ±\(points) band"
            : "Largest micro-batch: \(b) inside the ±\(points) band (\(point) at the point estimate)"
        if a.bestMicroBatch != b, let g = a.setup.globalBatch {
          let share = g / max(1, a.setup.dataParallel)
          o +=
            g % a.setup.dataParallel == 0 && share % b == 0
            ? "; trained at \(a.bestMicroBatch), faster than \(b)"
              + (a.setup.modelParallel.pipeline > 1 ? " (more micro-batches per step: a smaller pipeline bubble)" : "")
            : "; trained at \(a.bestMicroBatch), which keeps the global batch at \(g) (\(b) would round it up)"
        }
        o += " (\(NumberFormatting.grouped(tps)) tokens/s at it\(bill ?? "")).\n"
        if let gap = a.microBatchGap {
          o +=
            "Micro-batches \(gap.lowerBound)–\(gap.upperBound) do not fit: with more than one per step, the gradients of the earlier ones are held.\n"
        }
      }
      if let q = a.maxSequence { o += "Largest sequence at micro-batch \(a.setup.microBatch): \(q).\n" }
      if a.changes.isEmpty { return o + "\nNo change tried trains it cheaper or faster (\(tried)).\n" }
      o += "\n## Cheaper or faster setups (\(order(a.rankBy, a.setup)), each at its best micro-batch)\n\n"
      return o + changesTable(a) + optimizerNote(a)
    }
    let note = adaptersNote(a.setup)
    if a.changes.isEmpty {
      // The layouts below may fit where no single change did: say so rather than "try more GPUs".
      let next = a.layouts.isEmpty ? "try more GPUs with fsdp" : "the layouts below do, on these GPUs"
      return o + "\nNo change tried on its own makes it fit (\(tried)); \(next).\n" + note
    }
    o +=
      "\n## Changes that \(m.narrow ? "keep the margin" : "make it fit") (\(order(a.rankBy, a.setup)), each at its best micro-batch)\n\n"
    return o + changesTable(a) + optimizerNote(a) + note
  }

  /// A change of optimizer trains with another update rule: its memory and speed are modelled,
  /// its convergence is not — said wherever the table offers one.
  package static func optimizerNote(_ a: FitAnswer) -> String {
    let run = a.setup.optimizer.kind
    guard let other = a.changes.first(where: { $0.setup.optimizer.kind != run })?.setup.optimizer.kind else {
      return ""
    }
    return
      "\nA change of optimizer (\(run.rawValue) → \(other.rawValue)) trains with another update rule: its memory and speed are modelled here, its convergence is not — compare it on your data before switching.\n"
  }

  /// Why no adapter appears for a run that trains its own weights, and how to ask for them.
  package static func adaptersNote(_ s: TrainingSetup) -> String {
    guard s.lora == nil && s.allow != .adapters else { return "" }
    return
      "\nAdapters (LoRA, QLoRA) are not offered: they train new parameters on a frozen base, not this run's weights. `--allow adapters` (a scenario's `allow: adapters`) adds them.\n"
  }

  /// What the alternatives were drawn from, for the line that says none helped.
  package static let tried =
    "optimizers, recomputation, offload, losses, sharding and GPU counts, and their combinations"

  /// "cheapest to train 20B tokens first", naming the unit the cost is in.
  package static func order(_ rank: PlanRanking, _ s: TrainingSetup) -> String {
    let tokens = NumberFormatting.tokens(s.tokens ?? 1e9)
    switch rank {
    case .time: return "fastest to train \(tokens) tokens first"
    case .cost:
      return s.gpuPrice == nil
        ? "cheapest to train \(tokens) tokens first, costed in GPU-hours without a price"
        : "cheapest to train \(tokens) tokens first"
    }
  }

  /// "$1,234" at the setup's price, or "567 GPU-h" without one.
  package static func cost(_ bill: TrainingBill) -> String {
    bill.dollars.map { "$" + NumberFormatting.grouped($0) } ?? NumberFormatting.grouped(bill.gpuHours) + " GPU-h"
  }

  /// "32 (largest 44)" when the best micro-batch keeps the global batch below the largest.
  package static func microBatch(best: Int64?, largest: Int64?) -> String {
    guard let largest else { return "–" }
    guard let best, best != largest else { return "\(largest)" }
    return "\(best) (largest \(largest))"
  }

  /// Each alternative with its memory, its largest micro-batch, and the time and cost to train.
  package static func changesTable(_ a: FitAnswer) -> String {
    let m = a.memory
    // Against the run at its own largest micro-batch when it fits, else as given.
    let now = a.tokensPerSecondAtMax ?? a.throughput.tokensPerSecond
    // "needs" and "saves" compare like with like, at the run's micro-batch; the rest is at each
    // change's best micro-batch, which the header says.
    var o =
      "| change | needs (micro-batch \(a.setup.microBatch)) | saves | best micro-batch | tokens/s at it | vs now | hours | cost | largest sequence |\n"
    o += "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    for c in a.changes {
      let mb = microBatch(best: c.bestMicroBatch, largest: c.maxMicroBatch)
      let seq = c.maxSequence.map { NumberFormatting.grouped(Double($0)) } ?? "–"
      let vs = now > 0 ? NumberFormatting.percent(c.tokensPerSecondAtMax / now - 1) : "–"
      let saved = m.required - c.memory.required
      let saves = saved >= 0 ? "\(Bytes(saved))" : "−\(Bytes(-saved))"
      o +=
        "| \(MarkdownRenderer.cell(c.change)) | \(Bytes(c.memory.required)) | \(saves) | \(mb) | \(NumberFormatting.grouped(c.tokensPerSecondAtMax)) | \(vs) | \(NumberFormatting.fixed(c.bill.hours, 1)) | \(cost(c.bill)) | \(seq) |\n"
    }
    return o
  }

  package static func ranking(_ s: TrainingSetup, _ rows: [GPURanking], _ rank: PlanRanking) -> String {
    var o =
      "# trainmem fit: which GPU for \(MarkdownRenderer.cell(s.model.id)), \(s.optimizer.label), \(s.gpus) GPU(s), sequence \(s.sequence)\n\n"
    let given = s.price != nil || !s.prices.isEmpty
    let tokens = NumberFormatting.tokens(s.tokens ?? 1e9)
    o +=
      "Each card at its best micro-batch, \(rank == .time ? "fastest" : "cheapest") to train \(tokens) tokens first, "
    o +=
      given
      ? "at the prices given (list prices for the others).\n\n"
      : "at list prices (`trainmem list gpus`; `--price` overrides).\n\n"
    o +=
      "| GPU | fits | needs (micro-batch \(s.microBatch)) | memory | micro-batch | tokens/s at it | hours | cost |\n"
    o += "|---|---|---:|---:|---:|---:|---:|---:|\n"
    for r in rows {
      guard let m = r.memory else {
        o += "| \(MarkdownRenderer.cell(r.name)) | n/a (\(MarkdownRenderer.cell(r.problem ?? ""))) | | | | | | |\n"
        continue
      }
      // Each card's own band: a card whose speed no published figure checks says so.
      let band = r.band.map { " ±\(ErrorBand.points($0.throughput))\($0.throughputChecked ? "" : ", unchecked")" } ?? ""
      let tps = r.tokensPerSecond > 0 ? NumberFormatting.grouped(r.tokensPerSecond) + band : "–"
      let hours = r.bill.map { NumberFormatting.fixed($0.hours, 1) } ?? "–"
      let price = r.bill.map(cost) ?? "–"
      o +=
        "| \(MarkdownRenderer.cell(r.name)) | \(m.fits ? "yes" : "no") | \(Bytes(m.required)) | \(r.gpu.memory) | \(microBatch(best: r.bestMicroBatch, largest: r.maxMicroBatch)) | \(tps) | \(hours) | \(price) |\n"
    }
    return o
  }

  /// `fit --format json`: the plan as data (fields documented in docs/scenario-format.md),
  /// each object's keys written in sorted order.
  package enum JSON {
    package static func file(_ name: String, _ answers: [(label: String, answer: FitAnswer, run: RunResult)])
      -> String
    {
      var w = JSONWriter()
      w.openObject()
      w.key("runs")
      w.openArray()
      for (label, answer, run) in answers {
        w.openObject()
        w.key("fit")
        write(answer, run: run, to: &w)
        w.member("label", label)
        w.closeObject()
      }
      w.closeArray()
      w.member("scenario", name)
      w.member("schema", Int64(1))
      w.closeObject()
      return w.text + "\n"
    }

    /// `run`: the same setup evaluated as `run` reports it, for its inputs and parameter count.
    package static func answer(_ a: FitAnswer, run: RunResult) -> String {
      var w = JSONWriter()
      write(a, run: run, to: &w)
      return w.text + "\n"
    }

    package static func write(_ a: FitAnswer, run: RunResult, to w: inout JSONWriter) {
      let m = a.memory
      let band = a.band
      w.openObject()
      w.member("best_micro_batch", a.bestMicroBatch)
      w.member("capacity_bytes", m.capacity)
      w.key("changes")
      w.openArray()
      for c in a.changes {
        w.openObject()
        w.member("best_micro_batch", c.bestMicroBatch)
        w.member("change", c.change)
        w.member("max_micro_batch", c.maxMicroBatch)
        w.member("max_sequence", c.maxSequence)
        w.member("required_bytes", c.memory.required)
        w.member("saves_bytes", m.required - c.memory.required)
        w.member("tokens_per_second", c.tokensPerSecond)
        w.member("tokens_per_second_at_max", c.tokensPerSecondAtMax)
        w.key("train")
        bill(c.bill, to: &w)
        w.closeObject()
      }
      w.closeArray()
      w.member("changes_kind", a.fitsWithMargin ? "cheaper_or_faster" : "make_it_fit")
      w.member("fit", m.fit.rawValue)
      w.member("fits", m.fits)
      w.member("headroom_bytes", m.headroom)
      w.key("inputs")
      JSONRenderer.inputs(run, to: &w)
      if a.layoutsEvaluated > 0 {
        w.key("layouts")
        w.openArray()
        for layout in a.layouts { JSONRenderer.layout(layout, to: &w) }
        w.closeArray()
      }
      w.member("max_micro_batch", a.maxMicroBatch)
      w.member("max_micro_batch_inside_band", a.maxMicroBatchInsideBand)
      w.member("max_sequence", a.maxSequence)
      w.member("memory_error_band", band.memory)
      w.member("parameters", run.parameters)
      w.member("peak_bytes", m.peak)
      w.member("peak_phase", m.peakPhase.rawValue)
      w.member("rank_by", a.rankBy.rawValue)
      w.member("required_bytes", m.required)
      w.member("schema", Int64(1))
      w.member("setup", FitRenderer.describe(a.setup))
      w.member("throughput_error_band", band.throughput)
      w.member("tokens_per_second", a.throughput.tokensPerSecond)
      w.member("tokens_per_second_at_max", a.tokensPerSecondAtMax)
      if let b = a.bill {
        w.key("train")
        bill(b, to: &w)
      }
      w.closeObject()
    }

    /// Time and cost to train `tokens` (one billion when the setup names none).
    package static func bill(_ b: TrainingBill, to w: inout JSONWriter) {
      w.openObject()
      w.member("cost", b.dollars)
      w.member("gpu_hours", b.gpuHours)
      w.member("hours", b.hours)
      w.member("tokens", b.tokens)
      w.closeObject()
    }

    package static func ranking(_ s: TrainingSetup, _ rows: [GPURanking], _ rank: PlanRanking) -> String {
      var w = JSONWriter()
      w.openObject()
      w.key("gpus")
      w.openArray()
      for r in rows {
        w.openObject()
        w.member("best_micro_batch", r.bestMicroBatch)
        w.member("cost_per_billion_tokens", r.costPerBillionTokens)
        w.member("fit", r.memory?.fit.rawValue)
        w.member("fits", r.memory?.fits)
        w.member("gpu", r.name)
        w.member("gpu_memory_bytes", r.gpu.memory.count)
        w.member("max_micro_batch", r.maxMicroBatch)
        w.member("problem", r.problem)
        w.member("required_bytes", r.memory?.required)
        w.member("tokens_per_second", r.tokensPerSecond > 0 ? r.tokensPerSecond : nil)
        if let b = r.bill {
          w.key("train")
          bill(b, to: &w)
        }
        w.closeObject()
      }
      w.closeArray()
      w.member("rank_by", rank.rawValue)
      w.member("schema", Int64(1))
      w.member("setup", "\(s.model.id), \(s.optimizer.label), \(s.gpus) GPU(s), sequence \(s.sequence)")
      w.closeObject()
      return w.text + "\n"
    }
  }
}
