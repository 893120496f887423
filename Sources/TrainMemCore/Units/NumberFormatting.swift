// Locale-independent number printing: reports must be byte-identical on every machine, so
// no NumberFormatter, no `.formatted()`.

package enum NumberFormatting {
  /// `value` with exactly `digits` decimals, rounded half away from zero, no grouping.
  package static func fixed(_ value: Double, _ digits: Int) -> String {
    var bytes: [UInt8] = []
    appendFixed(value, digits, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// `fixed` written as ASCII bytes onto `out` (the CSV sweep's inner loop).
  package static func appendFixed(_ value: Double, _ digits: Int, to out: inout [UInt8]) {
    guard value.isFinite else {
      out.append(contentsOf: (value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf")).utf8)
      return
    }
    var scale: Int64 = 1
    for _ in 0..<digits { scale *= 10 }
    let scaled = (Swift.abs(value) * Double(scale)).rounded(.toNearestOrAwayFromZero)
    if scaled >= 9.0e18 {
      out.append(contentsOf: grouped(value).utf8.filter { $0 != 0x2C })
      return
    }
    let n = Int64(scaled)
    if value < 0 && n != 0 { out.append(0x2D) }
    appendInteger(n / scale, to: &out)
    guard digits > 0 else { return }
    out.append(0x2E)
    // The fraction's digits, zero-padded: scale + fraction written, then the leading 1 dropped.
    let start = out.count
    appendInteger(scale + n % scale, to: &out)
    out.remove(at: start)
  }

  /// A whole number's decimal digits as ASCII bytes onto `out`: written right to left into a
  /// 20-byte buffer on the stack, then appended at once (CSV's cells, every point of a sweep).
  package static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
    if value < 0 { out.append(0x2D) }
    var magnitude = value.magnitude
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var i = 20
      repeat {
        i -= 1
        digits[i] = 0x30 + UInt8(magnitude % 10)
        magnitude /= 10
      } while magnitude > 0
      out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[i..<20]))
    }
  }

  /// Integer with thousands separators: 14890 → "14,890".
  package static func grouped(_ value: Double) -> String {
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

  /// A token count as people write it: 19.7B, 1.5T, 250M.
  package static func tokens(_ value: Double) -> String {
    for (scale, unit) in [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")] where value >= scale {
      var text = fixed(value / scale, 2)
      while text.hasSuffix("0") { text.removeLast() }
      if text.hasSuffix(".") { text.removeLast() }
      return text + unit
    }
    return grouped(value)
  }

  /// Signed percentage with one decimal: "+2.4%".
  package static func percent(_ ratio: Double) -> String {
    (ratio >= 0 ? "+" : "") + fixed(ratio * 100, 1) + "%"
  }
}
