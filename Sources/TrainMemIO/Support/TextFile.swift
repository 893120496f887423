import TrainMemCore

/// Reads a scenario or seeds file as strictly as the format asks: UTF-8 text without NUL
/// bytes, a leading BOM dropped and CRLF line ends accepted.
///
/// Every failure is located.
package enum TextFile {
  package static func read(_ path: String) throws(Diagnostics) -> String { try read(path, orInDirectory: nil).text }

  /// Reads `path` once; when it is a directory and `name` is given, reads `name` inside it
  /// instead (a model's folder and its config.json).
  ///
  /// Returns the file read and its text.
  package static func read(_ path: String, orInDirectory name: String?) throws(Diagnostics) -> (
    file: String, text: String
  ) {
    let start = SourceLocation(file: path, line: 1, column: 1)
    let bytes: [UInt8]
    switch InputFile.read(path) {
    case .success(let b): bytes = b
    case .failure(.directory):
      if let name { return try read(path + (path.hasSuffix("/") ? "" : "/") + name, orInDirectory: nil) }
      throw Diagnostics(errors: [
        Diagnostic(location: start, message: "'\(visible(path))' is a directory; give a file", reason: .unreadable)
      ])
    case .failure(.tooLarge):
      throw Diagnostics(errors: [
        Diagnostic(
          location: start,
          message:
            "the file is larger than \(InputFile.limit >> 20) MiB, trainmem's limit for an input; split a generated scenario or seeds file",
          reason: .limit)
      ])
    case .failure(.cannot(let reason)):
      throw Diagnostics(errors: [
        Diagnostic(
          location: start, message: "cannot read '\(visible(path))': \(reason); check the path", reason: .unreadable)
      ])
    }
    return (path, try decode(bytes, path: path))
  }

  package static func decode(_ bytes: [UInt8], path: String) throws(Diagnostics) -> String {
    // The lines quoted under a diagnostic, decoded leniently (bad bytes become U+FFFD).
    let lenient = ScenarioParser.normalise(String(decoding: bytes, as: UTF8.self))
    if let nul = bytes.firstIndex(of: 0) {
      let error = Diagnostic(
        location: byteLocation(bytes, nul, path), message: "binary data (a NUL byte); a scenario is UTF-8 text",
        reason: .unreadable)
      throw Diagnostics(errors: [error], source: lenient)
    }
    guard let raw = String(validating: bytes, as: UTF8.self) else {
      let bad = firstInvalidUTF8(bytes)
      let message =
        "invalid UTF-8 (byte 0x\(String(bytes[bad], radix: 16, uppercase: true)) at offset \(bad)); save the file as UTF-8"
      throw Diagnostics(
        errors: [Diagnostic(location: byteLocation(bytes, bad, path), message: message, reason: .unreadable)],
        source: lenient)
    }
    return ScenarioParser.normalise(raw)
  }

  /// Line and column (in characters of the valid prefix) of byte `offset`.
  package static func byteLocation(_ bytes: [UInt8], _ offset: Int, _ file: String) -> SourceLocation {
    let before = bytes[..<offset]
    let line = before.filter { $0 == 0x0A }.count + 1
    let lineStart = (before.lastIndex(of: 0x0A).map { $0 + 1 }) ?? 0
    let prefix = String(decoding: bytes[lineStart..<offset], as: UTF8.self)
    return SourceLocation(file: file, line: line, column: prefix.count + 1)
  }

  /// Offset of the first byte that does not start or continue a valid UTF-8 sequence.
  package static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int {
    var i = 0
    while i < bytes.count {
      let b = bytes[i]
      let n = b < 0x80 ? 1 : (b >> 5 == 0x6 ? 2 : (b >> 4 == 0xE ? 3 : (b >> 3 == 0x1E ? 4 : 0)))
      if n == 0 || i + n > bytes.count { return i }
      if String(validating: bytes[i..<(i + n)], as: UTF8.self) == nil { return i }
      i += n
    }
    return max(0, bytes.count - 1)
  }

  /// Reads and parses every file, or throws every file's rendered diagnostics: `run` and
  /// `validate` read their inputs the same way.
  package static func parseAll<T>(_ paths: [String], _ parse: (String, String) throws(Diagnostics) -> T)
    throws(DataErrors)
    -> [T]
  {
    var parsed: [T] = []
    var rendered = ""
    for path in paths {
      var text: String?
      do {
        let read = try TextFile.read(path)
        text = read
        parsed.append(try parse(read, path))
      } catch {
        rendered += render(error, text: text)
      }
    }
    if !rendered.isEmpty { throw DataErrors(rendered: rendered) }
    return parsed
  }

  /// Diagnostics shown for one file; the rest are counted (a file of 100,000 unknown keys
  /// would otherwise print for minutes).
  package static let shownErrors = 50

  /// Renders diagnostics with the source lines of the file they are about.
  package static func render(_ errors: Diagnostics, text: String?) -> String {
    let lines = (errors.source ?? text ?? "").split(separator: "\n", omittingEmptySubsequences: false)
    let shown = errors.errors.prefix(shownErrors).map { $0.rendered(source: lines) }.joined()
    let hidden = errors.errors.count - min(errors.errors.count, shownErrors)
    return shown + (hidden > 0 ? "… and \(hidden) more errors in this file\n" : "")
  }
}

/// Diagnostics about input files (scenarios, seeds), already rendered with their source lines.
package struct DataErrors: Error {
  package var rendered: String

  package init(rendered: String) { self.rendered = rendered }
}
