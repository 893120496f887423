import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// Every preset's parameter count equals what transformers builds, to the parameter (issue #14).
@Suite struct PresetCountTests {
  /// Published totals: the safetensors index `metadata.total_size` ÷ 2 (bf16 checkpoints) or
  /// the model card, as noted.
  static let published: [(String, Int64, String)] =
    [
      ("llama3.1-8b", 8_030_261_248, "meta-llama/Llama-3.1-8B safetensors total_size 16,060,522,496 ÷ 2"),
      ("llama3.1-70b", 70_553_706_496, "meta-llama/Llama-3.1-70B total_size 141,107,412,992 ÷ 2"),
      ("llama3.1-405b", 405_853_388_800, "meta-llama/Llama-3.1-405B Hugging Face safetensors total"),
      ("llama3.2-1b", 1_235_814_400, "meta-llama/Llama-3.2-1B model.safetensors (1.24B)"),
      ("llama3.2-3b", 3_212_749_824, "meta-llama/Llama-3.2-3B total_size 6,425,499,648 ÷ 2"),
      ("qwen2.5-0.5b", 494_032_768, "Qwen/Qwen2.5-0.5B safetensors total"),
      ("qwen2.5-1.5b", 1_543_714_304, "Qwen/Qwen2.5-1.5B safetensors total"),
      ("qwen2.5-3b", 3_085_938_688, "Qwen/Qwen2.5-3B total_size 6,171,877,376 ÷ 2"),
      ("qwen2.5-7b", 7_615_616_512, "Qwen/Qwen2.5-7B total_size 15,231,233,024 ÷ 2"),
      ("qwen2.5-14b", 14_770_033_664, "Qwen/Qwen2.5-14B total_size 29,540,067,328 ÷ 2"),
      ("qwen2.5-32b", 32_763_876_352, "Qwen/Qwen2.5-32B total_size 65,527,752,704 ÷ 2"),
      ("qwen2.5-72b", 72_706_203_648, "Qwen/Qwen2.5-72B total_size 145,412,407,296 ÷ 2"),
      ("qwen3-0.6b", 596_049_920, "Qwen/Qwen3-0.6B: 751,632,384 stored, of which lm_head (a tied copy) 155,582,464"),
      ("qwen3-1.7b", 1_720_574_976, "Qwen/Qwen3-1.7B: 2,031,739,904 stored, less the tied lm_head copy 311,164,928"),
      ("qwen3-4b", 4_022_468_096, "Qwen/Qwen3-4B total_size 8,044,936,192 ÷ 2"),
      ("qwen3-8b", 8_190_735_360, "Qwen/Qwen3-8B total_size 16,381,470,720 ÷ 2"),
      ("qwen3-14b", 14_768_307_200, "Qwen/Qwen3-14B total_size 29,536,614,400 ÷ 2"),
      ("qwen3-32b", 32_762_123_264, "Qwen/Qwen3-32B total_size 65,524,246,528 ÷ 2"),
      ("qwen3-30b-a3b", 30_532_122_624, "Qwen/Qwen3-30B-A3B total_size 61,064,245,248 ÷ 2"),
      ("qwen3-235b-a22b", 235_093_634_560, "Qwen/Qwen3-235B-A22B total_size 470,187,269,120 ÷ 2"),
      ("qwen1.5-moe-a2.7b", 14_315_784_192, "Qwen/Qwen1.5-MoE-A2.7B total_size 28,631,568,384 ÷ 2"),
      ("mistral-7b-v0.1", 7_241_732_096, "mistralai/Mistral-7B-v0.1 total_size 14,483,464,192 ÷ 2"),
      ("mistral-7b-v0.3", 7_248_023_552, "mistralai/Mistral-7B-v0.3 total_size 14,496,047,104 ÷ 2"),
      ("mixtral-8x7b", 46_702_792_704, "mistralai/Mixtral-8x7B-v0.1 total_size 93,405,585,408 ÷ 2"),
      ("gemma-2b", 2_506_172_416, "google/gemma-2b safetensors total (2.51B)"),
      ("gemma-7b", 8_537_680_896, "google/gemma-7b safetensors total (8.54B)"),
      ("gemma2-2b", 2_614_341_888, "google/gemma-2-2b safetensors total"),
      ("gemma2-9b", 9_241_705_984, "google/gemma-2-9b safetensors total"),
      ("gemma2-27b", 27_227_128_320, "google/gemma-2-27b safetensors total"),
      ("gemma3-1b", 999_885_952, "google/gemma-3-1b-it safetensors total"),
      (
        "gemma3-4b", 3_880_263_168, "google/gemma-3-4b-it 4,300,079,472 less the SigLIP tower 416,866,032 and projector"
      ),
      ("gemma3-12b", 11_766_034_176, "google/gemma-3-12b-it 12,187,325,040 less the vision tower and projector"),
      ("gemma3-27b", 27_009_346_304, "google/gemma-3-27b-it 27,432,406,640 less the vision tower and projector"),
      ("phi3-mini", 3_821_079_552, "microsoft/Phi-3-mini-4k-instruct (keras-hub phi3_presets params)"),
      ("gpt2", 124_439_808, "openai-community/gpt2 (124M)"),
      ("pythia-160m", 162_322_944, "Biderman et al. 2023, arXiv:2304.01373, Table 1"),
      ("pythia-410m", 405_334_016, "Pythia Table 1"),
      ("pythia-1.4b", 1_414_647_808, "Pythia Table 1"),
      ("olmo2-7b", 7_298_617_344, "allenai/OLMo-2-1124-7B safetensors total (F32)"),
    ] + megatronGPT + sparse2026

  /// The 2025–26 mixtures of experts: the count of the tensors transformers creates from each
  /// config.json (docs/research/2026-models.md §5, recomputed there by an independent script),
  /// checked against the model card's rounded total by `sparse2026Totals`.
  static let sparse2026: [(String, Int64, String)] = [
    ("deepseek-v3", 671_026_404_352, "deepseek-ai/DeepSeek-V3 README: 671B total, MTP module not counted"),
    ("deepseek-v2-lite", 15_706_484_224, "deepseek-ai/DeepSeek-V2 README: 15.7B (\"16B\")"),
    ("kimi-k2", 1_026_408_209_408, "MoonshotAI/Kimi-K2 README: 1T total"),
    ("gpt-oss-20b", 20_914_757_184, "openai/gpt-oss README: 21B"),
    ("gpt-oss-120b", 116_829_156_672, "openai/gpt-oss README: 117B"),
    ("llama4-scout", 107_769_861_120, "Llama 4 model card: 109B with the 0.87B vision tower"),
    ("llama4-maverick", 400_711_848_960, "Llama 4 model card: 400B (transformers docs: 402B with vision)"),
    ("glm-4.5", 352_797_814_784, "zai-org/GLM-4.5 README: 355B (356.8B with its MTP layer)"),
    ("glm-4.5-air", 106_852_245_504, "zai-org/GLM-4.5 README: 106B"),
  ]

  /// Narayanan et al.
  ///
  /// 2021 eq. (2) with V = 51,200 and s = 2,048, plus the final LayerNorm (2h).
  static let megatronGPT: [(String, Int64, String)] = ModelConfig.megatronGPT.map { m in
    let l = m.layers, h = m.hidden
    return (m.id, 12 * l * h * h + 13 * l * h + (51_200 + 2_048) * h + 2 * h, "Narayanan et al. 2021, eq. (2)")
  }

  @Test("every preset's parameter count is the published one", arguments: published.indices)
  func count(_ i: Int) throws {
    let (id, expected, source) = Self.published[i]
    let m = try #require(ModelConfig.preset(id), "\(id)")
    #expect(ParameterInventory(m).parameters == expected, "\(id): \(source)")
  }

  @Test("the 2026 mixtures of experts round to their model cards' totals and active parameters")
  func sparse2026Totals() throws {
    // (id, published total, published active, what the card's "active" counts): DeepSeek and
    // Kimi count the embedding and head; gpt-oss the head but not the embedding; GLM neither.
    let cards: [(String, Double, Double, String)] = [
      ("deepseek-v3", 671e9, 37e9, "all"), ("kimi-k2", 1e12, 32e9, "all"), ("deepseek-v2-lite", 15.7e9, 2.4e9, "head"),
      ("gpt-oss-20b", 21e9, 3.6e9, "head"), ("gpt-oss-120b", 117e9, 5.1e9, "head"),
      ("llama4-scout", 109e9 - 0.87e9, 17e9, "all"), ("llama4-maverick", 400e9, 17e9, "all"),
      ("glm-4.5", 355e9, 32e9, "neither"), ("glm-4.5-air", 106e9, 12e9, "neither"),
    ]
    for (id, total, active, convention) in cards {
      let inv = ParameterInventory(try #require(ModelConfig.preset(id)))
      // Within the card's rounding: "1T" is one significant figure, the others two or three.
      let rounding = id == "kimi-k2" ? 0.05 : 0.01
      #expect(abs(Double(inv.parameters) / total - 1) < rounding, "\(id) total \(inv.parameters)")
      let embeddings = Double(inv.embeddingParameters), head = Double(inv.lmHeadParameters)
      let counted =
        Double(inv.activeParameters) - (convention == "all" ? 0 : embeddings) - (convention == "neither" ? head : 0)
      #expect(abs(counted / active - 1) < 0.05, "\(id) active \(counted)")
    }
  }

  @Test("mixture-of-experts presets have their model cards' active parameters")
  func active() {
    // Qwen3-30B-A3B "3.3B activated"; Qwen1.5-MoE-A2.7B "2.7B activated"; Mixtral 12.9B active.
    let cases: [(String, Int64)] = [
      ("qwen3-30b-a3b", 3_353_032_704), ("qwen1.5-moe-a2.7b", 2_689_173_504), ("mixtral-8x7b", 12_879_925_248),
    ]
    for (id, expected) in cases {
      #expect(ParameterInventory(ModelConfig.preset(id)!).activeParameters == expected, "\(id)")
    }
  }
}
