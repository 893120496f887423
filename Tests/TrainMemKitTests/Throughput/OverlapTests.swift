import Testing

@testable import TrainMemCore

/// The frameworks' overlap switches, each against a hand-computed case.
@Suite struct OverlapTests {
  /// Llama 3 8B on two DGX H100 nodes, four 4,096-token micro-batches per step.
  func setup(_ parallel: Parallelism) -> TrainingSetup {
    var s = TrainingSetup(model: ModelConfig.preset("llama3-8b")!, gpu: GPUSpec.preset("h100-sxm")!, gpus: 16)
    s.parallel = parallel
    s.precision = .mixed
    s.sequence = 4096
    s.microBatch = 1
    s.globalBatch = 64
    return s
  }

  /// The same under Megatron's mixed precision (bf16 with an fp32 master in the optimizer).
  func megatron(_ parallel: Parallelism) -> TrainingSetup {
    var s = setup(parallel)
    s.precision = .bf16
    s.masterWeights = .fp32
    return s
  }

  func seconds(_ s: TrainingSetup, _ name: String) -> Double {
    ThroughputModel.collectives(s, ParameterInventory(s.model)).first { $0.name.description == name }!.seconds
  }

  @Test("FSDP under gradient_sync: step reduce-scatters once per step and holds the unsharded gradients")
  func fsdpNoSync() {
    let s = setup(.fsdp)
    let inv = ParameterInventory(s.model)
    #expect(s.accumulation == 4)
    var noSync = s
    noSync.gradientSync = .step
    // A micro-batch so short nothing hides: every collective is exposed, so the saving is
    // exactly three of the four reduce-scatters.
    let reduce = seconds(s, "gradient reduce-scatters")
    let every = ThroughputModel.collectiveTimes(s, inv, microBatch: 0).total
    let once = ThroughputModel.collectiveTimes(noSync, inv, microBatch: 0).total
    #expect(abs(every - once - 3 * reduce) < 1e-9)
    // With compute to hide behind, the reduce-scatter of each micro-batch hides in its backward.
    let long = 10.0
    #expect(ThroughputModel.collectiveTimes(s, inv, microBatch: long).total == 0)
    // Memory: every trained parameter's unsharded gradient in the reduce dtype (bf16 here).
    let held = MemoryModel.persistent(noSync, inv)
    #expect(held.unshardedGradients == inv.parameters * 2)
    #expect(MemoryModel.persistent(s, inv).unshardedGradients == 0)
    #expect(MemoryModel.estimate(noSync).peak - MemoryModel.estimate(s).peak == inv.parameters * 2)
  }

  @Test("reshard_after_forward: false gathers nothing in backward and keeps every layer's weights")
  func keepGathered() {
    var s = setup(.fsdp)
    s.checkpointing = .full
    let inv = ParameterInventory(s.model)
    let gather = seconds(s, "weight all-gathers, forward")
    // Backward gathers again, and a third time for the recomputed forward.
    #expect(abs(seconds(s, "weight all-gathers, backward") - 2 * gather) < 1e-12)
    var kept = s
    kept.overlap.reshardAfterForward = false
    #expect(seconds(kept, "weight all-gathers, backward") == 0)
    // The other 30 of 32 layers stay gathered, in bf16.
    let layer = MemoryModel.layerParameters(s, inv)
    #expect(MemoryModel.persistent(kept, inv).forwardCopies == 30 * layer * 2)
    #expect(MemoryModel.estimate(kept).peak > MemoryModel.estimate(s).peak + 29 * layer * 2)
  }

  @Test("Megatron's overlap_grad_reduce hides the reduction behind the last backward")
  func megatronGradReduce() {
    let s = megatron(.ddp)
    let inv = ParameterInventory(s.model)
    let reduce = seconds(s, "gradient all-reduce")
    let microBatch = 3 * reduce
    #expect(abs(ThroughputModel.collectiveTimes(s, inv, microBatch: microBatch).total - reduce) < 1e-12)
    var overlapped = s
    overlapped.overlap.gradReduce = true
    // Two thirds of a micro-batch of 3 × reduce is 2 × reduce: all of it hides.
    #expect(ThroughputModel.collectiveTimes(overlapped, inv, microBatch: microBatch).total == 0)
    #expect(abs(ThroughputModel.collectiveTimes(overlapped, inv, microBatch: reduce).total - reduce / 3) < 1e-12)
  }

  @Test("Megatron's overlap_param_gather hides the weight all-gather behind the next forward")
  func megatronParamGather() {
    let s = megatron(.zero1)
    let inv = ParameterInventory(s.model)
    let gather = seconds(s, "weight all-gather")
    var overlapped = s
    overlapped.overlap.paramGather = true
    let before = ThroughputModel.collectiveTimes(s, inv, microBatch: 3 * gather).total
    let after = ThroughputModel.collectiveTimes(overlapped, inv, microBatch: 3 * gather).total
    #expect(abs(before - after - gather) < 1e-12)
  }

  @Test("DeepSpeed's overlap_comm hides ZeRO-2's reduce-scatters and doubles its reduce bucket")
  func deepSpeedOverlapComm() {
    let s = setup(.zero2)
    let inv = ParameterInventory(s.model)
    var overlapped = s
    overlapped.overlap.comm = true
    let reduce = seconds(s, "gradient reduce-scatter")
    let long = 10.0
    let before = ThroughputModel.collectiveTimes(s, inv, microBatch: long).total
    let after = ThroughputModel.collectiveTimes(overlapped, inv, microBatch: long).total
    #expect(abs(before - after - 4 * reduce) < 1e-9)
    #expect(MemoryModel.gradientBuckets(overlapped, inv) == 2 * MemoryModel.gradientBuckets(s, inv))
    // ZeRO-3 overlaps by default (DeepSpeed: overlap_comm on at stage 3).
    #expect(setup(.zero3).overlapsComm && !s.overlapsComm)
  }

  @Test("an overlap switch on a setup its framework does not run is refused")
  func refusals() {
    var fsdp = setup(.fsdp)
    fsdp.overlap.comm = true
    #expect(fsdp.validationProblems().contains { $0.setting == "overlap_comm" })
    var ddp = setup(.ddp)
    ddp.overlap.gradReduce = true
    #expect(ddp.validationProblems().contains { $0.setting == "overlap_grad_reduce" })
    var zero = setup(.zero3)
    zero.overlap.reshardAfterForward = false
    #expect(zero.validationProblems().contains { $0.setting == "reshard_after_forward" })
    zero.overlap.reshardAfterForward = true
    zero.gradientSync = .step
    #expect(zero.validationProblems().contains { $0.setting == "gradient_sync" })
    var sync = setup(.hsdp)
    sync.gradientSync = .step
    #expect(sync.validationProblems().isEmpty)
  }
}
