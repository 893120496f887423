import Foundation
import TrainMemCore
import TrainMemIO

/// `trainmem run FILE…`: evaluates scenario files into one report.
enum RunCommand {
  static let options: [OptionSpec] = [.format, .output, .threads, .boolean("check"), .valued(Settings.margin.flag)]

  static func run(_ args: [String], _ console: Console) throws -> Int32 {
    let options = try ParsedOptions(args, command: "run", specs: options)
    let format = try options.format()
    let threads = try options.integer("threads", in: 1...256, default: defaultThreads)
    let paths = options.positionals
    guard !paths.isEmpty else {
      throw UsageError(message: "missing scenario file; e.g. 'trainmem run Scenarios/apollo-7b-8xa100.yaml'")
    }
    if paths.count > 1 && (format == .json || format == .svg) {
      throw UsageError(
        message:
          "'--format \(format.rawValue)' makes one document of one scenario; got \(paths.count) files — run each separately"
      )
    }
    var scenarios = try load(paths)
    if let margin = try marginEdit(options) {
      // `--margin` sets every run's margin (a sweep over `margin` still wins at its points).
      for i in scenarios.indices {
        for j in scenarios[i].runs.indices {
          margin(&scenarios[i].runs[j].setup)
          scenarios[i].runs[j].keyLocations.append((SettingID.margin.path, .commandLine("--margin")))
        }
      }
    }
    do {
      let status = try TrainMemCLI.withSink(options, console) { sink in
        try ReportStream.write(scenarios, format: format, threads: threads, to: sink, progress: progress(console))
        return ExitStatus.ok
      }
      guard options.value("check") == "true" else { return status }
      return try check(scenarios, threads: threads, console)
    } catch let e as ImpossibleResult {
      let text = try? TextFile.read(e.diagnostic.location.file)
      throw DataErrors(rendered: TextFile.render(Diagnostics(errors: [e.diagnostic]), text: text))
    }
  }

  /// `--margin 5%`, read as the scenario key `margin` is (a `%` required, at most 50%).
  static func marginEdit(_ options: ParsedOptions) throws -> SetupEdit? {
    guard let text = options.value(Settings.margin.flag) else { return nil }
    switch ScenarioLoader.edit(Settings.margin, text, at: .commandLine("--margin")) {
    case .success(let edit): return edit
    case .failure(let error): throw UsageError(message: visible(error.message))
    }
  }

  /// "\r40960/100000 points" on a terminal, for sweeps over 10,000 points.
  static func progress(_ console: Console) -> ((Int, Int) -> Void)? {
    guard isatty(2) != 0 else { return nil }
    return { done, total in
      guard total > 10_000 else { return }
      console.error("\r\(done)/\(total) points" + (done == total ? "\n" : ""))
    }
  }

  /// `--check`: exit 1 when any run does not fit or fits within its margin, naming the first
  /// twenty on stderr (the CI gate).
  static func check(_ scenarios: [Scenario], threads: Int, _ console: Console) throws -> Int32 {
    var failing: [String] = []
    var count = 0, total = 0
    for scenario in scenarios {
      total += scenario.count
      try SweepEngine.map(
        scenario, threads: threads,
        { run -> String? in
          let m = run.memory
          guard !m.fits || m.narrow else { return nil }
          let state =
            m.fits
            ? "narrow fit, \(Bytes(m.headroom)) to spare of a \(Bytes(m.margin)) margin"
            : "needs \(Bytes(m.required)) of \(Bytes(m.capacity))"
          return "'\(visible(run.label))' (\(state))"
        }
      ) { problem in
        guard let problem else { return }
        count += 1
        if failing.count < 20 { failing.append(problem) }
      }
    }
    guard count > 0 else { return ExitStatus.ok }
    let more = count > failing.count ? "\n  … and \(count - failing.count) more" : ""
    console.error(
      "error: \(count) of \(total) runs do not fit or break their margin:\n  " + failing.joined(separator: "\n  ")
        + more + "\n")
    return ExitStatus.checkFailed
  }

  static var defaultThreads: Int { min(256, max(1, ProcessInfo.processInfo.activeProcessorCount)) }

  /// Every file loaded, or every file's diagnostics.
  static func load(_ paths: [String]) throws(DataErrors) -> [Scenario] {
    try TextFile.parseAll(paths) { (text, path) throws(Diagnostics) in
      try ScenarioLoader.load(file: path, text: text)
    }
  }

}
