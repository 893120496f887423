import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// The config.json reader (issue #14): shipped files, configs written here from published
/// ones (so the reader is general, not a table of known files), and every kind of bad input.
@Suite struct HFConfigTests {
  static let shipped: [(String, Int64)] = [
    ("llama-3.2-1b", 1_235_814_400), ("llama-3.1-8b", 8_030_261_248), ("mixtral-8x7b", 46_702_792_704),
    ("qwen3-8b", 8_190_735_360), ("qwen3-30b-a3b", 30_532_122_624), ("gemma-2-2b", 2_614_341_888),
    ("gemma-3-1b", 999_885_952), ("gpt2", 124_439_808), ("olmo-2-7b", 7_298_617_344),
    ("deepseek-v3", 671_026_404_352), ("deepseek-v2-lite", 15_706_484_224), ("kimi-k2", 1_026_408_209_408),
    ("gpt-oss-20b", 20_914_757_184), ("gpt-oss-120b", 116_829_156_672), ("llama-4-scout", 107_769_861_120),
    ("llama-4-maverick", 400_711_848_960), ("glm-4.5-air", 106_852_245_504),
  ]

  @Test("every shipped config.json reads to its published parameter count", arguments: shipped.indices)
  func shippedConfig(_ i: Int) throws {
    let (name, expected) = Self.shipped[i]
    let path = Calibration.root.appendingPathComponent("Scenarios/models/\(name)/config.json").path
    let m = try HFConfig.read(path)
    #expect(ParameterInventory(m).parameters == expected, "\(name)")
    #expect(m.id == name)
    // A directory holding a config.json reads the same.
    let byDirectory = try HFConfig.read(Calibration.root.appendingPathComponent("Scenarios/models/\(name)").path)
    #expect(byDirectory == m)
  }

  /// Configs of models that are not shipped, as their repositories publish them (fields a
  /// reader does not use left out), with their published totals.
  static let written: [(String, String, Int64)] = [
    (
      "qwen2.5-7b",
      #"{"architectures": ["Qwen2ForCausalLM"], "hidden_act": "silu", "hidden_size": 3584, "intermediate_size": 18944, "max_position_embeddings": 131072, "max_window_layers": 28, "model_type": "qwen2", "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 131072, "tie_word_embeddings": false, "torch_dtype": "bfloat16", "use_sliding_window": false, "vocab_size": 152064}"#,
      7_615_616_512
    ),
    (
      "pythia-160m",
      #"{"architectures": ["GPTNeoXForCausalLM"], "hidden_act": "gelu", "hidden_size": 768, "intermediate_size": 3072, "layer_norm_eps": 1e-05, "max_position_embeddings": 2048, "model_type": "gpt_neox", "num_attention_heads": 12, "num_hidden_layers": 12, "rotary_pct": 0.25, "tie_word_embeddings": false, "use_parallel_residual": true, "vocab_size": 50304}"#,
      162_322_944
    ),
    (
      "gemma-3-4b",
      #"{"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "text_config": {"hidden_size": 2560, "intermediate_size": 10240, "model_type": "gemma3_text", "num_hidden_layers": 34, "rope_scaling": {"factor": 8.0, "rope_type": "linear"}, "sliding_window": 1024}, "vision_config": {"hidden_size": 1152, "model_type": "siglip_vision_model", "num_hidden_layers": 27}}"#,
      3_880_263_168
    ),
    (
      "phi-3-mini",
      #"{"architectures": ["Phi3ForCausalLM"], "attention_bias": false, "hidden_act": "silu", "hidden_size": 3072, "intermediate_size": 8192, "max_position_embeddings": 4096, "model_type": "phi3", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32, "rope_scaling": null, "sliding_window": 2047, "tie_word_embeddings": false, "vocab_size": 32064}"#,
      3_821_079_552
    ),
    (
      "mistral-7b-v0.1",
      #"{"architectures": ["MistralForCausalLM"], "hidden_act": "silu", "hidden_size": 4096, "intermediate_size": 14336, "model_type": "mistral", "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8, "sliding_window": 4096, "tie_word_embeddings": false, "vocab_size": 32000}"#,
      7_241_732_096
    ),
    (
      "qwen1.5-moe-a2.7b",
      #"{"architectures": ["Qwen2MoeForCausalLM"], "decoder_sparse_step": 1, "hidden_size": 2048, "intermediate_size": 5632, "model_type": "qwen2_moe", "moe_intermediate_size": 1408, "norm_topk_prob": false, "num_attention_heads": 16, "num_experts": 60, "num_experts_per_tok": 4, "num_hidden_layers": 24, "num_key_value_heads": 16, "shared_expert_intermediate_size": 5632, "tie_word_embeddings": false, "vocab_size": 151936}"#,
      14_315_784_192
    ),
    (
      "gemma-2-27b",
      #"{"model_type": "gemma2", "head_dim": 128, "hidden_size": 4608, "intermediate_size": 36864, "num_attention_heads": 32, "num_hidden_layers": 46, "num_key_value_heads": 16, "query_pre_attn_scalar": 144, "sliding_window": 4096, "vocab_size": 256000}"#,
      27_227_128_320
    ),
  ]

  @Test("configs of models that are not shipped read to their published counts", arguments: written.indices)
  func writtenConfig(_ i: Int) throws {
    let (name, text, expected) = Self.written[i]
    let m = try HFConfig.parse(text, file: "\(name)/config.json")
    #expect(ParameterInventory(m).parameters == expected, "\(name)")
  }

  @Test("windows and experts come from the fields that set them")
  func structure() throws {
    let gemma3 = try HFConfig.parse(Self.written[2].1, file: "gemma-3-4b/config.json")
    #expect(gemma3.slidingWindow == 1024 && gemma3.slidingLayers == 34 - 34 / 6 && gemma3.qkNorm == .head)
    let qwen = try HFConfig.parse(Self.written[0].1, file: "qwen2.5-7b/config.json")
    #expect(qwen.slidingLayers == 0 && qwen.bias == .qkv)
    let moe = try HFConfig.parse(Self.written[5].1, file: "m/config.json")
    #expect(
      moe.moe == MoEConfig(experts: 60, perToken: 4, expertIntermediate: 1408, sharedIntermediate: 5632, layers: 24))
  }

  func errors(_ text: String) -> [Diagnostic] {
    do {
      _ = try HFConfig.parse(text, file: "x/config.json")
      return []
    } catch { return error.errors }
  }

  @Test("a wrong type, a missing field, an unsupported model_type and bad JSON are located")
  func refusals() {
    let wrongType = errors(
      "{\n  \"model_type\": \"llama\",\n  \"hidden_size\": \"4096\",\n  \"intermediate_size\": 11008,\n  \"num_hidden_layers\": 32,\n  \"num_attention_heads\": 32,\n  \"vocab_size\": 32000\n}"
    )
    #expect(wrongType.count == 1 && wrongType[0].location.line == 3 && wrongType[0].location.column == 18)
    #expect(wrongType.first?.message.contains("'hidden_size' must be a positive integer") == true)
    // DeepSeek-V2's class has no default top-k (`num_experts_per_tok=None`).
    let missing = errors("{\"model_type\": \"deepseek_v2\", \"hidden_size\": 4096}")
    #expect(missing.contains { $0.message.contains("'num_experts_per_tok' is missing") })
    let unsupported = errors("{\"model_type\": \"bert\"}")
    #expect(unsupported.first?.message.contains("unsupported model_type 'bert'; trainmem reads: llama") == true)
    let nested = errors(
      "{\"model_type\": \"gemma3\", \"text_config\": {\"hidden_size\": 2560, \"num_hidden_layers\": true}}")
    #expect(nested.contains { $0.message.contains("'text_config.num_hidden_layers' must be a positive integer") })
    let syntax = errors("{\"model_type\": \"llama\",\n \"hidden_size\": 4096,, }")
    #expect(syntax.first?.location.line == 2 && syntax.first?.reason == .syntax)
    #expect(errors(String(repeating: "[", count: 100_000)).first?.message.contains("nested deeper") == true)
    #expect(errors("").first?.message.contains("ends where a value was expected") == true)
  }

  @Test("a scenario names a config.json relative to itself; the CLI relative to the working directory")
  func paths() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trainmem-hf-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("models"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    try Self.written[1].1.write(to: dir.appendingPathComponent("models/pythia.json"), atomically: true, encoding: .utf8)
    let scenario = dir.appendingPathComponent("run.yaml")
    try "name: t\nmodel: models/pythia.json\ngpu: h100-sxm\n".write(to: scenario, atomically: true, encoding: .utf8)
    let r = cli(["run", scenario.path, "--format", "json"])
    #expect(r.status == 0 && r.out.contains("\"parameters\" : 162322944"), "\(r.err)")
    let missing = cli(["estimate", "--model", "no/such/config.json"])
    #expect(missing.status == 64 && missing.err.contains("model 'no/such/config.json': cannot read"))
  }

  @Test("unknown ids are answered within their family and size")
  func suggestions() {
    #expect(ModelConfig.unknownPresetMessage("llama3.2-3B").contains("did you mean 'llama3.2-3b'?"))
    // 8B is not a typo of the family's 3B: the sizes are listed, none is offered.
    #expect(ModelConfig.unknownPresetMessage("llama3.2-8b").contains("llama3.2 has 1b, 3b; for another size"))
    #expect(!ModelConfig.unknownPresetMessage("llama3.2-8b").contains("'llama-3b'"))
    #expect(ModelConfig.unknownPresetMessage("qwen2.5-9b").contains("did you mean 'qwen2.5-7b'?"))
  }
}

/// Expert parallelism (issue #14): experts divided over GPUs, and an all-to-all per MoE layer.
@Suite struct ExpertParallelTests {
  func setup(_ ep: Int64, parallel: Parallelism) -> TrainingSetup {
    var s = TrainingSetup(model: ModelConfig.preset("qwen3-30b-a3b")!, gpu: GPUSpec.preset("h100-sxm")!)
    s.gpus = 8
    s.parallel = parallel
    s.precision = .bf16
    s.sequence = 4096
    s.expertParallel = ep
    return s
  }

  @Test("under DDP each GPU holds 1/E of the experts' weights, gradients and states")
  func ddpMemory() {
    let inv = ParameterInventory(ModelConfig.preset("qwen3-30b-a3b")!)
    let whole = MemoryModel.persistent(setup(1, parallel: .ddp), inv)
    let split = MemoryModel.persistent(setup(8, parallel: .ddp), inv)
    let experts = inv.expertParameters
    #expect(whole.weights - split.weights == (experts - experts / 8) * 2)
    #expect(whole.gradients - split.gradients == (experts - experts / 8) * 2)
    #expect(whole.states.regularMoments - split.states.regularMoments == (experts - experts / 8) * 4)
  }

  @Test("under FSDP the per-GPU shard is the same, the gathered layer smaller, and all-to-alls cost time")
  func fsdp() {
    let inv = ParameterInventory(ModelConfig.preset("qwen3-30b-a3b")!)
    let a = MemoryModel.persistent(setup(1, parallel: .fsdp), inv)
    let b = MemoryModel.persistent(setup(8, parallel: .fsdp), inv)
    #expect(abs(a.states.total - b.states.total) < 1000)
    #expect(b.weightCopies < a.weightCopies)
    #expect(ThroughputModel.allToAllSeconds(setup(1, parallel: .fsdp)) == 0)
    let s = setup(8, parallel: .fsdp)
    let bytes = 4096.0 * 8 * 2048 * 2 * 7 / 8
    let one = bytes / (450e9 * 0.75) + (8.4 + 7 * 3.4) * 1e-6
    #expect(abs(ThroughputModel.allToAllSeconds(s) - 4 * 48 * one) < 1e-9)
  }

  @Test("expert_parallel must divide the experts and GPUs, and needs experts")
  func refusals() {
    #expect(
      cli(["estimate", "--model", "qwen3-30b-a3b", "--gpus", "8", "--parallel", "fsdp", "--expert-parallel", "3"]).err
        .contains("'--expert-parallel' 3 must divide the 128 experts and the 8 GPUs of the expert group"))
    #expect(
      cli(["estimate", "--model", "llama-7b", "--gpus", "8", "--parallel", "fsdp", "--expert-parallel", "2"]).err
        .contains("and llama-7b has none"))
  }
}

@Suite struct HubIDTests {
  @Test("a Hub id resolves to its preset, instruct and base checkpoints too; an unknown one says how to get it")
  func presets() {
    #expect(ModelConfig.preset(hubID: "meta-llama/Llama-3.1-8B")?.id == "llama3.1-8b")
    #expect(ModelConfig.preset(hubID: "meta-llama/Llama-3.1-70B-Instruct")?.id == "llama3.1-70b")
    #expect(ModelConfig.preset(hubID: "google/gemma-3-4b-it")?.id == "gemma3-4b")
    #expect(ModelConfig.preset(hubID: "Qwen/Qwen3-235B-A22B")?.id == "qwen3-235b-a22b")
    #expect(ModelConfig.preset(hubID: "deepseek-ai/DeepSeek-V3")?.id == "deepseek-v3")
    #expect(ModelConfig.preset(hubID: "nobody/DeepSeek-V3") == nil)
    #expect(ModelConfig.looksLikeHubID("Qwen/Qwen3-8B") && !ModelConfig.looksLikeHubID("./cfg.json"))
    #expect(!ModelConfig.looksLikeHubID("models/qwen3/config.json"))
    let r = cli(["estimate", "--model", "meta-llama/Llama-3.1-8B-Instruct", "--gpu", "h100"])
    #expect(r.status == 0 && r.out.contains("llama3.1-8b adamw on 1× h100-sxm"))
    let missing = cli(["estimate", "--model", "nobody/NoSuchModel-7B"])
    #expect(missing.status == 64 && missing.err.contains("huggingface-cli download nobody/NoSuchModel-7B config.json"))
  }

  @Test("model names as people write them: any case, the version apart, a Hub name without its organisation")
  func presetSpellings() {
    for (name, id) in [
      ("llama-3.1-8b", "llama3.1-8b"), ("Llama-3.1-8B-Instruct", "llama3.1-8b"), ("llama-3-8b", "llama3-8b"),
      ("Meta-Llama-3-8B", "llama3-8b"), ("LLAMA3-70B", "llama3-70b"), ("gemma-2-9b-it", "gemma2-9b"),
      ("Qwen-2.5-7B", "qwen2.5-7b"), ("phi-3-mini", "phi3-mini"), ("llama-4-scout", "llama4-scout"),
      ("mixtral-8x7B", "mixtral-8x7b"), ("glm-4.5", "glm-4.5"),
    ] {
      #expect(ModelConfig.preset(name)?.id == id, "\(name)")
    }
    // A size the family lacks is not swapped for a model four times larger.
    #expect(ModelConfig.unknownPresetMessage("llama-2-7b").contains("llama2 has 70b; for another size"))
    #expect(ModelConfig.unknownPresetMessage("mixtral-8x22b").contains("mixtral has 8x7b; for another size"))
    #expect(ModelConfig.unknownPresetMessage("llama-3-9b").contains("did you mean 'llama3-8b'?"))
  }

  @Test("a custom GPU or model on the command line: key=value pairs as the scenario mapping takes them")
  func inlineMappings() {
    let gpu = cli([
      "estimate", "--model", "llama3-8b", "--gpu", "name=my-card,memory=24GB,bf16_tflops=165,bandwidth=1TB/s",
      "--format", "json",
    ])
    #expect(gpu.status == 0 && gpu.out.contains("\"gpu_memory\" : 24000000000"), "\(gpu.err)")
    let model = cli([
      "estimate", "--model", "hidden=2048,intermediate=8192,layers=16,heads=32,kv_heads=8,vocab=128256", "--gpu",
      "h100",
      "--format", "csv",
    ])
    #expect(model.status == 0 && model.out.contains(",custom,h100-sxm,"), "\(model.err)")
    let bad = cli(["estimate", "--model", "llama3-8b", "--gpu", "memory=24GB,bf16_tflops=abc"])
    #expect(bad.status == 64 && bad.err.contains("'bf16_tflops'"))
    let unknown = cli(["estimate", "--model", "llama3-8b", "--gpu", "rtx-4070-ti"])
    #expect(unknown.status == 64 && unknown.err.contains("--gpu memory=24GB,bf16_tflops=165,bandwidth=1TB/s"))
    let fit = cli(["fit", "--model", "llama3-8b", "--gpu", "memory=141GB,bf16_tflops=900,bandwidth=3TB/s"])
    #expect(fit.status == 0 && fit.out.contains("1× custom"), "\(fit.err)")
  }

  @Test("a scenario's 'org/name' that is a folder next to it is a path, not a Hub id")
  func pathBeforeHubID() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(at: dir.appendingPathComponent("models"), withIntermediateDirectories: true)
    try FileManager.default.copyItem(
      at: Calibration.root.appendingPathComponent("Scenarios/models/qwen3-8b"),
      to: dir.appendingPathComponent("models/qwen3-8b"))
    let scenario = dir.appendingPathComponent("t.yaml")
    try "name: t\nmodel: models/qwen3-8b\ngpu: h200\n".write(to: scenario, atomically: true, encoding: .utf8)
    let r = cli(["run", scenario.path, "--format", "json"])
    #expect(r.status == 0 && r.out.contains("\"parameters\" : 8190735360"), "\(r.err)")
  }

  @Test("a Hub id found in the local Hugging Face cache is read from its newest snapshot, offline")
  func cache() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("hf-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let snapshot = root.appendingPathComponent("hub/models--someorg--Tiny/snapshots/r1")
    try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
    try "{}".write(to: snapshot.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
    #expect(HubCache.config(for: "someorg/Tiny", env: ["HF_HOME": root.path]) == snapshot.path + "/config.json")
    #expect(HubCache.config(for: "someorg/Other", env: ["HF_HOME": root.path]) == nil)
    #expect(HubCache.roots(["HF_HUB_CACHE": "/x", "HF_HOME": "/y"]) == ["/x"])
    #expect(HubCache.roots(["HOME": "/home/u"]) == ["/home/u/.cache/huggingface/hub"])
  }
}
