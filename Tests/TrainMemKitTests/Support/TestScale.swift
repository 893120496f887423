import Foundation

/// How much of each seeded property and fuzz suite a run draws.
///
/// All of it in CI (`.ci/run` sets `TRAINMEM_FULL_TESTS=1`), a quarter in a plain `swift test`,
/// so the README's test command stays within about two minutes on two cores. The seeds are the
/// same, so a quick run checks a prefix of what CI checks.
enum TestScale {
  static let full = ProcessInfo.processInfo.environment["TRAINMEM_FULL_TESTS"] == "1"

  /// `count` in CI, a quarter of it otherwise.
  static func draws(_ count: Int) -> Int { full ? count : count / 4 }
}
