// Locale-independent number printing: reports must be byte-identical on every machine, so
// no NumberFormatter, no `.formatted()`.

enum NumberFormatting {
  /// `value` with exactly `digits` decimals, rounded half away from zero, no grouping.
  static func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (Swift.abs(value) * scale).rounded(.toNearestOrAwayFromZero)
    if scaled >= 9.0e18 { return grouped(value).replacingOccurrences(",", "", all: true) }
    let n = Int64(scaled)
    let intPart = n / Int64(scale)
    let frac = n % Int64(scale)
    let sign = (value < 0 && n != 0) ? "-" : ""
    if digits == 0 { return sign + String(intPart) }
    var f = String(frac)
    while f.count < digits { f = "0" + f }
    return sign + String(intPart) + "." + f
  }

  /// Integer with thousands separators: 14890 → "14,890".
  static func grouped(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    // Beyond Int64, digits of the exact double (never a trap).
    let s: String
    let negative = value < 0 && value.rounded() != 0
    if Swift.abs(value) >= 9.0e18 {
      s = String(describing: Swift.abs(value).rounded()).split(separator: ".")[0].description
      if s.contains("e") { return (negative ? "-" : "") + s }
    } else {
      s = String(Swift.abs(Int64(value.rounded())))
    }
    var out = ""
    for (i, c) in s.enumerated() {
      if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
      out.append(c)
    }
    return (negative ? "-" : "") + out
  }

  /// Signed percentage with one decimal: "+2.4%".
  static func percent(_ ratio: Double) -> String {
    (ratio >= 0 ? "+" : "") + fixed(ratio * 100, 1) + "%"
  }
}
