import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// Sharded training as frameworks hold it (issue #20): each key against a hand-computed case.
@Suite struct ShardedTrainingTests {
  func setup(
    _ model: String = "llama-7b", gpu: String = "h100-sxm", gpus: Int64 = 8, parallel: Parallelism,
    precision: Precision = .mixed
  ) -> TrainingSetup {
    var s = TrainingSetup(model: ModelConfig.preset(model)!, gpu: GPUSpec.preset(gpu)!)
    s.gpus = gpus
    s.parallel = parallel
    s.precision = precision
    return s
  }

  /// Weights, gradients and states (with the master copy) per parameter of the model.
  func bytesPerParameter(_ s: TrainingSetup) -> Double {
    let inv = ParameterInventory(s.model)
    let held = MemoryModel.persistent(s, inv)
    return Double(held.weights + held.gradients + held.states.total) / Double(inv.parameters)
  }

  @Test("ZeRO-3 casts one sub-group's gradients to fp32 at a time; the sizes are refused outside ZeRO-3")
  func zero3SubGroups() {
    // Llama 3 70B on 16 GPUs: a 4.41e9-element partition; the default sub-group is 1e9 plus at
    // most one tensor's partition (the embedding's, 128256 × 8192 / 16), in bf16 and fp32.
    var s = setup("llama3-70b", gpus: 16, parallel: .zero3)
    let inv = ParameterInventory(s.model)
    let subGroup: Int64 = 1_000_000_000 + 128_256 * 8_192 / 16 - 1
    #expect(MemoryModel.masterGradientCopies(s, inv) == subGroup * 6)
    s.zero3.subGroupSize = 10_000_000_000
    #expect(MemoryModel.masterGradientCopies(s, inv) == inv.parameters / 16 * 6)
    // ZeRO-1 and 2 flatten the whole partition (stage_1_and_2.py), whatever the sub-groups.
    var z1 = setup("llama3-70b", gpus: 16, parallel: .zero1)
    #expect(MemoryModel.masterGradientCopies(z1, inv) == inv.parameters / 16 * 6)
    z1.zero3.subGroupSize = 1_000
    #expect(z1.validationProblems().contains(where: { $0.setting == SettingID.subGroupSize.path }))
    // The gathered weights follow stage3_prefetch_bucket_size, and never fall below one module.
    var gather = setup("llama3-70b", gpus: 16, parallel: .zero3)
    let largest: Int64 = 8_192 * 28_672
    #expect(MemoryModel.gatheredWeights(gather, inv) == (largest + 50_000_000) * 2)
    gather.zero3.prefetchBucketSize = 0
    gather.zero3.maxLiveParameters = 0
    #expect(MemoryModel.gatheredWeights(gather, inv) == largest * 2)
    let r = cli(["estimate", "--model", "llama3-8b", "--gpus", "8", "--parallel", "fsdp", "--sub-group-size", "1e8"])
    #expect(r.status == 64 && r.err.contains("DeepSpeed ZeRO-3"))
  }

  @Test("ZeRO-1 with fp32 gradient accumulation is DeepSpeed's BF16_Optimizer: bf16 and unsharded fp32 gradients")
  func bf16Optimizer() {
    var s = setup(gpus: 8, parallel: .zero1)
    s.gradientDType = .fp32
    #expect(s.usesBF16Optimizer)
    let inv = ParameterInventory(s.model)
    // 2 bytes of bf16 gradients and 4 of the fp32 buffer per parameter, on every GPU.
    #expect(MemoryModel.persistent(s, inv).gradients == inv.parameters * 6)
    // DeepSpeed's ZeRO optimizer with bf16 gradients (its default) has no such buffer.
    s.gradientDType = .bf16
    #expect(!s.usesBF16Optimizer && MemoryModel.persistent(s, inv).gradients == inv.parameters * 2)
    // Megatron's distributed optimizer keeps its own fp32 main gradients, not BF16_Optimizer's.
    var m = setup(gpus: 8, parallel: .zero1, precision: .bf16)
    m.masterWeights = .fp32
    #expect(!m.usesBF16Optimizer)
  }

  @Test("mixed under ZeRO is DeepSpeed's bf16 mode: the ZeRO paper's 2 + 2 + 12/n, 2 + 14/n, 16/n")
  func zeroStages() {
    for n: Int64 in [4, 8, 64] {
      let d = Double(n)
      for (parallel, expected) in [(Parallelism.zero1, 4 + 12 / d), (.zero2, 2 + 14 / d), (.zero3, 16 / d)] {
        let got = bytesPerParameter(setup(gpus: n, parallel: parallel))
        #expect(abs(got / expected - 1) < 1e-6, "\(parallel) × \(n): \(got) vs \(expected)")
      }
    }
    // DDP with mixed is autocast: fp32 weights and gradients, fp32 moments, no master.
    #expect(abs(bytesPerParameter(setup(parallel: .ddp)) - 16) < 1e-6)
  }

  @Test("master_weights: fp32 with bf16 is Megatron's 18 and 6 + 12/d; gradient_dtype: bf16 makes it 16 and 4 + 12/d")
  func megatron() {
    var s = setup(parallel: .ddp, precision: .bf16)
    s.masterWeights = .fp32
    #expect(abs(bytesPerParameter(s) - 18) < 1e-6)
    s.parallel = .zero1
    #expect(abs(bytesPerParameter(s) - (6 + 12.0 / 8)) < 1e-6)
    s.gradientDType = .bf16
    #expect(abs(bytesPerParameter(s) - (4 + 12.0 / 8)) < 1e-6)
    // The master copy is listed as its own optimizer-state term.
    let inv = ParameterInventory(s.model)
    #expect(MemoryModel.persistent(s, inv).states.masterWeights == inv.parameters * 4 / 8)
  }

  @Test("Megatron's Adam is a fused multi-tensor kernel: no step temporaries unless another loop is asked for")
  func megatronFusedAdam() {
    var s = setup(parallel: .ddp, precision: .bf16)
    s.masterWeights = .fp32
    #expect(s.stepImplementation == .fused)
    let fused = MemoryModel.estimate(s)
    #expect(fused.optimizerStepPeak <= fused.forwardBackwardPeak)
    // Asked for torch's foreach AdamW: its sqrt buffer of every fp32 main parameter returns.
    s.optimizer.implementation = .foreach
    let inv = ParameterInventory(s.model)
    #expect(MemoryModel.estimate(s).optimizerStepPeak - fused.optimizerStepPeak == inv.parameters * 4)
    // Pure bf16 (no master copy) is not Megatron's precision: torch's foreach default stays.
    s.optimizer.implementation = nil
    s.masterWeights = nil
    #expect(s.stepImplementation == .foreach)
  }

  @Test("FSDP MixedPrecision keeps no autocast copy: two gathered bf16 layers and the root unit")
  func fsdpCopies() {
    let s = setup(parallel: .fsdp)
    let inv = ParameterInventory(s.model)
    let m = s.model
    let layer = (inv.parameters - 2 * m.vocab * m.hidden - m.hidden) / m.layers
    #expect(MemoryModel.persistent(s, inv).weightCopies == (2 * layer + 2 * m.vocab * m.hidden + m.hidden) * 2)
    // Under DDP the same precision is autocast, which caches a bf16 copy of every matmul weight.
    let ddp = setup(parallel: .ddp)
    #expect(MemoryModel.persistent(ddp, inv).weightCopies == inv.matmulParameters * 2)
    // DeepSpeed ZeRO-3 gathers module by module: the largest linear plus its prefetch bucket.
    let zero3 = setup(parallel: .zero3)
    #expect(MemoryModel.persistent(zero3, inv).weightCopies == (11008 * 4096 + 50_000_000) * 2)
  }

  @Test("hsdp shards over a node (gpus_per_node), fsdp over every GPU; hsdp must fill whole nodes")
  func hybridSharding() {
    var s = setup(gpus: 64, parallel: .hsdp)
    let inv = ParameterInventory(s.model)
    let unsharded = setup(gpus: 1, parallel: .fsdp)
    let whole = MemoryModel.persistent(unsharded, inv).states.total
    #expect(abs(MemoryModel.persistent(s, inv).states.total * 8 - whole) <= 5 * 8)
    s.gpusPerNode = 4
    #expect(abs(MemoryModel.persistent(s, inv).states.total * 4 - whole) <= 5 * 4)
    s.gpus = 6
    #expect(s.validationProblems().contains { $0.setting == "gpus" })
    let fsdp = setup(gpus: 64, parallel: .fsdp)
    #expect(abs(MemoryModel.persistent(fsdp, inv).states.total * 64 - whole) <= 5 * 64)
  }

  @Test("a ring over nodes crosses the network on its GPUs' ports: 8 NICs per node carry 8× one NIC")
  func ringOverTwoNodes() {
    let bytes = 1e9
    let latency = (8.4 + 14 * 3.4 + 1 * 14) * 1e-6
    // DGX H100: 8 × 400 Gb/s ports, each GPU's share 50 GB/s. A 16-GPU ring with 8 GPUs in each
    // node crosses on 8 ports: 8 × 48 = 384 GB/s, above NVLink's 337.5, so NVLink bounds it.
    let dgx = CollectiveGroup(gpus: 16, perNode: 8, intra: 450e9, inter: 50e9, nvlink: true)
    #expect(abs(dgx.busBandwidth - 337.5e9) < 1)
    #expect(abs(dgx.allGather(bytes) - (15.0 / 16 * bytes / 337.5e9 + latency)) < 1e-12)
    // One 400 Gb/s NIC for the node: each GPU's share is 50/8 GB/s; the ring gets 8 shares, 48.
    let oneNIC = CollectiveGroup(gpus: 16, perNode: 8, intra: 450e9, inter: 50e9 / 8, nvlink: true)
    #expect(abs(oneNIC.busBandwidth - 48e9) < 1)
    #expect(abs(oneNIC.allGather(bytes) - (15.0 / 16 * bytes / 48e9 + latency)) < 1e-12)
    // A group with one GPU per node (HSDP replicas, the data-parallel ranks of one tensor rank)
    // has one port's share, 48 GB/s; an all-to-all never aggregates ports.
    let replicas = CollectiveGroup(gpus: 16, perNode: 1, intra: .infinity, inter: 50e9, nvlink: false)
    #expect(abs(replicas.busBandwidth - 48e9) < 1)
    #expect(abs(dgx.allToAllBandwidth - 48e9) < 1)
    // Inside one node the ring stays on NVLink.
    let node = CollectiveGroup(gpus: 8, perNode: 8, intra: 450e9, inter: 50e9, nvlink: true)
    #expect(abs(node.allGather(bytes) - (7.0 / 8 * bytes / (450e9 * 0.75) + (8.4 + 7 * 3.4) * 1e-6)) < 1e-12)
  }

  @Test("GeForce cards without peer-to-peer reach half their PCIe rate through host memory")
  func noPeerToPeer() {
    #expect(GPUSpec.preset("rtx-4090")!.intraNodeBandwidth == 16e9)
    #expect(GPUSpec.preset("a100-80gb")!.intraNodeBandwidth == 300e9)
    #expect(GPUSpec.preset("h100-sxm")!.interNodeBandwidth == 50e9)
    #expect(GPUSpec.preset("a100-80gb")!.interNodeBandwidth == 25e9)
    #expect(GPUSpec.preset("rtx-4090")!.interNodeBandwidth == 12.5e9 / 8)
  }

  @Test("gpus_per_node, the bandwidths, nics_per_node and nic_bandwidth change the communication time")
  func networkKeys() {
    var s = setup(gpus: 16, parallel: .fsdp)
    s.gpu = GPUSpec.preset("h100-sxm")!
    s.sequence = 1024
    let inv = ParameterInventory(s.model)
    func communication(_ t: TrainingSetup) -> Double {
      ThroughputModel.collectives(t, inv).map(\.seconds).reduce(0, +)
    }
    func forwardGathers(_ t: TrainingSetup) -> Double { ThroughputModel.collectives(t, inv)[0].seconds }
    // Two DGX nodes: the ring's 8 ports per node outpace NVLink, so a second node costs only
    // the network's per-step latency.
    let twoNodes = communication(s)
    var oneNode = s
    oneNode.gpusPerNode = 16
    #expect(communication(oneNode) < twoNodes && communication(oneNode) > twoNodes * 0.9)
    // One NIC per node: 8 × 6.25 × 0.96 = 48 GB/s against NVLink's 337.5, about 7× slower.
    var oneNIC = s
    oneNIC.nicsPerNode = 1
    let ratio = communication(oneNIC) / twoNodes
    #expect(ratio > 6.5 && ratio < 7.1, "\(ratio)")
    // 100 Gb/s ports (12.5 GB/s, 96 GB/s for the ring): 337.5 / 96 = 3.5× slower, less the
    // latencies both pay.
    var slowPorts = s
    slowPorts.nicBandwidth = 12.5e9
    let slower = forwardGathers(slowPorts) / forwardGathers(s)
    #expect(abs(slower / (337.5 / 96) - 1) < 0.05, "\(slower)")
    // `inter_node_bandwidth` sets each GPU's share directly.
    var share = s
    share.interNodeBandwidth = 50e9 / 8
    #expect(communication(share) == communication(oneNIC))
    var slowLink = oneNode
    slowLink.intraNodeBandwidth = 45e9
    #expect(communication(slowLink) > communication(oneNode) * 6)
  }

  @Test("checkpointed_layers k keeps the other layers' activations; the time grows by k/L of a forward")
  func partialRecomputation() {
    var s = setup(parallel: .none, precision: .bf16)
    s.gpus = 1
    s.sequence = 2048
    s.checkpointing = .full
    s.checkpointedLayers = 8
    let act = ActivationModel.sizes(s)
    let (saved, recomputed) = MemoryModel.activationBytes(s, act)
    #expect(saved == 8 * act.checkpointedLayer + 24 * act.perLayer + act.head)
    #expect(recomputed == act.perLayer)
    #expect(abs(ThroughputModel.recomputeFactor(s) - (1 + 8.0 / 32 / 3)) < 1e-12)
    s.checkpointing = .none
    #expect(s.validationProblems().contains { $0.setting == "checkpointed_layers" })
  }

  @Test("selective recomputation drops the attention core's saved scores and runs its forward again")
  func selective() {
    var s = setup("llama-60m", gpu: "h200", gpus: 1, parallel: .none, precision: .bf16)
    s.attention = .eager
    s.sequence = 512
    s.microBatch = 4
    var sel = s
    sel.checkpointing = .selective
    let tokens: Int64 = 4 * 512
    let plain = ActivationModel.sizes(s).perLayer, kept = ActivationModel.sizes(sel).perLayer
    // Eager attention in bf16 saves (4 + 2) bytes per score and the repeated k, v (here kv = h).
    #expect(plain - kept == tokens * 6 * 8 * 512)
    let roof = Roofline(s.gpu, precision: .bf16)
    let a = ThroughputModel.attentionSeconds(s, roof)
    #expect(
      abs(ThroughputModel.attentionWithRecompute(sel, roof) - (a.compute + a.traffic) * (1 + 1.0 / 3)) < 1e-15)
  }

  @Test("settings that do not apply are refused at their key, with what to do instead")
  func refusals() {
    let cases: [([String], String)] = [
      (["--precision", "mixed", "--master-weights", "fp32"], "'--master-weights fp32' keeps an fp32 copy"),
      (
        ["--precision", "bf16", "--master-weights", "fp32", "--parallel", "fsdp", "--gpus", "8"],
        "keeps the fp32 master as its sharded parameters"
      ),
      (["--precision", "bf16", "--gradient-dtype", "fp32"], "'--gradient-dtype' applies with"),
      (["--checkpointed-layers", "4"], "needs '--checkpointing full'"),
      (["--checkpointing", "full", "--checkpointed-layers", "40"], "is 40, but the model has 32 layers"),
      (["--parallel", "hsdp", "--gpus", "12"], "'--parallel hsdp' replicates whole nodes"),
    ]
    for (flags, message) in cases {
      let r = cli(["estimate", "--model", "llama-7b"] + flags)
      #expect(r.status == 64 && r.err.contains(message), "\(flags): \(r.err)")
    }
  }

  @Test("the keys reach the JSON inputs as resolved values")
  func inputs() {
    let r = cli([
      "estimate", "--model", "llama-7b", "--gpu", "h100-sxm", "--gpus", "16", "--parallel", "zero2", "--precision",
      "mixed", "--format", "json",
    ])
    #expect(r.status == 0)
    for field in [
      "\"master_weights\" : \"fp32\"", "\"gradient_dtype\" : \"bf16\"", "\"gpus_per_node\" : 8",
      "\"inter_node_bandwidth\" : 50000000000",
    ] {
      #expect(r.out.contains(field), "\(field)")
    }
  }

  @Test("the step timeline of every sharded mode peaks at the estimate's peak, gathered layers held throughout")
  func timeline() {
    for parallel in [Parallelism.zero1, .zero2, .zero3, .fsdp, .hsdp] {
      var s = setup(gpus: 16, parallel: parallel)
      s.sequence = 2048
      let t = MemoryTimeline(s)
      #expect(t.points.map(\.instant.total).max() == MemoryModel.estimate(s).peak, "\(parallel)")
      if parallel.shardsWeights {
        let forward = t.points.filter { $0.label.hasPrefix("forward") }.map(\.instant.copies)
        #expect(Set(forward).count == 1, "\(parallel): gathered copies constant in forward")
      }
    }
  }
}
