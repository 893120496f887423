import Foundation
import TrainMemCore

// Maps the syntax tree to a typed `Scenario`: presets expanded, units parsed, every semantic
// error collected with its location and sorted.

package struct ScenarioLoader {
  package static let topKeys = ["name", "version", "description", "runs", "sweep", "solve"] + Settings.topKeys
  package static let runKeys = ["label", "reference"] + Settings.topKeys
  /// Points a scenario may have over all its runs: bounds the work before any evaluation.
  package static let pointLimit = 10_000_000
  /// Model evaluations a scenario may ask for: each point is one, and each solve goal its
  /// `SolveGoal.evaluations` more.
  ///
  /// 2·10^7 is under a minute on one core of this machine.
  package static let evaluationLimit = 20_000_000.0

  package var errors: [Diagnostic] = []
  /// Model config files already read, by resolved path (a sweep names the same file often).
  package var modelFiles: [String: ModelConfig] = [:]
  /// Keys seen while loading the current block, with their value's location.
  package var recorded: [(String, SourceLocation)] = []

  /// Parses and loads `text`; throws every error found, sorted by location.
  package static func load(file: String, text: String) throws(Diagnostics) -> Scenario {
    var parser: ScenarioParser
    let root: Node
    do {
      parser = try ScenarioParser(file: file, text: text)
      root = try parser.parseDocument()
    } catch { throw Diagnostics(errors: [error]) }
    var loader = ScenarioLoader()
    let scenario = loader.scenario(root, file: file)
    if !loader.errors.isEmpty || scenario == nil {
      throw Diagnostics(errors: loader.errors.sorted { $0.location < $1.location })
    }
    return scenario!
  }

  /// A setup from flat settings (command-line flags, seed conditions), each with where it was
  /// written: a flag (`--micro-batch`) or a place in a seeds file.
  ///
  /// Settings of the `optimizer`
  /// and `overhead` groups are given flat (`rank`, `context`). One path for every caller, so
  /// flags, seeds and files are checked by the same rules.
  package static func setup(flat: [(key: String, value: String, location: SourceLocation)], origin: SourceLocation)
    -> Result<TrainingSetup, Diagnostics>
  {
    var top: [MappingEntry] = []
    var groups: [SettingGroup: [MappingEntry]] = [:]
    var loader = ScenarioLoader()
    for (key, value, location) in flat {
      let entry = MappingEntry(key: key, keyLocation: location, value: .scalar(value, quoted: false, location))
      if key == SettingID.optimizer.path {
        groups[.optimizer, default: []].insert(
          MappingEntry(key: "name", keyLocation: location, value: entry.value), at: 0)
      } else if let setting = Settings.byFlatKey[key], setting.group != .top {
        let grouped = MappingEntry(key: setting.key, keyLocation: location, value: entry.value)
        groups[setting.group, default: []].append(grouped)
      } else if Settings.byPath[key] != nil {
        top.append(entry)
      } else {
        loader.fail(
          location, "unknown setting '\(key)'\(suggestion(key, Settings.all.map(\.flatKey)))", length: key.count,
          reason: .unknownKey(key))
      }
    }
    if var optimizer = groups[.optimizer] {
      if optimizer.first?.key != "name" {
        optimizer.insert(
          MappingEntry(key: "name", keyLocation: origin, value: .scalar("adamw", quoted: false, origin)), at: 0)
      }
      top.append(MappingEntry(key: SettingID.optimizer.path, keyLocation: origin, value: .mapping(optimizer, origin)))
    }
    for group in SettingGroup.plainMappings {
      if let entries = groups[group] {
        top.append(MappingEntry(key: group.rawValue, keyLocation: origin, value: .mapping(entries, origin)))
      }
    }
    guard loader.errors.isEmpty, let sc = loader.scenario(.mapping(top, origin), file: origin.file),
      loader.errors.isEmpty
    else {
      let errors = loader.errors.isEmpty ? [Diagnostic(location: origin, message: "no setup")] : loader.errors
      return .failure(Diagnostics(errors: errors))
    }
    return .success(sc.runs[0].setup)
  }

  /// One setting's edit from a command-line value (`run --margin 5%`): read as a scenario's
  /// value is, or the diagnostic saying why not.
  package static func edit(_ setting: Setting, _ text: String, at location: SourceLocation)
    -> Result<SetupEdit, Diagnostic>
  {
    var loader = ScenarioLoader()
    let edit = setting.parse(&loader, .scalar(text, quoted: false, location), setting)
    if let error = loader.errors.first { return .failure(error) }
    guard let edit else { return .failure(Diagnostic(location: location, message: "no value")) }
    return .success(edit)
  }

  package mutating func fail(_ node: Node, _ message: String, reason: DiagnosticReason = .invalidValue) {
    fail(node.location, message, length: node.width, reason: reason)
  }
  /// Records a diagnostic; past `errorLimit` they are only counted (their text costs time).
  package mutating func fail(
    _ loc: SourceLocation, _ message: String, length: Int = 1, reason: DiagnosticReason = .invalidValue
  ) {
    guard errors.count < Self.errorLimit else { return }
    errors.append(Diagnostic(location: loc, message: message, length: length, reason: reason))
  }

  package static let errorLimit = 1000

  package mutating func scenario(_ root: Node, file: String) -> Scenario? {
    guard case .mapping(let entries, let loc) = root else { return nil }
    var name = file
    var description: String?
    var defaults = TrainingSetup(model: ModelConfig.preset("llama-7b")!, gpu: GPUSpec.preset("a100-80gb")!)
    var runsNode: Node?
    var sweep: [SweepAxis] = []
    var sweepLoc: SourceLocation?
    var solve: [SolveGoal] = []
    var solveLocation: SourceLocation?
    var sawModel = false
    for e in entries {
      switch e.key {
      case "name": if let s = text(e.value, "a scenario name") { name = s }
      case "description": description = text(e.value, "a description")
      case "version":
        if let v = integer(e.value, "the format version"), v != 1 {
          fail(e.value, "format version \(v) is newer than this trainmem understands (1)")
        }
      case "runs": runsNode = e.value
      case "sweep":
        sweepLoc = e.keyLocation
        let saved = recorded
        sweep = sweepAxes(e.value)
        recorded = saved
      case "solve":
        solveLocation = e.keyLocation
        solve = goals(e.value)
      default:
        if Settings.topKeys.contains(e.key) {
          if e.key == SettingID.model.path { sawModel = true }
          if let edit = setting(e.key, e.value) { edit(&defaults) }
        } else {
          fail(
            e.keyLocation, "unknown key '\(e.key)'\(suggestion(e.key, Self.topKeys))", length: e.key.count,
            reason: .unknownKey(e.key))
        }
      }
    }
    // A sweep over `model:` names the models as well as a top-level key does.
    if !sawModel && runsNode == nil && !sweep.contains(where: { $0.key == SettingID.model.path }) {
      fail(loc, "the scenario names no model; add 'model: llama-7b' or another preset")
    }
    let topLocations = recorded
    var runs: [RunTemplate] = []
    if let runsNode {
      guard case .list(let items, _) = runsNode else {
        fail(runsNode, "'runs' must be a list of runs, each starting with '- '")
        return nil
      }
      // Where each label was first used: duplicates are found in one pass, not by a scan per run.
      var firstUse: [String: Int] = [:]
      for (n, item) in items.enumerated() {
        guard case .mapping(let es, let iloc) = item else {
          fail(item, "each run must be a mapping such as '- label: AdamW'")
          continue
        }
        var setup = defaults
        var label = "run \(n + 1)"
        var reference: Reference?
        recorded = []
        for e in es {
          if e.key == "reference" {
            reference = self.reference(e.value)
          } else if e.key == "label" {
            if let s = text(e.value, "a label") { label = s }
          } else if Settings.topKeys.contains(e.key) {
            if let edit = setting(e.key, e.value) { edit(&setup) }
          } else {
            fail(
              e.keyLocation, "unknown key '\(e.key)' in a run\(suggestion(e.key, Self.runKeys))", length: e.key.count,
              reason: .unknownKey(e.key))
          }
        }
        applyFramework(&setup, given: topLocations + recorded, sweep: sweep)
        checkRunKeys(recorded, setup: setup, sweep: sweep)
        if let line = firstUse[label] {
          let at = es.first { $0.key == "label" }?.value.location ?? iloc
          fail(
            at,
            "duplicate run label '\(label)'; first used at line \(line) — labels name rows and 'ratio_to' targets",
            reason: .conflict)
        } else {
          firstUse[label] = iloc.line
        }
        runs.append(
          RunTemplate(
            label: label, setup: setup, location: iloc, keyLocations: topLocations + recorded, reference: reference))
      }
      if items.isEmpty { fail(runsNode, "'runs' is empty; remove it or list at least one run") }
      for (item, run) in zip(items, runs) {
        guard let target = run.reference?.ratioTo, firstUse[target] == nil else { continue }
        fail(item, "'ratio_to' names '\(target)', which is not a run label\(suggestion(target, runs.map(\.label)))")
      }
    } else {
      applyFramework(&defaults, given: topLocations, sweep: sweep)
      checkRunKeys(topLocations, setup: defaults, sweep: [])
      runs = [RunTemplate(label: name, setup: defaults, location: loc, keyLocations: topLocations)]
    }
    let scenario = Scenario(
      name: name, description: description, runs: runs, sweep: sweep, sweepLocation: sweepLoc, solve: solve)
    let points = sweep.reduce(Double(max(1, runs.count))) { $0 * Double($1.values.count) }
    if points > Double(Self.pointLimit) {
      let what = sweep.isEmpty ? "runs" : "\(runs.count) run(s) × the sweep"
      fail(
        sweepLoc ?? loc,
        "the scenario has \(NumberFormatting.grouped(points)) points (\(what)); the limit is 10,000,000; split it into several files or shorten the sweep",
        reason: .limit)
    }
    let evaluations = points * (1 + solve.reduce(0) { $0 + $1.evaluations })
    if points <= Double(Self.pointLimit) && evaluations > Self.evaluationLimit {
      fail(
        solveLocation ?? loc,
        "the scenario asks for about \(NumberFormatting.grouped(evaluations)) model evaluations (\(NumberFormatting.grouped(points)) points; per point, each solve goal about 50 and a layout search about 20,000); the limit is 20,000,000; solve fewer goals or shorten the sweep",
        reason: .limit)
    }
    if errors.isEmpty { checkPoints(scenario, sweepLoc: sweepLoc) }
    return scenario
  }

  /// Fills the settings a run did not give from its framework's profile (`Framework.defaults`),
  /// reported at the `framework` key: a key given anywhere (top level, run, sweep) wins, and a
  /// given precision keeps the profile's master weights and gradient dtype out too.
  package mutating func applyFramework(
    _ setup: inout TrainingSetup, given keys: [(String, SourceLocation)], sweep: [SweepAxis]
  ) {
    guard let framework = setup.framework,
      let at = keys.last(where: { $0.0 == SettingID.framework.path })?.1
    else { return }
    let given = Set(keys.map(\.0)).union(sweep.map(\.key))
    let precisionGiven = given.contains(SettingID.precision.path)
    var problems = setup.validationProblems().count
    for d in framework.defaults where !given.contains(d.setting.path) {
      if !d.applies(to: setup) { continue }
      if precisionGiven && (d.setting == .masterWeights || d.setting == .gradientDtype) { continue }
      guard let setting = Settings.byPath[d.setting.path] else { continue }
      switch Self.edit(setting, d.value, at: at) {
      case .success(let edit):
        // A default that does not apply to this run (fp32 gradient reduction on one GPU) is
        // left out, as the framework itself has nothing to set there.
        var candidate = setup
        edit(&candidate)
        let after = candidate.validationProblems().count
        if after > problems { continue }
        setup = candidate
        problems = after
        setup.frameworkSet.insert(d.setting)
      case .failure(let error): errors.append(error)
      }
    }
  }

  /// Keys a run (or the top level) wrote that cannot take effect: a key the sweep also sets
  /// (the sweep is applied last and would silently replace it), and optimizer settings of an
  /// optimizer that has no such setting.
  package mutating func checkRunKeys(_ keys: [(String, SourceLocation)], setup: TrainingSetup, sweep: [SweepAxis]) {
    for (key, location) in keys {
      let top = String(key.split(separator: ".").first ?? Substring(key))
      if let axis = sweep.first(where: { $0.key == top }) {
        fail(
          location,
          "'\(top)' is set by this run and swept at line \(axis.location.line); the sweep would replace it — set it in one place",
          reason: .conflict)
      }
      let kind = setup.optimizer.kind
      // Spelled only when it is an error: this runs for every key of every run.
      func spelled() -> String { SettingPath.spell(key, commandLine: location.flag != nil) }
      if key == SettingID.optimizerUpdateInterval.path && !kind.isLowRank {
        fail(location, "\(spelled()) applies to GaLore and APOLLO, not '\(kind.rawValue)'")
      }
      if key == SettingID.optimizerMomentum.path && kind != .sgd {
        fail(location, "\(spelled()) applies to SGD, not '\(kind.rawValue)'")
      }
    }
  }

  /// Whether `path` is a regular file (not a device, pipe or descriptor such as /dev/stdin).
  package static func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    return FilePath(path).withCString { stat($0, &info) } == 0 && (info.st_mode & S_IFMT) == S_IFREG
  }

  /// Semantic checks on every resolved point (ranks vs shapes, GPUs vs parallelism …); each
  /// distinct problem is reported once at its run, or at `sweep:` when a sweep value causes it.
  package mutating func checkPoints(_ s: Scenario, sweepLoc: SourceLocation?) {
    var seen: Set<String> = []
    for (index, problem) in Self.problems(s) where !seen.contains(problem.message) {
      seen.insert(problem.message)
      let location = s.location(of: problem.setting, point: index)
      fail(
        location, problem.message(spell: { SettingPath.spell($0, commandLine: location.flag != nil) }),
        reason: .setup(problem)
      )
    }
  }

  /// The first distinct problems of the scenario's points (at most `problemLimit`) with the
  /// point each was found at, in index order.
  ///
  /// A large sweep is checked on every core: each
  /// worker scans its own range and the ranges are merged in order, so the answer does not
  /// depend on the thread count.
  package static let problemLimit = 21

  package static func problems(_ s: Scenario) -> [(Int, SetupProblem)] {
    let total = s.count
    let workers = total < 8192 ? 1 : max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
    let found = Locked(Array(repeating: [(Int, SetupProblem)](), count: workers))
    DispatchQueue.concurrentPerform(iterations: workers) { w in
      var cache = InventoryCache()
      var local: [(Int, SetupProblem)] = []
      var messages: Set<String> = []
      for i in (total * w / workers)..<(total * (w + 1) / workers) {
        let setup = s.setup(i)
        let inventory = cache.validInventory(for: setup.model)
        for problem in setup.validationProblems(inventory) where !messages.contains(problem.message) {
          messages.insert(problem.message)
          local.append((i, problem))
        }
        if messages.count >= problemLimit { break }
      }
      found.withLock { $0[w] = local }
    }
    var merged: [(Int, SetupProblem)] = []
    var messages: Set<String> = []
    for (index, problem) in found.withLock({ $0.flatMap { $0 } })
    where !messages.contains(problem.message) && messages.count < problemLimit {
      messages.insert(problem.message)
      merged.append((index, problem))
    }
    return merged
  }

  // MARK: - Values

  /// How the user wrote a setting: `'--micro-batch'` on the command line, `'micro_batch'` in a
  /// file.
  package static func spelled(_ setting: Setting, _ n: Node) -> String {
    SettingPath.spell(setting.path, commandLine: n.location.flag != nil)
  }

  package mutating func text(_ n: Node, _ what: String) -> String? {
    guard case .scalar(let s, _, _) = n, !s.isEmpty else { fail(n, "expected \(what), got \(n.kindName)"); return nil }
    return s
  }

  package mutating func integer(_ n: Node, _ setting: Setting, min: Int64 = 1, max: Int64) -> Int64? {
    integer(n, Self.spelled(setting, n), min: min, max: max)
  }

  /// A whole number from `min` to `max`; units allowed (`4K`).
  package mutating func integer(_ n: Node, _ what: @autoclosure () -> String, min: Int64 = 1, max: Int64 = 1 << 53)
    -> Int64?
  {
    guard case .scalar(let s, _, _) = n, !s.isEmpty else {
      fail(n, "expected a whole number for \(what()), got \(n.kindName)")
      return nil
    }
    guard let v = try? Quantity.parse(s, as: .count), v == v.rounded(), Swift.abs(v) < 9.0e18 else {
      fail(n, "expected a whole number for \(what()), got '\(s)'")
      return nil
    }
    let i = Int64(v)
    if i < min { fail(n, "\(what()) must be at least \(min), got \(i)"); return nil }
    if i > max { fail(n, "\(what()) is \(i), above the supported maximum \(max)"); return nil }
    return i
  }

  package mutating func number(_ n: Node, _ setting: Setting, kind: QuantityKind, range: ClosedRange<Double>) -> Double?
  {
    number(n, Self.spelled(setting, n), kind: kind, range: range)
  }

  /// A finite number within `range` (an open lower bound at 0 when `range` starts above 0 is
  /// written as its smallest accepted value).
  package mutating func number(
    _ n: Node, _ what: @autoclosure () -> String, kind: QuantityKind, range: ClosedRange<Double>
  )
    -> Double?
  {
    guard case .scalar(let s, _, _) = n, !s.isEmpty else {
      fail(n, "expected a number for \(what()), got \(n.kindName)"); return nil
    }
    let v: Double
    do { v = try Quantity.parse(s, as: kind) } catch {
      // Named as typed: `'--tokens': '1e30' is too large`.
      fail(n, "\(what()): \(error.message)")
      return nil
    }
    if v < range.lowerBound {
      let bound =
        range.lowerBound == 0 ? "cannot be negative" : "must be at least \(Quantity.describe(range.lowerBound, kind))"
      fail(n, "\(what()) \(bound), got '\(s)'")
      return nil
    }
    if v > range.upperBound {
      fail(n, "\(what()) is '\(s)', above the supported maximum \(Quantity.describe(range.upperBound, kind))")
      return nil
    }
    return v == 0 ? 0 : v  // -0 is 0 (JSON would print "-0")
  }

  /// A share written with its `%` (`5%`): a bare `0.2` could mean 0.2% or 20%, so it is refused
  /// (a bare 0 is accepted).
  package mutating func percent(_ n: Node, _ setting: Setting, range: ClosedRange<Double>) -> Double? {
    // 0 needs no sign: it is 0 whatever the unit.
    if case .scalar(let s, _, _) = n, !s.trimmingSpaces.hasSuffix("%"), Double(s.trimmingSpaces) != 0 {
      fail(n, "\(Self.spelled(setting, n)) is a share of the GPU's memory written with '%', such as '5%'; got '\(s)'")
      return nil
    }
    return number(n, setting, kind: .percent, range: range)
  }

  package mutating func boolean(_ n: Node, _ setting: Setting) -> Bool? { boolean(n, Self.spelled(setting, n)) }

  /// LoRA targets: `all-linear`, or projection names as a list or comma-separated.
  package mutating func loraTargets(_ n: Node, _ setting: Setting) -> LoRATargets? {
    var names: [String] = []
    switch n {
    case .scalar(let s, _, _):
      if s == "all-linear" { return .allLinear }
      names = s.split(separator: ",").map { String($0).trimmingSpaces }
    case .list(let items, _):
      for item in items {
        guard case .scalar(let s, _, _) = item else { fail(item, "expected a projection name"); return nil }
        names.append(s)
      }
    case .mapping:
      fail(n, "expected all-linear or a list of projection names for \(Self.spelled(setting, n))")
      return nil
    }
    let known = LoRATargets.names
    for name in names where !known.contains(name) {
      fail(
        n,
        "unknown projection '\(visible(name))' in \(Self.spelled(setting, n))\(suggestion(name, known)); use \(known.joined(separator: ", ")) or all-linear"
      )
      return nil
    }
    guard !names.isEmpty else { fail(n, "\(Self.spelled(setting, n)) names no projection"); return nil }
    return .named(names)
  }

  package mutating func boolean(_ n: Node, _ what: @autoclosure () -> String) -> Bool? {
    guard case .scalar(let s, _, _) = n else { fail(n, "expected true or false for \(what())"); return nil }
    switch s.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: fail(n, "expected true or false for \(what()), got '\(s)'"); return nil
    }
  }

  package mutating func choice<E: RawRepresentable & CaseIterable>(_ n: Node, _ setting: Setting, _ type: E.Type) -> E?
  where E.RawValue == String {
    if let noun = setting.noun { return choice(n, noun, type) }
    // No noun of its own: the message names the key as typed (`'--offload-optimizer' is 'gpu'`).
    guard case .scalar(let s, _, _) = n, !s.isEmpty, E(rawValue: s) == nil else { return choice(n, setting.key, type) }
    let all = E.allCases.map(\.rawValue)
    let hint = closestMatch(s, in: all).map { "did you mean '\($0)'? " } ?? ""
    fail(n, "\(Self.spelled(setting, n)) is '\(s)'; \(hint)expected one of \(all.joined(separator: ", "))")
    return nil
  }

  package mutating func choice<E: RawRepresentable & CaseIterable>(_ n: Node, _ what: String, _: E.Type) -> E?
  where E.RawValue == String {
    guard case .scalar(let s, _, _) = n, !s.isEmpty else { fail(n, "expected \(what), got \(n.kindName)"); return nil }
    if let v = E(rawValue: s) { return v }
    let all = E.allCases.map(\.rawValue)
    let hint = closestMatch(s, in: all).map { "did you mean '\($0)'? " } ?? ""
    fail(n, "unknown \(what) '\(s)'; \(hint)expected one of \(all.joined(separator: ", "))")
    return nil
  }

  /// A bare number where a size is expected (`memory_limit: 50`): bytes by the format, but
  /// almost always a forgotten unit, so it is refused unless it is 0.
  package mutating func unitless(_ n: Node, _ setting: Setting) -> Bool {
    guard case .scalar(let s, _, _) = n, let v = Double(s.trimmingSpaces.replacingUnderscores), v != 0 else {
      return false
    }
    fail(n, "\(Self.spelled(setting, n)) needs a unit: '\(s)GiB', '\(s)GB' or '\(s)%'")
    return true
  }

  /// A byte size within `range`.
  package mutating func size(_ n: Node, _ setting: Setting, range: ClosedRange<Double>) -> Bytes? {
    if unitless(n, setting) { return nil }
    guard case .scalar(let s, _, _) = n, let b = try? Quantity.bytes(s) else {
      fail(n, "expected a size such as '0.5GiB' for \(Self.spelled(setting, n))")
      return nil
    }
    guard range.contains(Double(b.count)) else {
      fail(
        n,
        "\(Self.spelled(setting, n)) is '\(s)', above the supported maximum \(Quantity.describe(range.upperBound, .bytes))"
      )
      return nil
    }
    return b
  }

  /// A price for every GPU (`2.5`), or prices by catalog id: `a100-80gb=1.8,h100-sxm=2.5` or a
  /// mapping of ids to prices.
  package mutating func prices(_ n: Node, _ setting: Setting) -> (all: Double?, byGPU: [String: Double])? {
    var pairs: [(String, String, Node)] = []
    switch n {
    case .scalar(let text, _, let location):
      guard text.contains("=") else {
        return number(n, setting, kind: .count, range: SetupLimits.price).map { (Optional($0), [:]) }
      }
      for piece in text.split(separator: ",") {
        let kv = piece.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
        guard kv.count == 2 else {
          fail(n, "expected GPU=PRICE pairs such as 'a100-80gb=1.8,h100-sxm=2.5' for \(Self.spelled(setting, n))")
          return nil
        }
        pairs.append((kv[0], kv[1], .scalar(kv[1], quoted: false, location)))
      }
    case .mapping(let entries, _):
      for e in entries {
        guard case .scalar(let v, _, _) = e.value else { fail(e.value, "expected a price"); return nil }
        pairs.append((e.key, v, e.value))
      }
    case .list:
      fail(n, "expected a price or GPU=PRICE pairs for \(Self.spelled(setting, n))")
      return nil
    }
    var byGPU: [String: Double] = [:]
    let ids = GPUSpec.catalog.map(\.id)
    for (id, _, node) in pairs {
      guard ids.contains(id) else {
        let prefixed = ids.filter { $0.hasPrefix(id) }
        let hint =
          prefixed.isEmpty
          ? suggestion(id, ids) : "; did you mean \(prefixed.map { "'\($0)'" }.joined(separator: " or "))?"
        fail(node, "unknown GPU '\(visible(id))' in \(Self.spelled(setting, n))\(hint)")
        return nil
      }
      guard byGPU[id] == nil else {
        fail(node, "'\(id)' is priced twice in \(Self.spelled(setting, n)); give each GPU one price")
        return nil
      }
      guard let v = number(node, "the price of \(id)", kind: .count, range: SetupLimits.price) else { return nil }
      byGPU[id] = v
    }
    return (nil, byGPU)
  }

  package mutating func memoryLimit(_ n: Node, _ setting: Setting) -> MemoryLimit? {
    if unitless(n, setting) { return nil }
    if case .scalar(let s, _, _) = n {
      if s.hasSuffix("%"), let v = try? Quantity.parse(s, as: .percent), v >= 0.001, v <= 1 { return .fraction(v) }
      if !s.hasSuffix("%"), let b = try? Quantity.bytes(s), b.count >= (1 << 20), b.count <= (1 << 50) {
        return .amount(b)
      }
    }
    fail(
      n,
      "expected a size from 1MiB to 1PiB such as '40GiB', or a fraction of the GPU's memory from 0.1% to 100% such as '50%', for \(Self.spelled(setting, n)), got \(n.quoted)"
    )
    return nil
  }

  package mutating func reserve(_ n: Node, _ setting: Setting) -> ReserveRule? {
    if unitless(n, setting) { return nil }
    guard case .scalar(let s, _, _) = n else { fail(n, "expected 'measured', a percentage or a size"); return nil }
    if s == "measured" { return .measured }
    if s.hasSuffix("%"), let v = try? Quantity.parse(s, as: .percent), v >= 0, v <= 10 { return .fraction(v) }
    if !s.hasSuffix("%"), let b = try? Quantity.bytes(s), b.count < (1 << 50) { return .amount(b) }
    fail(
      n,
      "expected 'measured', a percentage from 0% to 1000% or a size below 1PiB for \(Self.spelled(setting, n)), got '\(s)'"
    )
    return nil
  }

  // MARK: - Settings

  /// The edit one top-level setting makes, or nil after recording its error.
  package mutating func setting(_ key: String, _ n: Node) -> SetupEdit? {
    if let plain = SettingGroup.plainMappings.first(where: { $0.rawValue == key }) {
      recorded.append((key, n.location))
      return group(plain, n)
    }
    guard let setting = Settings.byPath[key] else { return nil }
    recorded.append((setting.path, n.location))
    return setting.parse(&self, n, setting)
  }

  /// The edits of a group mapping (`overhead:`, the settings of `optimizer:`), applied in order.
  package mutating func group(_ group: SettingGroup, _ n: Node, skipping: Set<String> = []) -> SetupEdit? {
    let keys = Settings.keys(in: group)
    guard case .mapping(let entries, _) = n else {
      fail(n, "expected a mapping with \(keys.map { "'\($0)'" }.joined(separator: " and "))")
      return nil
    }
    var edits: [SetupEdit] = []
    var ok = true
    for e in entries where !skipping.contains(e.key) {
      guard let setting = Settings.byPath["\(group.rawValue).\(e.key)"] else {
        fail(
          e.keyLocation, "unknown \(group.rawValue) key '\(e.key)'\(suggestion(e.key, keys + Array(skipping)))",
          length: e.key.count, reason: .unknownKey(e.key))
        ok = false
        continue
      }
      recorded.append((setting.path, e.value.location))
      if let edit = setting.parse(&self, e.value, setting) { edits.append(edit) } else { ok = false }
    }
    guard ok else { return nil }
    let all = edits
    return { setup in for edit in all { edit(&setup) } }
  }

  package mutating func model(_ n: Node) -> ModelConfig? {
    if let entries = Self.inlineMapping(n) { return model(.mapping(entries, n.location)) }
    switch n {
    case .scalar(let id, _, let location):
      if let m = ModelConfig.preset(id) { return m }
      // A Hub id (`org/name`) that is not a local path: its preset, else its config.json in the
      // local Hugging Face cache, read offline.
      if ModelConfig.looksLikeHubID(id) && !HubCache.isLocalPath(Self.resolved(id, at: location)) {
        if let m = ModelConfig.preset(hubID: id) { return m }
        if let cached = HubCache.config(for: id) {
          // Named by its Hub id, not by the snapshot's revision folder.
          return modelFile(cached, at: location).map { $0.with { $0.id = id } }
        }
        fail(n, HubCache.missingMessage(id))
        return nil
      }
      if ModelConfig.looksLikeFile(id) { return modelFile(id, at: location) }
      fail(n, ModelConfig.unknownPresetMessage(id))
      return nil
    case .mapping(let es, _):
      var m = ModelConfig(
        id: "custom", hidden: 0, intermediate: 0, layers: 0, heads: 0, kvHeads: 0, vocab: 32000, tiedEmbeddings: false)
      var kvGiven = false
      var ok = true
      for e in es {
        recorded.append(("model." + e.key, e.value.location))
        if e.key == "kv_heads" { kvGiven = true }
        if !modelField(e, into: &m) { ok = false }
      }
      for (k, v) in [("hidden", m.hidden), ("intermediate", m.intermediate), ("layers", m.layers), ("heads", m.heads)]
      where v == 0 && ok {
        fail(n, "a custom model needs '\(k)'"); ok = false
      }
      if !kvGiven { m.kvHeads = m.heads }
      if ok, !es.contains(where: { $0.key == "experts" }),
        let flag = es.first(where: { ["shared_expert_gate", "router_bias"].contains($0.key) })
      {
        fail(flag.value, "'\(flag.key)' describes a mixture of experts; give 'experts' and 'experts_per_token' too")
        ok = false
      }
      if m.slidingWindow != nil && m.slidingLayers == 0 { m.slidingLayers = m.layers }
      guard ok else { return nil }
      if let issue = m.validationIssue() {
        let at = es.last(where: { $0.key == issue.key })?.value ?? n
        fail(at, issue.message)
        return nil
      }
      return m
    case .list:
      fail(n, "expected a model preset id or a mapping, got a list")
      return nil
    }
  }

  /// One key of a custom model mapping (`CustomMappings.model`); false when it had an error.
  package mutating func modelField(_ e: MappingEntry, into m: inout ModelConfig) -> Bool {
    read(e, CustomMappings.model, "model", into: &m)
  }

  /// One entry of a mapping whose keys are declared (`MappingKeys`); false when it had an error.
  mutating func read<Target>(
    _ e: MappingEntry, _ keys: MappingKeys<Target>, _ noun: String, into target: inout Target
  ) -> Bool {
    guard let key = keys[e.key] else {
      fail(
        e.keyLocation, "unknown \(noun) key '\(e.key)'\(suggestion(e.key, keys.names))", length: e.key.count,
        reason: .unknownKey(e.key))
      return false
    }
    return key.read(&self, e, &target)
  }

  /// A model path as a scenario means it: relative to the scenario's folder (a flag's, to the
  /// working directory).
  ///
  /// A scenario read from standard input, a pipe or `<(…)` has no directory of its own: its
  /// relative paths are taken from the working directory, as a shell would.
  static func resolved(_ path: String, at location: SourceLocation) -> String {
    guard !path.hasPrefix("/") && location.flag == nil && location.file.contains("/") && isRegularFile(location.file)
    else { return path }
    return String(location.file[..<location.file.lastIndex(of: "/")!]) + "/" + path
  }

  /// A Hugging Face config.json named by a scenario (relative to the scenario's directory) or
  /// a flag (relative to the working directory); its problems are reported in that file.
  package mutating func modelFile(_ path: String, at location: SourceLocation) -> ModelConfig? {
    let resolved = Self.resolved(path, at: location)
    if let cached = modelFiles[resolved] { return cached }
    do {
      let m = try HFConfig.read(resolved)
      modelFiles[resolved] = m
      return m
    } catch {
      let origin = location.flag.map { "'\($0)'" } ?? "\(location.file):\(location.line)"
      for e in error.errors {
        if e.reason == .unreadable && e.location.line == 1 && e.location.column == 1 {
          fail(
            location,
            "model '\(visible(path))': \(e.message); give a preset id (`trainmem list models`) or the path of a Hugging Face config.json",
            reason: .unreadable)
        } else {
          var e = e
          e.notes.append("in the model config named at \(origin)")
          errors.append(e)
        }
      }
      return nil
    }
  }

  package mutating func gpu(_ n: Node) -> GPUSpec? {
    if let entries = Self.inlineMapping(n) { return customGPU(entries, at: n) }
    switch n {
    case .scalar(let id, _, _):
      if let g = GPUSpec.preset(id) { return g }
      let ids = GPUSpec.catalog.map(\.id)
      let hint = suggestion(id.lowercased(), ids)
      let catalog =
        "`trainmem list gpus` shows the catalog; a card not in it is a mapping in a scenario (gpu: memory, bf16_tflops, bandwidth, …) or on the command line (--gpu memory=24GB,bf16_tflops=165,bandwidth=1TB/s; docs/scenario-format.md, \"Custom GPUs\")"
      fail(n, "unknown GPU '\(visible(id))'" + (hint.isEmpty ? "; " : hint + " ") + catalog)
      return nil
    case .mapping(let es, _):
      return customGPU(es, at: n)
    case .list:
      fail(n, "expected a GPU id or a mapping, got a list")
      return nil
    }
  }

  /// `key=value,key=value` written as one value (a flag's: `--gpu memory=24GB,bandwidth=1TB/s`),
  /// as the mapping a scenario would write; nil for any other value.
  static func inlineMapping(_ n: Node) -> [MappingEntry]? {
    guard case .scalar(let text, false, let location) = n, text.contains("=") else { return nil }
    return text.split(separator: ",").map { pair in
      let parts = pair.split(separator: "=", maxSplits: 1)
      let key = parts.first.map { String($0).trimmingSpaces } ?? ""
      let value = parts.count > 1 ? String(parts[1]).trimmingSpaces : ""
      return MappingEntry(key: key, keyLocation: location, value: .scalar(value, quoted: false, location))
    }
  }

  /// A custom GPU mapping: each rate and bandwidth range-checked at its key; memory,
  /// `bf16_tflops` and `bandwidth` required.
  package mutating func customGPU(_ es: [MappingEntry], at n: Node) -> GPUSpec? {
    var g = GPUSpec(
      id: "custom", name: "custom GPU", memory: .zero, bf16FLOPS: 0, fp16FLOPS: 0, fp32FLOPS: 0, bandwidth: 0,
      interconnect: .pcie4, linkBandwidth: 32e9, tdpWatts: 0, multiprocessors: 0)
    var ok = true
    for e in es where !read(e, CustomMappings.gpu, "GPU", into: &g) { ok = false }
    if ok && (g.memory.count == 0 || g.bf16FLOPS == 0 || g.bandwidth == 0) {
      fail(n, "a custom GPU needs 'memory', 'bf16_tflops' and 'bandwidth'")
      return nil
    }
    if g.fp32FLOPS == 0 { g.fp32FLOPS = g.bf16FLOPS / 16 }
    // Without an SM count, assume the H200's rate per SM (the tile curve as calibrated).
    if g.multiprocessors == 0 { g.multiprocessors = g.bf16FLOPS / GPUSpec.referenceRatePerSM }
    return ok ? g : nil
  }

  /// `optimizer: apollo`, or a mapping with `name` and the optimizer group's settings.
  package mutating func optimizer(_ n: Node) -> OptimizerConfig? {
    switch n {
    case .scalar:
      guard let k = choice(n, "optimizer", OptimizerKind.self) else { return nil }
      return OptimizerConfig(kind: k)
    case .mapping(let es, let loc):
      guard let nameEntry = es.first(where: { $0.key == "name" }) else {
        fail(loc, "an optimizer mapping needs 'name', e.g. 'name: apollo'")
        return nil
      }
      guard let k = choice(nameEntry.value, "optimizer", OptimizerKind.self) else { return nil }
      guard let edit = group(.optimizer, n, skipping: ["name"]) else { return nil }
      var setup = TrainingSetup(model: ModelConfig.presets[0], gpu: GPUSpec.catalog[0])
      setup.optimizer = OptimizerConfig(kind: k)
      edit(&setup)
      return setup.optimizer
    case .list:
      fail(n, "expected an optimizer name or a mapping, got a list; to compare optimizers use 'runs:' or 'sweep:'")
      return nil
    }
  }

  package mutating func reference(_ n: Node) -> Reference? {
    guard case .mapping(let es, _) = n else {
      fail(n, "expected a mapping with 'tokens_per_second', 'memory' and 'source'"); return nil
    }
    var r = Reference(source: "")
    for e in es { _ = read(e, CustomMappings.reference, "reference", into: &r) }
    if r.source.isEmpty { fail(n, "a reference needs 'source', e.g. 'source: APOLLO paper Fig. 1'") }
    return r
  }

  package mutating func sweepAxes(_ n: Node) -> [SweepAxis] {
    guard case .mapping(let es, _) = n else {
      fail(n, "'sweep' must map keys to lists, e.g. 'sequence: [256, 1024]'"); return []
    }
    var axes: [SweepAxis] = []
    for e in es {
      guard Settings.topKeys.contains(e.key) else {
        fail(
          e.keyLocation, "unknown sweep key '\(e.key)'\(suggestion(e.key, Settings.topKeys))", length: e.key.count,
          reason: .unknownKey(e.key));
        continue
      }
      guard case .list(let items, _) = e.value else {
        fail(e.value, "sweep key '\(e.key)' must be a list, e.g. '\(e.key): [a, b]'"); continue
      }
      if e.key == SettingID.framework.path {
        fail(
          e.keyLocation, "a framework sets several keys at once and is not swept; write one run per framework",
          length: e.key.count)
        continue
      }
      if items.isEmpty { fail(e.value, "sweep key '\(e.key)' has an empty list"); continue }
      var values: [SweepValue] = []
      for item in items {
        guard let edit = setting(e.key, item) else { continue }
        // A mapping value is labelled by its `name`, else by its place in the list.
        let t: String
        switch item {
        case .scalar(let s, _, _): t = s
        case .mapping(let entries, _):
          if let named = entries.first(where: { $0.key == "name" }), case .scalar(let s, _, _) = named.value {
            t = s
          } else {
            t = "#\(values.count + 1)"
          }
        case .list: t = "#\(values.count + 1)"
        }
        values.append(SweepValue(text: t, edit: edit))
      }
      if values.count == items.count { axes.append(SweepAxis(key: e.key, values: values, location: e.keyLocation)) }
    }
    return axes
  }

  package mutating func goals(_ n: Node) -> [SolveGoal] {
    switch n {
    case .scalar(let s, _, _):
      if s == "none" { return [] }
      return choice(n, "solve goal", SolveGoal.self).map { [$0] } ?? []
    case .list(let items, _):
      var goals: [SolveGoal] = []
      for item in items {
        guard let goal = choice(item, "solve goal", SolveGoal.self) else { continue }
        if goals.contains(goal) { fail(item, "duplicate solve goal '\(goal.rawValue)'") } else { goals.append(goal) }
      }
      return goals
    case .mapping:
      fail(n, "expected a solve goal such as 'max_micro_batch' or a list of them"); return []
    }
  }
}

/// The ranges a custom GPU's fields must fall in: beyond them no real part exists and the
/// models' products leave the range of finite, meaningful numbers (a 1e-320 TFLOPS GPU made
/// every time infinite).
package enum GPULimits {
  /// 0.01 to 100,000 TFLOPS (the B200 is 2,250 dense bf16).
  package static let teraFLOPS: ClosedRange<Double> = 0.01...100_000
  /// 1 GB/s to 1 PB/s.
  package static let bandwidth: ClosedRange<Double> = 1e9...1e15
  package static let multiprocessors: Int64 = 100_000
}
