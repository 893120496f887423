import TrainMemCore

// A strict JSON reader (RFC 8259) that keeps where every value is, so a bad field in a
// config.json is reported at its line and column with its JSON path. Foundation's
// JSONSerialization checks syntax but forgets positions and blurs booleans into numbers.

/// A JSON value with the place it starts.
package indirect enum JSONValue: Sendable {
  case object([(key: String, value: JSONValue)], SourceLocation)
  case array([JSONValue], SourceLocation)
  case string(String, SourceLocation)
  case number(Double, isInteger: Bool, SourceLocation)
  case bool(Bool, SourceLocation)
  case null(SourceLocation)

  package var location: SourceLocation {
    switch self {
    case .object(_, let l), .array(_, let l), .string(_, let l), .number(_, _, let l), .bool(_, let l), .null(let l):
      return l
    }
  }

  /// What a person calls this kind of value, for "expected an integer, got a string".
  package var kindName: String {
    switch self {
    case .object: return "an object"
    case .array: return "an array"
    case .string: return "a string"
    case .number(_, let integer, _): return integer ? "an integer" : "a number"
    case .bool: return "a boolean"
    case .null: return "null"
    }
  }

  /// The member `key` of an object (the last one when repeated, as JSON parsers do).
  package subscript(key: String) -> JSONValue? {
    guard case .object(let members, _) = self else { return nil }
    return members.last { $0.key == key }?.value
  }
}

/// Parses JSON text; a syntax error is thrown at its line and column.
package struct JSONDocument {
  private let scalars: [Unicode.Scalar]
  private let file: String
  private var index = 0
  private var line = 1
  private var column = 1
  /// Nesting depth limit: a hostile file of a million `[` must not overflow the stack.
  package static let depthLimit = 64

  package static func parse(_ text: String, file: String) throws(Diagnostic) -> JSONValue {
    var d = JSONDocument(scalars: Array(text.unicodeScalars), file: file)
    d.skipSpace()
    let value = try d.value(depth: 0)
    d.skipSpace()
    if d.index < d.scalars.count { throw d.error("unexpected text after the JSON value") }
    return value
  }

  private init(scalars: [Unicode.Scalar], file: String) {
    self.scalars = scalars
    self.file = file
  }

  private var here: SourceLocation { SourceLocation(file: file, line: line, column: column) }
  private func error(_ message: String) -> Diagnostic {
    Diagnostic(location: here, message: message, reason: .syntax)
  }
  private var peek: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

  private mutating func advance() {
    if scalars[index] == "\n" {
      line += 1
      column = 1
    } else {
      column += 1
    }
    index += 1
  }

  private mutating func skipSpace() {
    while let c = peek, c == " " || c == "\t" || c == "\n" || c == "\r" { advance() }
  }

  private mutating func expect(_ c: Unicode.Scalar, _ what: String) throws(Diagnostic) {
    guard peek == c else { throw error("expected \(what)") }
    advance()
  }

  private mutating func value(depth: Int) throws(Diagnostic) -> JSONValue {
    guard depth < Self.depthLimit else { throw error("nested deeper than \(Self.depthLimit) levels") }
    let start = here
    switch peek {
    case "{": return try object(start, depth: depth)
    case "[": return try array(start, depth: depth)
    case "\"": return .string(try string(), start)
    case "t": try word("true"); return .bool(true, start)
    case "f": try word("false"); return .bool(false, start)
    case "n": try word("null"); return .null(start)
    case let c? where c == "-" || ("0"..."9").contains(c): return try number(start)
    case nil: throw error("the JSON ends where a value was expected")
    default: throw error("expected a JSON value")
    }
  }

  private mutating func word(_ w: String) throws(Diagnostic) {
    for c in w.unicodeScalars {
      guard peek == c else { throw error("expected '\(w)'") }
      advance()
    }
  }

  private mutating func object(_ start: SourceLocation, depth: Int) throws(Diagnostic) -> JSONValue {
    advance()
    var members: [(key: String, value: JSONValue)] = []
    skipSpace()
    if peek == "}" {
      advance()
      return .object(members, start)
    }
    while true {
      skipSpace()
      guard peek == "\"" else { throw error("expected a quoted member name") }
      let key = try string()
      skipSpace()
      try expect(":", "':' after the member name")
      skipSpace()
      members.append((key, try value(depth: depth + 1)))
      skipSpace()
      if peek == "," {
        advance()
        continue
      }
      try expect("}", "',' or '}'")
      return .object(members, start)
    }
  }

  private mutating func array(_ start: SourceLocation, depth: Int) throws(Diagnostic) -> JSONValue {
    advance()
    var items: [JSONValue] = []
    skipSpace()
    if peek == "]" {
      advance()
      return .array(items, start)
    }
    while true {
      skipSpace()
      items.append(try value(depth: depth + 1))
      skipSpace()
      if peek == "," {
        advance()
        continue
      }
      try expect("]", "',' or ']'")
      return .array(items, start)
    }
  }

  private mutating func string() throws(Diagnostic) -> String {
    advance()
    var out = String.UnicodeScalarView()
    while true {
      guard let c = peek else { throw error("unterminated string") }
      if c == "\"" {
        advance()
        return String(out)
      }
      if c.value < 0x20 { throw error("a control character inside a string; escape it") }
      advance()
      guard c == "\\" else {
        out.append(c)
        continue
      }
      guard let e = peek else { throw error("unterminated string") }
      advance()
      switch e {
      case "\"", "\\", "/": out.append(e)
      case "b": out.append("\u{08}")
      case "f": out.append("\u{0C}")
      case "n": out.append("\n")
      case "r": out.append("\r")
      case "t": out.append("\t")
      case "u":
        var v: UInt32 = 0
        for _ in 0..<4 {
          guard let h = peek, let d = Int(String(h), radix: 16) else { throw error("expected 4 hex digits after \\u") }
          v = v * 16 + UInt32(d)
          advance()
        }
        out.append(Unicode.Scalar(v) ?? "\u{FFFD}")
      default: throw error("unknown escape '\\\(e)'")
      }
    }
  }

  private mutating func number(_ start: SourceLocation) throws(Diagnostic) -> JSONValue {
    var text = ""
    var integer = true
    while let c = peek, "0123456789+-.eE".unicodeScalars.contains(c) {
      if c == "." || c == "e" || c == "E" { integer = false }
      text.unicodeScalars.append(c)
      advance()
    }
    guard let v = Double(text), v.isFinite else {
      let why = Double(text) == nil ? "is not a JSON number" : "is beyond the largest number (1.8e308)"
      throw Diagnostic(location: start, message: "'\(excerpt(text))' \(why)", reason: .syntax)
    }
    return .number(v, isInteger: integer, start)
  }
}
