import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// Tensor, sequence, pipeline and context parallelism (issue #21): each key against a
/// hand-computed case.
@Suite struct ModelParallelTests {
  func setup(
    _ model: String = "llama-7b", gpus: Int64 = 8, t: Int64 = 1, p: Int64 = 1, c: Int64 = 1,
    parallel: Parallelism = .none
  ) -> TrainingSetup {
    var s = TrainingSetup(model: ModelConfig.preset(model)!, gpu: GPUSpec.preset("h100-sxm")!)
    s.gpus = gpus
    s.parallel = parallel
    s.sequence = 4096
    s.modelParallel.tensor = t
    s.modelParallel.pipeline = p
    s.modelParallel.context = c
    return s
  }

  @Test("the data-parallel degree is gpus / (t·p·c); FSDP shards over data × context ranks")
  func degrees() {
    let s = setup(gpus: 64, t: 4, p: 2, c: 2, parallel: .fsdp)
    #expect(s.dataParallel == 4 && s.shardDegree == 8 && s.validationProblems().isEmpty)
    // parallel: none with one replica over 8 tensor-parallel GPUs is valid.
    #expect(setup(t: 8).validationProblems().isEmpty)
    #expect(setup(gpus: 16, t: 8).validationProblems().contains { $0.reason == .gpusWithoutParallelism(16) })
  }

  @Test("Ulysses all-to-alls by hand: four per layer and pass, not overlapped; heads must split")
  func ulysses() throws {
    var s = setup("llama3-8b", gpus: 4, c: 4, parallel: .fsdp)
    s.sequence = 32768
    s.attention = .flash
    s.modelParallel.contextType = .allToAll
    #expect(s.validationProblems().isEmpty)
    let stage = s.stages[0]
    #expect(stage.stageView.headShards == 4 && stage.tokensPerMicroBatch == 8192)
    // 8,192 local tokens; q 4,096 wide, k and v 1,024 each, the output 4,096; bf16. Each
    // all-to-all sends 3/4 of its bytes over NVLink at 75% of the link, after 3 NVLink steps.
    let link = s.gpu.intraNodeBandwidth * CollectiveGroup.intraEfficiency
    let latency = CollectiveGroup.baseLatency + 3 * CollectiveGroup.nvlinkStepLatency
    func a2a(_ width: Double) -> Double { 0.75 * 8192 * width * 2 / link + latency }
    let expected = 2 * (a2a(4096 + 2 * 1024) + a2a(4096))  // forward and backward, no recomputation
    let got = ThroughputModel.contextParallelSeconds(s, stage, Roofline(stage))
    #expect(abs(got / expected - 1) < 1e-12)
    // The re-laid-out q, k and v (6,144 values a token) replace the ring's double-buffered
    // key-value chunks (4 × 1,024) in the layer's transient.
    var ring = s
    ring.modelParallel.contextType = .ring
    let extra =
      ActivationModel.sizes(stage).layerBackwardTransient - ActivationModel.sizes(ring.stages[0]).layerBackwardTransient
    #expect(extra == 8192 * 2 * (6144 - 4 * 1024))
    // 32 heads over 64 context ranks do not split; a type without context parallelism is refused.
    var wide = setup("llama3-8b", gpus: 64, c: 64, parallel: .fsdp)
    wide.sequence = 65536
    wide.modelParallel.contextType = .allToAll
    #expect(wide.validationProblems().contains { $0.reason == .headsDoNotSplit(heads: 32, shards: 64) })
    var none = setup("llama3-8b", gpus: 1)
    none.modelParallel.contextType = .allGather
    #expect(none.validationProblems().contains { $0.setting == "context_parallel_type" })
  }

  @Test("layouts that do not divide are errors at their key")
  func refusals() {
    #expect(setup(gpus: 12, t: 8, parallel: .ddp).validationProblems().contains { $0.setting == "gpus" })
    #expect(setup(t: 3, parallel: .ddp).validationProblems().contains { $0.setting == "tensor_parallel" })
    #expect(setup(gpus: 64, p: 64, parallel: .ddp).validationProblems().contains { $0.setting == "pipeline_parallel" })
    var v = setup(p: 4)
    v.gpus = 4
    v.modelParallel.virtualStages = 2
    #expect(v.validationProblems().contains { $0.reason == .virtualStagesNeedInterleaved })
    v.modelParallel.schedule = .interleaved
    v.modelParallel.virtualStages = 3  // 32 layers in 4 × 3 uneven chunks: a pipeline layout
    #expect(v.validationProblems().isEmpty)
    v.modelParallel.virtualStages = 9  // 36 chunks for 32 layers, embedding and loss
    #expect(v.validationProblems().contains { $0.setting == "virtual_stages" })
    var cp = setup(c: 2, parallel: .fsdp)
    cp.attention = .eager
    #expect(cp.validationProblems().contains { $0.reason == .contextNeedsFlash })
    var sp = setup()
    sp.gpus = 1
    sp.modelParallel.sequenceParallel = true
    #expect(sp.validationProblems().contains { $0.reason == .sequenceParallelNeedsTensor })
    let r = cli(["estimate", "--model", "llama-7b", "--gpus", "8", "--tensor-parallel", "3", "--parallel", "ddp"])
    #expect(r.status == 64 && r.err.contains("'--tensor-parallel' 3 must divide the model's heads (32)"))
  }

  @Test("tensor parallelism: each GPU holds 1/t of every matrix (the vocabulary too) and whole norms")
  func tensorWeights() {
    let s = setup(t: 8)
    let stage = s.stages[0]
    let h: Int64 = 4096
    let perLayer = (4 * h * h + 3 * h * 11008) / 8 + 2 * h
    let expected = 32 * perLayer + 2 * (32000 / 8) * h + h
    #expect(ParameterInventory(stage.model).parameters == expected)
    #expect(MemoryModel.estimate(s).weights == expected * 2)
  }

  @Test("pipeline: ⌈L/p⌉ layers and the embedding on the first stage, ⌊L/p⌋ and the head on the last; p in flight")
  func pipelineStages() {
    var s = setup("llama-7b", gpus: 12, p: 12, parallel: .none)
    s.model.layers = 70  // BLOOM's 70 layers on 12 stages
    s.globalBatch = 64
    let stages = s.stages
    #expect(stages.map(\.model.layers) == [6, 5])
    #expect(stages[0].model.holdsEmbedding && !stages[0].model.holdsHead)
    #expect(!stages[1].model.holdsEmbedding && stages[1].model.holdsHead)
    #expect(stages.map(\.stageView.inFlight) == [12, 1])
    // The first stage keeps 12 micro-batches of 6 layers: 72 layers' activations.
    let one = ActivationModel.sizes(stages[0])
    let saved = MemoryModel.activationBytes(stages[0], one).saved
    #expect(saved == one.allLayers * 12)
    // Interleaved with v = 2 (70 layers do not divide 12 × 2: use 72): (1 + (p − 1)/(p·v)).
    var i = s
    i.model.layers = 72
    i.modelParallel.schedule = .interleaved
    i.modelParallel.virtualStages = 2
    #expect(abs(i.stages[0].stageView.inFlight - 12 * (1 + 11.0 / 24)) < 1e-12)
    // Fewer micro-batches than stages: only m are in flight.
    var few = s
    few.globalBatch = 4
    #expect(few.stages[0].stageView.inFlight == 4)
  }

  @Test("sequence parallelism divides the boundary activations by t; context parallelism the tokens by c")
  func sequenceAndContext() {
    var s = setup(t: 8)
    s.precision = .bf16
    s.masterWeights = .fp32
    let plain = ActivationModel.sizes(s.stages[0])
    s.modelParallel.sequenceParallel = true
    let split = ActivationModel.sizes(s.stages[0])
    // Megatron's boundary per token: 2 norms' inputs + QKV and MLP inputs, e = 2: 8·h bytes.
    #expect(plain.perLayer - split.perLayer == 4096 * (8 * 4096 - 8 * 4096 / 8))
    let cp = setup(c: 4, parallel: .fsdp)
    #expect(cp.stages[0].sequence == 1024 && cp.stages[0].tokensPerMicroBatch == 1024)
    // Each GPU's queries attend to the whole sequence: attention work is 1/c of one GPU's.
    let whole = setup(gpus: 1)
    let roof = Roofline(whole.gpu, precision: whole.precision)
    let full = ThroughputModel.attentionSeconds(whole, roof).compute
    let quarter = ThroughputModel.attentionSeconds(cp.stages[0], roof).compute
    // …at the efficiency of the 1,024-token chunk each ring step runs on.
    let chunk = (4096.0 + 256) / 4096 * 1024 / (1024 + 256)
    #expect(abs(quarter / full - 0.25 / chunk) < 1e-9)
  }

  @Test("time: four unhidden all-reduces per layer for t, the bubble (p − 1)/v micro-batches for p")
  func time() {
    var s = setup(gpus: 8, t: 8)
    s.microBatch = 1
    let stage = s.stages[0]
    let bytes = 4096.0 * 4096 * 2
    #expect(
      abs(ThroughputModel.tensorParallelSeconds(s, stage) - 4 * ThroughputModel.tensorGroup(s).allReduce(bytes)) < 1e-12
    )
    var p = setup(gpus: 4, p: 4)
    p.globalBatch = 8
    let t = ThroughputModel.estimate(p)
    let slowest = p.stages.map { ThroughputModel.stageTime(p, $0).microBatch }.max()!
    #expect(abs(t.compute - slowest * (8 + 3)) < 1e-9)
    p.modelParallel.schedule = .interleaved
    p.modelParallel.virtualStages = 2
    let slowestI = p.stages.map { ThroughputModel.stageTime(p, $0).microBatch }.max()!
    #expect(abs(ThroughputModel.estimate(p).compute - slowestI * (8 + 1.5)) < 1e-9)
    // The breakdown adds up to the step.
    let terms = ThroughputModel.ledger(p, ParameterInventory(p.model))
    #expect(abs(terms.map(\.seconds).reduce(0, +) / ThroughputModel.estimate(p).stepSeconds - 1) < 1e-9)
  }

  @Test(
    "the layout planner: its answer fits with the margin, runners-up slower, every one valid; solve: layout reports it")
  func planner() {
    var s = TrainingSetup(model: ModelConfig.preset("llama3-70b")!, gpu: GPUSpec.preset("h100-sxm")!)
    s.gpus = 64
    s.parallel = .zero1
    s.precision = .bf16
    s.masterWeights = .fp32
    s.sequence = 4096
    s.globalBatch = 256
    s.margin = 0.05
    let (layouts, evaluated) = LayoutSearch.search(s)
    #expect(evaluated > 100 && !layouts.isEmpty)
    for l in layouts {
      let m = MemoryModel.estimate(l.setup)
      #expect(m.fits && !m.narrow && l.setup.validationProblems().isEmpty)
      #expect(abs(ThroughputModel.estimate(l.setup).tokensPerSecond / l.tokensPerSecond - 1) < 1e-12)
      #expect(l.setup.effectiveGlobalBatch == 256)
    }
    #expect(zip(layouts, layouts.dropFirst()).allSatisfy { $0.tokensPerSecond >= $1.tokensPerSecond * 0.999 })
    let text = """
      model: llama3-70b
      gpu: h100-sxm
      gpus: 64
      sequence: 4096
      global_batch: 256
      precision: bf16
      master_weights: fp32
      parallel: zero1
      margin: 5%
      solve: layout

      """
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("layout-\(UUID().uuidString).yaml")
    try? text.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    let r = cli(["run", url.path])
    #expect(r.status == 0 && r.out.contains("Plan: fastest layout that fits of \(evaluated) tried: \(layouts[0].text)"))
  }

  @Test("checkpointing: op keeps a layer's input, every other matmul's output and attention's; re-runs the rest")
  func perOpRecomputation() {
    var s = TrainingSetup(model: ModelConfig.preset("llama3.1-8b")!, gpu: GPUSpec.preset("h100-sxm")!)
    s.gpus = 8
    s.parallel = .fsdp
    s.precision = .mixed
    s.sequence = 8192
    s.checkpointing = .op
    // r·h + e·(q + kv + i + h) + e·q + 4a with r = e = 2 (FSDP's bf16 compute): 63,616 bytes.
    let odd: Int64 = 4096 + 1024 + 14336 + 4096
    let perToken: Int64 = 2 * 4096 + 2 * odd + 2 * 4096 + 4 * 32
    #expect(ActivationModel.sizes(s).perLayer == 8192 * perToken)
    // k, o and up run forward again: 2·(h·kv + q·h + h·i) of 6·(2hq + 2h·kv + 3h·i).
    let share = ThroughputModel.perOpRecomputedMatmulShare(s.model)
    let h = 4096.0, kv = 1024.0, i = 14336.0
    let recomputed: Double = h * kv + h * h + h * i
    let all: Double = 2 * h * h + 2 * h * kv + 3 * h * i
    #expect(abs(share - 2 * recomputed / (6 * all)) < 1e-12)
    var none = s
    none.checkpointing = .none
    #expect(MemoryModel.estimate(s).activations < MemoryModel.estimate(none).activations)
    #expect(ThroughputModel.estimate(s).stepSeconds > ThroughputModel.estimate(none).stepSeconds)
    // The time breakdown carries the recomputed work and adds up to the step.
    let terms = ThroughputModel.ledger(s, ParameterInventory(s.model)).map(\.seconds).reduce(0, +)
    #expect(abs(terms / ThroughputModel.estimate(s).stepSeconds - 1) < 1e-9)
  }
}
