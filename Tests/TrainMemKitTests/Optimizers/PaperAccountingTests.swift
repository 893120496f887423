import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// The papers' own accounting next to what the code allocates (issue: APOLLO Table 3, GaLore /
/// APOLLO Table 2).
@Suite struct PaperAccountingTests {
  func setup(_ model: String, _ kind: OptimizerKind, rank: Int64? = nil) -> TrainingSetup {
    TrainingSetup(
      model: ModelConfig.preset(model)!, gpu: GPUSpec.preset("h200")!,
      optimizer: OptimizerConfig(kind: kind, rank: rank))
  }

  @Test(
    "APOLLO Table 3: LLaMA-7B APOLLO r256 states are 1.6 GB counting projected moments only; the code allocates 3.14 GB"
  )
  func apollo7B() {
    let s = setup("llama-7b", .apollo, rank: 256)
    // Paper: 2 · n · r per projected weight, bf16 — embeddings/lm_head states and the
    // projection matrices are not counted.
    let paper = 2 * Validation.paperStateElements(s, withRegular: false, withProjection: false) / 1e9
    #expect(abs(paper - 1.6) < 0.05)
    // Code (apollo-torch): the same moments, plus the stored random projection r · min(m, n),
    // plus plain AdamW moments for embed_tokens, lm_head and the norms.
    let code = OptimizerStates.total(
      ParameterInventory(s.model), optimizer: s.optimizer, rank: 256, formats: StateFormats(param: .bf16))
    #expect(code.lowRankMoments == 1_619_001_344)  // = the paper's term exactly
    #expect(code.projections == 469_762_048)  // 7 · 32 · 256 · 4096 · 2 bytes
    #expect(code.regularMoments == 1_049_640_960)  // 2 · 262.4M · 2 bytes
    #expect(code.total == 3_138_404_800)  // measured state_tensor_bytes, H200 row
  }

  /// GaLore T2 / APOLLO T2 AdamW column: weights + two moments, bf16 = 6 bytes per parameter.
  ///
  /// The paper mixes units (papers.md §b1): 60M matches GB, 130M and 350M GiB.
  @Test(
    "Table 2 AdamW column within 0.02 G",
    arguments: [
      ("llama-60m", 0.36, 1e9), ("llama-130m", 0.76, 1_073_741_824.0), ("llama-350m", 2.06, 1_073_741_824.0),
    ])
  func adamwColumn(model: String, printed: Double, unit: Double) {
    let s = setup(model, .adamw)
    let bytes =
      Double(ParameterInventory(s.model).parameters) * 2 + 2
      * Validation.paperStateElements(s, withRegular: true, withProjection: true)
    #expect(abs(bytes / unit - printed) <= 0.02)
  }

  /// The Table 2 GaLore column is not reproduced by GaLore's own T1 formula (mn + mr + 2nr with
  /// the regular group's AdamW states): 0.28 / 0.57 / 1.29 / 4.76 against 0.24 / 0.52 / 1.22 /
  /// 4.38.
  ///
  /// Pinned here so a change to the formula is seen; validate lists it as a known gap.
  @Test("Table 2 GaLore column: T1 formula gives 10–17% more than printed")
  func galoreColumnGap() {
    for (model, rank, printed, unit) in [
      ("llama-60m", Int64(128), 0.24, 1e9), ("llama-130m", 256, 0.52, 1_073_741_824.0),
      ("llama-350m", 256, 1.22, 1_073_741_824.0), ("llama-1b", 512, 4.38, 1e9),
    ] {
      let s = setup(model, .galore, rank: rank)
      let bytes =
        Double(ParameterInventory(s.model).parameters) * 2 + 2
        * Validation.paperStateElements(s, withRegular: true, withProjection: true)
      let ratio = bytes / unit / printed
      #expect(ratio > 1.05 && ratio < 1.2, "\(model): \(bytes / unit) vs \(printed)")
    }
  }
}
