import TrainMemCore

/// The keys of the mappings a scenario may write for a custom model, a custom GPU and a
/// published reference figure.
///
/// Each is declared once here; the loader reads through it and docs/scenario-format.md
/// prints its table.
package enum CustomMappings {
  /// `model:` as a mapping (docs "Custom models").
  package static let model = MappingKeys<ModelConfig>([
    .text("name", what: "a model name", default: "custom", doc: "how reports and `list` name it") {
      $0.id = $1
    },
    .text("family", what: "a family name", default: "custom", doc: "the family `list models` groups it under") {
      $0.family = $1
    },
    dimension("hidden", default: "required", doc: "the model's width") { $0.hidden = $1 },
    dimension("intermediate", default: "required", doc: "the MLP's inner width") { $0.intermediate = $1 },
    dimension("layers", default: "required", doc: "decoder layers") { $0.layers = $1 },
    dimension("heads", default: "required", doc: "attention heads") { $0.heads = $1 },
    dimension("kv_heads", default: "`heads`", doc: "grouped-query attention's key/value heads") { $0.kvHeads = $1 },
    dimension("head_dim", default: "hidden / heads", doc: "per-head width when it differs (Gemma, Qwen3)") {
      $0.explicitHeadDim = $1
    },
    dimension("vocab", default: "32000", doc: "vocabulary") { $0.vocab = $1 },
    .flag("tied_embeddings", default: "false", doc: "lm_head shares the embedding") { $0.tiedEmbeddings = $1 },
    .choice(
      "mlp", MLPKind.self, default: "swiglu",
      doc: "gated SiLU (LLaMA), gated GELU (Gemma) or plain GELU (GPT-2, NeoX)"
    ) { $0.mlp = $1 },
    .choice("norm", NormKind.self, default: "rms", doc: "RMSNorm, or LayerNorm with a bias") { $0.norm = $1 },
    dimension("norms_per_layer", default: "2", doc: "4 in Gemma 2/3") { $0.normsPerLayer = $1 },
    .choice(
      "bias", BiasKind.self, default: "none", doc: "biases on q/k/v (Qwen2) or on every attention projection"
    ) { $0.bias = $1 },
    .flag("mlp_bias", default: "false", doc: "biases on the MLP's linears") { $0.mlpBias = $1 },
    .choice(
      "qk_norm", QKNorm.self, default: "none",
      doc: "RMSNorm of queries and keys per head (Qwen3, Gemma 3) or over all heads (OLMo-2)"
    ) { $0.qkNorm = $1 },
    dimension("positions", from: 0, default: "0 (rotary)", doc: "learned position embeddings (GPT-2: 1024)") {
      $0.learnedPositions = $1
    },
    .flag("parallel_residual", default: "false", doc: "GPT-NeoX's attention and MLP on the same input") {
      $0.parallelResidual = $1
    },
    dimension(
      "sliding_window", default: "none",
      doc: "the attention window of the windowed layers; only `attention: flash` skips the masked work"
    ) { $0.slidingWindow = $1 },
    dimension("sliding_layers", default: "every layer", doc: "how many layers use the window") {
      $0.slidingLayers = $1
    },
    expert("experts", default: "—", doc: "routed experts: a mixture of experts (Mixtral, Qwen-MoE)") {
      $0.experts = $1
    },
    expert("experts_per_token", default: "—", doc: "experts each token is routed to") { $0.perToken = $1 },
    expert("expert_intermediate", default: "—", doc: "one routed expert's inner width") {
      $0.expertIntermediate = $1
    },
    expert(
      "shared_expert_intermediate", from: 0, default: "0",
      doc: "the shared experts' width together (Qwen2-MoE; DeepSeek: `moe_intermediate_size × n_shared_experts`)"
    ) { $0.sharedIntermediate = $1 },
    expert("moe_layers", default: "every layer", doc: "how many layers are MoE") { $0.layers = $1 },
    .flag(
      "shared_expert_gate", default: "true",
      doc: "Qwen2-MoE's sigmoid gate on the shared expert; DeepSeek, GLM-4.5 and Llama 4 have none"
    ) { model, v in withExperts(&model) { $0.sharedGate = v } },
    .flag("router_bias", default: "false", doc: "a bias vector on the router (GPT-OSS)") { model, v in
      withExperts(&model) { $0.routerBias = v }
    },
    latent(
      "q_lora_rank", from: 0, default: "1536",
      doc:
        "multi-head latent attention (DeepSeek-V2/V3, Kimi K2): the query's low rank; 0 is a full-rank `q_proj` (DeepSeek-V2-Lite). Any MLA key makes the attention latent, with DeepSeek-V3's values for the rest"
    ) { $0.queryRank = $1 == 0 ? nil : $1 },
    latent("kv_lora_rank", default: "512", doc: "MLA: the keys' and values' shared low rank") { $0.kvRank = $1 },
    latent("qk_nope_head_dim", default: "128", doc: "MLA: the per-head query and key width without rotary") {
      $0.noPositionDim = $1
    },
    latent("qk_rope_head_dim", default: "64", doc: "MLA: the per-head rotary width of queries and keys") {
      $0.rotaryDim = $1
    },
    latent("v_head_dim", default: "128", doc: "MLA: the per-head width of values and of the attention output") {
      $0.valueDim = $1
    },
    .flag("attention_sinks", default: "false", doc: "a learned logit per head and layer (GPT-OSS)") {
      $0.attentionSinks = $1
    },
    .flag(
      "chunked_attention", default: "false",
      doc: "the windowed layers attend within fixed chunks of `sliding_window` (Llama 4) instead of a sliding window"
    ) { $0.chunkedAttention = $1 },
  ])

  /// A model dimension from `low` (1, or 0 where the default is none) to the size limit.
  private static func dimension(
    _ key: String, from low: Int64 = 1, default defaultText: String, doc: String,
    _ apply: @escaping @Sendable (inout ModelConfig, Int64) -> Void
  ) -> MappingKey<ModelConfig> {
    .integer(key, from: low, max: ModelConfig.dimensionLimit, default: defaultText, doc: doc, apply)
  }

  /// Edits the model's experts, making it a mixture of experts first if it is not one.
  private static func withExperts(_ model: inout ModelConfig, _ apply: (inout MoEConfig) -> Void) {
    var moe = model.moe ?? MoEConfig(experts: 1, perToken: 1, expertIntermediate: model.intermediate)
    apply(&moe)
    model.moe = moe
  }

  /// An expert dimension; a shared expert of 0 (the default) makes no model a mixture of experts.
  private static func expert(
    _ key: String, from low: Int64 = 1, default defaultText: String, doc: String,
    _ apply: @escaping @Sendable (inout MoEConfig, Int64) -> Void
  ) -> MappingKey<ModelConfig> {
    dimension(key, from: low, default: defaultText, doc: doc) { model, v in
      if v == 0 && model.moe == nil { return }
      withExperts(&model) { apply(&$0, v) }
    }
  }

  /// An MLA dimension: the first one makes the model's attention latent, with DeepSeek-V3's
  /// other dimensions until they are given.
  private static func latent(
    _ key: String, from low: Int64 = 1, default defaultText: String, doc: String,
    _ apply: @escaping @Sendable (inout LatentAttention, Int64) -> Void
  ) -> MappingKey<ModelConfig> {
    dimension(key, from: low, default: defaultText, doc: doc) { model, v in
      var a =
        model.latent
        ?? LatentAttention(queryRank: 1536, kvRank: 512, noPositionDim: 128, rotaryDim: 64, valueDim: 128)
      apply(&a, v)
      model.latent = a
    }
  }

  /// `gpu:` as a mapping: memory, `bf16_tflops` and `bandwidth` required.
  package static let gpu = MappingKeys<GPUSpec>([
    .text("name", what: "a GPU name", default: "custom GPU", doc: "how reports name it") {
      $0.name = $1
      $0.id = $1
    },
    .size(
      "memory", (1 << 20)...(1 << 50), what: "a memory size from 1MiB to 1PiB such as '24GB' or '80GiB'",
      default: "required", doc: "memory per GPU"
    ) { $0.memory = $1 },
    .number("bf16_tflops", "N", .count, GPULimits.teraFLOPS, default: "required", doc: "dense bf16 (and fp16) rate") {
      $0.bf16FLOPS = $1 * 1e12
      $0.fp16FLOPS = $1 * 1e12
    },
    .number("fp8_tflops", "N", .count, GPULimits.teraFLOPS, default: "none", doc: "dense FP8 rate") {
      $0.fp8FLOPS = $1 * 1e12
    },
    .number("fp32_tflops", "N", .count, GPULimits.teraFLOPS, default: "bf16 / 16", doc: "fp32 (non-tensor-core) rate") {
      $0.fp32FLOPS = $1 * 1e12
    },
    .number("bandwidth", "RATE", .bandwidth, GPULimits.bandwidth, default: "required", doc: "memory bandwidth") {
      $0.bandwidth = $1
    },
    .number(
      "link_bandwidth", "RATE", .bandwidth, GPULimits.bandwidth, default: "32GB/s (PCIe 4)",
      doc: "per-GPU link to the others in the node, one direction"
    ) { $0.linkBandwidth = $1 },
    .integer(
      "sms", max: GPULimits.multiprocessors, default: "the H200's rate per SM",
      doc: "streaming multiprocessors (the matmul tile curve)"
    ) { $0.multiprocessors = Double($1) },
  ])

  /// A run's `reference:` figure, printed next to the prediction.
  package static let reference = MappingKeys<Reference>([
    .number(
      "tokens_per_second", "N", .count, 1e-9...1e15, default: "—", doc: "the published tokens/s over all GPUs"
    ) { $0.tokensPerSecond = $1 },
    .number(
      "step_seconds", "N", .count, 1e-9...1e9, default: "—",
      doc: "seconds per optimizer step, compared with the steady step (no SVD refresh)"
    ) { $0.stepSeconds = $1 },
    .size(
      "memory", 1...Int64.max, what: "a memory size such as '79GB' for 'memory'", default: "—", doc: "memory per GPU"
    ) { $0.memory = $1 },
    .text("source", what: "a source", default: "required", doc: "where the figure is published") { $0.source = $1 },
    .text(
      "ratio_to", what: "the label of another run", default: "—",
      doc: "another run's label: the tokens/s ratio to it is compared too"
    ) { $0.ratioTo = $1 },
  ])

  /// Each mapping's table with its docs marker and a heading for `trainmem list settings`.
  package static let tables: [(marker: String, title: String, table: String)] = [
    ("model-keys", "Keys of a custom model (`model:` as a mapping)", model.markdownTable),
    ("gpu-keys", "Keys of a custom GPU (`gpu:` as a mapping)", gpu.markdownTable),
    ("reference-keys", "Keys of a run's `reference`", reference.markdownTable),
  ]
}
