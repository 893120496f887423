import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

@Suite struct ThroughputCalibrationTests {
  @Test("tokens/s within 15% of the measured steady value on every H200 row")
  func tokensPerSecondMatch() {
    var table = "model  optimizer  batch  measured tok/s  predicted tok/s  error\n"
    for c in Calibration.cases {
      let t = ThroughputModel.estimate(c.setup)  // steady: steps 2–4 have no SVD refresh
      let err = relativeError(t.tokensPerStep / t.steadyStepSeconds, c.tokens_per_s)
      table +=
        "\(c.model)  \(c.optimizer)  \(c.batch)  \(NumberFormatting.grouped(c.tokens_per_s))  \(NumberFormatting.grouped(t.tokensPerStep / t.steadyStepSeconds))  \(NumberFormatting.percent(err))\n"
      #expect(abs(err) < 0.15, "\(c): \(t.tokensPerSecond) vs \(c.tokens_per_s)")
    }
    print(table)
  }
}

@Suite struct ThroughputMechanismTests {
  @Test("issue #18: a custom GPU from 2,000 to 8,000 bf16 TFLOPS (148 SMs) makes LLaMA-7B faster, not slower")
  func fasterGPUIsFaster() throws {
    func step(_ tflops: Int) throws -> Double {
      let text = "model: llama-7b\ngpu:\n  memory: 192GB\n  bf16_tflops: \(tflops)\n  bandwidth: 8TB/s\n  sms: 148\n"
      return ThroughputModel.estimate(try #require(ScenarioLoader.load(file: "x", text: text).runs.first).setup)
        .stepSeconds
    }
    let slow = try step(2000), fast = try step(8000)
    #expect(fast < slow, "\(slow) s → \(fast) s")
  }

  @Test("the tile curve's scale follows the GPU's rate per SM (768 on the H200 where it was fitted)")
  func tileScalePerSM() throws {
    let h200 = Roofline(try #require(GPUSpec.preset("h200")), precision: .bf16)
    #expect(h200.tileScale == ThroughputModel.referenceTileScale)
    let rtx = Roofline(try #require(GPUSpec.preset("rtx-4090")), precision: .bf16)
    #expect(abs(rtx.tileScale - 768 * cbrt((165.2e12 / 128) / (989e12 / 132))) < 1e-9)
    // TF32 runs at half the BF16 rate per SM: its latencies lose half the volume of work.
    let tf32 = Roofline(try #require(GPUSpec.preset("h200")), precision: .fp32)
    #expect(abs(tf32.tileScale - 768 * cbrt(0.5)) < 1e-9)
  }

  @Test("a matmul dimension that is not a multiple of 16 bytes runs at half speed (LLaMA-1B's 5,461)")
  func misalignedMatmul() throws {
    let roof = Roofline(try #require(GPUSpec.preset("a100-80gb")), precision: .bf16)
    let aligned = roof.linearSeconds(tokens: 16384, input: 2048, output: 5464, e: 2)
    let odd = roof.linearSeconds(tokens: 16384, input: 2048, output: 5461, e: 2)
    #expect(abs(odd / aligned - 2) < 0.01)
    // The token count is never a leading dimension: 16,383 tokens cost what 16,384 do.
    let oddTokens = roof.linearSeconds(tokens: 16383, input: 2048, output: 5464, e: 2)
    #expect(abs(oddTokens / aligned - 1) < 0.001)
    // fp32 needs a multiple of 4 elements: 5,464 is aligned for both.
    #expect(Roofline.aligned(5464, 4) && !Roofline.aligned(5461, 4) && Roofline.aligned(5464, 2))
  }

  @Test("no prediction beats the datasheet: compute time ≥ model FLOPs at 100% of peak")
  func neverFasterThanPeak() throws {
    var checked = 0
    for gpuID in ["h200", "a100-80gb", "rtx-4090", "rtx-3060", "v100-32gb"] {
      for modelID in ["llama-60m", "llama-1b", "llama-7b"] {
        for (batch, seq) in [(1, 256), (32, 256), (1, 8192), (4, 2048)] as [(Int64, Int64)] {
          for precision in [Precision.bf16, .mixed, .fp32] {
            let gpu = try #require(GPUSpec.preset(gpuID))
            let model = try #require(ModelConfig.preset(modelID))
            let s = TrainingSetup(model: model, gpu: gpu, precision: precision, sequence: seq, microBatch: batch)
            let inv = ParameterInventory(model)
            let t = ThroughputModel.estimate(s, inv)
            let peak = precision == .fp32 ? gpu.tf32FLOPS : gpu.tensorFLOPS
            let flops = 6 * Double(inv.matmulParameters) * Double(batch * seq)
            #expect(t.compute >= flops / peak, "\(gpuID) \(modelID) b\(batch) s\(seq) \(precision)")
            #expect(t.mfu > 0 && t.mfu < 1)
            checked += 1
          }
        }
      }
    }
    #expect(checked == 180)
  }

  @Test("mixed precision pays for autocast casts; recomputation adds a forward")
  func precisionAndRecomputation() throws {
    let base = TrainingSetup(
      model: try #require(ModelConfig.preset("llama-7b")), gpu: try #require(GPUSpec.preset("h200")), sequence: 1024,
      microBatch: 4)
    var mixed = base
    mixed.precision = .mixed
    var recompute = base
    recompute.checkpointing = .full
    let b = ThroughputModel.estimate(base).compute
    #expect(ThroughputModel.estimate(mixed).compute > b)
    #expect(abs(ThroughputModel.estimate(recompute).compute / b - 4.0 / 3.0) < 0.01)
  }

  @Test("a custom GPU without an SM count uses the H200's rate per SM; with one, its own")
  func customGPUSMs() throws {
    let plain = try ScenarioLoader.load(
      file: "x", text: "model: llama-60m\ngpu:\n  name: mine\n  memory: 48GB\n  bf16_tflops: 200\n  bandwidth: 1TB/s\n")
    let withSMs = try ScenarioLoader.load(
      file: "x",
      text: "model: llama-60m\ngpu:\n  name: mine\n  memory: 48GB\n  bf16_tflops: 200\n  bandwidth: 1TB/s\n  sms: 100\n"
    )
    let a = Roofline(try #require(plain.runs.first).setup.gpu, precision: .bf16)
    let b = Roofline(try #require(withSMs.runs.first).setup.gpu, precision: .bf16)
    #expect(abs(a.tileScale - 768) < 1e-9)
    #expect(abs(b.tileScale - 768 * cbrt(2e12 / (989e12 / 132))) < 1e-6)
  }
}

@Suite struct MatmulShapeTests {
  func setup(_ model: String, _ gpu: String, micro: Int64, sequence: Int64, _ optimizer: OptimizerKind) -> TrainingSetup
  {
    var s = TrainingSetup(
      model: ModelConfig.preset(model)!, gpu: GPUSpec.preset(gpu)!, optimizer: OptimizerConfig(kind: optimizer))
    s.microBatch = micro
    s.sequence = sequence
    return s
  }

  @Test(
    "issue #17: both shared LLaMA-1B H200 steps within 10% (misaligned MLP at a quarter of the aligned rate on Hopper)")
  func llama1bOnH200() {
    for (micro, sequence, optimizer, measured) in [
      (Int64(32), Int64(256), OptimizerKind.adamw, 18_083.0), (1, 2048, .apolloMini, 10_674.1),
    ] {
      let t = ThroughputModel.estimate(setup("llama-1b", "h200", micro: micro, sequence: sequence, optimizer))
      let predicted = t.tokensPerStep / t.steadyStepSeconds
      #expect(abs(predicted / measured - 1) < 0.10, "\(micro)×\(sequence) \(optimizer): \(predicted) vs \(measured)")
    }
  }

  @Test("the misalignment penalty depends on the architecture and touches only misaligned matmuls")
  func perArchitecture() {
    #expect(GPUArchitecture.hopper.matmulEfficiency(alignmentBytes: 2) == 0.25)
    #expect(GPUArchitecture.ampere.matmulEfficiency(alignmentBytes: 2) == 0.5)
    // Graded: 8-byte 0.8 (assumed), 4-byte 0.685 (measured on an H100), 16-byte full rate.
    for arch in [GPUArchitecture.hopper, .ampere, .blackwell] {
      #expect(arch.matmulEfficiency(alignmentBytes: 8) == 0.8 && arch.matmulEfficiency(alignmentBytes: 4) == 0.685)
      #expect(arch.matmulEfficiency(alignmentBytes: 16) == 1)
    }
    // 10,922 × 2 bytes is 4-byte aligned: ml-engineering's H100 SwiGLU bench, 272.7 vs 398.4 TFLOP/s.
    #expect(Roofline.alignment(2, 4096, 10922) == 4 && Roofline.alignment(2, 4096, 10924) == 8)
    #expect(Roofline.alignment(2, 4096, 10944) == 16 && Roofline.alignment(2, 5461) == 2)
    let h100 = Roofline(GPUSpec.preset("h100-sxm")!, precision: .bf16)
    let big = h100.gemmSeconds(16384, 10944, 4096, elementSize: 2)
    let four = h100.gemmSeconds(16384, 10922, 4096, elementSize: 2, alignment: 4)
    #expect(abs(four / big * (10944.0 / 10922) - 1 / 0.685) < 0.01)
    // An aligned model has no misaligned matmul time at all.
    let terms = ThroughputModel.ledger(
      setup("llama-7b", "h200", micro: 4, sequence: 256, .adamw), ParameterInventory(ModelConfig.preset("llama-7b")!))
    #expect(terms.first { $0.name == "layer matmuls, misaligned" }?.seconds == 0)
  }

  @Test("the step's time breakdown adds up to the step, for every preset and optimizer")
  func breakdownAddsUp() {
    for model in ModelConfig.presets {
      for optimizer in OptimizerKind.allCases {
        var s = TrainingSetup(
          model: model, gpu: GPUSpec.preset("a100-80gb")!, optimizer: OptimizerConfig(kind: optimizer))
        s.precision = .mixed
        s.checkpointing = .full
        s.globalBatch = 4
        let total = ThroughputModel.ledger(s, ParameterInventory(model)).map(\.seconds).reduce(0, +)
        let step = ThroughputModel.estimate(s).stepSeconds
        #expect(abs(total / step - 1) < 1e-9, "\(model.id) \(optimizer)")
      }
    }
  }

  @Test("padding LLaMA-1B's intermediate size to a multiple of 64 is offered, with its gain")
  func paddingAdvice() throws {
    let advice = try #require(PaddingAdvice.advice(setup("llama-1b", "h200", micro: 32, sequence: 256, .adamw)))
    #expect(advice.dimensions == [.init(name: "intermediate size", size: 5461, padded: 5504)])
    #expect(advice.paddedStepSeconds < advice.stepSeconds * 0.6)
    #expect(advice.extraParameters == 3 * 2048 * 43 * 24)
    #expect(PaddingAdvice.advice(setup("llama-7b", "h200", micro: 1, sequence: 256, .adamw)) == nil)
    #expect(
      cli(["fit", "--model", "llama-1b", "--gpu", "h200", "--micro-batch", "32"]).out.contains(
        "padded to 5,504 (multiples of 64)"))
    // GPT-2's odd vocabulary (Karpathy's nanoGPT: 50,257 → 50,304, about 25% faster).
    var gpt2 = setup("llama-1b", "a100-80gb", micro: 16, sequence: 1024, .adamw)
    gpt2.model = ModelConfig.preset("gpt2")!
    let vocab = try #require(PaddingAdvice.advice(gpt2))
    #expect(vocab.dimensions == [.init(name: "vocabulary", size: 50257, padded: 50304)])
    #expect(vocab.paddedStepSeconds < vocab.stepSeconds && vocab.extraParameters == 47 * 768)
  }

  @Test("expert parallelism pools each expert's tokens across the group: the same FLOPs in taller matmuls")
  func expertTimeFallsWithExpertParallelism() {
    // Qwen3-30B-A3B, 16,384 tokens per GPU: without EP each of the 128 experts sees 16,384 ·
    // 8 / 128 = 1,024 tokens; under EP 8 a GPU runs 16 experts over 8,192 tokens each.
    let model = ModelConfig.preset("qwen3-30b-a3b")!
    func expertLinears(_ ep: Int64) -> [(count: Double, tokens: Double)] {
      var out: [(Double, Double)] = []
      ModelConfig.forEachLinear(model, expertParallel: ep) { input, output, count, share in
        if input == 768 || output == 768 { out.append((count, 16_384 * share)) }
      }
      return out
    }
    #expect(expertLinears(1).map(\.count) == [256, 128] && expertLinears(1).allSatisfy { $0.tokens == 1_024 })
    #expect(expertLinears(8).map(\.count) == [32, 16] && expertLinears(8).allSatisfy { $0.tokens == 8_192 })
    var s = TrainingSetup(model: model, gpu: GPUSpec.preset("h100-sxm")!, gpus: 8, parallel: .fsdp)
    s.sequence = 4096
    s.microBatch = 4
    let roof = Roofline(s)
    let alone = ThroughputModel.layerTime(s, roof).matmuls
    s.expertParallel = 8
    let pooled = ThroughputModel.layerTime(s, roof).matmuls
    // The tile curve's token factor for the experts: 1,024 / (1,024 + d₀) against 8,192 / (8,192 + d₀).
    #expect(pooled < alone * 0.8, "\(pooled) vs \(alone)")
  }

  @Test("MoE parallel folding: ETP 1 lets EP exceed DP, keeps the EP group in a node, widens the experts")
  func parallelFolding() {
    // Qwen3-235B-A22B on 32 H100 (4 nodes): TP 2 × PP 2 × DP 8, EP 16 folded over the tensor
    // ranks (ETP 1): the expert group is TP × DP = 16 GPUs.
    var s = TrainingSetup(model: ModelConfig.preset("qwen3-235b-a22b")!, gpu: GPUSpec.preset("h100-sxm")!, gpus: 32)
    s.parallel = .zero1
    s.precision = .bf16
    s.masterWeights = .fp32
    s.modelParallel.tensor = 2
    s.modelParallel.sequenceParallel = true
    s.modelParallel.pipeline = 2
    s.sequence = 4096
    s.globalBatch = 64
    s.expertParallel = 16
    #expect(s.validationProblems().contains { $0.setting == "expert_parallel" })
    s.modelParallel.expertTensor = 1
    #expect(s.validationProblems().isEmpty)
    let stage = s.stages[0]
    // Experts are not split by TP: full width 1,536, 128 / 16 = 8 per GPU.
    #expect(stage.model.moe?.expertIntermediate == 1536 && stage.stageView.expertFold == 2)
    // Each GPU dispatches its sequence-parallel half: 2,048 tokens × 8 experts × 4,096 × 2 bytes.
    // The group spans 16 consecutive ranks, 2 nodes of 8: a GPU's traffic leaves at its port.
    let bytes = 2048.0 * 8 * 4096 * 2 * 15 / 16
    let group = CollectiveGroup(gpus: 16, perNode: 8, intra: 450e9, inter: 50e9, nvlink: true)
    let one = bytes / group.allToAllBandwidth + group.latency(steps: 15, interSteps: 1)
    let layers = Double(stage.model.moeLayers)
    #expect(abs(ThroughputModel.allToAllSeconds(stage) - 4 * layers * one) < 1e-12)
    // The expert states shard over EP × EDP = 16 GPUs (DP 8 × the 2 folded tensor ranks).
    #expect(abs(ThroughputModel.updatedShare(stage, ParameterInventory(stage.model)) - 1.0 / 16) < 0.01)
  }

  @Test("a launch-bound step: at micro-batch 1 a 60M model's layers take the host's dispatch time, not the GPU's")
  func launchBound() {
    // LLaMA-60M (8 layers) at 1 × 256 tokens on an H200: each layer's forward and backward is
    // ~130 eager kernels the host dispatches in 2.6 ms, far longer than their GPU work.
    var s = TrainingSetup(model: ModelConfig.preset("llama-60m")!, gpu: GPUSpec.preset("h200")!)
    s.microBatch = 1
    let inv = ParameterInventory(s.model)
    let parts = ThroughputModel.stepParts(s, inv)
    #expect(parts.layer.gpu < parts.layer.host / 10)
    #expect(parts.layer.host == ThroughputModel.hostSecondsPerLayer)
    let expected = 8 * ThroughputModel.hostSecondsPerLayer + parts.head + parts.optimizer
    let e = ThroughputModel.estimate(s)
    #expect(e.hostBound && abs(e.stepSeconds - expected) < 1e-12)
    // Twice the tokens cost the launch-bound step almost nothing.
    var twice = s
    twice.microBatch = 2
    #expect(ThroughputModel.estimate(twice).stepSeconds < e.stepSeconds * 1.05)
  }
}
