import Foundation

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// A seeded generator of training setups over the whole input space: a value for every
/// declared setting (`Settings.all`) — valid most of the time, at the edges of each range some of
/// the time — and custom models and GPUs.
///
/// Each setting's declaration carries the values drawn and how often (`Setting.samples`,
/// `Setting.sampling`); a test fails while any declared setting has none.
struct SetupGenerator {
  var random: SplitMix

  /// One generated setup: its settings as a scenario writes them, and the custom mappings.
  struct Case: CustomStringConvertible {
    var settings: [(key: String, value: String)]
    var customModel: [(String, String)]?
    var customGPU: [(String, String)]?

    /// The setup as a scenario file a person can run.
    var description: String {
      var top = "name: generated\n"
      var groups: [SettingGroup: [String]] = [:]
      for (key, value) in settings {
        guard let setting = Settings.all.first(where: { $0.flatKey == key }) else { continue }
        if setting.group == .top {
          if key == "optimizer" {
            groups[.optimizer, default: []].insert("  name: \(value)\n", at: 0)
          } else {
            top += "\(key): \(value)\n"
          }
        } else {
          groups[setting.group, default: []].append("  \(setting.key): \(value)\n")
        }
      }
      if let m = customModel { top += "model:\n" + m.map { "  \($0.0): \($0.1)\n" }.joined() }
      if let g = customGPU { top += "gpu:\n" + g.map { "  \($0.0): \($0.1)\n" }.joined() }
      if var optimizer = groups[.optimizer] {
        if !(optimizer.first?.hasPrefix("  name:") ?? false) { optimizer.insert("  name: adamw\n", at: 0) }
        top += "optimizer:\n" + optimizer.joined()
      }
      for group in SettingGroup.plainMappings {
        if let entries = groups[group] { top += "\(group.rawValue):\n" + entries.joined() }
      }
      return top
    }

    /// The setup, loaded as a scenario; nil when the loader refuses it.
    func setup() -> TrainingSetup? {
      (try? ScenarioLoader.load(file: "generated.yaml", text: description))?.runs.first?.setup
    }

    func without(_ key: String) -> Case {
      var c = self
      c.settings.removeAll { $0.key == key }
      return c
    }
  }

  /// One in ten setups is drawn from the combinations that interact most — FP8 × expert
  /// parallelism × sharding × tensor and pipeline parallelism × adapters × offload — on the
  /// GPUs and models they are run with, where independent draws rarely meet.
  mutating func next() -> Case {
    if random.chance(0.1) { return combination() }
    return independent()
  }

  mutating func combination() -> Case {
    var settings: [(key: String, value: String)] = [
      ("model", random.pick(["qwen3-30b-a3b", "mixtral-8x7b", "llama3-8b", "llama3-70b", "gemma2-2b"])),
      ("gpu", random.pick(["h100-sxm", "h200", "b200", "gb200", "mi300x"])),
      ("gpus", random.pick(["8", "16", "64"])),
      ("parallel", random.pick(["fsdp", "hsdp", "zero1", "zero3", "ddp"])),
      ("sequence", random.pick(["1024", "4096", "8192"])),
      ("micro_batch", random.pick(["1", "2"])),
    ]
    if random.chance(0.5) {
      settings += [("matmul_precision", "fp8"), ("fp8_recipe", random.pick(FP8Recipe.allCases.map(\.rawValue)))]
    }
    if random.chance(0.5) { settings.append(("expert_parallel", random.pick(["2", "8"]))) }
    if random.chance(0.4) {
      settings.append(("tensor_parallel", random.pick(["2", "4"])))
      if settings[0].value != "llama3-8b" && settings[0].value != "llama3-70b" && settings[0].value != "gemma2-2b"
        && random.chance(0.3)
      {
        settings.append(("expert_tensor_parallel", "1"))
      }
    }
    // Each framework's own overlap switches, with that framework.
    switch settings[3].value {
    case "fsdp", "hsdp":
      if random.chance(0.2) { settings.append(("reshard_after_forward", "false")) }
      if random.chance(0.2) { settings.append(("gradient_sync", "step")) }
    case "zero1", "zero3": if random.chance(0.2) { settings.append(("overlap_comm", random.pick(["true", "false"]))) }
    default: break
    }
    if random.chance(0.4) {
      settings.append(("pipeline_parallel", random.pick(["2", "4"])))
      if random.chance(0.5) { settings.append(("global_batch", random.pick(["64", "256"]))) }
    }
    if random.chance(0.3) { settings.append(("checkpointing", random.pick(Checkpointing.allCases.map(\.rawValue)))) }
    if random.chance(0.3) { settings.append(("sequence_parallel", "true")) }
    if random.chance(0.25) { settings.append(("precision", random.pick(["mixed", "bf16"]))) }
    if random.chance(0.2) {
      settings.append(("lora_rank", "16"))
    } else if random.chance(0.2) {
      settings.append(("freeze_layers", random.pick(["1", "4"])))
      if random.chance(0.5) { settings.append(("freeze_embeddings", "true")) }
    }
    if random.chance(0.2) {
      settings.append((random.pick(["offload_optimizer", "offload_parameters", "offload_activations"]), "cpu"))
    }
    return Case(settings: settings, customModel: nil, customGPU: nil)
  }

  mutating func independent() -> Case {
    var c = Case(settings: [], customModel: nil, customGPU: nil)
    for setting in Settings.all {
      let key = setting.flatKey
      let pool = setting.samples
      guard setting.sampling == .always || random.chance(setting.sampling.rawValue), !pool.isEmpty else { continue }
      if setting.key == "model" && random.chance(0.2) {
        c.customModel = customModel()
      } else if setting.key == "gpu" && random.chance(0.15) {
        c.customGPU = customGPU()
      } else {
        c.settings.append((key, random.pick(pool)))
      }
    }
    // Quantised weights are trained only through adapters (or Q-GaLore's and Q-APOLLO's
    // optimizers for int8): give most of them adapters, as a user would.
    let weights = c.settings.first { $0.key == "weights" }?.value
    if weights == "nf4" || weights == "int8", !c.settings.contains(where: { $0.key.hasPrefix("lora_") }),
      random.chance(0.9)
    {
      c.settings.append(("lora_rank", "8"))
    }
    // DeepSpeed ZeRO-3's sizes go with ZeRO-3: keep most draws of them there.
    let parallel = c.settings.first { $0.key == "parallel" }?.value
    if parallel != "zero3", random.chance(0.8) {
      c.settings.removeAll { $0.key == "sub_group_size" || $0.key.hasPrefix("stage3_") }
    }
    // The offloaded layer count goes with activation offload.
    if !c.settings.contains(where: { $0.key == "offload_activations" && $0.value == "cpu" }), random.chance(0.8) {
      c.settings.removeAll { $0.key == "offload_activation_layers" }
    }
    // Double quantisation goes with NF4 weights: keep most draws of it with them.
    if weights != "nf4", random.chance(0.8) { c.settings.removeAll { $0.key == "double_quant" } }
    // The MoE routing keys apply to mixtures of experts: keep most of them off dense models.
    let model = c.settings.first { $0.key == "model" }?.value ?? ""
    let sparse = ModelConfig.preset(model)?.moe != nil || c.customModel != nil
    if !sparse, random.chance(0.8) { c.settings.removeAll { $0.key.hasPrefix("moe_") } }
    // LOMO and AdaLomo run on one GPU or under ZeRO-3, with no accumulation, adapters or model
    // parallelism: give most of them that setup, as a user would.
    let optimizer = c.settings.first { $0.key == "optimizer" }?.value
    if optimizer == "lomo" || optimizer == "adalomo", random.chance(0.8) {
      let refused = ["global_batch", "tensor_parallel", "pipeline_parallel", "context_parallel", "expert_parallel"]
      c.settings.removeAll { refused.contains($0.key) || $0.key.hasPrefix("lora_") || $0.key == "parallel" }
      c.settings.append(("parallel", "zero3"))
    }
    // A recipe goes with FP8 matmuls.
    if c.settings.contains(where: { $0.key == "fp8_recipe" }) && random.chance(0.9) {
      c.settings.removeAll { $0.key == "matmul_precision" }
      c.settings.append(("matmul_precision", "fp8"))
    }
    // Adapters are trained by a plain optimizer (low-rank projections would be refused), and
    // freezing means nothing on top of them.
    if c.settings.contains(where: { $0.key.hasPrefix("lora_") }) {
      c.settings.removeAll {
        ["optimizer", "rank", "update_interval", "layerwise", "freeze_embeddings", "freeze_layers"].contains($0.key)
      }
    }
    return c
  }

  mutating func customModel() -> [(String, String)] {
    let heads = random.pick([1, 2, 4, 8, 16, 32])
    let headDim = random.pick([8, 16, 64, 128])
    let kv = random.pick([1, 2, heads].filter { heads % $0 == 0 })
    let layers = random.pick([1, 2, 4, 32, 100])
    var keys = [
      ("hidden", String(heads * headDim)), ("intermediate", String(random.pick([64, 128, 1000, 5461, 11008]))),
      ("layers", String(layers)), ("heads", String(heads)), ("kv_heads", String(kv)),
      ("vocab", String(random.pick([100, 32000, 128256]))), ("tied_embeddings", random.pick(["true", "false"])),
    ]
    // Every architecture mechanism a custom model can name (issue #14), a few at a time.
    let optional: [(String, [String])] = [
      ("head_dim", ["16", "128", "256"]), ("mlp", MLPKind.allCases.map(\.rawValue)),
      ("norm", NormKind.allCases.map(\.rawValue)), ("norms_per_layer", ["2", "4"]),
      ("bias", BiasKind.allCases.map(\.rawValue)), ("mlp_bias", ["true", "false"]),
      ("qk_norm", QKNorm.allCases.map(\.rawValue)), ("positions", ["1024", "8192"]),
      ("parallel_residual", ["true", "false"]), ("sliding_window", ["64", "4096"]),
    ]
    for (key, values) in optional where random.chance(0.25) { keys.append((key, random.pick(values))) }
    if random.chance(0.2) {
      let experts = random.pick([4, 8, 64])
      keys += [
        ("experts", String(experts)), ("experts_per_token", String(random.pick([1, 2, 8].filter { $0 <= experts }))),
        ("expert_intermediate", String(random.pick([64, 768, 14336]))),
      ]
      if random.chance(0.3) { keys.append(("shared_expert_intermediate", "512")) }
      if random.chance(0.3) { keys.append(("moe_layers", String(max(1, layers / 2)))) }
    }
    return keys
  }

  mutating func customGPU() -> [(String, String)] {
    [
      ("memory", random.pick(["1MiB", "24GB", "80GiB", "1PiB"])),
      ("bf16_tflops", random.pick(["0.01", "100", "989", "8000"])),
      ("fp8_tflops", random.pick(["0.01", "1979", "16000"])),
      ("bandwidth", random.pick(["1GB/s", "1TB/s", "4.8TB/s"])), ("sms", random.pick(["1", "108", "148", "1000"])),
    ]
  }
}
