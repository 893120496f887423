import TrainMemCore

// Scenario format v1 (docs/scenario-format.md): a YAML subset parsed by hand. Mappings nest by indentation
// (spaces only), `- ` starts a list item, `[a, b]` is an inline list, `#` starts a comment
// outside quotes. Every node keeps its 1-based line:column. The first syntax error stops.

/// A node of the scenario syntax tree.
package indirect enum Node: Sendable {
  case scalar(String, quoted: Bool, SourceLocation)
  case mapping([MappingEntry], SourceLocation)
  case list([Node], SourceLocation)

  package var location: SourceLocation {
    switch self {
    case .scalar(_, _, let l), .mapping(_, let l), .list(_, let l): return l
    }
  }
  /// Width of the node's text, for caret underlines.
  package var width: Int {
    if case .scalar(let s, let q, _) = self { return max(1, s.count + (q ? 2 : 0)) }
    return 1
  }
  /// `'text'` for a value, else what kind of node it is: for "got …" in messages.
  package var quoted: String {
    if case .scalar(let s, _, _) = self { return "'\(s)'" }
    return kindName
  }
  package var kindName: String {
    switch self {
    case .scalar: return "a value"
    case .mapping: return "a mapping"
    case .list: return "a list"
    }
  }
}

package struct MappingEntry: Sendable {
  package var key: String
  package var keyLocation: SourceLocation
  package var value: Node
}

/// One meaningful line: its indentation and content with the comment removed.
private struct Line {
  package let number: Int
  package let indent: Int
  package let text: Substring  // content after indentation, comment stripped, trailing spaces trimmed
}

package struct ScenarioParser {
  package let file: String
  private var lines: [Line] = []
  private var index = 0

  /// Normalises the text (BOM, CRLF) and returns the lines the renderer quotes.
  package static func normalise(_ text: String) -> String {
    var t = text
    if t.hasPrefix("\u{FEFF}") { t.removeFirst() }
    return t.replacingCRLF
  }

  package init(file: String, text: String) throws(Diagnostic) {
    self.file = file
    var number = 0
    for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
      number += 1
      var indent = 0
      var rest = raw[...]
      while let c = rest.first, c == " " || c == "\t" {
        if c == "\t" {
          throw Diagnostic(
            location: SourceLocation(file: file, line: number, column: indent + 1),
            message: "tab in indentation; indent with spaces", reason: .syntax)
        }
        indent += 1
        rest = rest.dropFirst()
      }
      let content = try Self.stripComment(rest, line: number, column: indent + 1, file: file)
      if content.isEmpty { continue }
      lines.append(Line(number: number, indent: indent, text: content))
    }
  }

  /// Removes a `#` comment outside quotes and trailing spaces; rejects unterminated quotes.
  private static func stripComment(_ s: Substring, line: Int, column: Int, file: String) throws(Diagnostic)
    -> Substring
  {
    var quote: Character?
    var end = s.endIndex
    var col = column
    var quoteColumn = column
    for i in s.indices {
      let c = s[i]
      if let q = quote {
        if c == q { quote = nil }
      } else if c == "\"" || c == "'" {
        quote = c
        quoteColumn = col
      } else if c == "#" && (i == s.startIndex || s[s.index(before: i)] == " ") {
        end = i
        break
      }
      col += 1
    }
    if quote != nil {
      throw Diagnostic(
        location: SourceLocation(file: file, line: line, column: quoteColumn), message: "unterminated quoted string",
        reason: .syntax)
    }
    var t = s[..<end]
    while let l = t.last, l == " " { t = t.dropLast() }
    return t
  }

  /// Parses the whole document; it must be a mapping.
  package mutating func parseDocument() throws(Diagnostic) -> Node {
    guard let first = lines.first else {
      return .mapping([], SourceLocation(file: file, line: 1, column: 1))
    }
    if first.indent != 0 {
      throw error(first, column: first.indent + 1, "unexpected indentation at the top level")
    }
    let node = try parseBlock(indent: 0)
    if index < lines.count {
      let l = lines[index]
      throw error(l, column: l.indent + 1, "unexpected indentation; expected a key at column 1 or a deeper block")
    }
    guard case .mapping = node else {
      throw Diagnostic(
        location: node.location, message: "a scenario must be a mapping of keys such as 'model:' and 'gpu:'",
        reason: .syntax)
    }
    return node
  }

  private func error(_ l: Line, column: Int, _ message: String, length: Int = 1) -> Diagnostic {
    Diagnostic(
      location: SourceLocation(file: file, line: l.number, column: column), message: message, length: length,
      reason: .syntax)
  }

  /// Nesting deeper than this is an error, not a stack overflow (a scenario needs four levels).
  package static let maxDepth = 64
  private var depth = 0

  private mutating func parseBlock(indent: Int) throws(Diagnostic) -> Node {
    let l = lines[index]
    depth += 1
    defer { depth -= 1 }
    if depth > Self.maxDepth {
      throw error(
        l, column: l.indent + 1, "nested more than \(Self.maxDepth) levels deep; a scenario needs at most four")
    }
    if l.text == "-" || l.text.hasPrefix("- ") { return try parseList(indent: indent) }
    return try parseMapping(indent: indent)
  }

  private mutating func parseList(indent: Int) throws(Diagnostic) -> Node {
    let start = lines[index]
    var items: [Node] = []
    while index < lines.count {
      let l = lines[index]
      if l.indent < indent { break }
      if l.indent > indent { throw error(l, column: l.indent + 1, "unexpected indentation inside a list") }
      guard l.text == "-" || l.text.hasPrefix("- ") else {
        throw error(l, column: l.indent + 1, "expected '- ' to continue the list")
      }
      var rest = l.text.dropFirst()
      var itemColumn = l.indent + 2
      while rest.first == " " { rest = rest.dropFirst(); itemColumn += 1 }
      if rest.isEmpty {
        index += 1
        guard index < lines.count, lines[index].indent > indent else {
          throw error(l, column: l.indent + 1, "empty list item")
        }
        items.append(try parseBlock(indent: lines[index].indent))
      } else if let colon = Self.keyColon(rest) {
        // `- key: value` starts a mapping whose further keys sit at the item's column.
        lines[index] = Line(number: l.number, indent: itemColumn - 1, text: rest)
        _ = colon
        items.append(try parseMapping(indent: itemColumn - 1))
      } else {
        items.append(try parseValue(rest, line: l, column: itemColumn))
        index += 1
      }
    }
    return .list(items, SourceLocation(file: file, line: start.number, column: start.indent + 1))
  }

  /// The index of the `:` that ends a key (followed by a space or the end), outside quotes.
  private static func keyColon(_ s: Substring) -> Substring.Index? {
    if s.first == "\"" || s.first == "'" || s.first == "[" { return nil }
    var i = s.startIndex
    while i < s.endIndex {
      if s[i] == ":" {
        let next = s.index(after: i)
        if next == s.endIndex || s[next] == " " { return i }
      }
      i = s.index(after: i)
    }
    return nil
  }

  private mutating func parseMapping(indent: Int) throws(Diagnostic) -> Node {
    let start = lines[index]
    var entries: [MappingEntry] = []
    var firstLine: [String: Int] = [:]
    while index < lines.count {
      let l = lines[index]
      if l.indent < indent { break }
      if l.indent > indent {
        throw error(
          l, column: l.indent + 1, "unexpected indentation; keys of one mapping must line up at column \(indent + 1)")
      }
      if l.text.hasPrefix("- ") || l.text == "-" {
        throw error(l, column: l.indent + 1, "a list item where a key was expected")
      }
      guard let colon = Self.keyColon(l.text) else {
        throw error(l, column: l.indent + 1, "expected 'key: value', got '\(l.text)'", length: l.text.count)
      }
      let key = String(l.text[..<colon]).trimmingSpaces
      let keyLoc = SourceLocation(file: file, line: l.number, column: l.indent + 1)
      if key.isEmpty { throw error(l, column: l.indent + 1, "empty key before ':'") }
      if let first = firstLine[key] {
        throw Diagnostic(
          location: keyLoc, message: "duplicate key '\(key)'; first given at line \(first)", length: key.count,
          reason: .syntax)
      }
      firstLine[key] = l.number
      var rest = l.text[l.text.index(after: colon)...]
      var valueColumn = l.indent + 1 + l.text.distance(from: l.text.startIndex, to: colon) + 1
      while rest.first == " " { rest = rest.dropFirst(); valueColumn += 1 }
      index += 1
      let value: Node
      if rest.isEmpty {
        if index < lines.count && lines[index].indent > indent {
          value = try parseBlock(indent: lines[index].indent)
        } else if index < lines.count && lines[index].indent == indent && lines[index].text.hasPrefix("- ") {
          value = try parseList(indent: indent)  // YAML allows a list at the key's own indentation
        } else {
          value = .scalar("", quoted: false, SourceLocation(file: file, line: l.number, column: valueColumn))
        }
      } else {
        value = try parseValue(rest, line: l, column: valueColumn)
      }
      entries.append(MappingEntry(key: key, keyLocation: keyLoc, value: value))
    }
    return .mapping(entries, SourceLocation(file: file, line: start.number, column: start.indent + 1))
  }

  /// A scalar or an inline list on one line.
  private func parseValue(_ text: Substring, line l: Line, column: Int) throws(Diagnostic) -> Node {
    let loc = SourceLocation(file: file, line: l.number, column: column)
    if text.first == "[" {
      guard text.last == "]" else {
        throw error(l, column: column, "inline list is missing its closing ']'", length: text.count)
      }
      var items: [Node] = []
      var cur = ""
      var curColumn = column + 1
      var quote: Character?
      var col = column + 1
      for c in text.dropFirst().dropLast() {
        if let q = quote {
          cur.append(c)
          if c == q { quote = nil }
        } else if c == "\"" || c == "'" {
          quote = c
          cur.append(c)
        } else if c == "[" || c == "]" {
          throw error(l, column: col, "nested lists are not supported; use a block list")
        } else if c == "," {
          items.append(try scalar(cur, l, curColumn))
          cur = ""
          curColumn = col + 1
        } else {
          if cur.isEmpty && c == " " { curColumn = col + 1 } else { cur.append(c) }
        }
        col += 1
      }
      if !cur.trimmingSpaces.isEmpty || !items.isEmpty { items.append(try scalar(cur, l, curColumn)) }
      return .list(items, loc)
    }
    return try scalar(String(text), l, column)
  }

  private func scalar(_ raw: String, _ l: Line, _ column: Int) throws(Diagnostic) -> Node {
    let t = raw.trimmingSpaces
    let loc = SourceLocation(file: file, line: l.number, column: column)
    if let f = t.first, f == "\"" || f == "'" {
      guard t.count >= 2, t.last == f else { throw error(l, column: column, "unterminated quoted string") }
      return .scalar(String(t.dropFirst().dropLast()), quoted: true, loc)
    }
    if t.isEmpty { throw error(l, column: column, "empty value in a list") }
    if t.hasPrefix("{") {
      throw error(l, column: column, "inline mappings '{…}' are not supported; use an indented block", length: t.count)
    }
    return .scalar(t, quoted: false, loc)
  }
}

extension String {
  package var replacingCRLF: String {
    // Most files have no carriage return: one scan of the bytes, no copy.
    guard utf8.contains(0x0D) else { return self }
    var out = ""
    out.reserveCapacity(utf8.count)
    var pendingCR = false
    for c in unicodeScalars {
      if pendingCR && c != "\n" { out.unicodeScalars.append("\n") }
      pendingCR = false
      if c == "\r" { pendingCR = true; continue }
      out.unicodeScalars.append(c)
    }
    if pendingCR { out.unicodeScalars.append("\n") }
    return out
  }
}
