import TrainMemCore

/// A position in a scenario file: 1-based line and column (columns count characters).
///
/// A value given on the command line has no line: its location names the flag instead.
package struct SourceLocation: Sendable, Equatable, Comparable {
  package var file: String
  package var line: Int
  package var column: Int
  /// The flag as the user typed it (`--global-batch`), for values from the command line.
  package var flag: String? = nil

  package static func commandLine(_ flag: String) -> SourceLocation {
    SourceLocation(file: "<command line>", line: 0, column: 0, flag: flag)
  }
  package static func < (a: SourceLocation, b: SourceLocation) -> Bool {
    (a.line, a.column) < (b.line, b.column)
  }
}

/// Why an input was refused, as a value a caller can match on (the message says it to a person).
package enum DiagnosticReason: Sendable, Equatable {
  /// The text is not scenario (or seeds) syntax.
  case syntax
  /// A key, setting or condition that does not exist here.
  case unknownKey(String)
  /// A value the setting cannot take (type, unit, range).
  case invalidValue
  /// The setup is impossible, in the models' own terms (a rank too large for a tensor).
  case setup(SetupProblem)
  /// Two settings that cannot both take effect (a run key the sweep also sets, a label twice).
  case conflict
  /// The file cannot be read, or is not UTF-8 text.
  case unreadable
  /// More work or input than trainmem accepts.
  case limit
}

/// A diagnostic about an input: where its value came from (file:line:column, or the flag as
/// typed), why (typed), and the message for a person.
package struct Diagnostic: Error, Sendable, Equatable {
  package var location: SourceLocation
  package var message: String
  /// How many characters the caret underline spans.
  package var length: Int = 1
  package var notes: [String] = []
  package var reason: DiagnosticReason = .invalidValue
  /// The line quoted under the message when it is in another file than the one being read
  /// (a config.json a scenario names).
  package var sourceLine: String? = nil

  /// Characters of a source line a diagnostic quotes at most.
  package static let lineWindow = 160

  /// `file:line:col: error: message`, the source line, and a caret under the offending text.
  package func rendered(source lines: [Substring]) -> String {
    if location.flag != nil { return "error: \(visible(message))\n" }
    var s = "\(visible(location.file)):\(location.line):\(location.column): error: \(visible(message))\n"
    let quoted: Substring? =
      sourceLine.map { Substring($0) }
      ?? (location.line >= 1 && location.line <= lines.count ? lines[location.line - 1] : nil)
    if let quoted {
      // A long line is shown as a window around the column (a minified config.json is one
      // line of megabytes); control characters (a NUL in a binary file) as U+FFFD.
      let scalars = Array(quoted.unicodeScalars)
      let column = max(0, location.column - 1)
      let start = scalars.count > Self.lineWindow ? max(0, min(column - 20, scalars.count - Self.lineWindow)) : 0
      let end = min(scalars.count, start + Self.lineWindow)
      var text = start > 0 ? "…" : ""
      for u in scalars[start..<end] { text.unicodeScalars.append(isControl(u) ? "\u{FFFD}" : u) }
      if end < scalars.count { text += "…" }
      let number = String(location.line)
      let pad = String(repeating: " ", count: number.count)
      s += " \(number) | \(text)\n"
      let shift = start > 0 ? 1 : 0
      let caretColumn = max(0, column - start + shift)
      let caret = "^" + String(repeating: "~", count: max(0, min(length, end - column) - 1))
      s += " \(pad) | \(String(repeating: " ", count: caretColumn))\(caret)\n"
    }
    for n in notes { s += "note: \(n)\n" }
    return s
  }
}

/// All errors of one input file (a scenario, a config.json, a seeds file).
package struct Diagnostics: Error, Sendable {
  package var errors: [Diagnostic]
  /// The file's text as the diagnostics quote it, when it could not be decoded strictly.
  package var source: String? = nil

  package init(errors: [Diagnostic], source: String? = nil) {
    self.errors = errors
    self.source = source
  }
}
