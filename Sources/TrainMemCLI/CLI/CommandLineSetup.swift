import TrainMemCore
import TrainMemIO

/// The setup that `estimate` and `fit` flags describe, read by the scenario loader from the
/// settings' flags, so flags and files are checked by the same rules.
///
/// A bad value is reported
/// with the flag as the user typed it.
enum CommandLineSetup {
  static func setup(_ options: ParsedOptions, requireGPU: Bool = false) throws -> TrainingSetup {
    if options.value(Settings.model.flag) == nil {
      throw UsageError(message: "missing '--model'; e.g. '--model llama-7b' (trainmem list models)")
    }
    if requireGPU && options.value(Settings.gpu.flag) == nil {
      throw UsageError(message: "missing '--gpu'; e.g. '--gpu a100-80gb' (trainmem list gpus)")
    }
    var flat: [(key: String, value: String, location: SourceLocation)] = []
    for (name, value) in options.given {
      guard let setting = Settings.byFlag[name] else { continue }
      flat.append((setting.flatKey, value, .commandLine("--" + name)))
    }
    return try load(flat)
  }

  /// The setup of `fit` without `--gpu`, which ranks every catalog card: checked on the default
  /// card, or when the flags ask for what it lacks (FP8, MXFP8) on the first card that has it —
  /// each card's own refusals are then the ranking's.
  static func anyGPUSetup(_ options: ParsedOptions, without ignored: String? = nil) throws -> TrainingSetup {
    var given: [String] = []
    for (name, value) in options.given where name != ignored { given += ["--" + name, value] }
    let base = try ParsedOptions(given, command: "fit", specs: FitCommand.options)
    do { return try setup(base) } catch let first {
      for card in ["h100-sxm", "b200"] {
        var args = given
        args += ["--gpu", card]
        guard let retried = try? ParsedOptions(args, command: "fit", specs: FitCommand.options),
          let s = try? setup(retried)
        else { continue }
        return s
      }
      throw first
    }
  }

  private static func load(_ flat: [(key: String, value: String, location: SourceLocation)]) throws -> TrainingSetup {
    switch ScenarioLoader.setup(flat: flat, origin: .commandLine("--model")) {
    case .success(let s): return s
    case .failure(let errors):
      // Problems inside a file a flag names (a model's config.json) are shown there, like a
      // scenario's; problems with the flags themselves are usage errors.
      let inFiles = errors.errors.filter { $0.location.flag == nil && $0.location.line > 0 }
      if !inFiles.isEmpty { throw DataErrors(rendered: inFiles.map { $0.rendered(source: []) }.joined()) }
      throw UsageError(message: errors.errors.map { visible($0.message) }.joined(separator: "; "))
    }
  }
}

extension CommandLineSetup {
  /// The defaults the flags did not set.
  static func assumptions(_ options: ParsedOptions, _ s: TrainingSetup) -> [Assumption] {
    let given = Set(options.given.compactMap { Settings.byFlag[$0.name]?.path })
    return s.assumptions { given.contains($0.path) }
  }

  static let impossible = UsageError(
    message:
      "these settings give numbers trainmem cannot print (infinite, not a number or negative); a value is outside what the models can evaluate"
  )
}

/// `trainmem estimate`: one configuration's memory and speed, in any report format.
enum EstimateCommand {
  static let options: [OptionSpec] = OptionSpec.settings + [.format, .output, .valued("chart")]

  static func run(_ args: [String], _ console: Console) throws -> Int32 {
    let options = try ParsedOptions(args, command: "estimate", specs: options)
    try options.noPositionals("estimate")
    let format = try options.format()
    if let chart = options.value("chart") {
      guard chart == "timeline" || chart == "bars" else {
        throw UsageError(message: "unknown chart '\(visible(chart))'; expected bars or timeline")
      }
      guard format == .svg else { throw UsageError(message: "'--chart' draws SVG; add '--format svg'") }
      if chart == "timeline" { return try timeline(options, console) }
    }
    let s = try CommandLineSetup.setup(options)
    let label = "\(s.model.id) \(s.optimizer.label) on \(s.gpus)× \(s.gpu.id)"
    var run = RunResult.evaluate(label: label, setup: s).withDetails()
    run.assumptions = CommandLineSetup.assumptions(options, s)
    guard run.isSane else { throw CommandLineSetup.impossible }
    let report = Report(scenario: "trainmem estimate", runs: [run])
    return try TrainMemCLI.withSink(options, console) { sink in
      try sink.write(ReportFormat.render(report, format))
      return ExitStatus.ok
    }
  }
}

extension EstimateCommand {
  /// `estimate --format svg --chart timeline`: allocated memory through one step.
  static func timeline(_ options: ParsedOptions, _ console: Console) throws -> Int32 {
    let s = try CommandLineSetup.setup(options)
    let run = RunResult.evaluate(label: "", setup: s)
    guard run.isSane else { throw CommandLineSetup.impossible }
    let title =
      "\(s.model.id), \(s.optimizer.label), micro-batch \(s.microBatch) × \(s.sequence) on \(s.gpus)× \(s.gpu.id)"
    return try TrainMemCLI.withSink(options, console) { sink in
      try sink.write(SVGRenderer.timeline(MemoryTimeline(s), title: title))
      return ExitStatus.ok
    }
  }
}
