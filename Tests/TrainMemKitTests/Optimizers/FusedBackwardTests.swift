import Testing

@testable import TrainMemCore

/// LOMO and AdaLomo (`lomo_optim`): the update fused into backward, each against a case
/// computed by hand from the library's code.
@Suite struct FusedBackwardTests {
  func setup(_ kind: OptimizerKind, gpus: Int64 = 1) -> TrainingSetup {
    var s = TrainingSetup(model: ModelConfig.preset("llama-7b")!, gpu: GPUSpec.preset("h100-sxm")!, gpus: gpus)
    s.optimizer = OptimizerConfig(kind: kind)
    s.sequence = 1024
    s.parallel = gpus > 1 ? .zero3 : .none
    return s
  }

  @Test("LOMO keeps no states; AdaLomo keeps fp32 row and column moments, or a full one for vectors")
  func states() {
    let inv = ParameterInventory(setup(.lomo).model)
    let bf16 = StateFormats(param: .bf16)
    #expect(OptimizerStates.total(inv, optimizer: OptimizerConfig(kind: .lomo), rank: 1, formats: bf16).total == 0)
    // LLaMA-7B: per layer q, k, v, o (4096 × 4096), gate, up (11008 × 4096), down (4096 × 11008),
    // two norms of 4096; the embedding and lm_head (32000 × 4096) and the final norm.
    let layer: Int64 = 4 * (4096 + 4096) + 3 * (11008 + 4096) + 2 * 4096
    let expected = 4 * (32 * layer + 2 * (32000 + 4096) + 4096)
    let adalomo = OptimizerStates.total(inv, optimizer: OptimizerConfig(kind: .adalomo), rank: 1, formats: bf16)
    #expect(adalomo.total == expected)
  }

  @Test("no gradient is held; the hook's peak is the largest tensor's fp32 copies and the next gradient")
  func hookPeak() {
    let s = setup(.lomo)
    let m = MemoryModel.estimate(s)
    #expect(m.gradientsHeld == 0 && m.states.total == 0)
    let lmHead: Int64 = 32000 * 4096
    let lomo = FusedBackwardUpdate(adaptive: false), adalomo = FusedBackwardUpdate(adaptive: true)
    let head = TensorGroup(name: "lm_head", rows: 32000, cols: 4096, count: 1, role: .lmHead)
    // bf16: grad_fp32 and p_fp32 (8n) plus the next parameter's bf16 gradient (2n).
    #expect(lomo.backwardUpdatePeak(head, s.optimizer, rank: 1, paramBytes: 2, shards: 1) == 10 * lmHead)
    // fp32 parameters: `.to(float32)` is the tensor itself; only the gradients remain.
    #expect(lomo.backwardUpdatePeak(head, s.optimizer, rank: 1, paramBytes: 4, shards: 1) == 8 * lmHead)
    // ZeRO-3 over 8: the bf16 gradient and its fp32 copy; p_fp32 is the partition.
    #expect(lomo.backwardUpdatePeak(head, s.optimizer, rank: 1, paramBytes: 2, shards: 8) == 8 * lmHead)
    #expect(lomo.backwardUpdatePeak(head, s.optimizer, rank: 1, paramBytes: 4, shards: 8) == 8 * lmHead)
    // AdaLomo: three fp32 tensors at once, then the next gradient.
    #expect(adalomo.backwardUpdatePeak(head, s.optimizer, rank: 1, paramBytes: 2, shards: 1) == 14 * lmHead)
    // Layer-wise SGD without momentum holds one bf16 gradient at a time: LOMO's fp32 copies and
    // the next gradient are 8n more on the largest tensor at every backward instant.
    var sgd = s
    sgd.optimizer = OptimizerConfig(kind: .sgd, layerwise: true, momentum: false)
    func instants(_ t: TrainingSetup) -> [MemoryInstant] {
      let inv = ParameterInventory(t.model)
      return MemoryModel.instants(t, inv, MemoryModel.persistent(t, inv), ActivationModel.sizes(t))
    }
    let withHooks = instants(s), layerwise = instants(sgd)
    #expect(withHooks.count == layerwise.count)
    let backward = zip(withHooks, layerwise).filter { $0.0.phase == .forwardBackward && $0.0.transient > 0 }
    #expect(backward.filter { $0.1.transient >= 2 * lmHead }.count >= 2)
    for (a, b) in backward where b.transient >= 2 * lmHead { #expect(a.total - b.total == 8 * lmHead) }
  }

  @Test("under ZeRO-3 the hooks all-reduce each full gradient and wait; AdaLomo's moments are not partitioned")
  func zero3() {
    let s = setup(.lomo, gpus: 8)
    let inv = ParameterInventory(s.model)
    #expect(s.validationProblems().isEmpty)
    let names = ThroughputModel.collectives(s, inv).map { "\($0.name)" }
    #expect(names.contains("gradient all-reduces in the update hooks"))
    #expect(!names.contains("gradient reduce-scatters"))
    let hook = ThroughputModel.collectives(s, inv).first { "\($0.name)".hasSuffix("update hooks") }!
    #expect(hook.window == .none)
    // An all-reduce moves twice a reduce-scatter's bytes.
    #expect(hook.seconds > ThroughputModel.collectives(setup(.adamw, gpus: 8), inv)[2].seconds * 1.9)
    // No ZeRO optimizer: no reduce buckets, no gradients.
    #expect(MemoryModel.gradientBuckets(s, inv) == 0)
    let states = MemoryModel.persistent(setup(.adalomo, gpus: 8), inv).states.total
    #expect(states == MemoryModel.persistent(setup(.adalomo), inv).states.total)
  }

  @Test("refused where the hooks cannot run, each with the way out")
  func refusals() {
    var ddp = setup(.lomo, gpus: 8)
    ddp.parallel = .ddp
    var accumulate = setup(.adalomo)
    accumulate.globalBatch = 4
    var adapters = setup(.lomo)
    adapters.lora = LoRAConfig(rank: 16, alpha: 16, targets: .allLinear)
    var tensor = setup(.lomo, gpus: 8)
    tensor.modelParallel.tensor = 8
    tensor.parallel = .none
    let cases: [(TrainingSetup, String)] = [
      (ddp, "use zero3"), (accumulate, "one micro-batch per GPU"), (adapters, "train the adapters with adamw"),
      (tensor, "set them to 1"),
    ]
    for (s, hint) in cases {
      let messages = s.validationProblems().map(\.message)
      #expect(messages.contains { $0.contains(hint) }, "\(messages)")
    }
  }
}
