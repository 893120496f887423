// An exact byte count. Every memory figure in trainmem is a `Bytes`: integer, so sums over a
// 70B-parameter inventory are exact. Inputs are bounded (`SetupLimits`) so that no count leaves
// Int64, and totals compared with a capacity saturate (`Checked`), so nothing traps.

/// An exact, signed byte count.
public struct Bytes: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The exact count.
  public let count: Int64

  package init(_ count: Int64) { self.count = count }

  package static let zero = Bytes(0)
  package static func bytes(_ n: Int64) -> Bytes { Bytes(n) }
  package static func mib(_ n: Int64) -> Bytes { Bytes(n << 20) }
  package static func gib(_ n: Int64) -> Bytes { Bytes(n << 30) }
  package static func mb(_ n: Int64) -> Bytes { Bytes(n * 1_000_000) }
  package static func gb(_ n: Int64) -> Bytes { Bytes(n * 1_000_000_000) }

  public static func < (a: Bytes, b: Bytes) -> Bool { a.count < b.count }
  package static func + (a: Bytes, b: Bytes) -> Bytes { Bytes(a.count + b.count) }
  package static func - (a: Bytes, b: Bytes) -> Bytes { Bytes(a.count - b.count) }
  package static func += (a: inout Bytes, b: Bytes) { a = a + b }
  package static func * (a: Bytes, k: Int64) -> Bytes { Bytes(a.count * k) }
  package static func / (a: Bytes, k: Int64) -> Bytes { Bytes(a.count / k) }

  /// Value in GiB (2^30 bytes), for display and ratios.
  package var gib: Double { Double(count) / 1_073_741_824 }
  /// Value in GB (10^9 bytes), the unit the papers print.
  package var gb: Double { Double(count) / 1e9 }

  /// Human-readable, always with a binary unit: "79.6 GiB".
  public var description: String {
    let a = Swift.abs(Double(count))
    let sign = count < 0 ? "-" : ""
    if a >= 1_073_741_824 { return sign + NumberFormatting.fixed(a / 1_073_741_824, 2) + " GiB" }
    if a >= 1_048_576 { return sign + NumberFormatting.fixed(a / 1_048_576, 1) + " MiB" }
    if a >= 1024 { return sign + NumberFormatting.fixed(a / 1024, 1) + " KiB" }
    return "\(count) B"
  }
}

/// Integer arithmetic for sizes that cannot trap: the setup's limits (`SetupLimits`) keep
/// byte counts inside Int64, and totals compared against a capacity saturate.
package enum Checked {
  /// A non-negative Double as Int64, saturating at Int64.max (never a trap).
  package static func bytes(_ value: Double) -> Int64 {
    guard value.isFinite, value > 0 else { return value == .infinity ? .max : 0 }
    return value >= 9.2e18 ? .max : Int64(value)
  }

  /// A sum that stops at Int64.max: for totals compared against a capacity, where "more than
  /// anything" is the right answer for absurd inputs (a 9 EB context) and a trap is not.
  package static func saturatingSum(_ terms: Int64...) -> Int64 {
    var total: Int64 = 0
    for t in terms {
      let (r, o) = total.addingReportingOverflow(t)
      if o { return .max }
      total = r
    }
    return total
  }
  /// A product that stops at Int64.max (non-negative factors).
  package static func saturatingProduct(_ a: Int64, _ b: Int64) -> Int64 {
    let (r, o) = a.multipliedReportingOverflow(by: b)
    return o ? .max : r
  }

}
