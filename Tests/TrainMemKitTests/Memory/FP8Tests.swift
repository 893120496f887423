import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// FP8 training (issue #19): each recipe's memory and time against hand-computed cases, and the
/// GPUs and settings that refuse it.
@Suite struct FP8Tests {
  func setup(
    _ model: String = "llama-7b", gpu: String = "h100-sxm", recipe: FP8Recipe? = nil, parallel: Parallelism = .none,
    gpus: Int64 = 1
  ) -> TrainingSetup {
    var s = TrainingSetup(model: ModelConfig.preset(model)!, gpu: GPUSpec.preset(gpu)!)
    s.gpus = gpus
    s.parallel = parallel
    s.sequence = 2048
    s.microBatch = 2
    if let recipe {
      s.matmulPrecision = .fp8
      s.fp8Recipe = recipe
    }
    return s
  }

  @Test("converted linears: every decoder linear of LLaMA-7B; LLaMA-1B's 5,461-wide MLP stays bf16")
  func conversion() {
    let s = setup(recipe: .tensorwise)
    let inv = ParameterInventory(s.model)
    // 32 layers × (4 × 4096² + 3 × 4096 × 11008).
    #expect(s.localFP8Parameters(inv) == 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008))
    let small = setup("llama-1b", recipe: .tensorwise)
    let m = small.model
    #expect(small.localFP8Parameters(ParameterInventory(m)) == m.layers * 4 * m.hidden * m.hidden)
    #expect(setup().localFP8Parameters(inv) == 0)
    // DeepSeek-style 128 tiles: 11,008 = 86 × 128, so it converts too.
    #expect(setup(recipe: .blockwise).localFP8Parameters(inv) == s.localFP8Parameters(inv))
  }

  @Test("torchao tensorwise saves what bf16 saves; under FSDP two gathered layers hold FP8 weights")
  func torchaoMemory() {
    let bf16 = MemoryModel.estimate(setup(parallel: .fsdp, gpus: 8))
    let fp8 = MemoryModel.estimate(setup(recipe: .tensorwise, parallel: .fsdp, gpus: 8))
    #expect(fp8.activations == bf16.activations)
    // Two layers × 202,383,360 converted parameters × (2 − 1) bytes.
    let perLayer: Int64 = 4 * 4096 * 4096 + 3 * 4096 * 11008
    #expect(bf16.weightCopies - fp8.weightCopies == 2 * perLayer)
    // Row-wise gathers in bf16.
    let rowwise = MemoryModel.estimate(setup(recipe: .rowwise, parallel: .fsdp, gpus: 8))
    #expect(rowwise.weightCopies == bf16.weightCopies)
  }

  @Test("Transformer Engine delayed scaling: FP8 saved inputs and a two-layout FP8 weight cache on Hopper, one on B200")
  func transformerEngineMemory() {
    let s = setup(recipe: .delayed)
    let bf16 = ActivationModel.sizes(setup())
    let fp8 = ActivationModel.sizes(s)
    // Per token and layer, (2 − 1) bytes off the two norm outputs (2h), o_proj's input (h) and
    // down's input (i): 4,096 · 3 + 11,008 = 23,296; × 4,096 tokens × 32 layers.
    #expect(bf16.allLayers - fp8.allLayers == 23_296 * 4_096 * 32)
    let inv = ParameterInventory(s.model)
    let converted = s.localFP8Parameters(inv)
    #expect(MemoryModel.persistent(s, inv).fp8Cache == 2 * converted)
    var blackwell = s
    blackwell.gpu = GPUSpec.preset("b200")!
    #expect(MemoryModel.persistent(blackwell, inv).fp8Cache == converted)
    // The cache is there at every instant, the optimizer step included.
    let estimate = MemoryModel.estimate(s)
    #expect(estimate.weightCopies >= 2 * converted)
  }

  @Test("the casts of one FP8 linear: bytes per element over the bandwidth, the weight once per step under TE")
  func castTime() {
    var s = setup(recipe: .tensorwise)
    let roof = Roofline(s.gpu, precision: .bf16)
    let t = 4_096.0, k = 4_096.0, n = 11_008.0
    let expected = (6 * t * k + 6 * t * n + 8 * k * n) / (3350e9 * 0.90)
    #expect(
      abs(ThroughputModel.fp8CastSeconds(s, .tensorwise, tokens: t, input: k, output: n, roof) / expected - 1) < 1e-12)
    s.globalBatch = 8  // 4 micro-batches per step
    let te = ThroughputModel.fp8CastSeconds(s, .delayed, tokens: t, input: k, output: n, roof)
    #expect(abs(te / ((4 * t * k + 4 * t * n + 4 * k * n / 4) / (3350e9 * 0.90)) - 1) < 1e-12)
  }

  @Test("FP8 speeds up a long-sequence 7B step on H100 by less than the 2× rate; rowwise gains less than tensorwise")
  func speed() {
    let bf16 = ThroughputModel.estimate(setup()).tokensPerSecond
    let tensorwise = ThroughputModel.estimate(setup(recipe: .tensorwise)).tokensPerSecond
    let rowwise = ThroughputModel.estimate(setup(recipe: .rowwise)).tokensPerSecond
    #expect(tensorwise > bf16 * 1.1 && tensorwise < bf16 * 2)
    #expect(rowwise > bf16 && rowwise < tensorwise)
    // The FP8 roofline: twice the bf16 rate, the tile scale of that rate per SM.
    let fp8 = Roofline(GPUSpec.preset("h100-sxm")!, fp8: .tensorwise)
    #expect(abs(fp8.peak - 1978.9e12) < 1 && abs(fp8.rate - 1978.9e12 * 0.8) < 1)
  }

  @Test("refused: GPUs without FP8, mxfp8 off Blackwell, a recipe without FP8, FP8 over fp32 activations")
  func refusals() {
    var ampere = setup(gpu: "a100-80gb", recipe: .tensorwise)
    #expect(ampere.validationProblems().contains { $0.reason == .noFP8("A100-SXM4-80GB") })
    ampere.gpu = GPUSpec.preset("l40s")!
    #expect(ampere.validationProblems().isEmpty)
    #expect(setup(recipe: .mxfp8).validationProblems().contains { $0.setting == "fp8_recipe" })
    #expect(setup(gpu: "b200", recipe: .mxfp8).validationProblems().isEmpty)
    var recipeOnly = setup()
    recipeOnly.fp8Recipe = .rowwise
    #expect(recipeOnly.validationProblems().contains { $0.reason == .fp8RecipeWithoutFP8 })
    var fp32 = setup(recipe: .tensorwise)
    fp32.precision = .fp32
    #expect(fp32.validationProblems().contains { $0.setting == "matmul_precision" })
    let r = cli([
      "estimate", "--model", "llama-7b", "--gpu", "v100-32gb", "--precision", "mixed", "--matmul-precision", "fp8",
    ])
    #expect(r.status == 64 && r.err.contains("V100-SXM2-32GB has no FP8 tensor cores"))
  }
}
