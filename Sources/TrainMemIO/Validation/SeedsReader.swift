import TrainMemCore

// seeds/*.tsv: one published or measured figure per row, tab-separated, read as strictly as a
// scenario: UTF-8 text (CRLF accepted), a header naming the columns, `#` comments, every field
// checked, every condition a setting read by the scenario loader at its own column.

package enum SeedsReader {
  package static let columns = [
    "id", "source", "quantity", "value", "unit", "tolerance", "expect", "accounting", "conditions", "note",
  ]

  /// A finite decimal number as written in a table (`62.8`, `-0.5`, `1e9`); not Swift's wider
  /// syntax (`0x10`, `inf`, `nan`).
  package static func decimal(_ text: String) -> Double? {
    guard !text.isEmpty, text.allSatisfy({ "0123456789.eE+-".contains($0) }), let v = Double(text), v.isFinite else {
      return nil
    }
    return v
  }

  /// The figures of one file, or every problem in it, each at file:line:column.
  package static func parse(_ text: String, file: String) throws(Diagnostics) -> [Figure] {
    var figures: [Figure] = []
    var errors: [Diagnostic] = []
    var sawHeader = false
    for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = String(raw)
      if line.trimmingSpaces.isEmpty || line.hasPrefix("#") { continue }
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard sawHeader else {
        if fields != columns {
          errors.append(
            Diagnostic(
              location: SourceLocation(file: file, line: n + 1, column: 1),
              message: "expected the header '\(columns.joined(separator: "\\t"))'"))
          break
        }
        sawHeader = true
        continue
      }
      var row = Row(file: file, line: n + 1, fields: fields)
      if let figure = row.figure() { figures.append(figure) }
      errors += row.errors
    }
    if !sawHeader && errors.isEmpty {
      errors.append(
        Diagnostic(
          location: SourceLocation(file: file, line: 1, column: 1),
          message: "no header line; expected '\(columns.joined(separator: "\\t"))'"))
    }
    errors += crossChecks(figures, file: file)
    if !errors.isEmpty { throw Diagnostics(errors: errors.sorted { $0.location < $1.location }) }
    return figures
  }

  /// Unique ids, and every `ratio_to` naming a figure of the file.
  private static func crossChecks(_ figures: [Figure], file: String) -> [Diagnostic] {
    var errors: [Diagnostic] = []
    var seen: [String: Int] = [:]
    let ids = Set(figures.map(\.id))
    for f in figures {
      if let first = seen[f.id] {
        errors.append(
          Diagnostic(
            location: SourceLocation(file: file, line: f.line, column: 1),
            message: "duplicate figure id '\(f.id)'; first given at line \(first)", length: f.id.count))
      }
      seen[f.id] = seen[f.id] ?? f.line
      if let id = f.ratioTo, !ids.contains(id) {
        // A suggestion costs a scan of every id: only for the errors a diagnostic shows.
        let hint = errors.count < TextFile.shownErrors ? suggestion(id, figures.map(\.id)) : ""
        errors.append(
          Diagnostic(
            location: SourceLocation(file: file, line: f.line, column: 1),
            message: "'ratio_to=\(id)' names no figure in this file\(hint)"))
      }
      if f.quantity != .tokensPerSecondRatio && f.ratioTo != nil {
        errors.append(
          Diagnostic(
            location: SourceLocation(file: file, line: f.line, column: 1),
            message: "'ratio_to' applies to a tokens_per_second_ratio, not \(f.quantity.rawValue)"))
      }
      if f.quantity == .tokensPerSecondRatio && f.ratioTo == nil {
        errors.append(
          Diagnostic(
            location: SourceLocation(file: file, line: f.line, column: 1),
            message: "a tokens_per_second_ratio needs 'ratio_to=<figure id>' in its conditions"))
      }
    }
    return errors
  }

  /// One data row being read.
  private struct Row {
    package let file: String
    package let line: Int
    package let fields: [String]
    package var errors: [Diagnostic] = []

    package init(file: String, line: Int, fields: [String]) {
      self.file = file
      self.line = line
      self.fields = fields
    }

    /// Column (in characters) where field `i` starts.
    package func column(_ i: Int) -> Int { fields.prefix(i).reduce(1) { $0 + $1.count + 1 } }
    package func location(_ i: Int, offset: Int = 0) -> SourceLocation {
      SourceLocation(file: file, line: line, column: column(i) + offset)
    }

    package mutating func fail(
      _ i: Int, _ message: String, offset: Int = 0, length: Int? = nil, reason: DiagnosticReason = .invalidValue
    ) {
      let width = length ?? max(1, (i < fields.count ? fields[i].count : 1))
      errors.append(
        Diagnostic(location: location(i, offset: offset), message: message, length: width, reason: reason))
    }

    package mutating func figure() -> Figure? {
      guard fields.count == SeedsReader.columns.count else {
        fail(0, "expected \(SeedsReader.columns.count) tab-separated fields, got \(fields.count)", length: 1)
        return nil
      }
      if fields[0].trimmingSpaces.isEmpty { fail(0, "a figure needs an id") }
      let quantity = FigureQuantity(rawValue: fields[2])
      if quantity == nil {
        let known = FigureQuantity.allCases.map(\.rawValue)
        fail(2, "unknown quantity '\(fields[2])'\(suggestion(fields[2], known))")
      }
      if let quantity, !quantity.units.contains(fields[4]) {
        fail(4, "unit '\(fields[4])' does not measure \(fields[2]); use \(quantity.units.joined(separator: " or "))")
      }
      let value = SeedsReader.decimal(fields[3])
      if value == nil { fail(3, "value '\(fields[3])' is not a finite number") }
      let tolerance = self.tolerance()
      let expect = Expectation(rawValue: fields[6])
      if expect == nil {
        fail(6, "expect '\(fields[6])' is not one of \(Expectation.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      let (conditions, ratioTo) = self.conditions()
      let setup = self.setup(conditions)
      guard errors.isEmpty, let quantity, let value, let tolerance, let expect, let setup else { return nil }
      return Figure(
        id: fields[0], source: fields[1], quantity: quantity, value: value, unit: fields[4],
        tolerance: tolerance.value, absolute: tolerance.absolute, expect: expect, accounting: fields[7],
        paperAccounting: PaperAccounting(fields[7]),
        conditions: conditions.map { ($0.key, $0.value) }, ratioTo: ratioTo, note: fields[9], line: line, setup: setup)
    }

    /// `3%` (relative) or `0.5` (absolute, in the figure's unit): finite and not negative.
    package mutating func tolerance() -> (value: Double, absolute: Bool)? {
      var text = fields[5]
      let absolute = !text.hasSuffix("%")
      if !absolute { text.removeLast() }
      guard let t = SeedsReader.decimal(text), t >= 0 else {
        fail(5, "tolerance '\(fields[5])' is not a finite, non-negative number or percentage")
        return nil
      }
      return (absolute ? t : t / 100, absolute)
    }

    /// `key=value` pairs separated by `;`, each located at its own column.
    package mutating func conditions() -> ([(key: String, value: String, location: SourceLocation)], String?) {
      var out: [(key: String, value: String, location: SourceLocation)] = []
      var ratioTo: String?
      var offset = 0
      for part in fields[8].split(separator: ";", omittingEmptySubsequences: false) {
        defer { offset += part.count + 1 }
        if part.trimmingSpaces.isEmpty { continue }
        let pair = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { String($0) }
        guard pair.count == 2, !pair[0].trimmingSpaces.isEmpty else {
          fail(8, "condition '\(part)' is not 'key=value'", offset: offset, length: part.count)
          continue
        }
        let key = pair[0].trimmingSpaces
        if out.contains(where: { $0.key == key }) || (key == "ratio_to" && ratioTo != nil) {
          fail(8, "condition '\(key)' is given twice", offset: offset, length: part.count)
          continue
        }
        let keyOffset = offset + (pair[0].count - pair[0].drop { $0 == " " }.count)
        let valueLocation = location(8, offset: offset + pair[0].count + 1)
        if key == "ratio_to" {
          ratioTo = pair[1].trimmingSpaces
        } else if Settings.byFlatKey[key] != nil {
          out.append((key, pair[1].trimmingSpaces, valueLocation))
        } else {
          fail(
            8, "unknown condition '\(key)'\(suggestion(key, Settings.all.map(\.flatKey) + ["ratio_to"]))",
            offset: keyOffset, length: key.count, reason: .unknownKey(key))
        }
      }
      return (out, ratioTo)
    }

    /// The setup the conditions describe, read like flags; problems land at their condition.
    package mutating func setup(_ conditions: [(key: String, value: String, location: SourceLocation)])
      -> TrainingSetup?
    {
      guard !conditions.isEmpty else {
        fail(8, "a figure needs conditions such as 'model=llama-7b;gpu=h200'")
        return nil
      }
      switch ScenarioLoader.setup(flat: conditions, origin: location(8)) {
      case .success(let s): return s
      case .failure(let e):
        errors += e.errors
        return nil
      }
    }
  }
}
