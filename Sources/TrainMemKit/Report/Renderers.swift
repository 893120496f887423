import Foundation

/// Output formats of `trainmem run` and `estimate`.
public enum ReportFormat: String, Sendable, CaseIterable {
  case md, json, csv, svg

  /// The one place a format picks its renderer.
  static func render(_ report: Report, _ format: ReportFormat) -> String {
    switch format {
    case .md: return MarkdownRenderer.render(report)
    case .json: return JSONRenderer.render(report)
    case .csv: return CSVRenderer.render(report)
    case .svg: return SVGRenderer.render(report)
    }
  }
}

private typealias F = NumberFormatting

// MARK: - Markdown

enum MarkdownRenderer {
  static func render(_ r: Report) -> String {
    var s = head(scenario: r.scenario, description: r.description)
    for run in r.runs { s += summaryRow(run) }
    s += references(r.runs)
    for run in r.runs { s += details(run) }
    return s
  }

  /// The title, the description and the summary table's header.
  static func head(scenario: String, description: String?) -> String {
    var s = "# \(cell(scenario))\n\n"
    if let d = description { s += cell(d) + "\n\n" }
    s += "| run | fits | peak allocated | required | GPU memory | headroom | phase | tokens/s | MFU | cost |\n"
    s += "|---|---|---|---|---|---|---|---|---|---|\n"
    return s
  }

  static func summaryRow(_ run: RunResult) -> String {
    let m = run.memory, t = run.throughput
    return
      "| \(cell(run.label)) | \(m.narrow ? "narrow" : (m.fits ? "yes" : "**no**")) | \(Bytes(m.peak)) | \(Bytes(m.required)) | \(Bytes(m.capacity)) | \(Bytes(m.headroom)) | \(m.peakPhase.rawValue) | \(F.grouped(t.tokensPerSecond)) | \(F.fixed(t.mfu * 100, 1))% | \(m.fits ? (t.cost.map { "$" + F.grouped($0) } ?? "–") : "–") |\n"
  }

  /// Text from a scenario inside a table cell or heading: `|` escaped, line breaks and control
  /// characters shown visibly, so no label can break the table.
  static func cell(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: { $0 == "|" || $0 == "\\" || isControl($0) }) else { return s }
    return visible(s).replacingOccurrences("\\", "\\\\", all: true).replacingOccurrences("|", "\\|", all: true)
  }

  /// The runs that carry a published reference, next to their predictions ("" when none).
  static func references(_ runs: [RunResult]) -> String {
    var s = ""
    let referenced = runs.filter { $0.reference != nil }
    if !referenced.isEmpty {
      s +=
        "\n### Compared with published figures\n\n| run | quantity | published | predicted | error | source |\n|---|---|---:|---:|---:|---|\n"
      for run in referenced {
        guard let ref = run.reference else { continue }
        if let t = ref.tokensPerSecond {
          let p = run.throughput.tokensPerSecond
          s +=
            "| \(run.label) | tokens/s | \(F.grouped(t)) | \(F.grouped(p)) | \(F.percent(p / t - 1)) | \(ref.source) |\n"
        }
        if let sec = ref.stepSeconds {
          let p = run.throughput.steadyStepSeconds
          s +=
            "| \(run.label) | seconds per step (no SVD refresh) | \(F.fixed(sec, 3)) | \(F.fixed(p, 3)) | \(F.percent(p / sec - 1)) | \(ref.source) |\n"
        }
        if let base = ref.ratioTo, let t = ref.tokensPerSecond,
          let other = runs.first(where: {
            $0.runLabel == base && $0.label.dropFirst(base.count) == run.label.dropFirst(run.runLabel.count)
          }),
          let bt = other.reference?.tokensPerSecond
        {
          let published = t / bt
          let predicted = run.throughput.tokensPerSecond / other.throughput.tokensPerSecond
          s +=
            "| \(run.label) | tokens/s ÷ \(base) | \(F.fixed(published, 2))× | \(F.fixed(predicted, 2))× | \(F.percent(predicted / published - 1)) | \(ref.source) |\n"
        }
        if let mem = ref.memory {
          let p = Double(run.memory.required)
          s +=
            "| \(run.label) | memory per GPU | \(mem) | \(Bytes(run.memory.required)) | \(F.percent(p / Double(mem.count) - 1)) | \(ref.source) |\n"
        }
      }
    }
    return s
  }

  /// One run's section: inputs, every memory term with its source, the step's time.
  static func details(_ run: RunResult) -> String {
    var s = "\n## \(cell(run.label))\n\n" + inputsLine(run.setup) + "\n\n"
    let band = ErrorBand(run.setup)
    s += "How far to trust it: \(band.summary); " + CalibrationRange.notes(run.setup).joined(separator: "; ") + ".\n\n"
    s += "| term | bytes | GiB | source |\n|---|---:|---:|---|\n"
    for term in run.terms {
      s += "| \(term.name) | \(term.bytes) | \(F.fixed(Double(term.bytes) / 1_073_741_824, 2)) | \(term.source) |\n"
    }
    if run.memory.narrow { s += "\n" + narrowWarning(run.memory) + "\n" }
    if let warning = band.headroomWarning(run.memory) { s += "\n" + warning + "\n" }
    s += "\n" + bytesPerParameter(run) + "\n"
    s += "\n" + stepLine(run.throughput) + "\n"
    s += timeTable(run)
    if let padding = run.padding { s += "\n" + padding.sentence + "\n" }
    let t = run.throughput
    if let h = t.trainHours {
      let tokens = run.setup.tokens.map { NumberFormatting.tokens($0) + " tokens" } ?? "Training"
      let price = run.setup.priceClause
      s += "\nTraining \(tokens)\(price): \(F.fixed(h, 1)) h, \(F.grouped(t.gpuHours ?? 0)) GPU-hours"
      s += (t.cost.map { ", $\(F.grouped($0))" } ?? "") + (run.memory.fits ? "." : " — if it fit; it does not.") + "\n"
    }
    if let plan = run.plan { s += "\nPlan: " + planParts(plan, run.setup) + ".\n" }
    return s
  }

  /// "Per parameter: weights 2.0 B, gradients 2.0 B, optimizer states 4.0 B" — this GPU's
  /// persistent bytes over the model's parameter count (shares, under sharding).
  static func bytesPerParameter(_ run: RunResult) -> String {
    let p = Double(max(1, run.parameters)), m = run.memory
    func per(_ bytes: Int64) -> String { F.fixed(Double(bytes) / p, 2) + " B" }
    let gradients = m.gradients
    return "Per parameter (\(F.grouped(p)) parameters): weights \(per(m.weights)), gradients \(per(gradients)), "
      + "optimizer states \(per(m.states.total)); \(per(m.weights + gradients + m.states.total)) in all."
  }

  /// What a narrow fit leaves to chance.
  static func narrowWarning(_ m: MemoryEstimate) -> String {
    "**Narrow fit**: \(Bytes(m.headroom)) to spare, within the \(Bytes(m.margin)) margin asked for. Not modelled "
      + "there: NCCL communication buffers, allocator fragmentation beyond the modelled 3%, cuBLAS/cuDNN "
      + "workspaces and anything else running on the GPU."
  }

  /// "Step 0.455 s = compute … + optimizer … + communication …; tokens/s, MFU."
  static func stepLine(_ t: ThroughputEstimate) -> String {
    var s =
      "Step \(F.fixed(t.stepSeconds, 3)) s = compute \(F.fixed(t.compute, 3)) s + optimizer \(F.fixed(t.optimizer, 3)) s"
      + " + communication \(F.fixed(t.communication, 3)) s"
    if t.projectionRefresh > 0 {
      s += " + SVD refresh \(F.fixed(t.projectionRefresh, 3)) s (amortised; a step without one takes "
      s += "\(F.fixed(t.steadyStepSeconds, 3)) s, \(F.grouped(t.tokensPerStep / t.steadyStepSeconds)) tokens/s)"
    }
    s +=
      "; \(F.grouped(t.tokensPerSecond)) tokens/s (\(F.grouped(t.tokensPerSecondPerGPU)) per GPU), MFU \(F.fixed(t.mfu * 100, 1))%"
    return s + (t.hostBound ? "; host-bound (kernel dispatch outpaces the GPU's work)." : ".")
  }

  /// Where the step's time goes, term by term (`RunResult.timeTerms`); zero terms left out,
  /// and nothing when the result carries no breakdown.
  static func timeTable(_ run: RunResult) -> String {
    var s = "\n| where the step's time goes | seconds | share | source |\n|---|---:|---:|---|\n"
    guard !run.timeTerms.isEmpty else { return "" }
    for term in run.timeTerms where term.seconds > 0 {
      let share = F.fixed(term.seconds / run.throughput.stepSeconds * 100, 1)
      s += "| \(term.name) | \(F.fixed(term.seconds, 4)) | \(share)% | \(term.source) |\n"
    }
    return s
  }

  /// The planner's answers: "largest micro-batch 21, fewest GPUs 2".
  static func planParts(_ p: Plan, _ setup: TrainingSetup) -> String {
    var parts: [String] = []
    if let v = p.maxMicroBatch {
      let gap = p.microBatchGap.map {
        let range = $0.lowerBound == $0.upperBound ? "\($0.lowerBound)" : "\($0.lowerBound)–\($0.upperBound)"
        return " (\(range) does not fit: it accumulates gradients)"
      }
      parts.append("largest micro-batch \(v)" + (gap ?? ""))
    }
    if let v = p.maxSequence { parts.append("largest sequence \(v)") }
    if let v = p.minGPUs { parts.append("fewest GPUs \(v)") }
    if let v = p.maxRank { parts.append("largest rank \(v)") }
    if p.rankNotApplicable {
      parts.append("largest rank n/a (\(setup.optimizer.kind.rawValue) has no projection rank to search)")
    }
    if let l = p.layout {
      parts.append(
        "fastest layout that fits of \(p.layoutsEvaluated) tried: \(l.text) (\(F.grouped(l.tokensPerSecond)) tokens/s)")
    } else if p.layoutsEvaluated > 0 {
      parts.append("no layout of \(p.layoutsEvaluated) tried fits")
    }
    return parts.isEmpty ? "nothing fits" : parts.joined(separator: ", ")
  }

  static func inputsLine(_ s: TrainingSetup) -> String {
    var parts = [
      "model \(cell(s.model.id))", "\(s.gpus)× \(cell(s.gpu.name))",
      "parallel \(s.parallel.rawValue)"
        + (s.modelParallel.isActive ? " (layout dp \(s.dataParallel) × \(s.modelParallel.text))" : ""),
      "precision \(s.precision.rawValue) (\(s.policy.frameworkSetting))",
      "weights \(s.weightsInt8 ? "int8" : s.weights.rawValue)",
      "sequence \(s.sequence)", "micro-batch \(s.microBatch)",
      "accumulation \(s.accumulation)", "attention \(s.attention.rawValue)",
      "checkpointing \(s.checkpointing.rawValue)", "optimizer \(s.optimizer.kind.rawValue)",
    ]
    if s.optimizer.kind.isLowRank { parts.append("rank \(s.rank)") }
    if s.optimizer.layerwise { parts.append("layer-wise") }
    if s.optimizer.paged { parts.append("paged") }
    if let l = s.lora {
      parts.append("LoRA r\(l.rank) on \(l.targets.text)\(l.dora ? " (DoRA)" : "")")
    }
    if s.freeze.isActive {
      parts.append("frozen: \(s.freeze.embeddings ? "embeddings, " : "")first \(s.freeze.layers) layers")
    }
    if s.loss != .full { parts.append("loss \(s.loss.rawValue)") }
    if s.offload.isActive { parts.append("offloaded to the CPU: " + s.offload.parts.joined(separator: ", ")) }
    if s.expertParallel > 1 { parts.append("expert parallel \(s.expertParallel)") }
    if let g = s.globalBatch, g != s.effectiveGlobalBatch {
      parts.append("global batch \(s.effectiveGlobalBatch) (asked \(g))")
    }
    return parts.joined(separator: ", ")
  }
}

// MARK: - JSON (schema v1)

struct JSONReport: Encodable {
  var schema = 1
  var scenario: String
  var description: String?
  var runs: [JSONRun]

  struct JSONRun: Encodable {
    var label: String
    var inputs: [String: InputValue]
    var memory: Memory
    var throughput: Throughput
    var plan: JSONPlan?
    var reference: JSONReference?
  }
  struct JSONReference: Encodable {
    var tokens_per_second: Double?; var step_seconds: Double?; var memory: Int64?; var source: String;
    var ratio_to: String?
  }
  struct Term: Encodable { var name: String; var bytes: Int64; var source: String }
  struct Memory: Encodable {
    var weights, gradients, optimizer_states, activations, logits, transient, overhead, peak, reserved, capacity: Int64
    /// A paged optimizer's states in unified memory, and the part on the host (absent otherwise).
    var paged_optimizer_states, paged_to_host: Int64?
    /// Host memory for what `offload` moves there, per GPU and per node (absent otherwise).
    var host_memory, host_memory_per_node: Int64?
    var fragmentation, required, headroom: Int64
    var peak_phase: String
    var fits: Bool
    /// Fits with less to spare than `margin` asks (absent without a margin).
    var narrow_fit: Bool?
    /// The pipeline stage holding the peak ("first stage"; absent without a pipeline).
    var peak_stage: String?
    /// ± fraction from the `validate` figures that cover the setup (Validation/ErrorBand.swift).
    var error_band: Double
    var terms: [Term]
  }
  struct Throughput: Encodable {
    var step_seconds, steady_step_seconds, tokens_per_second, tokens_per_second_per_gpu, mfu: Double
    var compute_seconds, optimizer_seconds, communication_seconds, refresh_seconds: Double
    var train_hours, gpu_hours, cost: Double?
    var error_band: Double
    /// False when no published figure covers the GPU family's speed.
    var error_band_checked: Bool
  }
  struct JSONPlan: Encodable {
    var max_micro_batch, max_sequence, min_gpus, max_rank: Int64?
    /// The fastest layout that fits (`solve: layout`).
    var layout: JSONLayout?
  }
  /// A layout as data: the degrees, the data-parallel mode, recomputation, micro-batch, tokens/s.
  struct JSONLayout: Encodable {
    var data_parallel, tensor_parallel, pipeline_parallel, context_parallel, micro_batch: Int64
    var parallel, checkpointing: String
    var sequence_parallel: Bool
    var required_bytes: Int64
    var tokens_per_second: Double
    init(_ l: Layout) {
      let s = l.setup
      data_parallel = s.dataParallel
      tensor_parallel = s.modelParallel.tensor
      pipeline_parallel = s.modelParallel.pipeline
      context_parallel = s.modelParallel.context
      micro_batch = s.microBatch
      parallel = s.parallel.rawValue
      checkpointing = s.checkpointing.rawValue
      sequence_parallel = s.modelParallel.sequenceParallel
      required_bytes = l.memory.required
      tokens_per_second = l.tokensPerSecond
    }
  }

  init(_ r: Report) {
    scenario = r.scenario
    description = r.description
    runs = r.runs.map { run in
      let m = run.memory, t = run.throughput
      let inputs = Settings.inputs(run)
      let band = ErrorBand(run.setup)
      let memory = Memory(
        weights: m.weights + m.weightCopies, gradients: m.gradientsHeld + m.gradientBuckets,
        optimizer_states: m.states.total, activations: m.activations, logits: m.logits, transient: m.transient,
        overhead: m.context + m.fragmentation, peak: m.peak, reserved: m.reserved, capacity: m.capacity,
        paged_optimizer_states: m.pagedStates > 0 ? m.pagedStates : nil,
        paged_to_host: m.pagedStates > 0 ? m.pagedToHost : nil,
        host_memory: m.host > 0 ? m.host : nil,
        host_memory_per_node: m.host > 0 ? Checked.saturatingProduct(m.host, run.setup.nodeSize) : nil,
        fragmentation: m.fragmentation, required: m.required, headroom: m.headroom,
        peak_phase: m.peakPhase.rawValue, fits: m.fits, narrow_fit: m.margin > 0 ? m.narrow : nil, peak_stage: m.stage,
        error_band: band.memory,
        terms: run.terms.map { Term(name: $0.name.trimmingSpaces, bytes: $0.bytes, source: $0.source) })
      let tp = Throughput(
        step_seconds: t.stepSeconds, steady_step_seconds: t.steadyStepSeconds, tokens_per_second: t.tokensPerSecond,
        tokens_per_second_per_gpu: t.tokensPerSecondPerGPU, mfu: t.mfu, compute_seconds: t.compute,
        optimizer_seconds: t.optimizer, communication_seconds: t.communication, refresh_seconds: t.projectionRefresh,
        train_hours: t.trainHours, gpu_hours: t.gpuHours, cost: t.cost, error_band: band.throughput,
        error_band_checked: band.throughputChecked)
      let plan = run.plan.map {
        JSONPlan(
          max_micro_batch: $0.maxMicroBatch, max_sequence: $0.maxSequence, min_gpus: $0.minGPUs, max_rank: $0.maxRank,
          layout: $0.layout.map(JSONLayout.init))
      }
      let reference = run.reference.map {
        JSONReference(
          tokens_per_second: $0.tokensPerSecond, step_seconds: $0.stepSeconds, memory: $0.memory?.count,
          source: $0.source, ratio_to: $0.ratioTo)
      }
      return JSONRun(label: run.label, inputs: inputs, memory: memory, throughput: tp, plan: plan, reference: reference)
    }
  }
}

/// Schema v1, written run by run: `head`, the runs joined by `separator`, `tail` — the same
/// bytes JSONEncoder gives for the whole report (keys sorted: description, runs, scenario,
/// schema), without holding every run at once.
enum JSONRenderer {
  static func render(_ r: Report) -> String {
    head(description: r.description) + r.runs.map(run).joined(separator: separator) + tail(scenario: r.scenario)
  }

  static func head(description: String?) -> String {
    "{\n" + (description.map { "  \"description\" : \(string($0)),\n" } ?? "") + "  \"runs\" : [\n"
  }

  static let separator = ",\n"

  static func tail(scenario: String) -> String {
    "\n  ],\n  \"scenario\" : \(string(scenario)),\n  \"schema\" : 1\n}\n"
  }

  /// One run's object, indented as an element of `runs`.
  static func run(_ run: RunResult) -> String {
    let single = JSONReport(Report(scenario: "", runs: [run])).runs[0]
    let text = encode(single)
    return text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? "" : "    " + $0 }
      .joined(separator: "\n")
  }

  static func string(_ s: String) -> String { encode(s) }

  private static func encode<T: Encodable>(_ value: T) -> String { JSONText.encode(value) }
}

/// Every JSON trainmem prints: pretty, keys sorted, slashes as they are.
enum JSONText {
  /// The value as JSON text. Every number in a report is finite (RunResult.isSane, the seeds
  /// reader) and every key a string, so encoding cannot fail; a failure is a programming error.
  static func encode<T: Encodable>(_ value: T) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? e.encode(value) else { preconditionFailure("unencodable JSON value") }
    return String(decoding: data, as: UTF8.self)
  }
}

// MARK: - CSV (RFC 4180)

enum CSVRenderer {
  /// The label, each setting's column (declared in `Settings`), then the results.
  static let header =
    (["label"] + Settings.csvColumns.map(\.name) + resultColumns).joined(separator: ",") + "\n"
  static let resultColumns = [
    "fits", "peak_bytes", "required_bytes", "reserved_bytes", "capacity_bytes", "headroom_bytes", "peak_phase",
    "weights_bytes", "gradients_bytes", "optimizer_state_bytes", "activation_bytes", "logits_bytes",
    "transient_bytes", "step_seconds", "tokens_per_second", "mfu", "max_micro_batch", "max_sequence", "min_gpus",
  ]

  /// RFC 4180 quoting, only when the field needs it (checked on UTF-8 bytes: no Foundation
  /// string search in the sweep's inner loop).
  static func field(_ s: String) -> String {
    var bytes: [UInt8] = []
    appendField(s, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  static func appendField(_ s: String, to out: inout [UInt8]) {
    // Control characters (from a label) are shown as `\u{1B}`, never written raw.
    if s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F || $0 >= 0xC2 }), s.unicodeScalars.contains(where: isControl) {
      appendField(visible(s), to: &out)
      return
    }
    guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
      out.append(contentsOf: s.utf8)
      return
    }
    out.append(0x22)
    for byte in s.utf8 {
      out.append(byte)
      if byte == 0x22 { out.append(0x22) }
    }
    out.append(0x22)
  }

  static func row(_ run: RunResult) -> String {
    var bytes: [UInt8] = []
    appendField(run.label, to: &bytes)
    appendRow(run, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// A sweep point's row: its label from the sweep's label pieces, then the rest.
  static func appendRow(_ run: RunResult, labels: LabelBytes, index: Int, to out: inout [UInt8]) {
    labels.append(index, to: &out)
    appendRow(run, to: &out)
  }

  /// One row after its label, as bytes: the sweep writes every worker's rows into one buffer,
  /// with no string per row or per number.
  static func appendRow(_ run: RunResult, to out: inout [UInt8]) {
    let s = run.setup, m = run.memory, t = run.throughput
    let comma: UInt8 = 0x2C
    for column in Settings.csvColumns {
      out.append(comma)
      column.cell.append(s, to: &out)
    }
    func integer(_ v: Int64) {
      out.append(comma)
      F.appendInteger(v, to: &out)
    }
    func optional(_ v: Int64?) {
      out.append(comma)
      if let v { F.appendInteger(v, to: &out) }
    }
    func fixed(_ v: Double, _ digits: Int) {
      out.append(comma)
      F.appendFixed(v, digits, to: &out)
    }
    out.append(comma)
    out.append(contentsOf: (m.fits ? "true" : "false").utf8)
    integer(m.peak)
    integer(m.required)
    integer(m.reserved)
    integer(m.capacity)
    integer(m.headroom)
    out.append(comma)
    out.append(contentsOf: m.peakPhase.rawValue.utf8)
    integer(m.weights + m.weightCopies)
    integer(m.gradientsHeld + m.gradientBuckets)
    integer(m.states.total)
    integer(m.activations)
    integer(m.logits)
    integer(m.transient)
    fixed(t.stepSeconds, 6)
    fixed(t.tokensPerSecond, 1)
    fixed(t.mfu, 4)
    optional(run.plan?.maxMicroBatch)
    optional(run.plan?.maxSequence)
    optional(run.plan?.minGPUs)
    out.append(0x0A)
  }

  static func render(_ r: Report) -> String { header + r.runs.map(row).joined() }
}
