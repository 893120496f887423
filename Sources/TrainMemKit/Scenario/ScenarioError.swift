/// A position in a scenario file: 1-based line and column (columns count characters).
/// A value given on the command line has no line: its location names the flag instead.
struct SourceLocation: Sendable, Equatable, Comparable {
  var file: String
  var line: Int
  var column: Int
  /// The flag as the user typed it (`--global-batch`), for values from the command line.
  var flag: String? = nil

  static func commandLine(_ flag: String) -> SourceLocation {
    SourceLocation(file: "<command line>", line: 0, column: 0, flag: flag)
  }
  static func < (a: SourceLocation, b: SourceLocation) -> Bool {
    (a.line, a.column) < (b.line, b.column)
  }
}

/// A diagnostic about a scenario file, rendered like a compiler's.
/// Why an input was refused, as a value a caller can match on (the message says it to a person).
enum DiagnosticReason: Sendable, Equatable {
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
struct ScenarioError: Error, Sendable, Equatable {
  var location: SourceLocation
  var message: String
  /// How many characters the caret underline spans.
  var length: Int = 1
  var notes: [String] = []
  var reason: DiagnosticReason = .invalidValue
  /// The line quoted under the message when it is in another file than the one being read
  /// (a config.json a scenario names).
  var sourceLine: String? = nil

  /// `file:line:col: error: message`, the source line, and a caret under the offending text.
  /// Characters of a source line a diagnostic quotes at most.
  static let lineWindow = 160

  func rendered(source lines: [Substring]) -> String {
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

/// Closest candidate by edit distance, for "did you mean" suggestions.
func closestMatch(_ word: String, in candidates: [String]) -> String? {
  func distance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      cur[0] = i
      for j in 1...b.count {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
      }
      swap(&prev, &cur)
    }
    return prev[b.count]
  }
  // Suggestions are for typos of short names; a long word is compared with nothing (the
  // distance costs length × length).
  guard word.count <= 64 else { return nil }
  let w = Array(word.lowercased())
  var best: (String, Int)?
  for c in candidates where c.count <= 64 {
    let d = distance(w, Array(c.lowercased()))
    if best == nil || d < best!.1 { best = (c, d) }
  }
  guard let (c, d) = best, d <= max(2, w.count / 3) else { return nil }
  return c
}

/// "; did you mean 'x'?" or "".
func suggestion(_ word: String, _ candidates: [String]) -> String {
  closestMatch(word, in: candidates).map { "; did you mean '\($0)'?" } ?? ""
}
