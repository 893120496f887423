// Maps the syntax tree to a typed `Scenario`: presets expanded, units parsed, every semantic
// error collected with its location and sorted.

struct ScenarioLoader {
  static let settingKeys = [
    "model", "gpu", "gpus", "parallel", "gradient_sync", "precision", "weights", "sequence",
    "micro_batch", "global_batch", "attention", "checkpointing", "optimizer", "overhead",
    "tokens", "price", "memory_limit",
  ]
  static let topKeys = ["name", "version", "description", "runs", "sweep", "solve"] + settingKeys
  static let runKeys = ["label", "reference"] + settingKeys
  static let referenceKeys = ["tokens_per_second", "step_seconds", "memory", "source", "ratio_to"]
  static let modelKeys = ["name", "hidden", "intermediate", "layers", "heads", "kv_heads", "vocab", "tied_embeddings"]
  static let gpuKeys = ["name", "memory", "bf16_tflops", "fp32_tflops", "bandwidth", "link_bandwidth", "tdp", "sms"]
  static let optimizerKeys = ["name", "rank", "update_interval", "implementation", "layerwise", "momentum"]
  static let overheadKeys = ["context", "reserve"]

  var errors: [ScenarioError] = []
  /// Keys seen while loading the current block, with their value's location.
  var recorded: [(String, SourceLocation)] = []

  /// Parses and loads `text`; throws every error found, sorted by location.
  static func load(file: String, text: String) throws(ScenarioErrors) -> Scenario {
    var parser: ScenarioParser
    let root: Node
    do {
      parser = try ScenarioParser(file: file, text: text)
      root = try parser.parseDocument()
    } catch { throw ScenarioErrors(errors: [error]) }
    var loader = ScenarioLoader()
    let scenario = loader.scenario(root, file: file)
    if !loader.errors.isEmpty || scenario == nil {
      throw ScenarioErrors(errors: loader.errors.sorted { $0.location < $1.location })
    }
    return scenario!
  }

  /// A setup from flat `key=value` pairs (command-line flags, seed conditions): scenario keys,
  /// with optimizer settings (`rank`, `update_interval`, `implementation`, `layerwise`,
  /// `momentum`) and overhead settings (`context`, `reserve`) given flat. One path for every
  /// caller, so flags, seeds and files are checked by the same rules.
  static func setup(pairs: [(String, String)], file: String) -> Result<TrainingSetup, ScenarioErrors> {
    let loc = SourceLocation(file: file, line: 1, column: 1)
    func entry(_ k: String, _ n: Node) -> MappingEntry { MappingEntry(key: k, keyLocation: loc, value: n) }
    var top: [MappingEntry] = []
    var optimizer: [MappingEntry] = []
    var overhead: [MappingEntry] = []
    for (key, value) in pairs {
      let node = Node.scalar(value, quoted: false, loc)
      switch key {
      case "optimizer": optimizer.insert(entry("name", node), at: 0)
      case _ where optimizerKeys.contains(key): optimizer.append(entry(key, node))
      case _ where overheadKeys.contains(key): overhead.append(entry(key, node))
      default: top.append(entry(key, node))
      }
    }
    if !optimizer.isEmpty {
      if optimizer.first?.key != "name" { optimizer.insert(entry("name", .scalar("adamw", quoted: false, loc)), at: 0) }
      top.append(entry("optimizer", .mapping(optimizer, loc)))
    }
    if !overhead.isEmpty { top.append(entry("overhead", .mapping(overhead, loc))) }
    var loader = ScenarioLoader()
    guard let sc = loader.scenario(.mapping(top, loc), file: file), loader.errors.isEmpty else {
      return .failure(ScenarioErrors(errors: loader.errors.isEmpty ? [ScenarioError(location: loc, message: "no setup")] : loader.errors))
    }
    return .success(sc.runs[0].setup)
  }

  mutating func fail(_ node: Node, _ message: String) {
    errors.append(ScenarioError(location: node.location, message: message, length: node.width))
  }
  mutating func fail(_ loc: SourceLocation, _ message: String, length: Int = 1) {
    errors.append(ScenarioError(location: loc, message: message, length: length))
  }

  mutating func scenario(_ root: Node, file: String) -> Scenario? {
    guard case .mapping(let entries, let loc) = root else { return nil }
    var name = file
    var description: String?
    var defaults = TrainingSetup(model: ModelConfig.preset("llama-7b")!, gpu: GPUSpec.preset("a100-80gb")!)
    var runsNode: Node?
    var sweep: [SweepAxis] = []
    var sweepLoc: SourceLocation?
    var solve: [SolveGoal] = []
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
      case "solve": solve = goals(e.value)
      default:
        if Self.settingKeys.contains(e.key) {
          if e.key == "model" { sawModel = true }
          if let edit = setting(e.key, e.value) { edit(&defaults) }
        } else {
          fail(e.keyLocation, "unknown key '\(e.key)'\(suggestion(e.key, Self.topKeys))", length: e.key.count)
        }
      }
    }
    if !sawModel && runsNode == nil {
      fail(loc, "the scenario names no model; add 'model: llama-7b' or another preset")
    }
    let topLocations = recorded
    var runs: [RunTemplate] = []
    if let runsNode {
      guard case .list(let items, _) = runsNode else {
        fail(runsNode, "'runs' must be a list of runs, each starting with '- '")
        return nil
      }
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
          } else if Self.settingKeys.contains(e.key) {
            if let edit = setting(e.key, e.value) { edit(&setup) }
          } else {
            fail(e.keyLocation, "unknown key '\(e.key)' in a run\(suggestion(e.key, Self.runKeys))", length: e.key.count)
          }
        }
        runs.append(RunTemplate(label: label, setup: setup, location: iloc, keyLocations: topLocations + recorded, reference: reference))
      }
      if items.isEmpty { fail(runsNode, "'runs' is empty; remove it or list at least one run") }
      let labels = runs.map(\.label)
      for (item, run) in zip(items, runs) {
        guard let target = run.reference?.ratioTo, !labels.contains(target) else { continue }
        fail(item, "'ratio_to' names '\(target)', which is not a run label\(suggestion(target, labels))")
      }
    } else {
      runs = [RunTemplate(label: name, setup: defaults, location: loc, keyLocations: topLocations)]
    }
    let scenario = Scenario(name: name, description: description, runs: runs, sweep: sweep, sweepLocation: sweepLoc, solve: solve)
    if errors.isEmpty { checkPoints(scenario, sweepLoc: sweepLoc) }
    return scenario
  }

  /// Semantic checks on every resolved point (ranks vs shapes, GPUs vs parallelism …); each
  /// distinct problem is reported once at its run, or at `sweep:` when a sweep value causes it.
  mutating func checkPoints(_ s: Scenario, sweepLoc: SourceLocation?) {
    var seen: [String] = []
    var cache = InventoryCache()
    for i in 0..<s.count {
      let p = s.point(i)
      let inventory = p.setup.model.validationProblem() == nil ? cache.inventory(for: p.setup.model) : nil
      for problem in p.setup.validationProblems(inventory) where !seen.contains(problem.message) {
        seen.append(problem.message)
        fail(s.location(of: problem.key, point: i), problem.message)
      }
      if seen.count > 20 { break }
    }
  }

  // MARK: - Values

  mutating func text(_ n: Node, _ what: String) -> String? {
    guard case .scalar(let s, _, _) = n, !s.isEmpty else { fail(n, "expected \(what), got \(n.kindName)"); return nil }
    return s
  }

  mutating func integer(_ n: Node, _ what: String, min: Int64 = 1) -> Int64? {
    guard case .scalar(let s, _, _) = n, !s.isEmpty else { fail(n, "expected a whole number for \(what), got \(n.kindName)"); return nil }
    do {
      let v = try Quantity.parse(s, as: .count)
      guard v == v.rounded(), Swift.abs(v) < 9.0e18 else {
        fail(n, "expected a whole number for \(what), got '\(s)'"); return nil
      }
      let i = Int64(v)
      if i < min { fail(n, "\(what) must be at least \(min), got \(i)"); return nil }
      return i
    } catch {
      fail(n, "expected a whole number for \(what), got '\(s)'")
      return nil
    }
  }

  mutating func number(_ n: Node, _ what: String, kind: QuantityKind, positive: Bool = true) -> Double? {
    guard case .scalar(let s, _, _) = n, !s.isEmpty else { fail(n, "expected \(what), got \(n.kindName)"); return nil }
    do {
      let v = try Quantity.parse(s, as: kind)
      if positive && v <= 0 { fail(n, "\(what) must be positive, got '\(s)'"); return nil }
      if v < 0 { fail(n, "\(what) cannot be negative, got '\(s)'"); return nil }
      return v
    } catch { fail(n, error.message); return nil }
  }

  mutating func boolean(_ n: Node, _ what: String) -> Bool? {
    guard case .scalar(let s, _, _) = n else { fail(n, "expected true or false for \(what)"); return nil }
    switch s.lowercased() {
    case "true", "yes", "on": return true
    case "false", "no", "off": return false
    default: fail(n, "expected true or false for \(what), got '\(s)'"); return nil
    }
  }

  mutating func choice<E: RawRepresentable & CaseIterable>(_ n: Node, _ what: String, _: E.Type) -> E? where E.RawValue == String {
    guard case .scalar(let s, _, _) = n, !s.isEmpty else { fail(n, "expected \(what), got \(n.kindName)"); return nil }
    if let v = E(rawValue: s) { return v }
    let all = E.allCases.map(\.rawValue)
    let hint = closestMatch(s, in: all).map { "did you mean '\($0)'? " } ?? ""
    fail(n, "unknown \(what) '\(s)'; \(hint)expected one of \(all.joined(separator: ", "))")
    return nil
  }

  // MARK: - Settings

  /// The edit one setting key makes, or nil after recording its error.
  mutating func setting(_ key: String, _ n: Node) -> SetupEdit? {
    recorded.append((key, n.location))
    switch key {
    case "model":
      guard let m = model(n) else { return nil }
      return { $0.model = m }
    case "gpu":
      guard let g = gpu(n) else { return nil }
      return { $0.gpu = g }
    case "gpus":
      guard let v = integer(n, "'gpus'") else { return nil }
      return { $0.gpus = v }
    case "parallel":
      guard let v = choice(n, "parallelism", Parallelism.self) else { return nil }
      return { $0.parallel = v }
    case "gradient_sync":
      guard let v = choice(n, "gradient sync", GradientSync.self) else { return nil }
      return { $0.gradientSync = v }
    case "precision":
      guard let v = choice(n, "precision", Precision.self) else { return nil }
      return { $0.precision = v }
    case "weights":
      guard let v = choice(n, "weight format", WeightFormat.self) else { return nil }
      return { $0.weights = v }
    case "attention":
      guard let v = choice(n, "attention kernel", AttentionKernel.self) else { return nil }
      return { $0.attention = v }
    case "checkpointing":
      guard let v = choice(n, "checkpointing mode", Checkpointing.self) else { return nil }
      return { $0.checkpointing = v }
    case "sequence":
      guard let v = integer(n, "'sequence'") else { return nil }
      return { $0.sequence = v }
    case "micro_batch":
      guard let v = integer(n, "'micro_batch'") else { return nil }
      return { $0.microBatch = v }
    case "global_batch":
      guard let v = integer(n, "'global_batch'") else { return nil }
      return { $0.globalBatch = v }
    case "tokens":
      guard let v = number(n, "'tokens'", kind: .count) else { return nil }
      return { $0.tokens = v }
    case "price":
      guard let v = number(n, "'price' (dollars per GPU-hour)", kind: .count, positive: false) else { return nil }
      return { $0.price = v }
    case "optimizer":
      guard let o = optimizer(n) else { return nil }
      return { $0.optimizer = o }
    case "memory_limit":
      guard case .scalar(let s, _, _) = n else { fail(n, "expected a size such as '40GiB' or a fraction such as '50%'"); return nil }
      if s.hasSuffix("%"), let v = try? Quantity.parse(s, as: .percent), v > 0, v <= 1 { return { $0.memoryLimit = .fraction(v) } }
      if let b = try? Quantity.bytes(s), b.count > 0 { return { $0.memoryLimit = .amount(b) } }
      fail(n, "expected a size such as '40GiB' or a fraction of the GPU's memory such as '50%' for 'memory_limit', got '\(s)'")
      return nil
    case "overhead":
      guard let o = overhead(n) else { return nil }
      return { $0.overhead = o }
    default:
      return nil
    }
  }

  mutating func model(_ n: Node) -> ModelConfig? {
    switch n {
    case .scalar(let id, _, _):
      if let m = ModelConfig.preset(id) { return m }
      let ids = ModelConfig.presets.map(\.id)
      fail(n, "unknown model '\(id)'\(suggestion(id, ids)); presets: \(ids.joined(separator: ", "))")
      return nil
    case .mapping(let es, _):
      var m = ModelConfig(id: "custom", hidden: 0, intermediate: 0, layers: 0, heads: 0, kvHeads: 0, vocab: 32000, tiedEmbeddings: false)
      var kvGiven = false
      var ok = true
      for e in es {
        recorded.append(("model." + e.key, e.value.location))
        switch e.key {
        case "name": if let s = text(e.value, "a model name") { m.id = s }
        case "hidden": if let v = integer(e.value, "'hidden'") { m.hidden = v } else { ok = false }
        case "intermediate": if let v = integer(e.value, "'intermediate'") { m.intermediate = v } else { ok = false }
        case "layers": if let v = integer(e.value, "'layers'") { m.layers = v } else { ok = false }
        case "heads": if let v = integer(e.value, "'heads'") { m.heads = v } else { ok = false }
        case "kv_heads": if let v = integer(e.value, "'kv_heads'") { m.kvHeads = v; kvGiven = true } else { ok = false }
        case "vocab": if let v = integer(e.value, "'vocab'") { m.vocab = v } else { ok = false }
        case "tied_embeddings": if let v = boolean(e.value, "'tied_embeddings'") { m.tiedEmbeddings = v } else { ok = false }
        default: fail(e.keyLocation, "unknown model key '\(e.key)'\(suggestion(e.key, Self.modelKeys))", length: e.key.count); ok = false
        }
      }
      for (k, v) in [("hidden", m.hidden), ("intermediate", m.intermediate), ("layers", m.layers), ("heads", m.heads)] where v == 0 && ok {
        fail(n, "a custom model needs '\(k)'"); ok = false
      }
      if !kvGiven { m.kvHeads = m.heads }
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

  mutating func gpu(_ n: Node) -> GPUSpec? {
    switch n {
    case .scalar(let id, _, _):
      if let g = GPUSpec.preset(id) { return g }
      let ids = GPUSpec.catalog.map(\.id)
      fail(n, "unknown GPU '\(id)'\(suggestion(id, ids))")
      return nil
    case .mapping(let es, _):
      var g = GPUSpec(id: "custom", name: "custom GPU", memory: .zero, bf16FLOPS: 0, fp16FLOPS: 0, fp32FLOPS: 0, bandwidth: 0, interconnect: .pcie4, linkBandwidth: 32e9, tdpWatts: 0, multiprocessors: 0)
      var ok = true
      for e in es {
        switch e.key {
        case "name": if let s = text(e.value, "a GPU name") { g.name = s; g.id = s }
        case "memory":
          if case .scalar(let s, _, _) = e.value, let b = try? Quantity.bytes(s), b.count > 0 { g.memory = b }
          else { fail(e.value, "expected a memory size such as '24GB' or '80GiB'"); ok = false }
        case "bf16_tflops": if let v = number(e.value, "'bf16_tflops'", kind: .count) { g.bf16FLOPS = v * 1e12; g.fp16FLOPS = v * 1e12 } else { ok = false }
        case "fp32_tflops": if let v = number(e.value, "'fp32_tflops'", kind: .count) { g.fp32FLOPS = v * 1e12 } else { ok = false }
        case "bandwidth": if let v = number(e.value, "'bandwidth'", kind: .bandwidth) { g.bandwidth = v } else { ok = false }
        case "link_bandwidth": if let v = number(e.value, "'link_bandwidth'", kind: .bandwidth) { g.linkBandwidth = v } else { ok = false }
        case "tdp": if let v = number(e.value, "'tdp'", kind: .count) { g.tdpWatts = v } else { ok = false }
        case "sms": if let v = integer(e.value, "'sms'") { g.multiprocessors = Double(v) } else { ok = false }
        default: fail(e.keyLocation, "unknown GPU key '\(e.key)'\(suggestion(e.key, Self.gpuKeys))", length: e.key.count); ok = false
        }
      }
      if ok && (g.memory.count == 0 || g.bf16FLOPS == 0 || g.bandwidth == 0) {
        fail(n, "a custom GPU needs 'memory', 'bf16_tflops' and 'bandwidth'"); return nil
      }
      if g.fp32FLOPS == 0 { g.fp32FLOPS = g.bf16FLOPS / 16 }
      // Without an SM count, assume the H200's rate per SM (the tile curve as calibrated).
      if g.multiprocessors == 0 { g.multiprocessors = g.bf16FLOPS / GPUSpec.referenceRatePerSM }
      return ok ? g : nil
    case .list:
      fail(n, "expected a GPU id or a mapping, got a list")
      return nil
    }
  }

  mutating func optimizer(_ n: Node) -> OptimizerConfig? {
    switch n {
    case .scalar:
      guard let k = choice(n, "optimizer", OptimizerKind.self) else { return nil }
      return OptimizerConfig(kind: k)
    case .mapping(let es, let loc):
      guard let nameEntry = es.first(where: { $0.key == "name" }) else {
        fail(loc, "an optimizer mapping needs 'name', e.g. 'name: apollo'"); return nil
      }
      guard let k = choice(nameEntry.value, "optimizer", OptimizerKind.self) else { return nil }
      var o = OptimizerConfig(kind: k)
      var ok = true
      for e in es where e.key != "name" {
        recorded.append(("optimizer." + e.key, e.value.location))
        switch e.key {
        case "rank":
          if let v = integer(e.value, "'rank'") {
            if !k.isLowRank { fail(e.value, "'rank' applies to GaLore and APOLLO, not '\(k.rawValue)'"); ok = false }
            o.rank = v
          } else { ok = false }
        case "update_interval": if let v = integer(e.value, "'update_interval'") { o.updateInterval = v } else { ok = false }
        case "implementation": if let v = choice(e.value, "implementation", StepImplementation.self) { o.implementation = v } else { ok = false }
        case "layerwise": if let v = boolean(e.value, "'layerwise'") { o.layerwise = v } else { ok = false }
        case "momentum": if let v = boolean(e.value, "'momentum'") { o.momentum = v } else { ok = false }
        default: fail(e.keyLocation, "unknown optimizer key '\(e.key)'\(suggestion(e.key, Self.optimizerKeys))", length: e.key.count); ok = false
        }
      }
      return ok ? o : nil
    case .list:
      fail(n, "expected an optimizer name or a mapping, got a list; to compare optimizers use 'runs:' or 'sweep:'")
      return nil
    }
  }

  mutating func overhead(_ n: Node) -> Overhead? {
    guard case .mapping(let es, _) = n else { fail(n, "expected a mapping with 'context' and 'reserve'"); return nil }
    var o = Overhead()
    var ok = true
    for e in es {
      switch e.key {
      case "context":
        if case .scalar(let s, _, _) = e.value, let b = try? Quantity.bytes(s) { o.context = b }
        else { fail(e.value, "expected a size such as '0.5GiB' for 'context'"); ok = false }
      case "reserve":
        guard case .scalar(let s, _, _) = e.value else { fail(e.value, "expected 'measured', a percentage or a size"); ok = false; continue }
        if s == "measured" { o.reserve = .measured }
        else if s.hasSuffix("%"), let v = try? Quantity.parse(s, as: .percent), v >= 0, v <= 10 { o.reserve = .fraction(v) }
        else if let b = try? Quantity.bytes(s) { o.reserve = .amount(b) }
        else { fail(e.value, "expected 'measured', a percentage such as '5%' or a size such as '2GiB', got '\(s)'"); ok = false }
      default: fail(e.keyLocation, "unknown overhead key '\(e.key)'\(suggestion(e.key, Self.overheadKeys))", length: e.key.count); ok = false
      }
    }
    return ok ? o : nil
  }

  mutating func reference(_ n: Node) -> Reference? {
    guard case .mapping(let es, _) = n else {
      fail(n, "expected a mapping with 'tokens_per_second', 'memory' and 'source'"); return nil
    }
    var r = Reference(source: "")
    for e in es {
      switch e.key {
      case "tokens_per_second": r.tokensPerSecond = number(e.value, "'tokens_per_second'", kind: .count)
      case "step_seconds": r.stepSeconds = number(e.value, "'step_seconds'", kind: .count)
      case "memory":
        if case .scalar(let s, _, _) = e.value, let b = try? Quantity.bytes(s), b.count > 0 { r.memory = b }
        else { fail(e.value, "expected a memory size such as '79GB' for 'memory'") }
      case "source": r.source = text(e.value, "a source") ?? ""
      case "ratio_to": r.ratioTo = text(e.value, "the label of another run")
      default: fail(e.keyLocation, "unknown reference key '\(e.key)'\(suggestion(e.key, Self.referenceKeys))", length: e.key.count)
      }
    }
    if r.source.isEmpty { fail(n, "a reference needs 'source', e.g. 'source: APOLLO paper Fig. 1'") }
    return r
  }

  mutating func sweepAxes(_ n: Node) -> [SweepAxis] {
    guard case .mapping(let es, _) = n else { fail(n, "'sweep' must map keys to lists, e.g. 'sequence: [256, 1024]'"); return [] }
    var axes: [SweepAxis] = []
    for e in es {
      guard Self.settingKeys.contains(e.key) else {
        fail(e.keyLocation, "unknown sweep key '\(e.key)'\(suggestion(e.key, Self.settingKeys))", length: e.key.count); continue
      }
      guard case .list(let items, _) = e.value else {
        fail(e.value, "sweep key '\(e.key)' must be a list, e.g. '\(e.key): [a, b]'"); continue
      }
      if items.isEmpty { fail(e.value, "sweep key '\(e.key)' has an empty list"); continue }
      var values: [SweepValue] = []
      for item in items {
        guard let edit = setting(e.key, item) else { continue }
        let t: String
        if case .scalar(let s, _, _) = item { t = s } else { t = "custom" }
        values.append(SweepValue(text: t, edit: edit))
      }
      if values.count == items.count { axes.append(SweepAxis(key: e.key, values: values, location: e.keyLocation)) }
    }
    let total = axes.reduce(1.0) { $0 * Double($1.values.count) }
    if total > 10_000_000 { fail(n, "the sweep has \(Int64(total)) points; the limit is 10,000,000") }
    return axes
  }

  mutating func goals(_ n: Node) -> [SolveGoal] {
    switch n {
    case .scalar(let s, _, _):
      if s == "none" { return [] }
      return choice(n, "solve goal", SolveGoal.self).map { [$0] } ?? []
    case .list(let items, _):
      return items.compactMap { choice($0, "solve goal", SolveGoal.self) }
    case .mapping:
      fail(n, "expected a solve goal such as 'max_micro_batch' or a list of them"); return []
    }
  }
}

/// All errors of one scenario file.
struct ScenarioErrors: Error, Sendable {
  var errors: [ScenarioError]
}

extension String {
  func replacingOccurrences(_ a: String, _ b: String) -> String {
    guard !a.isEmpty, let r = range(of: a) else { return self }
    return replacingCharacters(in: r, with: b)
  }
}
