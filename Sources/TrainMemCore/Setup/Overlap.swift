// The switches frameworks document for overlapping their data-parallel communication with
// compute, each at its framework's default; `ThroughputModel.collectives` reads them and
// `MemoryModel` prices the buffers and copies they keep.

/// Overlap switches, each named as its framework names it.
package struct Overlap: Sendable, Equatable {
  /// Megatron-LM `overlap_grad_reduce`: reduce the gradients bucket by bucket during the last
  /// micro-batch's backward (`DistributedDataParallelConfig.overlap_grad_reduce = False`;
  /// Megatron-Bridge's pretraining recipes set it).
  package var gradReduce = false
  /// Megatron-LM `overlap_param_gather`: all-gather the distributed optimizer's updated
  /// weights behind the next step's first forward (default False).
  package var paramGather = false
  /// DeepSpeed `overlap_comm`: reduce gradients on a side stream during backward, with a second
  /// reduce bucket at stages 1 and 2; nil is DeepSpeed's default, on at stage 3 only
  /// (deepspeed/runtime/zero/config.py `overlap_comm_valid`).
  package var comm: Bool? = nil
  /// FSDP `reshard_after_forward` (FSDP2 `fully_shard`, default True; FSDP1's
  /// `SHARD_GRAD_OP` is False): False keeps each layer's gathered weights from its forward to
  /// its backward, so backward gathers nothing.
  package var reshardAfterForward = true

  package init() {}
}

extension TrainingSetup {
  /// Whether DeepSpeed overlaps its gradient reduction with backward.
  package var overlapsComm: Bool { overlap.comm ?? (parallel == .zero3) }
}

extension TrainingSetup {
  /// Who issues the data-parallel collectives, as reports name them.
  package var collectiveOwner: String {
    if megatron { return parallel == .ddp ? "Megatron DDP" : "Megatron distributed optimizer" }
    switch parallel {
    case .none: return "none"
    case .ddp: return "DDP"
    case .zero1: return "ZeRO-1"
    case .zero2: return "ZeRO-2"
    case .zero3: return "ZeRO-3"
    case .fsdp: return "FSDP"
    case .hsdp: return "HSDP"
    }
  }
}

extension Parallelism {
  /// DeepSpeed's ZeRO stages.
  package var isZeRO: Bool { self == .zero1 || self == .zero2 || self == .zero3 }
}

extension TrainingSetup {
  /// Overlap switches set where their framework does not run (each would change nothing).
  package func overlapProblems() -> [SetupProblem] {
    var out: [SetupProblem] = []
    func refuse(_ id: SettingID, _ owner: String) {
      out.append(SetupProblem(setting: id, reason: .notThisFramework(id, owner)))
    }
    let megatronDataParallel = megatron && (parallel == .ddp || parallel == .zero1 || parallel == .zero2)
    if overlap.gradReduce && !megatronDataParallel {
      refuse(.overlapGradReduce, "Megatron (precision: bf16, master_weights: fp32, parallel: ddp or zero1)")
    }
    if overlap.paramGather && !(megatron && parallel.shardsStates && !parallel.shardsWeights) {
      refuse(
        .overlapParamGather, "Megatron's distributed optimizer (precision: bf16, master_weights: fp32, parallel: zero1)"
      )
    }
    if overlap.comm != nil && !(parallel.isZeRO && !megatron) {
      refuse(.overlapComm, "DeepSpeed ZeRO (parallel: zero1, zero2 or zero3)")
    }
    if !overlap.reshardAfterForward && parallel != .fsdp && parallel != .hsdp {
      refuse(.reshardAfterForward, "FSDP (parallel: fsdp or hsdp)")
    }
    return out
  }
}
