import Foundation
import Testing

@testable import TrainMemKit

/// Golden files: every shipped scenario's report in every format is pinned under
/// `Golden/<scenario>.<md|json|csv|svg>`, so a changed formula shows up as a reviewed diff.
/// `UPDATE_GOLDEN=1 swift test` rewrites them and fails, so the rewrite is never silent.
@Suite struct GoldenTests {
  static let scenariosDir = Calibration.root.appendingPathComponent("Scenarios")
  static let goldenDir = Calibration.root.appendingPathComponent("Tests/TrainMemKitTests/Golden")
  static let scenarios: [String] = (try? FileManager.default.contentsOfDirectory(atPath: scenariosDir.path))?
    .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted() ?? []

  @Test("every shipped scenario matches its golden reports", arguments: scenarios)
  func golden(_ name: String) throws {
    for format in ReportFormat.allCases {
      var out = "", err = ""
      let status = TrainMemCLI.run(
        arguments: ["run", Self.scenariosDir.appendingPathComponent(name + ".yaml").path, "--format", format.rawValue, "--threads", "1"],
        stdout: &out, stderr: &err)
      #expect(status == 0, "\(name).\(format.rawValue): \(err)")
      let file = Self.goldenDir.appendingPathComponent("\(name).\(format.rawValue)")
      if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
        try out.write(to: file, atomically: true, encoding: .utf8)
        Issue.record("rewrote \(file.lastPathComponent); review the diff and run the tests again without UPDATE_GOLDEN")
        continue
      }
      guard let expected = try? String(contentsOf: file, encoding: .utf8) else {
        Issue.record("missing golden file \(file.lastPathComponent); create it with UPDATE_GOLDEN=1 swift test")
        continue
      }
      let a = expected.replacingOccurrences(of: "\r\n", with: "\n")
      if a != out { Issue.record("\(file.lastPathComponent) differs:\n\(lineDiff(a, out))") }
    }
  }

  @Test("no golden file without its scenario")
  func noOrphans() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.goldenDir.path)
    for f in files {
      let base = String(f.prefix { $0 != "." })
      #expect(Self.scenarios.contains(base), "orphan golden file \(f)")
    }
    #expect(files.count == Self.scenarios.count * ReportFormat.allCases.count)
  }
}

/// The first differing lines, for a readable failure.
func lineDiff(_ expected: String, _ actual: String) -> String {
  let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
  let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
  var out = ""
  var shown = 0
  for i in 0..<max(e.count, a.count) where shown < 8 {
    let x = i < e.count ? String(e[i]) : "<none>"
    let y = i < a.count ? String(a[i]) : "<none>"
    if x != y { out += "line \(i + 1):\n- \(x)\n+ \(y)\n"; shown += 1 }
  }
  return out
}
