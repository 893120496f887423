import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

@Suite struct ParameterInventoryTests {
  /// papers.md §a derives 58.07M … 13015.86M for the repository configs (here to the unit);
  /// LLaMA-2/3 counts are the published 68.98B, 8.03B, 70.55B.
  @Test(
    "preset parameter counts",
    arguments: [
      ("llama-60m", 58_073_600 as Int64), ("llama-130m", 134_105_856), ("llama-350m", 367_969_280),
      ("llama-1b", 1_339_082_752), ("llama-3b", 2_685_831_680), ("llama-7b", 6_738_415_616),
      ("llama-13b", 13_015_864_320), ("llama2-70b", 68_976_648_192), ("llama3-8b", 8_030_261_248),
      ("llama3-70b", 70_553_706_496), ("llama-65b", 65_285_660_672), ("llama-30b", 32_528_943_616),
    ])
  func presetCounts(id: String, params: Int64) throws {
    let m = try #require(ModelConfig.preset(id))
    #expect(ParameterInventory(m).parameters == params)
  }

  @Test("parameter and low-rank counts equal the calibration measurements")
  func calibrationCounts() {
    for c in Calibration.cases {
      let inv = ParameterInventory(c.setup.model)
      #expect(inv.parameters == c.params, "\(c)")
      #expect(inv.lowRankParameters == c.params_lowrank_target, "\(c)")
    }
  }
}

@Suite struct OptimizerStatesTests {
  @Test("state tensor bytes within 0.5% of every calibration row")
  func calibrationStates() {
    for c in Calibration.cases {
      let s = c.setup
      let st = OptimizerStates.total(
        ParameterInventory(s.model), optimizer: s.optimizer, rank: s.rank, formats: StateFormats(param: .bf16))
      let err = relativeError(Double(st.total), Double(c.state_tensor_bytes))
      #expect(abs(err) < 0.005, "\(c): \(st.total) vs \(c.state_tensor_bytes)")
    }
  }

  @Test("8-bit Adam: 2 bytes + an fp32 absmax per 256-element block for each moment; small tensors stay fp32")
  func eightBit() {
    #expect(OptimizerStates.eightBitAdam(elements: 4096) == (8192, 2 * 16 * 4))
    #expect(OptimizerStates.eightBitAdam(elements: 4095) == (4095 * 8, 0))
    #expect(OptimizerStates.eightBitAdam(elements: 4097) == (8194, 2 * 17 * 4))
  }

  @Test("a rank above a projected tensor's smaller side is an error naming the tensor")
  func rankTooLarge() throws {
    let m = try #require(ModelConfig.preset("llama-60m"))
    let msg = OptimizerStates.rankProblem(
      ParameterInventory(m), optimizer: OptimizerConfig(kind: .apollo, rank: 600), rank: 600)
    #expect(
      msg?.message("'rank'") == "'rank' 600 is larger than q_proj's smaller side (512 × 512); use a rank of at most 512"
    )
    #expect(
      OptimizerStates.rankProblem(ParameterInventory(m), optimizer: OptimizerConfig(kind: .apollo, rank: 0), rank: 0)
        != nil)
  }

  @Test("in-place kernels keep no step temporaries in any loop; AdamW's foreach keeps one per parameter")
  func inPlaceSteps() throws {
    let inv = ParameterInventory(try #require(ModelConfig.preset("llama-60m")))
    let bf16 = StateFormats(param: .bf16)
    for kind in [OptimizerKind.sgd, .adamw8bit, .adamw4bit] {
      for implementation in [StepImplementation.foreach, .loop] {
        let step = OptimizerStates.stepTransient(
          inv, optimizer: OptimizerConfig(kind: kind), implementation: implementation, rank: 1, formats: bf16)
        #expect(step == 0, "\(kind) \(implementation)")
      }
    }
    let adamw = OptimizerStates.stepTransient(
      inv, optimizer: OptimizerConfig(kind: .adamw), implementation: .foreach, rank: 1, formats: bf16)
    #expect(adamw == inv.parameters * 2)
  }
}
