import TrainMemCore

// JSON written straight into a byte buffer: the sweep's workers write each run's object into
// their own buffer, with no Encodable tree, no string per number and no re-indentation.

/// Pretty-printed JSON with sorted keys, byte for byte as Foundation's `JSONEncoder` prints it
/// with `[.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]` (swift-foundation, Swift 6):
/// two-space indentation, `"key" : value`, an empty container as `[\n\n<indent>]`, doubles as
/// their shortest round-trip `description` without a trailing `.0`.
///
/// Callers write an object's
/// keys in sorted (UTF-8 byte) order; debug builds check it. `JSONWriterTests` holds the
/// writer to JSONEncoder on generated documents. A `compact` writer prints the same values
/// with no whitespace (`{"key":value}`), one document to a line for JSON Lines.
package struct JSONWriter {
  package var bytes: [UInt8]
  /// No newlines, indentation or spaces around `:`.
  private let compact: Bool
  /// Per open container: whether it has an element yet.
  private var levels: [Bool] = []
  #if DEBUG
    /// Per open container, the last key written (checked to be in order).
    private var lastKeys: [String?] = []
  #endif

  /// A writer for a document, or (`depth` > 0) for one element of containers someone else
  /// opened — a run inside the report's `runs` array — indented to that depth, without a
  /// separator: the caller writes those between elements.
  package init(depth: Int = 0, compact: Bool = false, appendingTo bytes: consuming [UInt8] = []) {
    self.bytes = consume bytes
    self.compact = compact
    levels = Array(repeating: true, count: depth)
    #if DEBUG
      lastKeys = Array(repeating: nil, count: depth)
    #endif
    if depth > 0 {
      indent()
      pendingValue = true
    }
  }

  // MARK: Containers

  package mutating func openObject() { open(0x7B) }
  package mutating func closeObject() { close(0x7D) }
  package mutating func openArray() { open(0x5B) }
  package mutating func closeArray() { close(0x5D) }

  /// An object member's key; its value follows.
  package mutating func key(_ key: String) {
    #if DEBUG
      assert(!key.utf8.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }, "a key that needs escaping: \(key)")
      if let last = lastKeys[lastKeys.count - 1] {
        assert(Array(last.utf8).lexicographicallyPrecedes(key.utf8), "JSON keys out of order: \(last) before \(key)")
      }
      lastKeys[lastKeys.count - 1] = key
    #endif
    newElement()
    // Keys are the schema's own identifiers: nothing to escape.
    bytes.append(0x22)
    bytes.append(contentsOf: key.utf8)
    if compact { bytes.append(contentsOf: [0x22, 0x3A]) } else { bytes.append(contentsOf: [0x22, 0x20, 0x3A, 0x20]) }
    pendingValue = true
  }

  // MARK: Values (an array element, or the value after `key`)

  package mutating func value(_ v: Int64) {
    prepareValue()
    NumberFormatting.appendInteger(v, to: &bytes)
  }

  package mutating func value(_ v: Double) {
    prepareValue()
    var text = v.description
    if text.hasSuffix(".0") { text.removeLast(2) }
    bytes.append(contentsOf: text.utf8)
  }

  package mutating func value(_ v: Bool) {
    prepareValue()
    bytes.append(contentsOf: (v ? "true" : "false").utf8)
  }

  package mutating func value(_ v: String) {
    prepareValue()
    string(v)
  }

  /// `key : value` for each non-nil value (JSONEncoder leaves nil optionals out).
  package mutating func value(_ v: FieldValue) {
    switch v {
    case .integer(let v): value(v)
    case .number(let v): value(v)
    case .text(let v): value(v)
    case .flag(let v): value(v)
    }
  }

  package mutating func member(_ name: String, _ v: Int64?) { if let v { key(name); value(v) } }
  package mutating func member(_ name: String, _ v: Double?) { if let v { key(name); value(v) } }
  package mutating func member(_ name: String, _ v: Bool?) { if let v { key(name); value(v) } }
  package mutating func member(_ name: String, _ v: String?) { if let v { key(name); value(v) } }

  // MARK: Mechanics

  /// Set by `key`: the next value completes a member instead of starting an element.
  private var pendingValue = false

  private mutating func prepareValue() {
    if pendingValue {
      pendingValue = false
    } else if !levels.isEmpty {
      newElement()
    }
  }

  private mutating func open(_ bracket: UInt8) {
    prepareValue()
    bytes.append(bracket)
    levels.append(false)
    #if DEBUG
      lastKeys.append(nil)
    #endif
  }

  private mutating func close(_ bracket: UInt8) {
    let hasElement = levels.removeLast()
    #if DEBUG
      lastKeys.removeLast()
    #endif
    if !compact {
      bytes.append(0x0A)
      if !hasElement { bytes.append(0x0A) }
      indent()
    }
    bytes.append(bracket)
  }

  /// The separator before an element and its indentation.
  private mutating func newElement() {
    if levels[levels.count - 1] { bytes.append(0x2C) }
    levels[levels.count - 1] = true
    if compact { return }
    bytes.append(0x0A)
    indent()
  }

  private mutating func indent() {
    if compact { return }
    bytes.append(contentsOf: repeatElement(0x20, count: 2 * levels.count))
  }

  /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\t`, `\r`, `\b`, `\f` or
  /// `\u00xx` (lowercase hex); everything else, `/` included, as it is.
  private mutating func string(_ s: String) {
    var s = s
    s.withUTF8 { utf8 in
      bytes.append(0x22)
      // Most strings need no escape: one copy.
      var clean = true
      for byte in utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
        clean = false
        break
      }
      if clean {
        bytes.append(contentsOf: utf8)
      } else {
        for byte in utf8 { escape(byte) }
      }
      bytes.append(0x22)
    }
  }

  private mutating func escape(_ byte: UInt8) {
    switch byte {
    case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
    case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
    case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
    case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
    case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
    case 0x08: bytes.append(contentsOf: [0x5C, 0x62])
    case 0x0C: bytes.append(contentsOf: [0x5C, 0x66])
    case ..<0x20:
      let hex: [UInt8] = Array("0123456789abcdef".utf8)
      bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
    default: bytes.append(byte)
    }
  }
}

extension JSONWriter {
  /// A finished document's text, with the newline every trainmem JSON ends with.
  package var text: String { String(decoding: bytes, as: UTF8.self) }
}
