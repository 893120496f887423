// Numbers with units, as written in scenario files and on the command line:
// `80GB` = 80·10^9 bytes, `80GiB` = 80·2^30, `1.5TB/s`, `400Gb/s` (bits), `312TFLOPS`, `19.7B`
// tokens, `5%`.

/// What a number with a unit measures.
package enum QuantityKind: Sendable {
  case bytes, bandwidth, flops, count, percent
}

/// A parse failure; `message` is a complete, lowercase diagnostic.
package struct QuantityError: Error, Sendable, Equatable {
  package let message: String
}

package enum Quantity {
  /// Parses a decimal number with an optional unit suffix into a `Double` in base units
  /// (bytes, bytes/s, FLOP/s, plain count, or a fraction for `%`).
  package static func parse(_ text: String, as kind: QuantityKind) throws(QuantityError) -> Double {
    let trimmed = text.trimmingSpaces
    var numberEnd = trimmed.startIndex
    for c in trimmed {
      if c.isASCII
        && (c.isNumber || c == "." || c == "_" || ((c == "-" || c == "+") && numberEnd == trimmed.startIndex))
      {
        numberEnd = trimmed.index(after: numberEnd)
      } else {
        break
      }
    }
    // An exponent (`1e16`, `2.5E-3`): `e`, an optional sign, then digits.
    var exponent = numberEnd
    if exponent < trimmed.endIndex, trimmed[exponent] == "e" || trimmed[exponent] == "E" {
      exponent = trimmed.index(after: exponent)
      if exponent < trimmed.endIndex, trimmed[exponent] == "-" || trimmed[exponent] == "+" {
        exponent = trimmed.index(after: exponent)
      }
      var digits = 0
      while exponent < trimmed.endIndex, trimmed[exponent].isASCII, trimmed[exponent].isNumber {
        exponent = trimmed.index(after: exponent)
        digits += 1
      }
      if digits > 0 { numberEnd = exponent }
    }
    let numberText = trimmed[..<numberEnd].replacingUnderscores
    let unit = String(trimmed[numberEnd...]).trimmingSpaces
    guard let value = Double(numberText), value.isFinite else {
      throw QuantityError(message: "expected a number\(example(kind)), got '\(text)'")
    }
    guard let factor = unitFactor(unit, kind) else {
      throw QuantityError(message: "unknown unit '\(unit)' in '\(text)'\(example(kind))")
    }
    let result = value * factor
    guard result.isFinite, Swift.abs(result) < 9.2e18 else {
      throw QuantityError(message: "'\(text)' is too large")
    }
    return result
  }

  /// A bound as messages print it: `1PiB`, `100,000`.
  package static func describe(_ value: Double, _ kind: QuantityKind) -> String {
    switch kind {
    case .bytes: return Bytes(Int64(value)).description
    case .bandwidth: return NumberFormatting.grouped(value / 1e9) + "GB/s"
    case .percent: return NumberFormatting.grouped(value * 100) + "%"
    default:
      if value == value.rounded() || Swift.abs(value) >= 1000 { return NumberFormatting.grouped(value) }
      var text = NumberFormatting.fixed(value, 6)
      while text.hasSuffix("0") { text.removeLast() }
      return text
    }
  }

  /// Parses a byte size (`80GB`, `80 GiB`, `1.5TB`) into an exact `Bytes`.
  package static func bytes(_ text: String) throws(QuantityError) -> Bytes {
    let v = try parse(text, as: .bytes)
    guard v >= 0 else { throw QuantityError(message: "a size cannot be negative, got '\(text)'") }
    return Bytes(Int64(v.rounded()))
  }

  private static func example(_ kind: QuantityKind) -> String {
    switch kind {
    case .bytes: return " such as '80GB' or '0.5GiB'"
    case .bandwidth: return " such as '2TB/s', '900GB/s' or '400Gb/s'"
    case .flops: return " such as '312TFLOPS'"
    case .count: return " such as '19.7B' or '512'"
    case .percent: return " such as '5%'"
    }
  }

  private static func unitFactor(_ unit: String, _ kind: QuantityKind) -> Double? {
    let u = unit
    switch kind {
    case .bytes:
      return byteFactor(u)
    case .bandwidth:
      guard u.hasSuffix("/s") else { return u.isEmpty ? 1 : nil }
      let perSecond = String(u.dropLast(2))
      // Network ports are rated in bits: `400Gb/s` is 50 GB/s.
      let bits: [(String, Double)] = [("Kb", 1e3 / 8), ("Mb", 1e6 / 8), ("Gb", 1e9 / 8), ("Tb", 1e12 / 8)]
      return bits.first { $0.0 == perSecond }?.1 ?? byteFactor(perSecond)
    case .flops:
      let table: [(String, Double)] = [
        ("", 1), ("FLOPS", 1), ("KFLOPS", 1e3), ("MFLOPS", 1e6), ("GFLOPS", 1e9),
        ("TFLOPS", 1e12), ("PFLOPS", 1e15),
      ]
      return table.first { $0.0.lowercased() == u.lowercased() }?.1
    case .count:
      let table: [(String, Double)] = [("", 1), ("K", 1e3), ("M", 1e6), ("B", 1e9), ("T", 1e12)]
      return table.first { $0.0 == u }?.1
    case .percent:
      return u == "%" ? 0.01 : (u.isEmpty ? 0.01 : nil)
    }
  }

  private static func byteFactor(_ u: String) -> Double? {
    let table: [(String, Double)] = [
      ("", 1), ("B", 1), ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("PB", 1e15),
      ("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
      ("PiB", 1_125_899_906_842_624),
    ]
    return table.first { $0.0 == u }?.1
  }
}

extension StringProtocol {
  package var trimmingSpaces: String {
    guard let f = first, let l = last, f == " " || f == "\t" || l == " " || l == "\t" else { return String(self) }
    var s = Substring(self)
    while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
    return String(s)
  }
  package var replacingUnderscores: String { String(self.filter { $0 != "_" }) }
}
