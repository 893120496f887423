import Foundation

/// Output formats of `trainmem run` and `estimate`.
public enum ReportFormat: String, Sendable, CaseIterable { case md, json, csv, svg }

private typealias F = NumberFormatting

// MARK: - Markdown

enum MarkdownRenderer {
  static func render(_ r: Report) -> String {
    var s = "# \(r.scenario)\n\n"
    if let d = r.description { s += d + "\n\n" }
    s += "| run | fits | peak allocated | required | GPU memory | headroom | phase | tokens/s | MFU | cost |\n"
    s += "|---|---|---|---|---|---|---|---|---|---|\n"
    for run in r.runs {
      let m = run.memory, t = run.throughput
      s += "| \(run.label) | \(m.fits ? "yes" : "**no**") | \(Bytes(m.peak)) | \(Bytes(m.required)) | \(Bytes(m.capacity)) | \(Bytes(m.headroom)) | \(m.peakPhase.rawValue) | \(F.grouped(t.tokensPerSecond)) | \(F.fixed(t.mfu * 100, 1))% | \(t.cost.map { "$" + F.grouped($0) } ?? "–") |\n"
    }
    let referenced = r.runs.filter { $0.reference != nil }
    if !referenced.isEmpty {
      s += "\n### Compared with published figures\n\n| run | quantity | published | predicted | error | source |\n|---|---|---:|---:|---:|---|\n"
      for run in referenced {
        guard let ref = run.reference else { continue }
        if let t = ref.tokensPerSecond {
          let p = run.throughput.tokensPerSecond
          s += "| \(run.label) | tokens/s | \(F.grouped(t)) | \(F.grouped(p)) | \(F.percent(p / t - 1)) | \(ref.source) |\n"
        }
        if let sec = ref.stepSeconds {
          let p = run.throughput.steadyStepSeconds
          s += "| \(run.label) | seconds per step (no SVD refresh) | \(F.fixed(sec, 3)) | \(F.fixed(p, 3)) | \(F.percent(p / sec - 1)) | \(ref.source) |\n"
        }
        if let base = ref.ratioTo, let t = ref.tokensPerSecond,
           let other = r.runs.first(where: { $0.label == base }), let bt = other.reference?.tokensPerSecond {
          let published = t / bt
          let predicted = run.throughput.tokensPerSecond / other.throughput.tokensPerSecond
          s += "| \(run.label) | tokens/s ÷ \(base) | \(F.fixed(published, 2))× | \(F.fixed(predicted, 2))× | \(F.percent(predicted / published - 1)) | \(ref.source) |\n"
        }
        if let mem = ref.memory {
          let p = Double(run.memory.required)
          s += "| \(run.label) | memory per GPU | \(mem) | \(Bytes(run.memory.required)) | \(F.percent(p / Double(mem.count) - 1)) | \(ref.source) |\n"
        }
      }
    }
    for run in r.runs {
      s += "\n## \(run.label)\n\n"
      s += inputsLine(run.setup) + "\n\n"
      s += "| term | bytes | GiB | source |\n|---|---:|---:|---|\n"
      for term in run.terms {
        s += "| \(term.name) | \(term.bytes) | \(F.fixed(Double(term.bytes) / 1_073_741_824, 2)) | \(term.source) |\n"
      }
      let t = run.throughput
      s += "\nStep \(F.fixed(t.stepSeconds, 3)) s = compute \(F.fixed(t.compute, 3)) s + optimizer \(F.fixed(t.optimizer, 3)) s + communication \(F.fixed(t.communication, 3)) s"
      if t.projectionRefresh > 0 {
        s += " + SVD refresh \(F.fixed(t.projectionRefresh, 3)) s (amortised; a step without one takes \(F.fixed(t.steadyStepSeconds, 3)) s, \(F.grouped(t.tokensPerStep / t.steadyStepSeconds)) tokens/s)"
      }
      s += "; \(F.grouped(t.tokensPerSecond)) tokens/s (\(F.grouped(t.tokensPerSecondPerGPU)) per GPU), MFU \(F.fixed(t.mfu * 100, 1))%"
      s += t.hostBound ? "; host-bound (kernel dispatch outpaces the GPU's work).\n" : ".\n"
      if let h = t.trainHours {
        s += "Training \(F.fixed(h, 1)) h, \(F.grouped(t.gpuHours ?? 0)) GPU-hours" + (t.cost.map { ", $\(F.grouped($0))" } ?? "") + ".\n"
      }
      if let p = run.plan {
        var parts: [String] = []
        if let v = p.maxMicroBatch { parts.append("largest micro-batch \(v)") }
        if let v = p.maxSequence { parts.append("largest sequence \(v)") }
        if let v = p.minGPUs { parts.append("fewest GPUs \(v)") }
        if let v = p.maxRank { parts.append("largest rank \(v)") }
        s += "Plan: " + (parts.isEmpty ? "nothing fits" : parts.joined(separator: ", ")) + ".\n"
      }
    }
    return s
  }

  static func inputsLine(_ s: TrainingSetup) -> String {
    var parts = [
      "model \(s.model.id)", "\(s.gpus)× \(s.gpu.name)", "parallel \(s.parallel.rawValue)",
      "precision \(s.precision.rawValue)", "weights \(s.weightsInt8 ? "int8" : s.weights.rawValue)",
      "sequence \(s.sequence)", "micro-batch \(s.microBatch)",
      "accumulation \(s.accumulation)", "attention \(s.attention.rawValue)",
      "checkpointing \(s.checkpointing.rawValue)", "optimizer \(s.optimizer.kind.rawValue)",
    ]
    if s.optimizer.kind.isLowRank { parts.append("rank \(s.rank)") }
    if s.optimizer.layerwise { parts.append("layer-wise") }
    if let g = s.globalBatch, g != s.effectiveGlobalBatch { parts.append("global batch \(s.effectiveGlobalBatch) (asked \(g))") }
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
    var inputs: Inputs
    var memory: Memory
    var throughput: Throughput
    var plan: JSONPlan?
    var reference: JSONReference?
  }
  struct JSONReference: Encodable { var tokens_per_second: Double?; var step_seconds: Double?; var memory: Int64?; var source: String; var ratio_to: String? }
  struct Inputs: Encodable {
    var model: String, hidden: Int64, intermediate: Int64, layers: Int64, heads: Int64, kv_heads: Int64
    var vocab: Int64, tied_embeddings: Bool, parameters: Int64
    var gpu: String, gpu_memory: Int64, gpus: Int64, parallel: String, gradient_sync: String
    var precision: String, weights: String, sequence: Int64, micro_batch: Int64
    var global_batch: Int64, accumulation: Int64, attention: String, checkpointing: String
    var optimizer: String, rank: Int64?, update_interval: Int64?, implementation: String, layerwise: Bool
    var tokens: Double?, price: Double?
    var memory_limit: Int64?
  }
  struct Term: Encodable { var name: String; var bytes: Int64; var source: String }
  struct Memory: Encodable {
    var weights, gradients, optimizer_states, activations, logits, transient, overhead, peak, reserved, capacity: Int64
    var fragmentation, required, headroom: Int64
    var peak_phase: String
    var fits: Bool
    var terms: [Term]
  }
  struct Throughput: Encodable {
    var step_seconds, steady_step_seconds, tokens_per_second, tokens_per_second_per_gpu, mfu: Double
    var compute_seconds, optimizer_seconds, communication_seconds, refresh_seconds: Double
    var train_hours, gpu_hours, cost: Double?
  }
  struct JSONPlan: Encodable { var max_micro_batch, max_sequence, min_gpus, max_rank: Int64? }

  init(_ r: Report) {
    scenario = r.scenario
    description = r.description
    runs = r.runs.map { run in
      let s = run.setup, m = run.memory, t = run.throughput
      let inputs = Inputs(
        model: s.model.id, hidden: s.model.hidden, intermediate: s.model.intermediate, layers: s.model.layers,
        heads: s.model.heads, kv_heads: s.model.kvHeads, vocab: s.model.vocab, tied_embeddings: s.model.tiedEmbeddings,
        parameters: ParameterInventory(s.model).parameters,
        gpu: s.gpu.id, gpu_memory: s.gpu.memory.count, gpus: s.gpus, parallel: s.parallel.rawValue,
        gradient_sync: s.gradientSync.rawValue, precision: s.precision.rawValue,
        weights: s.weightsInt8 ? "int8" : s.weights.rawValue, sequence: s.sequence, micro_batch: s.microBatch,
        global_batch: s.effectiveGlobalBatch, accumulation: s.accumulation, attention: s.attention.rawValue,
        checkpointing: s.checkpointing.rawValue, optimizer: s.optimizer.kind.rawValue,
        rank: s.optimizer.kind.isLowRank ? s.rank : nil,
        update_interval: s.optimizer.kind.isLowRank ? s.optimizer.updateInterval : nil,
        implementation: s.optimizer.effectiveImplementation.rawValue, layerwise: s.optimizer.layerwise,
        tokens: s.tokens, price: s.price, memory_limit: m.limit)
      let memory = Memory(
        weights: m.weights + m.weightCopies, gradients: m.gradientsHeld + m.gradientBuckets,
        optimizer_states: m.states.total, activations: m.activations, logits: m.logits, transient: m.transient,
        overhead: m.context + m.fragmentation, peak: m.peak, reserved: m.reserved, capacity: m.capacity,
        fragmentation: m.fragmentation, required: m.required, headroom: m.headroom,
        peak_phase: m.peakPhase.rawValue, fits: m.fits,
        terms: run.terms.map { Term(name: $0.name.trimmingSpaces, bytes: $0.bytes, source: $0.source) })
      let tp = Throughput(
        step_seconds: t.stepSeconds, steady_step_seconds: t.steadyStepSeconds, tokens_per_second: t.tokensPerSecond,
        tokens_per_second_per_gpu: t.tokensPerSecondPerGPU, mfu: t.mfu, compute_seconds: t.compute,
        optimizer_seconds: t.optimizer, communication_seconds: t.communication, refresh_seconds: t.projectionRefresh,
        train_hours: t.trainHours, gpu_hours: t.gpuHours, cost: t.cost)
      let plan = run.plan.map { JSONPlan(max_micro_batch: $0.maxMicroBatch, max_sequence: $0.maxSequence, min_gpus: $0.minGPUs, max_rank: $0.maxRank) }
      let reference = run.reference.map { JSONReference(tokens_per_second: $0.tokensPerSecond, step_seconds: $0.stepSeconds, memory: $0.memory?.count, source: $0.source, ratio_to: $0.ratioTo) }
      return JSONRun(label: run.label, inputs: inputs, memory: memory, throughput: tp, plan: plan, reference: reference)
    }
  }
}

enum JSONRenderer {
  static func render(_ r: Report) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    guard let data = try? e.encode(JSONReport(r)), let s = String(data: data, encoding: .utf8) else { return "{}\n" }
    return s + "\n"
  }
}

// MARK: - CSV (RFC 4180)

enum CSVRenderer {
  static let header = "label,model,gpu,gpus,parallel,precision,optimizer,rank,sequence,micro_batch,global_batch,fits,peak_bytes,required_bytes,reserved_bytes,capacity_bytes,headroom_bytes,peak_phase,weights_bytes,gradients_bytes,optimizer_state_bytes,activation_bytes,logits_bytes,transient_bytes,step_seconds,tokens_per_second,mfu,max_micro_batch,max_sequence,min_gpus\n"

  /// RFC 4180 quoting, only when the field needs it (checked on UTF-8 bytes: no Foundation
  /// string search in the sweep's inner loop).
  static func field(_ s: String) -> String {
    guard s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return s }
    var q = "\""
    for c in s { if c == "\"" { q += "\"\"" } else { q.append(c) } }
    return q + "\""
  }

  static func row(_ run: RunResult) -> String {
    let s = run.setup, m = run.memory, t = run.throughput
    var r = ""
    r.reserveCapacity(320)
    func add(_ v: String) { r += v; r += "," }
    func add(_ v: Int64) { r += String(v); r += "," }
    add(field(run.label)); add(field(s.model.id)); add(field(s.gpu.id)); add(s.gpus)
    add(s.parallel.rawValue); add(s.precision.rawValue); add(s.optimizer.kind.rawValue)
    if s.optimizer.kind.isLowRank { add(s.rank) } else { add("") }
    add(s.sequence); add(s.microBatch); add(s.effectiveGlobalBatch); add(m.fits ? "true" : "false")
    add(m.peak); add(m.required); add(m.reserved); add(m.capacity); add(m.headroom)
    add(m.peakPhase.rawValue); add(m.weights + m.weightCopies); add(m.gradientsHeld + m.gradientBuckets)
    add(m.states.total); add(m.activations); add(m.logits); add(m.transient)
    add(F.fixed(t.stepSeconds, 6)); add(F.fixed(t.tokensPerSecond, 1)); add(F.fixed(t.mfu, 4))
    add(run.plan?.maxMicroBatch.map { String($0) } ?? "")
    add(run.plan?.maxSequence.map { String($0) } ?? "")
    r += run.plan?.minGPUs.map { String($0) } ?? ""
    r += "\n"
    return r
  }

  static func render(_ r: Report) -> String { header + r.runs.map(row).joined() }
}
