import TrainMemCore

/// Writes the report of one or more scenarios in a format, streaming: no format holds more
/// than one chunk of evaluated points (plus, for Markdown, the few runs that carry a published
/// reference; for SVG, at most one chart's worth), so memory does not grow with the sweep.
package enum ReportStream {
  /// Runs a bar chart draws in full (76 px each: about 1,300 px at most, a screen); a larger
  /// sweep becomes heat maps, or the chart of its first `sampleRuns` runs, saying so.
  package static let chartRuns = 16
  package static let sampleRuns = 12

  package static func write(
    _ scenarios: [Scenario], format: ReportFormat, threads: Int, to sink: ReportSink,
    progress: ((Int, Int) -> Void)? = nil
  ) throws {
    if format == .csv { try sink.write(CSVRenderer.header) }
    for scenario in scenarios {
      switch format {
      case .csv: try SweepEngine.csv(scenario, threads: threads, progress: progress) { try sink.write(bytes: $0) }
      case .md: try markdown(scenario, threads: threads, progress: progress, to: sink)
      case .json: try json(scenario, threads: threads, to: sink, progress: progress)
      case .jsonl:
        try SweepEngine.bytes(
          scenario, threads: threads, progress: progress, bytesPerPoint: jsonBytesPerRun, chunk: SweepEngine.textChunk
        ) { run, _, out in
          JSONLinesRenderer.append(run.withLedgers(), scenario: scenario.name, to: &out)
        } _: {
          try sink.write(bytes: $0)
        }
      case .svg: try sink.write(svg(scenario, threads: threads))
      }
    }
  }

  /// The summary table in one pass, the published references from the runs that carry one,
  /// then each run's section in a second pass; the workers write both passes as bytes.
  private static func markdown(
    _ scenario: Scenario, threads: Int, progress: ((Int, Int) -> Void)?, to sink: ReportSink
  ) throws {
    try sink.write(MarkdownRenderer.head(scenario: scenario.name, description: scenario.description))
    try SweepEngine.bytes(
      scenario, threads: threads, progress: progress, bytesPerPoint: 160, chunk: SweepEngine.textChunk
    ) {
      run, _, out in
      out += MarkdownRenderer.summaryRow(run)
    } _: {
      try sink.write(bytes: $0)
    }
    if scenario.runs.contains(where: { $0.reference != nil }) {
      var referenced: [RunResult] = []
      try SweepEngine.map(scenario, threads: threads, { $0.reference == nil ? nil : $0 }) { r in
        if let r { referenced.append(r) }
      }
      try sink.write(MarkdownRenderer.references(referenced))
    }
    try SweepEngine.bytes(
      scenario, threads: threads, progress: progress, bytesPerPoint: markdownBytesPerRun,
      chunk: SweepEngine.textChunk
    ) { run, index, out in
      var details = run.withDetails()
      details.assumptions = scenario.assumptions(point: index, run.setup)
      MarkdownRenderer.details(details, to: &out)
    } _: {
      try sink.write(bytes: $0)
    }
  }

  /// Room reserved per Markdown run section: the benchmark sweep's runs are about 4.1 KB each
  /// (a chunk that outgrows its reserve copies itself).
  package static let markdownBytesPerRun = 5120

  /// The head, each run's object written as bytes by the workers (the separator before every
  /// run but the first), the tail.
  private static func json(
    _ scenario: Scenario, threads: Int, to sink: ReportSink, progress: ((Int, Int) -> Void)?
  ) throws {
    try sink.write(JSONRenderer.head(description: scenario.description))
    let separator = Array(JSONRenderer.separator.utf8)
    try SweepEngine.bytes(
      scenario, threads: threads, progress: progress, bytesPerPoint: jsonBytesPerRun, chunk: SweepEngine.textChunk
    ) { run, index, out in
      if index > 0 { out.append(contentsOf: separator) }
      JSONRenderer.append(run.withLedgers(), to: &out)
    } _: {
      try sink.write(bytes: $0)
    }
    try sink.write(JSONRenderer.tail(scenario: scenario.name))
  }

  /// Room reserved per JSON run: the benchmark sweep's runs are about 5 KB each.
  package static let jsonBytesPerRun = 6144

  /// Bar charts up to `chartRuns` runs (a screen's height); a larger report whose sweep has one
  /// or two keys as heat maps of fits and tokens/s (`HeatMap.layout`); anything else as the
  /// chart of its first runs, saying so.
  private static func svg(_ scenario: Scenario, threads: Int) throws -> String {
    let total = scenario.count
    if total <= chartRuns {
      var runs: [RunResult] = []
      try SweepEngine.map(scenario, threads: threads, { $0 }) { runs.append($0) }
      return SVGRenderer.render(Report(scenario: scenario.name, description: scenario.description, runs: runs))
    }
    if var map = HeatMap.layout(scenario) {
      try SweepEngine.map(scenario, threads: threads, HeatMap.Cell.init) { map.cells.append($0) }
      return SVGRenderer.heatMap(map)
    }
    var runs: [RunResult] = []
    var first = scenario
    first.limit = sampleRuns
    try SweepEngine.map(first, threads: threads, { $0 }) { runs.append($0) }
    let title =
      "\(scenario.name) — the first \(sampleRuns) of \(NumberFormatting.grouped(Double(total))) runs (use --format csv for all)"
    return SVGRenderer.render(Report(scenario: title, description: scenario.description, runs: runs))
  }
}

/// A sweep drawn as grids: one cell per point, coloured by tokens/s where the run fits and grey
/// where it does not.
///
/// Runs × one key is one grid (runs down, the key's values across); a
/// two-key sweep is one grid per run (the first key down, the second across).
package struct HeatMap {
  package static let maxSide = 64

  package struct Cell: Sendable {
    package var fits: Bool
    package var tokensPerSecond: Double
    package var required: Int64
    package init(_ run: RunResult) {
      fits = run.memory.fits
      tokensPerSecond = run.throughput.tokensPerSecond
      required = run.memory.required
    }
  }

  /// One grid: its rows' and columns' names and value labels.
  package struct Panel {
    package var title: String?
    package var rowKey: String
    package var rows: [String]
    package var columnKey: String
    package var columns: [String]
  }

  package var title: String
  package var panels: [Panel]
  /// In the sweep's own order, which is panel by panel, row-major.
  package var cells: [Cell] = []

  /// The grids for a scenario, or nil when its shape has none (three or more sweep keys, or a
  /// side longer than `maxSide`).
  package static func layout(_ scenario: Scenario) -> HeatMap? {
    let sweep = scenario.sweep
    guard sweep.allSatisfy({ $0.values.count <= maxSide }) else { return nil }
    let labels = scenario.runs.map(\.label)
    if sweep.count == 1 && labels.count <= maxSide {
      let panel = Panel(
        title: nil, rowKey: "run", rows: labels, columnKey: sweep[0].key, columns: sweep[0].values.map(\.text))
      return HeatMap(title: scenario.name, panels: [panel])
    }
    guard sweep.count == 2, labels.count <= 12 else { return nil }
    let panels = labels.map {
      Panel(
        title: labels.count > 1 ? $0 : nil, rowKey: sweep[0].key, rows: sweep[0].values.map(\.text),
        columnKey: sweep[1].key, columns: sweep[1].values.map(\.text))
    }
    return HeatMap(title: scenario.name, panels: panels)
  }
}
