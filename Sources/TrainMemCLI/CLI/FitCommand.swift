import Foundation
import TrainMemCore
import TrainMemIO

/// `trainmem fit`: fits or not, headroom, the largest micro-batch and sequence, and — when it
/// does not fit — the changes that would (Planner/Advice.swift); without `--gpu`, every catalog
/// GPU ranked.
///
/// Markdown or JSON.
enum FitCommand {
  static let options: [OptionSpec] = OptionSpec.settings + [.format, .output, .valued("rank-by")]

  /// `--rank-by cost|time` (default cost).
  static func ranking(_ options: ParsedOptions) throws(UsageError) -> PlanRanking {
    guard let v = options.value("rank-by") else { return .cost }
    guard let r = PlanRanking(rawValue: v) else {
      throw UsageError(
        message:
          "'--rank-by' is '\(visible(v))'; expected \(PlanRanking.allCases.map(\.rawValue).joined(separator: " or ")) (cheapest or fastest to train first)"
      )
    }
    return r
  }

  /// Points of a scenario `fit FILE` answers for (each is a planner search); beyond it,
  /// `run --check` is the tool.
  static let filePointLimit = 64

  static func run(_ args: [String], _ console: Console) throws -> Int32 {
    let options = try ParsedOptions(args, command: "fit", specs: options)
    let format = try options.format(allowed: [.md, .json])
    let rankBy = try ranking(options)
    if !options.positionals.isEmpty { return try runFile(options, format: format, rankBy: rankBy, console) }
    // `--gpu b200,h100-sxm,mi300x` ranks just those cards.
    let cards = try listedCards(options)
    let s =
      try options.value(Settings.gpu.flag) == nil || cards != nil
      ? CommandLineSetup.anyGPUSetup(options, without: Settings.gpu.flag) : CommandLineSetup.setup(options)
    // Exit 1 when nothing fits, with one line on stderr for a CI log.
    return try TrainMemCLI.withSink(options, console) { sink in
      if options.value(Settings.gpu.flag) == nil || cards != nil {
        let rows = GPURanking.rank(s, by: rankBy, among: cards)
        try sink.write(
          format == .json ? FitRenderer.JSON.ranking(s, rows, rankBy) : FitRenderer.ranking(s, rows, rankBy))
        if rows.contains(where: { $0.maxMicroBatch != nil }) { return ExitStatus.ok }
        console.error("error: no GPU in the catalog fits \(FitRenderer.describe(s))\n")
        return ExitStatus.checkFailed
      }
      var answer = FitAnswer(s, rankBy: rankBy)
      answer.assumptions = CommandLineSetup.assumptions(options, s)
      guard RunResult.sane(answer.memory, answer.throughput) else { throw CommandLineSetup.impossible }
      try sink.write(
        format == .json
          ? FitRenderer.JSON.answer(answer, run: RunResult.evaluate(label: "", setup: s))
          : FitRenderer.markdown(answer))
      let m = answer.memory
      if m.fits && !m.narrow { return ExitStatus.ok }
      if m.narrow {
        console.error(
          "error: narrow fit: \(FitRenderer.describe(s)) has \(Bytes(m.headroom)) to spare, within its \(Bytes(m.margin)) margin\n"
        )
      } else {
        console.error(
          "error: does not fit: \(FitRenderer.describe(s)) needs \(Bytes(m.required)) of \(Bytes(m.capacity))\n")
      }
      return ExitStatus.checkFailed
    }
  }

  /// The cards of `--gpu a,b,c` (nil for one card or none), each as `--gpu` reads one.
  static func listedCards(_ options: ParsedOptions) throws -> [GPUSpec]? {
    // A custom card (`memory=24GB,bandwidth=1TB/s`) is one GPU, not a list.
    guard let value = options.value(Settings.gpu.flag), value.contains(","), !value.contains("=") else { return nil }
    return try value.split(separator: ",", omittingEmptySubsequences: false).map { name in
      let id = String(name).trimmingCharacters(in: .whitespaces)
      guard let card = GPUSpec.preset(id) else {
        throw UsageError(message: "'--gpu' lists '\(visible(id))', not a catalog GPU; see 'trainmem list gpus'")
      }
      return card
    }
  }

  /// `fit FILE`: the fit of every run (and sweep point) of a scenario, in order; exit 1 when any
  /// does not fit or breaks its margin.
  static func runFile(
    _ options: ParsedOptions, format: ReportFormat, rankBy: PlanRanking, _ console: Console
  ) throws -> Int32 {
    guard options.positionals.count == 1, let path = options.positionals.first else {
      throw UsageError(message: "'fit' takes one scenario file; got \(options.positionals.count)")
    }
    if let flag = options.given.first(where: { Settings.byFlag[$0.name] != nil }) {
      throw UsageError(
        message:
          "'--\(flag.name)' with a scenario file: put the setting in the file (fit FILE reads every setting from it)")
    }
    let scenario = try RunCommand.load([path])[0]
    guard scenario.count <= filePointLimit else {
      throw UsageError(
        message:
          "'\(visible(path))' has \(scenario.count) runs; fit answers for at most \(filePointLimit) — use 'trainmem run \(visible(path)) --check' for a sweep"
      )
    }
    let answers = (0..<scenario.count).map { index in
      let setup = scenario.point(index).setup
      var answer = FitAnswer(setup, rankBy: rankBy)
      answer.assumptions = scenario.assumptions(point: index, setup)
      return (label: scenario.label(index), answer: answer, run: RunResult.evaluate(label: "", setup: setup))
    }
    guard answers.allSatisfy({ RunResult.sane($0.answer.memory, $0.answer.throughput) }) else {
      throw CommandLineSetup.impossible
    }
    let failing = answers.filter { !$0.answer.memory.fits || $0.answer.memory.narrow }
    let status = try TrainMemCLI.withSink(options, console) { sink in
      if format == .json {
        try sink.write(FitRenderer.JSON.file(scenario.name, answers))
      } else {
        try sink.write("# trainmem fit: \(MarkdownRenderer.cell(scenario.name))\n")
        for (label, answer, _) in answers {
          try sink.write("\n" + FitRenderer.markdown(answer, heading: "## \(MarkdownRenderer.cell(label)):"))
        }
      }
      return failing.isEmpty ? ExitStatus.ok : ExitStatus.checkFailed
    }
    if !failing.isEmpty {
      console.error(
        "error: \(failing.count) of \(answers.count) runs do not fit or break their margin: "
          + failing.map { "'\(visible($0.label))'" }.joined(separator: ", ") + "\n")
    }
    return status
  }
}
