import Foundation
import TrainMemCore

/// `trainmem validate`'s report: every figure with its verdict, per-source summaries, and where a
/// paper's accounting and its code differ.
package enum ValidationRenderer {
  package static func markdown(_ results: [FigureResult]) -> String {
    var s =
      "# trainmem validate\n\n| figure | source | published | predicted | error | tolerance | verdict |\n|---|---|---:|---:|---:|---:|---|\n"
    for r in results {
      let f = r.figure
      let err =
        f.absolute
        ? (r.error >= 0 ? "+" : "") + NumberFormatting.fixed(r.error, 3) + " " + f.unit
        : (r.error.isFinite ? NumberFormatting.percent(r.error) : "n/a")
      // A bound (`at_most`) admits any shortfall: only its upper side is a tolerance.
      let side = f.expect == .atMost ? "≤ +" : "±"
      let tol =
        f.absolute
        ? side + NumberFormatting.fixed(f.tolerance, 3) + " " + f.unit
        : side + NumberFormatting.fixed(f.tolerance * 100, 1) + "%"
      let verdict = r.within ? "ok" : (f.expect == .gap ? "known gap" : "**FAIL**")
      s +=
        "| \(MarkdownRenderer.cell(f.id)) | \(MarkdownRenderer.cell(f.source)) | \(fmt(f.value)) \(f.unit) | \(fmt(r.predicted)) \(f.unit) | \(err) | \(tol) | \(verdict) |\n"
    }
    s +=
      "\n## By source\n\nErrors are over the checked relative figures (known gaps are listed, not averaged).\n\n| source | figures | within tolerance | known gaps | mean abs error | max abs error |\n|---|---:|---:|---:|---:|---:|\n"
    // Results grouped by source in one pass, sources in order of first appearance.
    var sources: [String] = []
    var bySource: [String: [FigureResult]] = [:]
    for r in results {
      let key = sourceKey(r.figure.source)
      if bySource[key] == nil { sources.append(key) }
      bySource[key, default: []].append(r)
    }
    for src in sources {
      let rs = bySource[src] ?? []
      let rel = rs.filter { !$0.figure.absolute && $0.error.isFinite && $0.figure.expect != .gap }.map {
        abs($0.error)
      }
      let mean = rel.isEmpty ? "–" : NumberFormatting.fixed(rel.reduce(0, +) / Double(rel.count) * 100, 1) + "%"
      let mx = rel.isEmpty ? "–" : NumberFormatting.fixed((rel.max() ?? 0) * 100, 1) + "%"
      s +=
        "| \(MarkdownRenderer.cell(src)) | \(rs.count) | \(rs.filter(\.within).count) | \(rs.filter { !$0.within && $0.figure.expect == .gap }.count) | \(mean) | \(mx) |\n"
    }
    let gaps = results.filter { $0.figure.expect == .gap || $0.codeAllocates != nil }
    if !gaps.isEmpty {
      s += "\n## Where the paper's accounting and the code differ\n\n"
      for r in gaps {
        var line = "- **\(MarkdownRenderer.cell(r.figure.id))**: \(MarkdownRenderer.cell(r.figure.note))"
        if let c = r.codeAllocates { line += " The code allocates \(fmt(c)) \(r.figure.unit)." }
        s += line + "\n"
      }
    }
    return s
  }

  package static func sourceKey(_ s: String) -> String { String(s.split(separator: " ").first ?? Substring(s)) }
  package static func fmt(_ v: Double) -> String {
    guard v.isFinite else { return "n/a" }
    if abs(v) >= 1000 { return NumberFormatting.grouped(v) }
    return NumberFormatting.fixed(v, abs(v) < 10 ? 3 : 2)
  }

  /// `validate --format json`: every figure with its verdict, and the count of failures.
  package static func json(_ results: [FigureResult]) -> String {
    var w = JSONWriter()
    w.openObject()
    w.member("failed", Int64(results.filter { !$0.within && $0.figure.expect != .gap }.count))
    w.key("figures")
    w.openArray()
    for r in results {
      w.openObject()
      w.member("accounting", r.figure.accounting)
      w.member("code_allocates", r.codeAllocates)
      w.member("error", r.error.isFinite ? r.error : nil)
      w.member("id", r.figure.id)
      w.member("predicted", r.predicted.isFinite ? r.predicted : nil)
      w.member("published", r.figure.value)
      w.member("quantity", r.figure.quantity.rawValue)
      w.member("source", r.figure.source)
      w.member("tolerance", r.figure.tolerance)
      w.member("unit", r.figure.unit)
      w.member("verdict", r.within ? "ok" : (r.figure.expect == .gap ? "known_gap" : "fail"))
      w.closeObject()
    }
    w.closeArray()
    w.closeObject()
    return w.text + "\n"
  }
}
