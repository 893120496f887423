// The data-parallel collectives of a step as each framework schedules them: which collectives
// run, how often, and what compute each hides behind — a micro-batch's forward (a third of
// it), its backward (two thirds), nothing, or the next step's first forward. Every documented
// overlap switch is a setting at its framework's default (`TrainingSetup.Overlap`).

/// One collective of a step: a single run's seconds, how many runs a step has, and what it
/// hides behind.
package struct Collective: Sendable {
  package enum Window: Sendable {
    /// Overlapped with a micro-batch's forward (FSDP's prefetched all-gathers).
    case forward
    /// Overlapped with a micro-batch's backward (DDP's buckets, reduce-scatters).
    case backward
    /// Overlapped with the next step's first forward (Megatron's `overlap_param_gather`).
    case nextForward
    /// On the critical path.
    case none
  }

  /// A literal (no reference to count: the list is copied for every point of a sweep).
  package var name: StaticString
  package var seconds: Double
  package var window: Window
  /// Runs only in the micro-batches that reduce gradients (not under `no_sync`).
  package var reducing = false
  /// Runs once per step rather than once per micro-batch.
  package var perStep = false
  /// Its exposed seconds per step (`ThroughputModel.collectiveTimes`): its share of what its
  /// window's collectives take beyond the window's compute.
  package var exposed = 0.0
}

/// A step's data-parallel collectives, at most four, held inline: a sweep builds them for every
/// point, and an array would allocate each time.
package struct Collectives: Sendable, RandomAccessCollection {
  private var slots: (Collective?, Collective?, Collective?, Collective?) = (nil, nil, nil, nil)
  package private(set) var count = 0

  package init() {}
  package init(_ items: Collective...) { for c in items { append(c) } }

  package var startIndex: Int { 0 }
  package var endIndex: Int { count }

  package subscript(i: Int) -> Collective {
    get {
      switch i {
      case 0: return slots.0!
      case 1: return slots.1!
      case 2: return slots.2!
      default: return slots.3!
      }
    }
    set {
      switch i {
      case 0: slots.0 = newValue
      case 1: slots.1 = newValue
      case 2: slots.2 = newValue
      default: slots.3 = newValue
      }
    }
  }

  package mutating func append(_ c: Collective) {
    precondition(count < 4, "a step has at most four data-parallel collectives")
    count += 1
    self[count - 1] = c
  }
}

/// The collectives with each one's exposed seconds per step, and their sum.
package struct CollectiveTimes: Sendable {
  package var collectives = Collectives()
  /// Added window by window and micro-batch by micro-batch, not from the collectives' exposed
  /// seconds, whose proportional shares only apportion it for the ledger.
  package var total = 0.0
}

extension ThroughputModel {
  /// torch DDP's `bucket_cap_mb` default: 25 MiB per all-reduce.
  package static let ddpBucketBytes = 25.0 * 1_048_576

  /// The data-parallel collectives each framework issues.
  ///
  /// - DDP: a ring all-reduce of the gradients in 25 MiB buckets during backward, every
  ///   micro-batch (or only the last under `gradient_sync: step`, `no_sync`). Megatron
  ///   accumulates into its fp32 main gradients and reduces once per step after backward
  ///   (`finalize_model_grads`), during the last backward with `overlap_grad_reduce`.
  /// - ZeRO-1/2 (DeepSpeed): a reduce-scatter of the gradients (stage 1 at the accumulation
  ///   boundary only, stage 2 every micro-batch) in `reduce_bucket_size` buckets — during
  ///   backward with `overlap_comm` (default off below stage 3, deepspeed/runtime/zero/
  ///   config.py) —, then an all-gather of the updated bf16 partitions after the step.
  ///   Megatron's distributed optimizer reduce-scatters once per step and all-gathers the
  ///   updated weights, behind the next forward with `overlap_param_gather`.
  /// - ZeRO-3/FSDP: every micro-batch all-gathers each layer's weights in forward and again in
  ///   backward (a third time when layers are recomputed; not again in backward with
  ///   `reshard_after_forward: false`) and reduce-scatters its gradients (only in the last
  ///   micro-batch under `gradient_sync: step`, FSDP2 `set_requires_gradient_sync(False)`).
  ///   HSDP does this inside the node and all-reduces each shard's gradients across nodes (FSDP
  ///   `_runtime_utils.py`: `dist.all_reduce(..., group=state._inter_node_pg)`). DeepSpeed
  ///   ZeRO-3 fetches a module's parameters when the module runs and waits for that all-gather
  ///   before prefetching the next (`PartitionedParameterCoordinator.fetch_sub_module`, v0.9.4
  ///   lines 233–344), so its gathers are on the critical path; its reduce-scatter runs on its
  ///   own stream with `overlap_comm` (default on at stage 3).
  package static func collectives(_ s: TrainingSetup, _ inv: ParameterInventory) -> Collectives {
    guard s.dataParallel > 1 else { return Collectives() }
    let policy = s.policy
    // Under expert parallelism a GPU gathers and reduces only its own experts.
    let params = Double(inv.parameters) - Double(inv.expertParameters) * (1 - 1 / Double(s.expertParallel))
    let gradients = params * Double(policy.reduceBytes)
    let group = s.shardGroup
    let buckets = (params / Double(MemoryModel.deepSpeedReduceBucketElements)).rounded(.up)
    let overlap = s.overlap
    switch s.parallel {
    case .none: return Collectives()
    case .ddp:
      let reduce = group.allReduce(gradients, messages: (gradients / ddpBucketBytes).rounded(.up))
      if s.megatron {
        return Collectives(
          Collective(
            name: "gradient all-reduce", seconds: reduce, window: overlap.gradReduce ? .backward : .none, perStep: true)
        )
      }
      return Collectives(Collective(name: "gradient all-reduce", seconds: reduce, window: .backward, reducing: true))
    case .zero1, .zero2:
      let reduce = group.allGather(gradients, messages: buckets)
      let gather = group.allGather(params * Double(policy.weightBytes), messages: buckets)
      if s.megatron {
        return Collectives(
          Collective(
            name: "gradient reduce-scatter", seconds: reduce, window: overlap.gradReduce ? .backward : .none,
            perStep: true),
          Collective(
            name: "weight all-gather", seconds: gather, window: overlap.paramGather ? .nextForward : .none,
            perStep: true))
      }
      return Collectives(
        Collective(
          name: "gradient reduce-scatter", seconds: reduce, window: s.overlapsComm ? .backward : .none,
          reducing: true, perStep: s.parallel == .zero1),
        Collective(name: "weight all-gather", seconds: gather, window: .none, perStep: true))
    case .zero3, .fsdp, .hsdp:
      return shardedCollectives(s, inv, params: params, gradients: gradients)
    }
  }

  /// ZeRO-3's and FSDP's per-layer gathers and reductions (see `collectives`).
  package static func shardedCollectives(
    _ s: TrainingSetup, _ inv: ParameterInventory, params: Double, gradients: Double
  ) -> Collectives {
    let policy = s.policy, group = s.shardGroup
    let zero3 = s.parallel == .zero3
    // FSDP gathers one unit per layer (and the root); DeepSpeed one module per linear.
    let units = Double(s.model.layers) * (zero3 ? 7 : 1) + 1
    // torchao's tensor-wise recipe all-gathers the converted weights in FP8 (1 byte).
    var gatheredBytes = params * Double(policy.computeBytes)
    if s.fp8?.gathersInFP8 == true && !zero3 {
      gatheredBytes -= Double(s.localFP8Parameters(inv)) * Double(policy.computeBytes - 1)
    }
    let gather = group.allGather(gatheredBytes, messages: units)
    let recomputeGathers = Double(s.recomputedLayers) / Double(s.model.layers)
    let backwardGathers = s.overlap.reshardAfterForward ? gather * (1 + recomputeGathers) : 0
    let gatherWindow: Collective.Window = zero3 ? .none : .forward
    var out = Collectives(
      Collective(name: "weight all-gathers, forward", seconds: gather, window: gatherWindow),
      Collective(
        name: "weight all-gathers, backward", seconds: backwardGathers, window: zero3 ? .none : .backward))
    if s.optimizer.kind.family.updatesInBackward {
      // LOMO's ZeRO-3 hook all-reduces each full gradient and waits for it (`fuse_update_zero3`:
      // `all_reduce(p.grad, op=AVG, async_op=False)`), one message per parameter tensor.
      out.append(
        Collective(
          name: "gradient all-reduces in the update hooks",
          seconds: group.allReduce(gradients, messages: Double(inv.tensorCount)), window: .none, reducing: true))
    } else {
      out.append(
        Collective(
          name: "gradient reduce-scatters", seconds: group.allGather(gradients, messages: units),
          window: !zero3 || s.overlapsComm ? .backward : .none, reducing: true))
    }
    if s.parallel == .hsdp {
      out.append(
        Collective(
          name: "gradient all-reduce across nodes",
          seconds: s.replicaGroup.allReduce(gradients / Double(s.shardDegree), messages: units), window: .backward,
          reducing: true))
    }
    return out
  }

  /// The micro-batches of a step that reduce gradients: the last one under `gradient_sync:
  /// step` (DDP `no_sync`, FSDP `set_requires_gradient_sync(False)`), else every one.
  package static func reducingMicroBatches(_ s: TrainingSetup) -> Double {
    s.gradientSync == .step ? 1 : Double(s.accumulation)
  }

  /// Each collective's exposed seconds per step: what it takes beyond the compute of its window
  /// (forward a third of a micro-batch, backward two thirds), the collectives sharing a window
  /// in proportion to their time, in every micro-batch that runs them.
  package static func collectiveTimes(_ s: TrainingSetup, _ inv: ParameterInventory, microBatch: Double)
    -> CollectiveTimes
  {
    var all = collectives(s, inv)
    var total = 0.0
    let accumulation = Double(s.accumulation), reducing = reducingMicroBatches(s)
    // One micro-batch's excess over its forward and backward; each collective of a window
    // shares that window's excess in proportion to its time. (Loops over an inline list, no
    // arrays: this runs for every point of a sweep.)
    func excess(reduces: Bool, runs: Double) -> Double {
      var sum = 0.0
      let windows = overlapped(all, reduces: reduces)
      for pass in 0..<2 {
        let forward = pass == 0
        let window: Collective.Window = forward ? .forward : .backward
        func member(_ c: Collective) -> Bool { c.window == window && !c.perStep && (reduces || !c.reducing) }
        let busy = forward ? windows.forward : windows.backward
        let over = max(0, busy - (forward ? microBatch / 3 : microBatch * 2 / 3))
        if busy > 0 && over > 0 && runs > 0 {
          for i in all.indices where member(all[i]) { all[i].exposed += over * all[i].seconds / busy * runs }
        }
        sum += over
      }
      return sum * runs
    }
    total = excess(reduces: true, runs: reducing) + excess(reduces: false, runs: accumulation - reducing)
    for i in all.indices {
      let c = all[i]
      switch (c.window, c.perStep) {
      case (.none, _): all[i].exposed = c.seconds * (c.perStep ? 1 : c.reducing ? reducing : accumulation)
      // Once per step, during the last micro-batch's backward or the next step's first forward.
      case (.backward, true): all[i].exposed = max(0, c.seconds - microBatch * 2 / 3)
      case (.forward, true), (.nextForward, _): all[i].exposed = max(0, c.seconds - microBatch / 3)
      // Per micro-batch in a window: apportioned by `excess` above.
      case (.forward, false), (.backward, false): continue
      }
      total += all[i].exposed
    }
    return CollectiveTimes(collectives: all, total: total)
  }

  /// Exposed communication per optimizer step: the data-parallel collectives beyond the
  /// compute they overlap, and expert parallelism's all-to-alls.
  package static func communicationSeconds(_ s: TrainingSetup, _ inv: ParameterInventory, microBatch: Double) -> Double
  {
    collectiveTimes(s, inv, microBatch: microBatch).total + allToAllSeconds(s) * Double(s.accumulation)
  }

  /// The seconds of the collectives overlapping one micro-batch's forward and backward: in a
  /// micro-batch that reduces gradients or one that does not, and in the step's last one, which
  /// also runs the once-per-step reductions.
  package static func overlapped(_ all: Collectives, reduces: Bool, last: Bool = false)
    -> (forward: Double, backward: Double)
  {
    var forward = 0.0, backward = 0.0
    for c in all where (c.perStep ? last : reduces || !c.reducing) {
      if c.window == .forward { forward += c.seconds }
      if c.window == .backward { backward += c.seconds }
    }
    return (forward, backward)
  }

  /// The share of the parameters whose optimizer update this GPU runs.
  ///
  /// Its ZeRO/FSDP shard, and of the experts its 1/E (expert parallelism) further sharded over
  /// the rest of the group.
  /// AdaLomo computes each update on the whole tensor on every rank (`fuse_update_zero3`
  /// slices only the final add).
  package static func updatedShare(_ s: TrainingSetup, _ inv: ParameterInventory) -> Double {
    let partitioned = s.parallel.shardsStates && s.optimizer.kind.family.shardsStatesWithZeRO
    let shards = Double(partitioned ? s.shardDegree : 1)
    let ep = s.expertParallel
    guard ep > 1, inv.expertParameters > 0 else { return 1 / shards }
    let group = s.shardDegree * s.stageView.expertFold
    let expertShards = Double(ep) * Double(s.parallel.shardsStates ? max(1, group / ep) : 1)
    let experts = Double(inv.expertParameters), total = Double(inv.parameters)
    return ((total - experts) / shards + experts / expertShards) / total
  }

  /// Expert parallelism's token exchange (Megatron's and torchtitan's all-to-all token
  /// dispatcher): in every MoE layer each token's hidden state goes to the GPUs of its
  /// `experts_per_token` experts and comes back, forward and again backward — four
  /// all-to-alls, each sending (E−1)/E of t · k · h elements, on the critical path.
  ///
  /// Under Megatron's tensor and sequence parallelism each GPU dispatches its sequence share
  /// (1/t of the tokens); with expert tensor parallelism above 1 the tokens an expert receives
  /// are then all-gathered over its ETP ranks (and reduce-scattered back). The group spans ETP ×
  /// EP consecutive ranks (Megatron's expert rank order), so folding ETP below t keeps it in
  /// fewer nodes.
  ///
  /// Under a capacity the tokens sent are the ones kept (or padded to it). The all-gather
  /// dispatcher instead gathers every GPU's tokens (t · h each, not t · k · h) over the group
  /// and reduce-scatters the outputs, at a ring's bus bandwidth.
  package static func allToAllSeconds(_ s: TrainingSetup) -> Double {
    let ep = s.expertParallel
    guard ep > 1, let moe = s.model.moe else { return 0 }
    let view = s.stageView
    let local =
      Double(s.tokensPerMicroBatch) / Double(view.dispatchDivisor) * Double(s.model.hidden)
      * Double(s.precision.activationBytes)
    let dispatched = local * Double(moe.perToken) * s.routing.expertLoad
    let bytes = dispatched * Double(ep - 1) / Double(ep)
    // Placement: a whole model's EP ranks are data-parallel neighbours; a stage's span ETP × EP.
    let nodes = view.expertSpan > 1 ? max(1, (view.expertSpan + view.nodeGPUs - 1) / view.nodeGPUs) : 1
    let perNode = view.expertSpan > 1 ? max(1, ep / nodes) : min(ep, s.nodeSize)
    let group = CollectiveGroup(
      gpus: ep, perNode: perNode, intra: s.intraNodeLink, inter: s.interNodeLink, nvlink: s.gpu.nvlinkPeers)
    var one =
      s.routing.dispatcher == .allgather
      ? group.allGather(local * Double(ep))
      : bytes / group.allToAllBandwidth + group.latency(steps: ep - 1, interSteps: group.nodes - 1)
    let etp = view.expertSpan / ep
    if etp > 1 {
      let ranks = CollectiveGroup(
        gpus: etp, perNode: min(etp, view.nodeGPUs), intra: s.intraNodeLink, inter: s.interNodeLink,
        nvlink: s.gpu.nvlinkPeers)
      one += ranks.allGather(dispatched * Double(etp))
    }
    return 4 * Double(s.model.moeLayers) * one
  }

  /// Offload traffic inside the micro-batches, beyond the compute it overlaps: offloaded
  /// activations go down in forward and up in backward; offloaded parameters come up for each
  /// all-gather (forward, backward and a recomputed forward).
  package static func offloadExposedSeconds(_ s: TrainingSetup, _ inv: ParameterInventory, _ microBatch: Double)
    -> Double
  {
    guard s.offload.activations || s.offload.parameters else { return 0 }
    let link = s.gpu.hostLinkBandwidth * HostModel.hostLinkEfficiency
    var traffic = 0.0
    if s.offload.activations { traffic += 2 * Double(MemoryModel.offloadedActivations(s)) / link }
    if s.offload.parameters {
      let shard = Double(MemoryModel.weightBytes(s, inv)) / Double(max(1, s.shardDegree))
      traffic += shard * (2 + Double(s.recomputedLayers) / Double(s.model.layers)) / link
    }
    // The copies share the compute they hide behind with the overlapped collectives: in a
    // micro-batch that also runs them, both together are exposed beyond the compute.
    let all = collectives(s, inv)
    func beyond(reduces: Bool, last: Bool = false) -> Double {
      let c = overlapped(all, reduces: reduces, last: last)
      let collectives = max(0, c.forward - microBatch / 3) + max(0, c.backward - microBatch * 2 / 3)
      return max(collectives, c.forward + c.backward + traffic - microBatch) - collectives
    }
    // The last micro-batch reduces and runs the once-per-step reductions; of the others,
    // `reducing - 1` reduce.
    let reducing = reducingMicroBatches(s)
    return beyond(reduces: true, last: true) + (reducing - 1) * beyond(reduces: true)
      + (Double(s.accumulation) - reducing) * beyond(reduces: false)
  }
}
