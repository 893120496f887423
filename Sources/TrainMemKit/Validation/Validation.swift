import Foundation

// `trainmem validate`: every published or measured figure in seeds/*.tsv is predicted and
// compared. A figure's `accounting` says how its source counted: the paper's own formula
// (to check the arithmetic) or what the code allocates (what trainmem predicts for a run).

/// One reference figure.
struct Figure: Sendable {
  var id: String
  var source: String
  /// What is measured; see `Validation.predict`.
  var quantity: String
  var value: Double
  var unit: String
  /// Relative tolerance (0.05 = 5%), or absolute in `unit` when `absolute`.
  var tolerance: Double
  var absolute: Bool
  /// `check`: must be within tolerance; `gap`: a known, explained disagreement (shown, never fails).
  var expect: String
  var accounting: String
  var conditions: [(String, String)]
  var note: String
  var line: Int
}

struct FigureResult: Sendable {
  var figure: Figure
  var predicted: Double
  var error: Double
  var within: Bool
  /// What the real code allocates where the accounting is a paper's formula.
  var codeAllocates: Double?
}

enum Validation {
  static let columns = ["id", "source", "quantity", "value", "unit", "tolerance", "expect", "accounting", "conditions", "note"]

  /// Parses a TSV seed file: a header line naming `columns`, `#` comments, tab-separated rows.
  static func parse(_ text: String, file: String) throws(ScenarioErrors) -> [Figure] {
    var figures: [Figure] = []
    var errors: [ScenarioError] = []
    var header: [String]?
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = String(raw)
      if line.isEmpty || line.hasPrefix("#") { continue }
      let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard let h = header else {
        if f != columns { errors.append(ScenarioError(location: SourceLocation(file: file, line: n + 1, column: 1), message: "expected the header '\(columns.joined(separator: "\\t"))'")) ; break }
        header = f
        continue
      }
      _ = h
      let loc = SourceLocation(file: file, line: n + 1, column: 1)
      guard f.count == columns.count else {
        errors.append(ScenarioError(location: loc, message: "expected \(columns.count) tab-separated fields, got \(f.count)")); continue
      }
      guard let value = Double(f[3]) else { errors.append(ScenarioError(location: loc, message: "value '\(f[3])' is not a number")); continue }
      var tol = f[5]
      let absolute = !tol.hasSuffix("%")
      if !absolute { tol.removeLast() }
      guard let t = Double(tol) else { errors.append(ScenarioError(location: loc, message: "tolerance '\(f[5])' is not a number or percentage")); continue }
      let conds = f[8].split(separator: ";").compactMap { kv -> (String, String)? in
        let p = kv.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
        return p.count == 2 ? (p[0], p[1]) : nil
      }
      guard quantities.contains(f[2]) else {
        errors.append(ScenarioError(location: loc, message: "unknown quantity '\(f[2])'\(suggestion(f[2], quantities))")); continue
      }
      figures.append(Figure(id: f[0], source: f[1], quantity: f[2], value: value, unit: f[4], tolerance: absolute ? t : t / 100, absolute: absolute, expect: f[6], accounting: f[7], conditions: conds, note: f[9], line: n + 1))
    }
    for f in figures {
      if let id = ratioBaseline(f), !figures.contains(where: { $0.id == id }) {
        errors.append(ScenarioError(location: SourceLocation(file: file, line: f.line, column: 1), message: "'ratio_to=\(id)' names no figure in this file\(suggestion(id, figures.map(\.id)))"))
      }
    }
    if !errors.isEmpty { throw ScenarioErrors(errors: errors) }
    return figures
  }

  /// Every quantity `predict` knows.
  static let quantities = [
    "paper_weights_states", "paper_states", "optimizer_states", "weights", "peak_allocated", "reserved",
    "total_memory", "fits", "max_micro_batch", "tokens_per_second", "steady_tokens_per_second",
    "step_seconds", "steady_step_seconds", "backward_seconds", "tokens_per_second_ratio",
    "optimizer_step_seconds", "svd_refresh_seconds", "parameters",
  ]

  /// The setup a figure's conditions describe (scenario keys, optimizer settings flat).
  /// `ratio_to` names the figure whose setup is the denominator of a `tokens_per_second_ratio`.
  static func setup(_ f: Figure) -> Result<TrainingSetup, ScenarioErrors> {
    ScenarioLoader.setup(pairs: f.conditions.filter { $0.0 != "ratio_to" }, file: "\(f.id) (line \(f.line))")
  }

  static func ratioBaseline(_ f: Figure) -> String? { f.conditions.first { $0.0 == "ratio_to" }?.1 }

  /// Paper accounting of optimizer states in elements (GaLore T1, APOLLO T1, Fira T2):
  /// AdamW 2mn; GaLore mr + 2nr (m ≤ n); APOLLO 2nr; APOLLO-Mini 2n; regular tensors 2mn when
  /// `withRegular` (GaLore's tables) and not at all otherwise (APOLLO Table 2's Mini column and
  /// Table 3).
  static func paperStateElements(_ s: TrainingSetup, withRegular: Bool, withProjection: Bool) -> Double {
    let inv = ParameterInventory(s.model)
    let r = Double(s.rank)
    var total = 0.0
    for t in inv.tensors {
      let m = Double(t.minSide), n = Double(t.maxSide), c = Double(t.count)
      if s.optimizer.kind.isLowRank && t.group == .lowRank {
        total += c * (2 * n * r + (withProjection ? m * r : 0))
      } else if !s.optimizer.kind.isLowRank || withRegular {
        total += c * 2 * Double(t.elements)
      }
    }
    return total
  }

  static func scale(_ unit: String) -> Double {
    switch unit {
    case "GB", "G": return 1e9
    case "GiB": return 1_073_741_824
    case "MB": return 1e6
    case "s": return 1
    default: return 1
    }
  }

  /// Predicts a figure in its own accounting and unit; `codeAllocates` for paper accountings.
  /// `baseline` is the setup of the figure named by `ratio_to`, for ratio quantities.
  static func predict(_ f: Figure, _ s: TrainingSetup, baseline: TrainingSetup? = nil) -> (Double, Double?) {
    let u = scale(f.unit)
    let inv = ParameterInventory(s.model)
    let weights = Double(inv.parameters) * 2
    switch f.quantity {
    case "paper_weights_states":
      // GaLore Table 2 / APOLLO Table 2: weights + optimizer states, bf16.
      let withRegular = f.accounting.contains("regular states counted")
      let withProj = f.accounting.contains("projection counted")
      let v = (weights + 2 * paperStateElements(s, withRegular: withRegular, withProjection: withProj)) / u
      return (v, Double(MemoryModel.weightBytes(s, inv) + MemoryModel.estimate(s).states.total) / u)
    case "paper_states":
      let withRegular = f.accounting.contains("regular states counted")
      let withProj = f.accounting.contains("projection counted")
      let bytesPerState = f.accounting.contains("8-bit") ? 1.0 : 2.0
      return (bytesPerState * paperStateElements(s, withRegular: withRegular, withProjection: withProj) / u, Double(MemoryModel.estimate(s).states.total) / u)
    case "optimizer_states": return (Double(MemoryModel.estimate(s).states.total) / u, nil)
    case "weights": return (Double(MemoryModel.weightBytes(s, inv)) / u, nil)
    case "peak_allocated": return (Double(MemoryModel.estimate(s).peak) / u, nil)
    case "reserved": return (Double(MemoryModel.estimate(s).reserved) / u, nil)
    case "total_memory": return (Double(MemoryModel.estimate(s).required) / u, nil)
    case "fits": return (MemoryModel.estimate(s).fits ? 1 : 0, nil)
    case "max_micro_batch": return (Double(Planner.maxMicroBatch(s) ?? 0), nil)
    case "tokens_per_second": return (ThroughputModel.estimate(s).tokensPerSecond, nil)
    case "steady_tokens_per_second":
      let t = ThroughputModel.estimate(s)
      return (t.tokensPerStep / t.steadyStepSeconds, nil)
    case "step_seconds": return (ThroughputModel.estimate(s).stepSeconds, nil)
    case "steady_step_seconds": return (ThroughputModel.estimate(s).steadyStepSeconds, nil)
    case "backward_seconds":
      // Backward runs two of each matmul's three passes: two thirds of forward + backward.
      return (ThroughputModel.estimate(s).compute * 2 / 3, nil)
    case "tokens_per_second_ratio":
      // Job tokens/s of this setup over that of the figure named by `ratio_to`.
      guard let b = baseline else { return (.nan, nil) }
      return (ThroughputModel.estimate(s).tokensPerSecond / ThroughputModel.estimate(b).tokensPerSecond, nil)
    case "optimizer_step_seconds":
      // `optimizer.step()` averaged over steps, projection refreshes included (APOLLO Table 7).
      let t = ThroughputModel.estimate(s)
      return (t.optimizer + t.projectionRefresh, nil)
    case "svd_refresh_seconds":
      return (ThroughputModel.refreshSeconds(s, inv) * Double(s.optimizer.updateInterval), nil)
    case "parameters": return (Double(inv.parameters) / (f.unit == "M" ? 1e6 : 1), nil)
    default: return (.nan, nil)
    }
  }

  static func check(_ figures: [Figure]) -> [FigureResult] {
    figures.map { f in
      switch setup(f) {
      case .failure:
        return FigureResult(figure: f, predicted: .nan, error: .nan, within: false)
      case .success(let s):
        let base = ratioBaseline(f).flatMap { id in figures.first { $0.id == id } }
          .flatMap { try? setup($0).get() }
        let (p, code) = predict(f, s, baseline: base)
        let err = f.absolute ? p - f.value : (p - f.value) / f.value
        let within = p.isFinite && abs(err) <= f.tolerance + 1e-12
        return FigureResult(figure: f, predicted: p, error: err, within: within, codeAllocates: code)
      }
    }
  }

  static func markdown(_ results: [FigureResult]) -> String {
    var s = "# trainmem validate\n\n| figure | source | published | predicted | error | tolerance | verdict |\n|---|---|---:|---:|---:|---:|---|\n"
    for r in results {
      let f = r.figure
      let err = f.absolute ? (r.error >= 0 ? "+" : "") + NumberFormatting.fixed(r.error, 3) + " " + f.unit : NumberFormatting.percent(r.error)
      let tol = f.absolute ? "±" + NumberFormatting.fixed(f.tolerance, 3) + " " + f.unit : "±" + NumberFormatting.fixed(f.tolerance * 100, 1) + "%"
      let verdict = r.within ? "ok" : (f.expect == "gap" ? "known gap" : "**FAIL**")
      s += "| \(f.id) | \(f.source) | \(fmt(f.value)) \(f.unit) | \(fmt(r.predicted)) \(f.unit) | \(err) | \(tol) | \(verdict) |\n"
    }
    s += "\n## By source\n\nErrors are over the checked relative figures (known gaps are listed, not averaged).\n\n| source | figures | within tolerance | known gaps | mean abs error | max abs error |\n|---|---:|---:|---:|---:|---:|\n"
    var sources: [String] = []
    for r in results where !sources.contains(sourceKey(r.figure.source)) { sources.append(sourceKey(r.figure.source)) }
    for src in sources {
      let rs = results.filter { sourceKey($0.figure.source) == src }
      let rel = rs.filter { !$0.figure.absolute && $0.error.isFinite && $0.figure.expect != "gap" }.map { abs($0.error) }
      let mean = rel.isEmpty ? "–" : NumberFormatting.fixed(rel.reduce(0, +) / Double(rel.count) * 100, 1) + "%"
      let mx = rel.isEmpty ? "–" : NumberFormatting.fixed((rel.max() ?? 0) * 100, 1) + "%"
      s += "| \(src) | \(rs.count) | \(rs.filter(\.within).count) | \(rs.filter { !$0.within && $0.figure.expect == "gap" }.count) | \(mean) | \(mx) |\n"
    }
    let gaps = results.filter { $0.figure.expect == "gap" || $0.codeAllocates != nil }
    if !gaps.isEmpty {
      s += "\n## Where the paper's accounting and the code differ\n\n"
      for r in gaps {
        var line = "- **\(r.figure.id)**: \(r.figure.note)"
        if let c = r.codeAllocates { line += " The code allocates \(fmt(c)) \(r.figure.unit)." }
        s += line + "\n"
      }
    }
    return s
  }

  static func sourceKey(_ s: String) -> String { String(s.split(separator: " ").first ?? Substring(s)) }
  static func fmt(_ v: Double) -> String {
    guard v.isFinite else { return "n/a" }
    if abs(v) >= 1000 { return NumberFormatting.grouped(v) }
    return NumberFormatting.fixed(v, abs(v) < 10 ? 3 : 2)
  }

  struct JSONOut: Encodable {
    struct Fig: Encodable {
      var id, source, quantity, unit, accounting, verdict: String
      var published: Double
      var predicted: Double?
      var error: Double?
      var tolerance: Double
      var code_allocates: Double?
    }
    var figures: [Fig]
    var failed: Int
  }

  static func json(_ results: [FigureResult]) -> String {
    let figs = results.map { r in
      JSONOut.Fig(id: r.figure.id, source: r.figure.source, quantity: r.figure.quantity, unit: r.figure.unit, accounting: r.figure.accounting,
                  verdict: r.within ? "ok" : (r.figure.expect == "gap" ? "known_gap" : "fail"), published: r.figure.value,
                  predicted: r.predicted.isFinite ? r.predicted : nil, error: r.error.isFinite ? r.error : nil,
                  tolerance: r.figure.tolerance, code_allocates: r.codeAllocates)
    }
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let out = JSONOut(figures: figs, failed: results.filter { !$0.within && $0.figure.expect != "gap" }.count)
    return (try? e.encode(out)).flatMap { String(data: $0, encoding: .utf8) }.map { $0 + "\n" } ?? "{}\n"
  }
}

enum ValidateCommand {
  static func run(_ args: [String], _ out: inout some TextOutputStream, _ err: inout some TextOutputStream) throws -> Int32 {
    let a = try Arguments(args, valued: ["format"], boolean: [])
    let format = try a.format(allowed: [.md, .json])
    let dir = a.positionals.first ?? "seeds"
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
      throw UsageError(message: "cannot read the folder '\(dir)'; run from the project root or pass the seeds folder")
    }
    var figures: [Figure] = []
    var bad = false
    for name in names.sorted() where name.hasSuffix(".tsv") {
      let path = (dir as NSString).appendingPathComponent(name)
      let text = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) } ?? ""
      do { figures += try Validation.parse(text, file: path) } catch {
        bad = true
        for e in error.errors { err.write(e.rendered(source: text.split(separator: "\n", omittingEmptySubsequences: false))) }
      }
    }
    if bad { return ExitStatus.dataError }
    if figures.isEmpty { throw UsageError(message: "no *.tsv figures in '\(dir)'") }
    let results = Validation.check(figures)
    out.write(format == .json ? Validation.json(results) : Validation.markdown(results))
    let failed = results.filter { !$0.within && $0.figure.expect != "gap" }
    for f in failed {
      err.write("error: figure '\(f.figure.id)' (\(f.figure.source)): published \(Validation.fmt(f.figure.value)) \(f.figure.unit), predicted \(Validation.fmt(f.predicted)) \(f.figure.unit), outside its tolerance\n")
    }
    return failed.isEmpty ? ExitStatus.ok : ExitStatus.checkFailed
  }
}
