import TrainMemCore

// A stacked bar per run (memory terms against the GPU's capacity line) and a tokens/s bar
// chart. Plain SVG 1.1, fixed coordinates, no scripts: opens in any browser.

package enum SVGRenderer {
  package static let palette = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f", "#bab0ac",
  ]

  /// XML text: markup characters escaped, and control characters (which XML 1.0 forbids) shown
  /// as `\u{1B}`.
  package static func escape(_ s: String) -> String {
    var o = ""
    for c in visible(s) {
      switch c {
      case "&": o += "&amp;"
      case "<": o += "&lt;"
      case ">": o += "&gt;"
      case "\"": o += "&quot;"
      default: o.append(c)
      }
    }
    return o
  }

  /// A sweep as grids of cells (`HeatMap`): tokens/s written in cells shaded blue where the
  /// run fits (darker is faster), grey "×" where it does not; up to three grids side by side.
  package static func heatMap(_ map: HeatMap) -> String {
    let g = HeatMapGeometry(map)
    let best = map.cells.filter(\.fits).map(\.tokensPerSecond).max() ?? 1
    var s = svgHeader(width: g.width, height: g.height, fontSize: 11)
    s += "<text x=\"20\" y=\"28\" font-size=\"16\" font-weight=\"bold\">\(escape(map.title))</text>\n"
    s += "<text x=\"20\" y=\"50\" fill=\"#555\">tokens/s of the whole job where the run fits (darker is faster, "
    s += "best \(NumberFormatting.grouped(best))); grey ×: does not fit"
    s += g.labelled ? "; below it, the memory each GPU needs</text>\n" : "</text>\n"
    var first = 0
    for (i, panel) in map.panels.enumerated() {
      let origin = g.origin(i)
      let count = panel.rows.count * panel.columns.count
      s += heatPanel(panel, cells: map.cells[first..<min(map.cells.count, first + count)], at: origin, g, best: best)
      first += count
    }
    return s + "</svg>\n"
  }

  /// One grid at `origin` (its top-left, above the column labels).
  private static func heatPanel(
    _ panel: HeatMap.Panel, cells: ArraySlice<HeatMap.Cell>, at origin: (x: Double, y: Double),
    _ g: HeatMapGeometry, best: Double
  ) -> String {
    var s = ""
    let left = origin.x + g.rowLabelWidth, top = origin.y + g.panelHeader
    if let title = panel.title {
      s += "<text x=\"\(F(origin.x))\" y=\"\(F(origin.y + 12))\" font-weight=\"bold\">\(escape(title))</text>\n"
    }
    s += "<text x=\"\(F(left))\" y=\"\(F(top - 22))\" fill=\"#555\">\(escape(panel.columnKey)) →</text>\n"
    s += "<text x=\"\(F(origin.x))\" y=\"\(F(top - 6))\" fill=\"#555\">\(escape(panel.rowKey)) ↓</text>\n"
    for (c, value) in panel.columns.enumerated() {
      let x = left + (Double(c) + 0.5) * g.cellWidth
      s += "<text x=\"\(F(x))\" y=\"\(F(top - 6))\" text-anchor=\"middle\" font-size=\"9\">"
      s += "\(escape(String(value.prefix(g.columnChars))))</text>\n"
    }
    let size = "width=\"\(F(g.cellWidth - 1))\" height=\"\(F(g.cellHeight - 1))\""
    for (r, value) in panel.rows.enumerated() {
      let y = top + Double(r) * g.cellHeight
      s += "<text x=\"\(F(left - 6))\" y=\"\(F(y + g.cellHeight * 0.65))\" text-anchor=\"end\">"
      s += "\(escape(String(value.prefix(24))))</text>\n"
      for c in 0..<panel.columns.count {
        let index = cells.startIndex + r * panel.columns.count + c
        guard index < cells.endIndex else { break }
        let point = cells[index]
        let x = left + Double(c) * g.cellWidth
        let cx = "x=\"\(F(x + g.cellWidth / 2 - 0.5))\""
        let upper = "\(cx) y=\"\(F(y + (g.labelled ? 12 : g.cellHeight * 0.65)))\" text-anchor=\"middle\""
        let lower = "\(cx) y=\"\(F(y + 24))\" text-anchor=\"middle\" font-size=\"8\""
        let needs = escape(Bytes(point.required).description)
        if point.fits {
          let share = min(1, point.tokensPerSecond / best)
          let shade = NumberFormatting.fixed(0.15 + 0.85 * share, 2)
          s += "<rect x=\"\(F(x))\" y=\"\(F(y))\" \(size) fill=\"#08519c\" fill-opacity=\"\(shade)\">"
          s += "<title>\(NumberFormatting.grouped(point.tokensPerSecond)) tokens/s, needs \(needs)</title></rect>\n"
          if g.labelled {
            let ink = share > 0.45 ? "#ffffff" : "#08306b"
            s += "<text \(upper) font-size=\"9\" fill=\"\(ink)\">\(compact(point.tokensPerSecond))</text>\n"
            s += "<text \(lower) fill=\"\(ink)\">\(needs)</text>\n"
          }
        } else {
          s +=
            "<rect x=\"\(F(x))\" y=\"\(F(y))\" \(size) fill=\"#d9d9d9\"><title>does not fit: needs \(needs)</title></rect>\n"
          s += "<text \(upper) font-size=\"10\" fill=\"#888\">×</text>\n"
          if g.labelled { s += "<text \(lower) fill=\"#888\">\(needs)</text>\n" }
        }
      }
    }
    return s
  }

  /// "12.3k", "1.2M", "873": a tokens/s figure short enough for a cell.
  package static func compact(_ v: Double) -> String {
    if v >= 1e6 { return NumberFormatting.fixed(v / 1e6, v >= 1e7 ? 0 : 1) + "M" }
    if v >= 1e3 { return NumberFormatting.fixed(v / 1e3, v >= 1e4 ? 0 : 1) + "k" }
    return NumberFormatting.fixed(v, 0)
  }

  package static func svgHeader(width: Double, height: Double, fontSize: Int) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" "
      + "viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" "
      + "font-size=\"\(fontSize)\">\n<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
  }

  package static func segments(_ r: RunResult) -> [(String, Int64)] {
    let m = r.memory
    return [
      ("weights", m.weights + m.weightCopies), ("gradients", m.gradientsHeld + m.gradientBuckets),
      ("optimizer states", m.states.total), ("activations", m.activations), ("logits/loss", m.logits),
      ("transient", m.transient), ("fragmentation", m.fragmentation), ("CUDA context", m.context),
    ]
  }

  package static func render(_ report: Report) -> String {
    let runs = report.runs
    let (labels, shared) = shortLabels(runs.map(\.label))
    let barH = 26.0, gap = 12.0, plotW = 560.0, top = 70.0
    // The label column fits the longest label (about 6.6 px per character at 12 px).
    let longest = labels.map { truncate($0).count }.max() ?? 10
    let left = 30 + 6.6 * Double(max(12, longest))
    let memH = Double(runs.count) * (barH + gap)
    let tpTop = top + memH + 110
    let height = tpTop + Double(runs.count) * (barH + gap) + 60
    // Wide enough for the title too (about 9.5 px per character of 16 px bold).
    let width = max(left + plotW + 170, 9.5 * Double(report.scenario.count) + 40)
    // The axis stops at three times the largest GPU memory: a run needing far more (DDP of a 70B
    // model: 1.6 TiB) is cut at the edge with its total written, so the runs that fit stay legible.
    let capacityMax = Double(runs.map(\.memory.capacity).max() ?? 1)
    let maxBytes = min(Double(runs.map { max($0.memory.required, $0.memory.capacity) }.max() ?? 1), 3 * capacityMax)
    let maxTP = runs.map(\.throughput.tokensPerSecond).max() ?? 1
    var s =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
    s += "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n"
    s += "<text x=\"20\" y=\"28\" font-size=\"16\" font-weight=\"bold\">\(escape(report.scenario))</text>\n"
    let common = shared.isEmpty ? "" : " · every run: " + escape(shared.joined(separator: ", "))
    s +=
      "<text x=\"20\" y=\"50\" fill=\"#555\">Memory per GPU at the peak (GiB); the red line is the GPU's memory\(common)</text>\n"
    // Legend.
    var lx = left
    for (i, (name, _)) in segments(runs.first!).enumerated() {
      s +=
        "<rect x=\"\(F(lx))\" y=\"56\" width=\"10\" height=\"10\" fill=\"\(palette[i])\"/><text x=\"\(F(lx + 14))\" y=\"65\" font-size=\"10\">\(name)</text>\n"
      lx += Double(name.count) * 5.6 + 28
    }
    for (row, run) in runs.enumerated() {
      let y = top + 8 + Double(row) * (barH + gap)
      s +=
        "<text x=\"\(F(left - 8))\" y=\"\(F(y + barH * 0.65))\" text-anchor=\"end\">\(escape(truncate(labels[row])))</text>\n"
      var x = left
      // A run that does not fit is drawn faded, so it never reads as a plan.
      let faded = run.memory.fits ? "" : " fill-opacity=\"0.35\""
      for (i, (name, bytes)) in segments(run).enumerated() where bytes > 0 && x < left + plotW {
        let w = min(Double(bytes) / maxBytes * plotW, left + plotW - x)
        s +=
          "<rect x=\"\(F(x))\" y=\"\(F(y))\" width=\"\(F(w))\" height=\"\(F(barH))\" fill=\"\(palette[i])\"\(faded)><title>\(name): \(escape(Bytes(bytes).description))</title></rect>\n"
        x += w
      }
      if Double(run.memory.required) > maxBytes {
        // Cut: two white slashes across the bar's end.
        let cut = left + plotW - 14
        s +=
          "<path d=\"M\(F(cut)) \(F(y + barH + 2)) l8 \(F(-barH - 4)) M\(F(cut + 6)) \(F(y + barH + 2)) l8 \(F(-barH - 4))\" stroke=\"#ffffff\" stroke-width=\"3\"/>\n"
      }
      let cap = left + Double(run.memory.capacity) / maxBytes * plotW
      s +=
        "<line x1=\"\(F(cap))\" y1=\"\(F(y - 4))\" x2=\"\(F(cap))\" y2=\"\(F(y + barH + 4))\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
      let verdict = run.memory.fits ? "fits" : "does not fit"
      s +=
        "<text x=\"\(F(max(x, cap) + 6))\" y=\"\(F(y + barH * 0.65))\" fill=\"\(run.memory.fits ? "#2a7a2a" : "#c0392b")\">\(NumberFormatting.fixed(Bytes(run.memory.required).gib, 1)) GiB, \(verdict)</text>\n"
    }
    // GiB axis under the memory bars, with light grid lines.
    let axisY = top + 8 + memH
    let step = tickStep(maxBytes / 1_073_741_824)
    var tick = 0.0
    while tick * 1_073_741_824 <= maxBytes {
      let x = left + tick * 1_073_741_824 / maxBytes * plotW
      s +=
        "<line x1=\"\(F(x))\" y1=\"\(F(top))\" x2=\"\(F(x))\" y2=\"\(F(axisY))\" stroke=\"#ddd\" stroke-width=\"1\"/>\n"
      s +=
        "<text x=\"\(F(x))\" y=\"\(F(axisY + 14))\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">\(NumberFormatting.fixed(tick, tick == tick.rounded() ? 0 : 1))</text>\n"
      tick += step
    }
    s +=
      "<text x=\"\(F(left + plotW / 2))\" y=\"\(F(axisY + 30))\" text-anchor=\"middle\" font-size=\"10\" fill=\"#555\">GiB per GPU</text>\n"
    s += "<text x=\"20\" y=\"\(F(tpTop - 20))\" fill=\"#555\">Throughput of the whole job (tokens/s)</text>\n"
    for (row, run) in runs.enumerated() {
      let y = tpTop + Double(row) * (barH + gap)
      let w = run.throughput.tokensPerSecond / maxTP * plotW
      s +=
        "<text x=\"\(F(left - 8))\" y=\"\(F(y + barH * 0.65))\" text-anchor=\"end\">\(escape(truncate(labels[row])))</text>\n"
      // A run that does not fit has no throughput to plan with: a grey bar, labelled so.
      let fits = run.memory.fits
      s +=
        "<rect x=\"\(F(left))\" y=\"\(F(y))\" width=\"\(F(w))\" height=\"\(F(barH))\" fill=\"\(fits ? "#4e79a7" : "#c8c8c8")\"/>\n"
      let value =
        NumberFormatting.grouped(run.throughput.tokensPerSecond) + " tok/s" + (fits ? "" : ", does not fit")
      s += "<text x=\"\(F(left + w + 6))\" y=\"\(F(y + barH * 0.65))\"\(fits ? "" : " fill=\"#888\"")>\(value)</text>\n"
    }
    s += "</svg>\n"
    return s
  }

  /// Sweep labels without the coordinates every run shares (`sequence=256` in all of them),
  /// which the subtitle names once instead.
  package static func shortLabels(_ labels: [String]) -> (labels: [String], shared: [String]) {
    guard labels.count > 1 else { return (labels, []) }
    let tokens = labels.map { $0.split(separator: " ").map(String.init) }
    let shared = tokens[0].filter { token in token.contains("=") && tokens.allSatisfy { $0.contains(token) } }
    guard !shared.isEmpty else { return (labels, []) }
    let short = tokens.map { $0.filter { !shared.contains($0) }.joined(separator: " ") }
    return (short, shared)
  }

  /// Long labels keep their start and their end (where sweep coordinates are).
  private static func truncate(_ s: String) -> String {
    guard s.count > 64 else { return s }
    return String(s.prefix(30)) + "…" + String(s.suffix(33))
  }

  /// A round tick spacing (1, 2 or 5 × 10^k GiB) giving at most eight ticks.
  package static func tickStep(_ maxGiB: Double) -> Double {
    var step = 0.1
    while maxGiB / step > 8 {
      for m in [2.0, 2.5, 2.0] where maxGiB / step > 8 { step *= m }
    }
    return step
  }
  package static func F(_ v: Double) -> String { NumberFormatting.fixed(v, 1) }
}

extension SVGRenderer {
  /// Allocated memory through one step (`MemoryTimeline`): a stacked bar per moment, the GPU's
  /// memory as a red line and the peak marked.
  package static func timeline(_ t: MemoryTimeline, title: String) -> String {
    let names = [
      "weights", "weight copies", "optimizer states", "gradients", "activations", "logits/loss", "transient",
    ]
    func parts(_ i: MemoryInstant) -> [Int64] {
      [i.weights, i.copies, i.states, i.gradients + i.buckets, i.activations, i.logits, i.transient]
    }
    let barW = 26.0, gap = 8.0, left = 70.0, top = 80.0, plotH = 320.0
    let width = max(left + Double(t.points.count) * (barW + gap) + 40, 10.5 * Double(title.count) + 40, 640)
    let height = top + plotH + 130
    // The GPU's memory is drawn when it is within twice the peak; above that it would flatten
    // the step into the floor, so it is named instead.
    let capacityShown = Double(t.capacity) <= 2 * Double(t.peak)
    let maxBytes = max(capacityShown ? Double(t.capacity) : 0, 1.1 * Double(t.peak), 1)
    func y(_ bytes: Double) -> Double { top + plotH - bytes / maxBytes * plotH }
    var s = svgHeader(width: width, height: height, fontSize: 11)
    s += "<text x=\"20\" y=\"28\" font-size=\"16\" font-weight=\"bold\">\(escape(title))</text>\n"
    let capacityNote =
      capacityShown
      ? "the red line is the GPU's memory"
      : "the GPU's \(NumberFormatting.fixed(Bytes(t.capacity).gib, 1)) GiB is above the chart"
    s += "<text x=\"20\" y=\"50\" fill=\"#555\">Allocated memory through one step (GiB); \(capacityNote)</text>\n"
    var lx = left
    for (i, name) in names.enumerated() {
      s += "<rect x=\"\(F(lx))\" y=\"58\" width=\"10\" height=\"10\" fill=\"\(palette[i])\"/>"
      s += "<text x=\"\(F(lx + 14))\" y=\"67\" font-size=\"10\">\(name)</text>\n"
      lx += Double(name.count) * 5.6 + 28
    }
    // GiB axis with grid lines.
    let step = tickStep(maxBytes / 1_073_741_824)
    var tick = 0.0
    while tick * 1_073_741_824 <= maxBytes {
      let ty = y(tick * 1_073_741_824)
      s += "<line x1=\"\(F(left))\" y1=\"\(F(ty))\" x2=\"\(F(width - 30))\" y2=\"\(F(ty))\" stroke=\"#eee\"/>"
      s += "<text x=\"\(F(left - 6))\" y=\"\(F(ty + 4))\" text-anchor=\"end\" font-size=\"10\" fill=\"#555\">"
      s += "\(NumberFormatting.fixed(tick, tick == tick.rounded() ? 0 : 1))</text>\n"
      tick += step
    }
    for (n, point) in t.points.enumerated() {
      let x = left + 10 + Double(n) * (barW + gap)
      var base = 0.0
      for (i, bytes) in parts(point.instant).enumerated() where bytes > 0 {
        let top = y(base + Double(bytes)), bottom = y(base)
        s +=
          "<rect x=\"\(F(x))\" y=\"\(F(top))\" width=\"\(F(barW))\" height=\"\(F(bottom - top))\" fill=\"\(palette[i])\">"
        s += "<title>\(escape(point.label)): \(names[i]) \(escape(Bytes(bytes).description))</title></rect>\n"
        base += Double(bytes)
      }
      let isPeak = point.instant.total == t.peak
      s += "<text transform=\"translate(\(F(x + barW / 2 + 3)),\(F(top + plotH + 8))) rotate(60)\" font-size=\"9\""
      s += isPeak ? " font-weight=\"bold\" fill=\"#c0392b\">" : " fill=\"#333\">"
      s += "\(escape(point.label))</text>\n"
      if isPeak {
        s +=
          "<text x=\"\(F(x + barW / 2))\" y=\"\(F(y(base) - 6))\" text-anchor=\"middle\" font-size=\"10\" fill=\"#c0392b\">"
        s += "peak \(NumberFormatting.fixed(Bytes(t.peak).gib, 1))</text>\n"
      }
    }
    if capacityShown {
      let cap = y(Double(t.capacity))
      s +=
        "<line x1=\"\(F(left))\" y1=\"\(F(cap))\" x2=\"\(F(width - 30))\" y2=\"\(F(cap))\" stroke=\"#d62728\" stroke-width=\"2\"/>\n"
    }
    return s + "</svg>\n"
  }
}

/// Where a heat map's grids go: cells sized to their labels (with tokens/s written in them when
/// the grids are small enough to read), up to three grids per row.
package struct HeatMapGeometry {
  package var cellWidth, cellHeight, rowLabelWidth, panelWidth, panelHeight: Double
  package var columnChars: Int
  package var labelled: Bool
  package var perRow: Int
  package var width, height: Double
  package let panelHeader = 56.0
  package let top = 70.0

  package init(_ map: HeatMap) {
    let rows = map.panels.map(\.rows.count).max() ?? 1, cols = map.panels.map(\.columns.count).max() ?? 1
    labelled = rows <= 24 && cols <= 12
    let chars = labelled ? 12 : 8
    columnChars = chars
    let longest = map.panels.flatMap(\.columns).map { min(chars, $0.count) }.max() ?? 3
    cellWidth = max(labelled ? 58 : 22, 6 * Double(longest) + 6)
    cellHeight = labelled ? 30 : 18
    let rowChars = map.panels.flatMap(\.rows).map { min(24, $0.count) }.max() ?? 4
    rowLabelWidth = max(70, 6.6 * Double(rowChars) + 16)
    panelWidth = rowLabelWidth + Double(cols) * cellWidth + 30
    panelHeight = panelHeader + Double(rows) * cellHeight + 24
    perRow = max(1, min(3, map.panels.count))
    let panelRows = (map.panels.count + perRow - 1) / perRow
    width = max(20 + Double(perRow) * panelWidth, 10.5 * Double(map.title.count) + 40, 560)
    height = top + Double(panelRows) * panelHeight + 10
  }

  /// The top-left of grid `i`.
  package func origin(_ i: Int) -> (x: Double, y: Double) {
    (20 + Double(i % perRow) * panelWidth, top + Double(i / perRow) * panelHeight)
  }
}
