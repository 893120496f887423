import TrainMemCore

/// What one setting's value looks like, as data: its syntax for help and docs, how the loader
/// reads it (with its limits), and the values the invariant generator draws.
///
/// A declaration names a syntax and the key path it writes (`.integer(max: SetupLimits.gpus)`
/// into `\.gpus`); only values no plain syntax describes (`model`, `price`) read themselves
/// (`custom`).
package struct ValueSyntax<Value: Sendable>: Sendable {
  /// The value as help and docs show it (`N`, `none|ddp|…`, `SIZE|N%`).
  package var text: String
  /// Values the invariant generator draws, common ones first and the range's edges after.
  package var samples: [String]
  /// Takes no value on the command line (`--layerwise`, or `--layerwise=false`).
  package var isBoolean = false
  /// Reads the value at a node, recording a diagnostic and returning nil when it is invalid.
  package let read: @Sendable (inout ScenarioLoader, Node, Setting) -> Value?

  /// A syntax no plain case describes: the value's text, samples and reader.
  package static func custom(
    _ text: String, samples: [String], read: @escaping @Sendable (inout ScenarioLoader, Node, Setting) -> Value?
  ) -> Self {
    ValueSyntax(text: text, samples: samples, read: read)
  }
}

extension ValueSyntax where Value == Int64 {
  /// A whole number from `min` to `max` (units allowed: `4K`).
  package static func integer(_ text: String = "N", min: Int64 = 1, max: Int64, samples: [String]) -> Self {
    ValueSyntax(text: text, samples: samples) { loader, node, s in loader.integer(node, s, min: min, max: max) }
  }
}

extension ValueSyntax where Value == Double {
  /// A finite number of `kind` within `range` (`12.5GB/s`, `0.1`).
  package static func number(
    _ text: String, _ kind: QuantityKind, _ range: ClosedRange<Double>, samples: [String]
  ) -> Self {
    ValueSyntax(text: text, samples: samples) { loader, node, s in loader.number(node, s, kind: kind, range: range) }
  }

  /// A share written with its `%` (`5%`) within `range`.
  package static func percent(_ range: ClosedRange<Double>, samples: [String]) -> Self {
    ValueSyntax(text: "N%", samples: samples) { loader, node, s in loader.percent(node, s, range: range) }
  }
}

extension ValueSyntax where Value == Bool {
  /// `true` or `false` (also yes/no, on/off); a bare flag on the command line.
  package static func boolean(samples: [String] = ["true", "false"]) -> Self {
    ValueSyntax(text: "true|false", samples: samples, isBoolean: true) { loader, node, s in loader.boolean(node, s) }
  }
}

extension ValueSyntax where Value == Bytes {
  /// A byte size with its unit (`0.5GiB`) within `range`.
  package static func size(_ range: ClosedRange<Double>, samples: [String]) -> Self {
    ValueSyntax(text: "SIZE", samples: samples) { loader, node, s in loader.size(node, s, range: range) }
  }
}

extension ValueSyntax where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
  /// One of an enumeration's raw values; by default help lists them all and the generator
  /// draws each.
  package static func choice(_ text: String? = nil, samples: [String]? = nil) -> Self {
    let all = Value.allCases.map(\.rawValue)
    return ValueSyntax(text: text ?? all.joined(separator: "|"), samples: samples ?? all) { loader, node, s in
      loader.choice(node, s, Value.self)
    }
  }
}

/// How often the invariant generator draws a setting into an independent setup: most keys
/// half the time; keys a default setup leaves alone, keys valid only beside another key's
/// value, and one framework's switches less, so most generated setups stay valid.
package enum Sampling: Double, Sendable {
  /// In every setup (the model).
  case always = 1
  case often = 0.5
  /// Left alone by most setups (prices, overheads, the network's shape).
  case rarely = 0.15
  /// Valid only with another key's value (`master_weights` with bf16, `virtual_stages` with
  /// an interleaved pipeline).
  case seldom = 0.06
  /// One framework's or one architecture's switch (`overlap_comm`, `moe_grouped_gemm`).
  case scarce = 0.02
}
