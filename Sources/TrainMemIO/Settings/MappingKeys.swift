import TrainMemCore

/// One key of a mapping a scenario writes that is not a setting — a custom model's dimension,
/// a custom GPU's rate, a reference's figure — declared once: the docs' row and the loader's
/// reading of it into its target.
package struct MappingKey<Target>: Sendable {
  package let key: String
  /// The value's syntax, as docs print it (`N`, `swiglu, geglu, gelu`).
  package let value: String
  package let defaultText: String
  package let doc: String
  /// Reads the entry into the target; false after recording a diagnostic.
  package let read: @Sendable (inout ScenarioLoader, MappingEntry, inout Target) -> Bool

  /// A whole number from `low` to `max`, named in messages by its key.
  static func integer(
    _ key: String, from low: Int64 = 1, max: Int64, default defaultText: String, doc: String,
    _ apply: @escaping @Sendable (inout Target, Int64) -> Void
  ) -> Self {
    MappingKey(key: key, value: "N", defaultText: defaultText, doc: doc) { loader, e, target in
      guard let v = loader.integer(e.value, "'\(e.key)'", min: low, max: max) else { return false }
      apply(&target, v)
      return true
    }
  }

  /// A finite number of `kind` within `range`.
  static func number(
    _ key: String, _ value: String, _ kind: QuantityKind, _ range: ClosedRange<Double>, default defaultText: String,
    doc: String, _ apply: @escaping @Sendable (inout Target, Double) -> Void
  ) -> Self {
    MappingKey(key: key, value: value, defaultText: defaultText, doc: doc) { loader, e, target in
      guard let v = loader.number(e.value, "'\(e.key)'", kind: kind, range: range) else { return false }
      apply(&target, v)
      return true
    }
  }

  /// A byte size with its unit within `range` (`80GiB`); `what` describes it in the message.
  static func size(
    _ key: String, _ range: ClosedRange<Int64>, what: String, default defaultText: String, doc: String,
    _ apply: @escaping @Sendable (inout Target, Bytes) -> Void
  ) -> Self {
    MappingKey(key: key, value: "SIZE", defaultText: defaultText, doc: doc) { loader, e, target in
      guard case .scalar(let s, _, _) = e.value, let b = try? Quantity.bytes(s), range.contains(b.count) else {
        loader.fail(e.value, "expected \(what)")
        return false
      }
      apply(&target, b)
      return true
    }
  }

  /// `true` or `false`.
  static func flag(
    _ key: String, default defaultText: String, doc: String, _ apply: @escaping @Sendable (inout Target, Bool) -> Void
  ) -> Self {
    MappingKey(key: key, value: "true, false", defaultText: defaultText, doc: doc) { loader, e, target in
      guard let v = loader.boolean(e.value, "'\(e.key)'") else { return false }
      apply(&target, v)
      return true
    }
  }

  /// Text; `what` names it in the message (`a model name`).
  static func text(
    _ key: String, what: String, default defaultText: String, doc: String,
    _ apply: @escaping @Sendable (inout Target, String) -> Void
  ) -> Self {
    MappingKey(key: key, value: "text", defaultText: defaultText, doc: doc) { loader, e, target in
      guard let s = loader.text(e.value, what) else { return false }
      apply(&target, s)
      return true
    }
  }

  /// One of an enumeration's raw values.
  static func choice<E: RawRepresentable & CaseIterable & Sendable>(
    _ key: String, _: E.Type, default defaultText: String, doc: String,
    _ apply: @escaping @Sendable (inout Target, E) -> Void
  ) -> Self where E.RawValue == String {
    let values = E.allCases.map(\.rawValue)
    return MappingKey(key: key, value: values.joined(separator: ", "), defaultText: defaultText, doc: doc) {
      loader, e, target in
      guard case .scalar(let s, _, _) = e.value, let v = E(rawValue: s) else {
        var got = ""
        if case .scalar(let s, _, _) = e.value { got = suggestion(s, values) }
        loader.fail(e.value, "'\(e.key)' is one of \(values.joined(separator: ", "))\(got)")
        return false
      }
      apply(&target, v)
      return true
    }
  }

  /// The Markdown table of a mapping's keys (docs/scenario-format.md; a test keeps it equal).
  package static func markdownTable(_ keys: [MappingKey]) -> String {
    "| key | values | default | meaning |\n|---|---|---|---|\n"
      + keys.map { "| `\($0.key)` | \($0.value) | \($0.defaultText) | \($0.doc) |\n" }.joined()
  }
}

/// A mapping's keys by name, for the loader's lookup and its suggestions.
package struct MappingKeys<Target>: Sendable {
  package let all: [MappingKey<Target>]
  package let names: [String]
  private let byName: [String: MappingKey<Target>]

  init(_ all: [MappingKey<Target>]) {
    self.all = all
    names = all.map(\.key)
    byName = Dictionary(uniqueKeysWithValues: all.map { ($0.key, $0) })
  }

  package subscript(_ key: String) -> MappingKey<Target>? { byName[key] }
  package var markdownTable: String { MappingKey.markdownTable(all) }
}
