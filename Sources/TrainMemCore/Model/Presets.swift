import Foundation

// The model presets. Every dimension is its published config.json's; every parameter count
// is pinned by a test against the published total (safetensors metadata or model card).
// GaLore/APOLLO LLaMA sources:
// - GaLore/APOLLO repository configs `configs/llama_{60m..7b}.json`, APOLLO `llama_13b.json`
//   (byte-identical in GaLore, APOLLO, Q-GaLore and Fira): hidden, intermediate, heads,
//   layers, vocab 32000, untied embeddings.
// - LLaMA-1 paper (Touvron et al. 2023, arXiv:2302.13971, Table 2) for 30B/65B (their HF
//   configs give intermediate 17920 and 22016).
// - Llama 2 (arXiv:2307.09288) 70B and Llama 3 (arXiv:2407.21783) 8B/70B HF configs:
//   grouped-query attention with 8 KV heads; Llama 3 vocab 128256.

// Current models: each family's Hugging Face config.json (meta-llama, Qwen, mistralai, google,
// microsoft, openai-community, EleutherAI, allenai), cross-checked against torchtune's builders
// where it has them.

extension ModelConfig {
  /// A LLaMA-shaped preset (RMSNorm, SwiGLU, rotary, no biases) of a family.
  package static func make(
    _ id: String, _ family: String, hidden: Int64, intermediate: Int64, layers: Int64, heads: Int64, kv: Int64,
    vocab: Int64, tied: Bool = false, headDim: Int64? = nil
  ) -> ModelConfig {
    var m = ModelConfig(
      id: id, hidden: hidden, intermediate: intermediate, layers: layers, heads: heads, kvHeads: kv, vocab: vocab,
      tiedEmbeddings: tied)
    m.family = family
    m.explicitHeadDim = headDim
    return m
  }

  /// The same with changes (biases, norms, windows, experts).
  package func with(_ edit: (inout ModelConfig) -> Void) -> ModelConfig {
    var m = self
    edit(&m)
    return m
  }

  /// The presets, by family, each family in size order.
  package static let presets: [ModelConfig] =
    galore + llama + qwen + mistral + gemma + others + megatronGPT + sparse2026

  /// The GaLore/APOLLO LLaMA configs and Meta's LLaMA 1/2/3 (their original ids).
  package static let galore: [ModelConfig] = [
    .init(
      id: "llama-60m", hidden: 512, intermediate: 1376, layers: 8, heads: 8, kvHeads: 8, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama" },
    .init(
      id: "llama-130m", hidden: 768, intermediate: 2048, layers: 12, heads: 12, kvHeads: 12, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama" },
    .init(
      id: "llama-350m", hidden: 1024, intermediate: 2736, layers: 24, heads: 16, kvHeads: 16, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama" },
    // The repo JSON (32 heads, 24 layers) — the paper tables print them swapped.
    .init(
      id: "llama-1b", hidden: 2048, intermediate: 5461, layers: 24, heads: 32, kvHeads: 32, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama" },
    .init(
      id: "llama-3b", hidden: 2560, intermediate: 6848, layers: 32, heads: 32, kvHeads: 32, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama" },
    .init(
      id: "llama-7b", hidden: 4096, intermediate: 11008, layers: 32, heads: 32, kvHeads: 32, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama" },
    .init(
      id: "llama-13b", hidden: 5120, intermediate: 13824, layers: 40, heads: 40, kvHeads: 40, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama" },
    .init(
      id: "llama-30b", hidden: 6656, intermediate: 17920, layers: 60, heads: 52, kvHeads: 52, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama" },
    .init(
      id: "llama-65b", hidden: 8192, intermediate: 22016, layers: 80, heads: 64, kvHeads: 64, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama" },
    .init(
      id: "llama2-70b", hidden: 8192, intermediate: 28672, layers: 80, heads: 64, kvHeads: 8, vocab: 32000,
      tiedEmbeddings: false
    ).with { $0.family = "llama2" },
    .init(
      id: "llama3-8b", hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kvHeads: 8, vocab: 128256,
      tiedEmbeddings: false
    ).with { $0.family = "llama3" },
    .init(
      id: "llama3-70b", hidden: 8192, intermediate: 28672, layers: 80, heads: 64, kvHeads: 8, vocab: 128256,
      tiedEmbeddings: false
    ).with { $0.family = "llama3" },
  ]

  package static let llama: [ModelConfig] = [
    make("llama3.1-8b", "llama3.1", hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kv: 8, vocab: 128256),
    make("llama3.1-70b", "llama3.1", hidden: 8192, intermediate: 28672, layers: 80, heads: 64, kv: 8, vocab: 128256),
    make(
      "llama3.1-405b", "llama3.1", hidden: 16384, intermediate: 53248, layers: 126, heads: 128, kv: 8, vocab: 128256),
    make(
      "llama3.2-1b", "llama3.2", hidden: 2048, intermediate: 8192, layers: 16, heads: 32, kv: 8, vocab: 128256,
      tied: true),
    make(
      "llama3.2-3b", "llama3.2", hidden: 3072, intermediate: 8192, layers: 28, heads: 24, kv: 8, vocab: 128256,
      tied: true),
  ]

  /// Qwen2.5 (q/k/v biases) and Qwen3 (q/k norms, head_dim 128), dense and mixture-of-experts.
  package static let qwen: [ModelConfig] = {
    func q25(_ size: String, _ h: Int64, _ i: Int64, _ l: Int64, _ a: Int64, _ kv: Int64, _ v: Int64, tied: Bool)
      -> ModelConfig
    {
      make("qwen2.5-" + size, "qwen2.5", hidden: h, intermediate: i, layers: l, heads: a, kv: kv, vocab: v, tied: tied)
        .with { $0.bias = .qkv }
    }
    func q3(_ size: String, _ h: Int64, _ i: Int64, _ l: Int64, _ a: Int64, tied: Bool) -> ModelConfig {
      make(
        "qwen3-" + size, "qwen3", hidden: h, intermediate: i, layers: l, heads: a, kv: 8, vocab: 151936, tied: tied,
        headDim: h / a == 128 ? nil : 128
      ).with { $0.qkNorm = .head }
    }
    return [
      q25("0.5b", 896, 4864, 24, 14, 2, 151936, tied: true), q25("1.5b", 1536, 8960, 28, 12, 2, 151936, tied: true),
      q25("3b", 2048, 11008, 36, 16, 2, 151936, tied: true), q25("7b", 3584, 18944, 28, 28, 4, 152064, tied: false),
      q25("14b", 5120, 13824, 48, 40, 8, 152064, tied: false), q25("32b", 5120, 27648, 64, 40, 8, 152064, tied: false),
      q25("72b", 8192, 29568, 80, 64, 8, 152064, tied: false),
      q3("0.6b", 1024, 3072, 28, 16, tied: true), q3("1.7b", 2048, 6144, 28, 16, tied: true),
      q3("4b", 2560, 9728, 36, 32, tied: true), q3("8b", 4096, 12288, 36, 32, tied: false),
      q3("14b", 5120, 17408, 40, 40, tied: false), q3("32b", 5120, 25600, 64, 64, tied: false),
      make(
        "qwen3-30b-a3b", "qwen3-moe", hidden: 2048, intermediate: 6144, layers: 48, heads: 32, kv: 4, vocab: 151936,
        headDim: 128
      ).with {
        $0.qkNorm = .head
        $0.moe = MoEConfig(experts: 128, perToken: 8, expertIntermediate: 768)
      },
      // Qwen/Qwen3-235B-A22B config.json: 94 layers, 128 experts (8 per token) of 1,536, GQA 64/4,
      // untied; the model card's "235B in total and 22B activated".
      make(
        "qwen3-235b-a22b", "qwen3-moe", hidden: 4096, intermediate: 12288, layers: 94, heads: 64, kv: 4,
        vocab: 151936, headDim: 128
      ).with {
        $0.qkNorm = .head
        $0.moe = MoEConfig(experts: 128, perToken: 8, expertIntermediate: 1536)
      },
      make(
        "qwen1.5-moe-a2.7b", "qwen2-moe", hidden: 2048, intermediate: 5632, layers: 24, heads: 16, kv: 16, vocab: 151936
      )
      .with {
        $0.bias = .qkv
        $0.moe = MoEConfig(experts: 60, perToken: 4, expertIntermediate: 1408, sharedIntermediate: 5632)
      },
    ]
  }()

  /// Mistral 7B v0.1 (sliding window 4096 in every layer), v0.3 (larger vocabulary, no window)
  /// and Mixtral 8x7B (8 experts, 2 per token).
  package static let mistral: [ModelConfig] = [
    make("mistral-7b-v0.1", "mistral", hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kv: 8, vocab: 32000)
      .with {
        $0.slidingWindow = 4096
        $0.slidingLayers = 32
      },
    make("mistral-7b-v0.3", "mistral", hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kv: 8, vocab: 32768),
    make("mixtral-8x7b", "mixtral", hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kv: 8, vocab: 32000)
      .with { $0.moe = MoEConfig(experts: 8, perToken: 2, expertIntermediate: 14336) },
  ]

  /// Gemma 1 (GeGLU, head_dim 256, multi-query 2B), Gemma 2 (4 norms per layer, every other
  /// layer windowed) and Gemma 3's language models (also q/k norms, five of six layers
  /// windowed); tied embeddings.
  package static let gemma: [ModelConfig] = {
    func gemma(
      _ id: String, _ family: String, _ h: Int64, _ i: Int64, _ l: Int64, _ a: Int64, _ kv: Int64, _ hd: Int64,
      _ v: Int64, window: Int64, sliding: Int64
    ) -> ModelConfig {
      make(id, family, hidden: h, intermediate: i, layers: l, heads: a, kv: kv, vocab: v, tied: true, headDim: hd)
        .with {
          $0.mlp = .geglu
          $0.normsPerLayer = family == "gemma" ? 2 : 4
          $0.qkNorm = family == "gemma3" ? .head : .none
          $0.slidingWindow = sliding > 0 ? window : nil
          $0.slidingLayers = sliding
        }
    }
    return [
      gemma("gemma-2b", "gemma", 2048, 16384, 18, 8, 1, 256, 256000, window: 0, sliding: 0),
      gemma("gemma-7b", "gemma", 3072, 24576, 28, 16, 16, 256, 256000, window: 0, sliding: 0),
      gemma("gemma2-2b", "gemma2", 2304, 9216, 26, 8, 4, 256, 256000, window: 4096, sliding: 13),
      gemma("gemma2-9b", "gemma2", 3584, 14336, 42, 16, 8, 256, 256000, window: 4096, sliding: 21),
      gemma("gemma2-27b", "gemma2", 4608, 36864, 46, 32, 16, 128, 256000, window: 4096, sliding: 23),
      gemma("gemma3-1b", "gemma3", 1152, 6912, 26, 4, 1, 256, 262144, window: 512, sliding: 22),
      gemma("gemma3-4b", "gemma3", 2560, 10240, 34, 8, 4, 256, 262208, window: 1024, sliding: 29),
      gemma("gemma3-12b", "gemma3", 3840, 15360, 48, 16, 8, 256, 262208, window: 1024, sliding: 40),
      gemma("gemma3-27b", "gemma3", 5376, 21504, 62, 32, 16, 128, 262208, window: 1024, sliding: 52),
    ]
  }()

  /// Phi-3-mini (sliding window 2047), GPT-2, Pythia (GPT-NeoX) and OLMo-2.
  package static let others: [ModelConfig] = {
    func pythia(_ size: String, _ h: Int64, _ l: Int64, _ a: Int64) -> ModelConfig {
      make("pythia-" + size, "pythia", hidden: h, intermediate: 4 * h, layers: l, heads: a, kv: a, vocab: 50304).with {
        $0.mlp = .gelu
        $0.norm = .layer
        $0.bias = .attention
        $0.mlpBias = true
        $0.parallelResidual = true
      }
    }
    return [
      make("phi3-mini", "phi3", hidden: 3072, intermediate: 8192, layers: 32, heads: 32, kv: 32, vocab: 32064).with {
        $0.slidingWindow = 2047
        $0.slidingLayers = 32
      },
      make("gpt2", "gpt2", hidden: 768, intermediate: 3072, layers: 12, heads: 12, kv: 12, vocab: 50257, tied: true)
        .gptShaped(positions: 1024),
      pythia("160m", 768, 12, 12), pythia("410m", 1024, 24, 16), pythia("1.4b", 2048, 24, 16),
      make("olmo2-7b", "olmo2", hidden: 4096, intermediate: 11008, layers: 32, heads: 32, kv: 32, vocab: 100352).with {
        $0.qkNorm = .full
      },
    ]
  }()

  /// The GPT-3-shaped models Megatron-LM's papers benchmark (Narayanan et al.
  ///
  /// 2021, arXiv
  /// 2104.04473, Table 1; Korthikanti et al. 2022, arXiv 2205.05198, Table 3): GELU MLP of 4h,
  /// LayerNorm, biases, learned positions for 2,048 tokens, a 51,200-token vocabulary, tied
  /// embeddings. Their parameter count is Narayanan's eq. (2), 12lh²(1 + 13/12h + (V + s)/12lh),
  /// plus the final LayerNorm.
  package static let megatronGPT: [ModelConfig] = [
    ("1.7b", 2304, 24, 24), ("3.6b", 3072, 30, 32), ("7.5b", 4096, 36, 32), ("18b", 6144, 40, 48),
    ("22b", 6144, 48, 64), ("39b", 8192, 48, 64), ("76b", 10240, 60, 80), ("145b", 12288, 80, 96),
    ("175b", 12288, 96, 96), ("310b", 16384, 96, 128), ("530b", 20480, 105, 128), ("1t", 25600, 128, 160),
  ].map { size, h, l, a in
    make(
      "megatron-gpt-\(size)", "megatron-gpt", hidden: h, intermediate: 4 * h, layers: l, heads: a, kv: a, vocab: 51200,
      tied: true
    )
    .gptShaped(positions: 2048)
  }

  /// The mixtures of experts of 2025–26.
  ///
  /// The mixture-of-experts models of 2025–26, each from its config.json as transformers reads
  /// it (Scenarios/models/SOURCES.md; docs/research/2026-models.md §3). Totals are the
  /// `*ForCausalLM` parameters: multi-token-prediction layers are not built by transformers
  /// (`_keys_to_ignore_on_load_unexpected`), and Llama 4's vision tower (0.87B) is not counted.
  package static let sparse2026: [ModelConfig] = {
    /// DeepSeek-V3's MLA: q rank 1536 (nil: full q_proj), kv rank 512, 128 + 64 query/key, 128 value.
    func mla(_ q: Int64?) -> LatentAttention {
      LatentAttention(queryRank: q, kvRank: 512, noPositionDim: 128, rotaryDim: 64, valueDim: 128)
    }
    /// DeepSeek-MoE: `dense` dense layers first, then routed experts and ungated shared ones.
    func deepSeekMoE(_ e: Int64, _ k: Int64, _ i: Int64, shared: Int64, moeLayers: Int64) -> MoEConfig {
      MoEConfig(
        experts: e, perToken: k, expertIntermediate: i, sharedIntermediate: shared * i, layers: moeLayers,
        sharedGate: false)
    }
    func gptOSS(_ size: String, layers: Int64, experts: Int64) -> ModelConfig {
      make(
        "gpt-oss-" + size, "gpt_oss", hidden: 2880, intermediate: 2880, layers: layers, heads: 64, kv: 8,
        vocab: 201088, headDim: 64
      ).with {
        $0.bias = .attention
        $0.mlpBias = true
        $0.attentionSinks = true
        $0.slidingWindow = 128
        $0.slidingLayers = layers / 2
        $0.moe = MoEConfig(experts: experts, perToken: 4, expertIntermediate: 2880, routerBias: true)
      }
    }
    func llama4(_ name: String, experts: Int64, moeLayers: Int64) -> ModelConfig {
      make(
        "llama4-" + name, "llama4", hidden: 5120, intermediate: 16384, layers: 48, heads: 40, kv: 8, vocab: 202048
      ).with {
        $0.slidingWindow = 8192
        $0.slidingLayers = 36
        $0.chunkedAttention = true
        $0.moe = MoEConfig(
          experts: experts, perToken: 1, expertIntermediate: 8192, sharedIntermediate: 8192, layers: moeLayers,
          sharedGate: false)
        $0.moe?.computesEveryToken = true
      }
    }
    func glm(_ id: String, _ h: Int64, _ i: Int64, layers: Int64, experts: Int64, expert: Int64, dense: Int64)
      -> ModelConfig
    {
      make(id, "glm4_moe", hidden: h, intermediate: i, layers: layers, heads: 96, kv: 8, vocab: 151552, headDim: 128)
        .with {
          $0.bias = .qkv
          $0.moe = deepSeekMoE(experts, 8, expert, shared: 1, moeLayers: layers - dense)
        }
    }
    return [
      make(
        "deepseek-v3", "deepseek_v3", hidden: 7168, intermediate: 18432, layers: 61, heads: 128, kv: 128,
        vocab: 129280, headDim: 192
      ).with {
        $0.latent = mla(1536)
        $0.moe = deepSeekMoE(256, 8, 2048, shared: 1, moeLayers: 58)
      },
      make(
        "deepseek-v2-lite", "deepseek_v2", hidden: 2048, intermediate: 10944, layers: 27, heads: 16, kv: 16,
        vocab: 102400, headDim: 192
      ).with {
        $0.latent = mla(nil)
        $0.moe = deepSeekMoE(64, 6, 1408, shared: 2, moeLayers: 26)
      },
      make(
        "kimi-k2", "kimi_k2", hidden: 7168, intermediate: 18432, layers: 61, heads: 64, kv: 64, vocab: 163840,
        headDim: 192
      ).with {
        $0.latent = mla(1536)
        $0.moe = deepSeekMoE(384, 8, 2048, shared: 1, moeLayers: 60)
      },
      gptOSS("20b", layers: 24, experts: 32), gptOSS("120b", layers: 36, experts: 128),
      llama4("scout", experts: 16, moeLayers: 48), llama4("maverick", experts: 128, moeLayers: 24),
      glm("glm-4.5", 5120, 12288, layers: 92, experts: 160, expert: 1536, dense: 3).with { $0.qkNorm = .head },
      glm("glm-4.5-air", 4096, 10944, layers: 46, experts: 128, expert: 1408, dense: 1),
    ]
  }()

  /// The preset named `id`: its id, in any case, or as people write the model's name — the
  /// family's version apart (`llama-3.1-8b`, `Qwen-2.5-7B`), a Hub name without its
  /// organisation (`Meta-Llama-3-8B`, `gemma-2-9b-it`).
  public static func preset(_ id: String) -> ModelConfig? {
    if let exact = presets.first(where: { $0.id == id }) { return exact }
    let lower = id.lowercased()
    if let hit = presets.first(where: { $0.id == lower }) { return hit }
    if let hub = preset(hubID: lower) ?? preset(hubName: lower) { return hub }
    let joined = joiningVersion(lower)
    return joined == lower ? nil : presets.first { $0.id == joined }
  }

  /// `llama-3.1-8b` → `llama3.1-8b`: a family word, a hyphen and its version written together,
  /// as the preset ids write them; anything else unchanged.
  private static func joiningVersion(_ name: String) -> String {
    let parts = name.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count > 2, parts[0].allSatisfy(\.isLetter), parts[1].first?.isNumber == true,
      parts[1].allSatisfy({ $0.isNumber || $0 == "." })
    else { return name }
    return String(parts[0] + parts[1]) + "-" + parts[2...].joined(separator: "-")
  }

  /// GPT-2's layer (and Megatron's GPT): GELU MLP, LayerNorm, biases everywhere, learned
  /// positions.
  package func gptShaped(positions: Int64) -> ModelConfig {
    with {
      $0.mlp = .gelu
      $0.norm = .layer
      $0.bias = .attention
      $0.mlpBias = true
      $0.learnedPositions = positions
    }
  }

  /// A model value that names a file rather than a preset: a path or a `.json` name.
  package static func looksLikeFile(_ value: String) -> Bool {
    value.contains("/") || value.lowercased().hasSuffix(".json")
  }

  /// "unknown model 'llama3.2-8b'; llama3.2 has 1b, 3b — did you mean 'llama3.2-3b'?": the
  /// suggestion stays in the family the id names (`llama3.2-3b` is never `llama-3b`), and by
  /// size within it.
  package static func unknownPresetMessage(_ id: String) -> String {
    let given = id.lowercased(), joined = joiningVersion(given)
    let lower = presets.contains { familyOf($0.id) == familyOf(joined) } ? joined : given
    var family = familyOf(lower)
    let known = Set(presets.map { familyOf($0.id) })
    if !known.contains(family), let dash = lower.lastIndex(of: "-"), known.contains(String(lower[..<dash])) {
      family = String(lower[..<dash])
    }
    // A family of sized presets (`llama3-8b`, `llama3-70b`); a named one (`glm-4.5`) has no sizes.
    let same = presets.filter { familyOf($0.id) == family && $0.id.count > family.count + 1 }
    var message = "unknown model '\(visible(id))'"
    if !same.isEmpty {
      let wanted = sizeOf(lower)
      let bySize = same.min { abs(log(sizeOf($0.id) / wanted)) < abs(log(sizeOf($1.id) / wanted)) }!
      let best =
        wanted == 1 ? (closestMatch(lower, in: same.map(\.id)).flatMap { preset($0) } ?? bySize) : bySize
      let sizes = same.map { String($0.id.dropFirst(family.count + 1)) }.joined(separator: ", ")
      // A size more than twice or half the one asked for is another model, not a typo.
      let near = wanted == 1 || abs(log(sizeOf(best.id) / wanted)) <= log(2.0)
      message +=
        "; \(family) has \(sizes)"
        + (near ? " — did you mean '\(best.id)'?" : "; for another size give its config.json")
    } else if let close = closestMatch(lower, in: presets.map(\.id)), familyOf(close) == family || family.isEmpty {
      message += "; did you mean '\(close)'?"
    } else {
      let families = presets.map { familyOf($0.id) }.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
      message += "; families: \(families.joined(separator: ", "))"
    }
    return message + " (`trainmem list models`), or the path of a Hugging Face config.json"
  }

  /// `qwen2.5-7b` → `qwen2.5`; `llama3.2-1b` → `llama3.2`; `gpt2` → `gpt2`.
  package static func familyOf(_ id: String) -> String {
    guard let dash = id.lastIndex(of: "-") else { return id }
    let tail = id[id.index(after: dash)...]
    // `qwen3-30b-a3b`, `mistral-7b-v0.3`: the size is the first part that is one.
    let parts = id.split(separator: "-")
    if let i = parts.firstIndex(where: { isSize($0) }), i > 0 { return parts[..<i].joined(separator: "-") }
    return isSize(tail) ? String(id[..<dash]) : id
  }

  private static func isSize(_ s: Substring) -> Bool {
    // "a3b": the active parameters of a mixture of experts (Qwen3-30B-A3B).
    if s.first == "a" && s.count > 2 { return isSize(s.dropFirst()) }
    guard let last = s.last, "bmBM".contains(last) else { return s == "mini" }
    let number = s.dropLast().split(separator: "x")
    return !number.isEmpty && number.allSatisfy { Double($0) != nil }
  }

  /// Parameters an id names (`7b` → 7e9, `350m` → 3.5e8, `8x7b` → 5.6e10); 1 when it names none.
  package static func sizeOf(_ id: String) -> Double {
    for var part in id.split(separator: "-") where isSize(part) {
      if part.first == "a" { part = part.dropFirst() }
      let unit: Double = part.last == "m" || part.last == "M" ? 1e6 : 1e9
      let factors = part.dropLast().split(separator: "x").compactMap { Double($0) }
      if !factors.isEmpty { return factors.reduce(1, *) * unit }
    }
    return 1
  }
}
