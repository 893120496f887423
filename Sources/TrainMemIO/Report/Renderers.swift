import Foundation
import TrainMemCore

/// Output formats of `trainmem run` and `estimate`.
public enum ReportFormat: String, Sendable, CaseIterable {
  case md, json, jsonl, csv, svg

  /// Every format as usage lines write it: `md|json|csv|svg`.
  package static let choices = allCases.map(\.rawValue).joined(separator: "|")
  /// The formats a sweep streams point by point (all but the chart).
  package static let sweepFormats = allCases.filter { $0 != .svg }

  /// The one place a format picks its renderer.
  package static func render(_ report: Report, _ format: ReportFormat) -> String {
    switch format {
    case .md: return MarkdownRenderer.render(report)
    case .json: return JSONRenderer.render(report)
    case .jsonl: return JSONLinesRenderer.render(report)
    case .csv: return CSVRenderer.render(report)
    case .svg: return SVGRenderer.render(report)
    }
  }
}

private typealias F = NumberFormatting

extension [UInt8] {
  /// Text appended as UTF-8: Markdown is built as bytes, like CSV and JSON.
  package static func += (bytes: inout [UInt8], text: String) { bytes.append(contentsOf: text.utf8) }
}

// MARK: - Markdown

package enum MarkdownRenderer {
  package static func render(_ r: Report) -> String {
    var s: [UInt8] = []
    s += head(scenario: r.scenario, description: r.description)
    for run in r.runs { s += summaryRow(run) }
    s += references(r.runs)
    for run in r.runs { details(run, to: &s) }
    return String(decoding: s, as: UTF8.self)
  }

  /// The title, the description and the summary table's header.
  package static func head(scenario: String, description: String?) -> String {
    var s = "# \(cell(scenario))\n\n"
    if let d = description { s += cell(d) + "\n\n" }
    s += "| run | fits | peak allocated | required | GPU memory | headroom | phase | tokens/s | MFU | cost |\n"
    s += "|---|---|---|---|---|---|---|---|---|---|\n"
    return s
  }

  package static func summaryRow(_ run: RunResult) -> String {
    let m = run.memory, t = run.throughput
    return
      "| \(cell(run.label)) | \(m.narrow ? "narrow" : (m.fits ? "yes" : "**no**")) | \(Bytes(m.peak)) | \(Bytes(m.required)) | \(Bytes(m.capacity)) | \(Bytes(m.headroom)) | \(m.peakPhase.rawValue) | \(F.grouped(t.tokensPerSecond)) | \(F.fixed(t.mfu * 100, 1))% | \(m.fits ? (t.cost.map { "$" + F.grouped($0) } ?? "–") : "–") |\n"
  }

  /// Text from a scenario inside a table cell or heading: `|` escaped, line breaks and control
  /// characters shown visibly, so no label can break the table.
  package static func cell(_ s: String) -> String {
    guard needsEscape(s) else { return s }
    return visible(s).replacingOccurrences("\\", "\\\\", all: true).replacingOccurrences("|", "\\|", all: true)
  }

  /// Whether a cell holds `|`, `\\` or a control character (`isControl`).
  ///
  /// Found in one pass over its UTF-8 bytes: C0 and DEL are single bytes, C1 is 0xC2 0x80–0x9F, U+2028/2029 are
  /// 0xE2 0x80 0xA8/0xA9, U+FFFE/FFFF 0xEF 0xBF 0xBE/0xBF. Every memory term's source passes
  /// here on every point of a Markdown sweep, and most hold a `×` or a `—`.
  package static func needsEscape(_ s: String) -> Bool {
    var s = s
    return s.withUTF8 { b in
      var i = 0
      while i < b.count {
        let c = b[i]
        if c < 0x80 {
          if (c < 0x20 && c != 0x09) || c == 0x7F || c == 0x7C || c == 0x5C { return true }
        } else if c == 0xC2 {
          if i + 1 < b.count && b[i + 1] >= 0x80 && b[i + 1] <= 0x9F { return true }
        } else if c == 0xE2 {
          if i + 2 < b.count && b[i + 1] == 0x80 && (b[i + 2] == 0xA8 || b[i + 2] == 0xA9) { return true }
        } else if c == 0xEF {
          if i + 2 < b.count && b[i + 1] == 0xBF && (b[i + 2] == 0xBE || b[i + 2] == 0xBF) { return true }
        }
        i += 1
      }
      return false
    }
  }

  /// The runs that carry a published reference, next to their predictions ("" when none).
  package static func references(_ runs: [RunResult]) -> String {
    var s = ""
    let referenced = runs.filter { $0.reference != nil }
    if !referenced.isEmpty {
      s +=
        "\n### Compared with published figures\n\n| run | quantity | published | predicted | error | source |\n|---|---|---:|---:|---:|---|\n"
      for run in referenced {
        guard let ref = run.reference else { continue }
        // Every cell escaped, wherever its text comes from (a source may hold `|`).
        let label = cell(run.label), source = cell(ref.source)
        if let t = ref.tokensPerSecond {
          let p = run.throughput.tokensPerSecond
          s +=
            "| \(label) | tokens/s | \(F.grouped(t)) | \(F.grouped(p)) | \(F.percent(p / t - 1)) | \(source) |\n"
        }
        if let sec = ref.stepSeconds {
          let p = run.throughput.steadyStepSeconds
          s +=
            "| \(label) | seconds per step (no SVD refresh) | \(F.fixed(sec, 3)) | \(F.fixed(p, 3)) | \(F.percent(p / sec - 1)) | \(source) |\n"
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
            "| \(label) | tokens/s ÷ \(cell(base)) | \(F.fixed(published, 2))× | \(F.fixed(predicted, 2))× | \(F.percent(predicted / published - 1)) | \(source) |\n"
        }
        if let mem = ref.memory {
          let p = Double(run.memory.required)
          s +=
            "| \(label) | memory per GPU | \(mem) | \(Bytes(run.memory.required)) | \(F.percent(p / Double(mem.count) - 1)) | \(source) |\n"
        }
      }
    }
    return s
  }

  /// One run's section: inputs, every memory term with its source, the step's time.
  package static func details(_ run: RunResult, to s: inout [UInt8]) {
    s += "\n## \(cell(run.label))\n\n"
    appendInputsLine(run, to: &s)
    s += "\n\n"
    if !run.assumptions.isEmpty { s += assumptionsLine(run.assumptions) + "\n\n" }
    if let line = frameworkLine(run.setup) { s += line + "\n\n" }
    let band = run.band
    s += "How far to trust it: \(band.summary); "
    s += CalibrationRange.notes(run.coverage).joined(separator: "; ")
    s += ".\n\n| term | bytes | GiB | source |\n|---|---:|---:|---|\n"
    for term in run.memoryTerms {
      s += "| \(cell(term.name)) | "
      F.appendInteger(term.bytes, to: &s)
      s += " | "
      F.appendFixed(Double(term.bytes) / 1_073_741_824, 2, to: &s)
      s += " | \(cell(term.source)) |\n"
    }
    if run.memory.narrow { s += "\n" + narrowWarning(run.memory) + "\n" }
    if let warning = band.headroomWarning(run.memory) { s += "\n" + warning + "\n" }
    s += "\n"
    bytesPerParameter(run, to: &s)
    s += "\n\n"
    stepLine(run.throughput, to: &s)
    s += "\n"
    timeTable(run, to: &s)
    if let padding = run.padding { s += "\n\(padding.sentence)\n" }
    let t = run.throughput
    if let h = t.trainHours {
      let tokens = run.setup.tokens.map { NumberFormatting.tokens($0) + " tokens" } ?? "Training"
      let price = run.setup.priceClause
      s += "\nTraining \(tokens)\(price): \(F.fixed(h, 1)) h, \(F.grouped(t.gpuHours ?? 0)) GPU-hours"
      s += (t.cost.map { ", $\(F.grouped($0))" } ?? "") + (run.memory.fits ? "." : " — if it fit; it does not.") + "\n"
    }
    if let plan = run.plan { s += "\nPlan: \(planParts(plan, run.setup)).\n" }
  }

  /// "Per parameter: weights 2.0 B, gradients 2.0 B, optimizer states 4.0 B" — this GPU's
  /// persistent bytes over the model's parameter count (shares, under sharding).
  package static func bytesPerParameter(_ run: RunResult, to s: inout [UInt8]) {
    let p = Double(max(1, run.parameters)), m = run.memory
    func per(_ bytes: Int64) {
      F.appendFixed(Double(bytes) / p, 2, to: &s)
      s += " B"
    }
    s += "Per parameter ("
    s += F.grouped(p)
    s += " parameters): weights "
    per(m.weights)
    s += ", gradients "
    per(m.gradients)
    s += ", optimizer states "
    per(m.states.total)
    s += "; "
    per(m.weights + m.gradients + m.states.total)
    s += " in all."
  }

  /// What a narrow fit leaves to chance.
  package static func narrowWarning(_ m: MemoryEstimate) -> String {
    "**Narrow fit**: \(Bytes(m.headroom)) to spare, within the \(Bytes(m.margin)) margin asked for. Not modelled "
      + "there: NCCL communication buffers, allocator fragmentation beyond the modelled 3%, cuBLAS/cuDNN "
      + "workspaces and anything else running on the GPU."
  }

  /// The step line: "Step 0.455 s = compute … + optimizer … + communication …; tokens/s, MFU".
  package static func stepLine(_ t: ThroughputEstimate, to s: inout [UInt8]) {
    s += "Step "
    F.appendFixed(t.stepSeconds, 3, to: &s)
    s += " s = compute "
    F.appendFixed(t.compute, 3, to: &s)
    s += " s + optimizer "
    F.appendFixed(t.optimizer, 3, to: &s)
    s += " s + communication "
    F.appendFixed(t.communication, 3, to: &s)
    s += " s"
    if t.projectionRefresh > 0 {
      s += " + SVD refresh \(F.fixed(t.projectionRefresh, 3)) s (amortised; a step without one takes "
      s += "\(F.fixed(t.steadyStepSeconds, 3)) s, \(F.grouped(t.tokensPerStep / t.steadyStepSeconds)) tokens/s)"
    }
    s += "; "
    s += F.grouped(t.tokensPerSecond)
    s += " tokens/s ("
    s += F.grouped(t.tokensPerSecondPerGPU)
    s += " per GPU), MFU "
    F.appendFixed(t.mfu * 100, 1, to: &s)
    s += "%"
    s += t.hostBound ? "; host-bound (kernel dispatch outpaces the GPU's work)." : "."
  }

  /// "Assumed, not given:" and a line per default: "- `sequence: 256` — what it means".
  package static func assumptionsLine(_ assumptions: [Assumption]) -> String {
    "Assumed, not given:\n"
      + assumptions.map { "- `\($0.setting.path): \($0.value)` — \($0.meaning)" }.joined(separator: "\n")
  }

  /// "Set by the framework profile `torchtitan`:" and a line per setting it filled, with its
  /// source; nil without a profile.
  package static func frameworkLine(_ setup: TrainingSetup) -> String? {
    guard let framework = setup.framework else { return nil }
    let filled = framework.defaults.filter { setup.frameworkSet.contains($0.setting) }
    var s = "Set by the framework profile `\(framework.rawValue)` (\(framework.summary))"
    if filled.isEmpty { return s + ": nothing, every one of its settings was given." }
    s += ":\n" + filled.map { "- `\($0.setting.path): \($0.value)` — \($0.source)" }.joined(separator: "\n")
    return s
  }

  /// Where the step's time goes, term by term (`RunResult.timeTerms`); zero terms left out,
  /// and nothing when the result carries no time ledger.
  package static func timeTable(_ run: RunResult, to s: inout [UInt8]) {
    guard !run.timeTerms.isEmpty else { return }
    s += "\n| where the step's time goes | seconds | share | source |\n|---|---:|---:|---|\n"
    // Fully hidden collectives stay listed: the table says what overlaps.
    for term in run.timeTerms where term.seconds > 0 || term.hidden > 0 {
      s += "| "
      s += cell(term.name)
      s += " | "
      F.appendFixed(term.seconds, 4, to: &s)
      s += " | "
      F.appendFixed(term.seconds / run.throughput.stepSeconds * 100, 1, to: &s)
      s += "% | "
      s += cell(term.source)
      s += " |\n"
    }
  }

  /// The planner's answers: "largest micro-batch 21, fewest GPUs 2".
  package static func planParts(_ p: Plan, _ setup: TrainingSetup) -> String {
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

  /// The run's inputs as the settings table declares them (`Settings.lineFields`), in its
  /// order: the JSON `inputs` object's fields but the model's and GPU's details, each
  /// `name value`, appended as bytes (every point of a Markdown sweep writes one).
  package static func appendInputsLine(_ run: RunResult, to out: inout [UInt8]) {
    var first = true
    for field in Settings.lineFields {
      guard let value = field.value(run) else { continue }
      if !first { out += ", " }
      first = false
      out += field.name
      out.append(0x20)
      append(value, field.unit, to: &out)
      if let note = field.note { out += " (\(cell(note(run.setup))))" }
    }
  }

  /// A field's value as the Markdown prints it: a number in its unit, else as the JSON writes it.
  private static func append(_ v: FieldValue, _ unit: QuantityKind?, to out: inout [UInt8]) {
    switch v {
    case .integer(let v):
      if let unit { out += Quantity.describe(Double(v), unit) } else { F.appendInteger(v, to: &out) }
    case .number(let v):
      if let unit {
        out += Quantity.describe(v, unit)
      } else {
        let text = v.description
        out += text.hasSuffix(".0") ? String(text.dropLast(2)) : text
      }
    case .text(let v): out += cell(v)
    case .flag(let v): out += v ? "true" : "false"
    }
  }
}

// MARK: - JSON (schema v1)

/// Schema v1, written run by run as bytes: `head`, the runs joined by `separator`, `tail` —
/// the bytes JSONEncoder gave for the whole report (keys sorted: description, runs, scenario,
/// schema), without holding every run at once.
///
/// Each object's keys are written in sorted order.
package enum JSONRenderer {
  package static func render(_ r: Report) -> String {
    head(description: r.description) + r.runs.map(run).joined(separator: separator) + tail(scenario: r.scenario)
  }

  package static func head(description: String?) -> String {
    "{\n" + (description.map { "  \"description\" : \(string($0)),\n" } ?? "") + "  \"runs\" : [\n"
  }

  package static let separator = ",\n"

  package static func tail(scenario: String) -> String {
    "\n  ],\n  \"scenario\" : \(string(scenario)),\n  \"schema\" : 1\n}\n"
  }

  /// A string as a JSON value.
  package static func string(_ s: String) -> String {
    var w = JSONWriter()
    w.value(s)
    return w.text
  }

  /// One run's object, indented as an element of `runs`.
  package static func run(_ run: RunResult) -> String {
    var w = JSONWriter(depth: 2)
    write(run, to: &w)
    return w.text
  }

  /// One run's object appended to `out` (the sweep's workers), indented as an element of `runs`.
  package static func append(_ run: RunResult, to out: inout [UInt8]) {
    var buffer: [UInt8] = []
    swap(&buffer, &out)
    var w = JSONWriter(depth: 2, appendingTo: consume buffer)
    write(run, to: &w)
    swap(&w.bytes, &out)
  }

  package static func write(_ run: RunResult, to w: inout JSONWriter) {
    w.openObject()
    w.key("inputs")
    inputs(run, to: &w)
    w.member("label", run.label)
    w.key("memory")
    results(.memory, run, to: &w)
    if run.plan != nil {
      w.key("plan")
      results(.plan, run, to: &w)
    }
    if let ref = run.reference {
      w.key("reference")
      w.openObject()
      w.member("memory", ref.memory?.count)
      w.member("ratio_to", ref.ratioTo)
      w.member("source", ref.source)
      w.member("step_seconds", ref.stepSeconds)
      w.member("tokens_per_second", ref.tokensPerSecond)
      w.closeObject()
    }
    w.key("throughput")
    results(.throughput, run, to: &w)
    w.closeObject()
  }

  /// One of a run's result objects, from the result table (`ResultColumn`).
  private static func results(_ object: ResultObject, _ run: RunResult, to w: inout JSONWriter) {
    w.openObject()
    for column in ResultColumn.json(object) {
      let key = column.json!.key
      if let write = column.writeJSON {
        write(run, key, &w)
      } else if let value = column.value(run) {
        w.key(key)
        w.value(value)
      }
    }
    w.closeObject()
  }

  /// The time ledger as the Markdown table lists it: the terms with time on the step or hidden.
  ///
  /// Each term's name, its seconds on the step and, for a collective, the seconds hidden behind
  /// compute. Sources are the Markdown's: repeated for every point they would make a sweep's
  /// JSON half as large again.
  package static func timeTerms(_ terms: [TimeTerm], to w: inout JSONWriter) {
    w.openArray()
    for term in terms where term.seconds > 0 || term.hidden > 0 {
      w.openObject()
      if term.hidden > 0 { w.member("hidden_seconds", term.hidden) }
      w.member("name", term.name.trimmingSpaces)
      w.member("seconds", term.seconds)
      w.closeObject()
    }
    w.closeArray()
  }

  /// The memory ledger: each term's bytes, name and source.
  package static func terms(_ terms: [MemoryTerm], to w: inout JSONWriter) {
    w.openArray()
    for term in terms {
      w.openObject()
      w.member("bytes", term.bytes)
      w.member("name", term.name.trimmingSpaces)
      w.member("source", term.source)
      w.closeObject()
    }
    w.closeArray()
  }

  /// Every resolved input of a run, presets expanded (`Settings.inputFields`).
  package static func inputs(_ run: RunResult, to w: inout JSONWriter) {
    w.openObject()
    for field in Settings.inputFields {
      guard let value = field.value(run) else { continue }
      w.key(field.name)
      w.value(value)
    }
    w.closeObject()
  }

  /// A layout as data: the degrees, the data-parallel mode, recomputation, micro-batch, tokens/s
  /// and whether it is rated above every published run on its GPU family (a run's `solve:
  /// layout` answer, and `fit`'s layouts).
  package static func layout(_ l: Layout, to w: inout JSONWriter) {
    let s = l.setup
    w.openObject()
    w.member("above_published_mfu", l.abovePublishedMFU)
    w.member(SettingID.checkpointing.path, s.checkpointing.rawValue)
    w.member(SettingID.contextParallel.path, s.modelParallel.context)
    w.member("data_parallel", s.dataParallel)
    w.member(SettingID.microBatch.path, s.microBatch)
    w.member(SettingID.parallel.path, s.parallel.rawValue)
    w.member(SettingID.pipelineParallel.path, s.modelParallel.pipeline)
    w.member("required_bytes", l.memory.required)
    w.member(SettingID.sequenceParallel.path, s.modelParallel.sequenceParallel)
    w.member(SettingID.tensorParallel.path, s.modelParallel.tensor)
    w.member("tokens_per_second", l.tokensPerSecond)
    w.closeObject()
  }
}

// MARK: - JSON Lines

/// JSON Lines (jsonlines.org): a line per run, `{"run":{…},"scenario":"…","schema":1}`, the
/// run's object exactly as the JSON report's `runs` holds it, written compact — so a sweep of
/// any size streams into `jq`, pandas (`read_json(lines=True)`) or a database line by line.
package enum JSONLinesRenderer {
  package static func render(_ r: Report) -> String {
    var out: [UInt8] = []
    for run in r.runs { append(run, scenario: r.scenario, to: &out) }
    return String(decoding: out, as: UTF8.self)
  }

  /// One run's line appended to `out` (the sweep's workers write these).
  package static func append(_ run: RunResult, scenario: String, to out: inout [UInt8]) {
    var buffer: [UInt8] = []
    swap(&buffer, &out)
    var w = JSONWriter(compact: true, appendingTo: consume buffer)
    w.openObject()
    w.key("run")
    JSONRenderer.write(run, to: &w)
    w.member("scenario", scenario)
    w.member("schema", Int64(1))
    w.closeObject()
    swap(&w.bytes, &out)
    out.append(0x0A)
  }
}

// MARK: - CSV (RFC 4180)

package enum CSVRenderer {
  /// The label, each setting's column (declared in `Settings`), then the results.
  package static let header =
    (["label"] + Settings.csvColumns.map(\.name) + ResultColumn.csv.map { $0.csv! }).joined(separator: ",") + "\n"

  /// RFC 4180 quoting, only when the field needs it (checked on UTF-8 bytes: no Foundation
  /// string search in the sweep's inner loop).
  package static func field(_ s: String) -> String {
    var bytes: [UInt8] = []
    appendField(s, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  package static func appendField(_ s: String, to out: inout [UInt8]) {
    // Control characters (from a label) are shown as `\u{1B}`, never written raw.
    if anyByte(of: s, where: { $0 < 0x20 || $0 == 0x7F || $0 >= 0xC2 }), s.unicodeScalars.contains(where: isControl) {
      appendField(visible(s), to: &out)
      return
    }
    guard anyByte(of: s, where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else {
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

  package static func row(_ run: RunResult) -> String {
    var bytes: [UInt8] = []
    appendField(run.label, to: &bytes)
    appendRow(run, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// A sweep point's row: its label from the sweep's label pieces, then the rest.
  package static func appendRow(_ run: RunResult, labels: LabelBytes, index: Int, to out: inout [UInt8]) {
    labels.append(index, to: &out)
    appendRow(run, to: &out)
  }

  /// One row after its label, as bytes: the sweep writes every worker's rows into one buffer,
  /// with no string per row or per number.
  package static func appendRow(_ run: RunResult, to out: inout [UInt8]) {
    let s = run.setup
    let comma: UInt8 = 0x2C
    for column in Settings.csvColumns {
      out.append(comma)
      column.cell.append(s, to: &out)
    }
    for column in ResultColumn.csv {
      out.append(comma)
      switch column.value(run) {
      case .integer(let v): F.appendInteger(v, to: &out)
      case .number(let v): F.appendFixed(v, column.digits, to: &out)
      case .flag(let v): out.append(contentsOf: (v ? "true" : "false").utf8)
      case .text(let v) where column.word: out.append(contentsOf: v.utf8)
      case .text(let v): appendField(v, to: &out)
      case nil: break
      }
    }
    out.append(0x0A)
  }

  package static func render(_ r: Report) -> String { header + r.runs.map(row).joined() }
}
