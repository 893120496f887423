// DeepSpeed ZeRO-3's sizes that decide its memory, each named and defaulted as
// deepspeed/runtime/zero/config.py (DeepSpeed @ edaa722) declares it.

/// ZeRO-3's buckets and groups, in elements; nil is DeepSpeed's default.
package struct DeepSpeedZeRO3: Sendable, Equatable {
  /// `sub_group_size` (default 1e9): stage3.py `_create_fp16_sub_groups` cuts each GPU's
  /// partition into sub-groups of about this many elements, and `step` prepares, updates and
  /// releases one at a time — its fp32 gradient copy is one sub-group's, not the partition's.
  package var subGroupSize: Int64? = nil
  /// `stage3_max_live_parameters` (default 1e9): the most parameters gathered at once
  /// (partitioned_param_coordinator.py `__max_n_available_params`).
  package var maxLiveParameters: Int64? = nil
  /// `stage3_prefetch_bucket_size` (default 5e7; the docs page says 5e8, the code wins): the
  /// parameters gathered ahead of the module in use.
  package var prefetchBucketSize: Int64? = nil

  package static let defaultSubGroupSize: Int64 = 1_000_000_000
  package static let defaultMaxLiveParameters: Int64 = 1_000_000_000
  package static let defaultPrefetchBucketSize: Int64 = 50_000_000

  package var subGroup: Int64 { subGroupSize ?? Self.defaultSubGroupSize }
  package var maxLive: Int64 { maxLiveParameters ?? Self.defaultMaxLiveParameters }
  package var prefetch: Int64 { prefetchBucketSize ?? Self.defaultPrefetchBucketSize }
  /// Whether any size was given (they apply to DeepSpeed ZeRO-3 only).
  package var isSet: Bool { subGroupSize != nil || maxLiveParameters != nil || prefetchBucketSize != nil }

  package init() {}
}

extension TrainingSetup {
  /// Whether DeepSpeed wraps ZeRO-1 in its BF16_Optimizer: a bf16 model whose gradients
  /// accumulate in fp32.
  ///
  /// `data_types.grad_accum_dtype`; engine.py `_do_optimizer_sanity_check`: stage 1, no CPU
  /// offload. It keeps the bf16 gradients autograd writes beside a full, unsharded
  /// fp32 buffer it accumulates them into (bf16_optimizer.py: `fp32_groups_gradients_flat =
  /// torch.zeros_like(bf16_groups_flat, dtype=grad_acc_dtype)`; `backward_epilogue` adds each
  /// `lp.grad` and, with `clear_lp_grads=False`, keeps it).
  package var usesBF16Optimizer: Bool {
    parallel == .zero1 && !megatron && policy.computeBytes == 2 && policy.gradientBytes == 4 && !offload.optimizer
      && !offload.parameters && lora == nil
  }

  /// The fp32 copy of one optimizer sub-group's gradients, with the flattened bf16 one it is
  /// cast from (stage3.py `_prepare_fp32_grad_for_sub_group`: `self.flatten(...).to(fp32)`),
  /// in elements: a sub-group closes once it reaches `sub_group_size`, so it may overrun by
  /// one tensor's partition; never more than the GPU's partition.
  package func zero3SubGroupElements(partition: Int64, largestTensor: Int64) -> Int64 {
    min(partition, zero3.subGroup + max(0, largestTensor / max(1, shardDegree) - 1))
  }

  /// DeepSpeed ZeRO-3 sizes given where DeepSpeed ZeRO-3 does not run.
  package func zero3Problems() -> [SetupProblem] {
    guard parallel != .zero3 || megatron else { return [] }
    let owner = "DeepSpeed ZeRO-3 (parallel: zero3)"
    var out: [SetupProblem] = []
    if zero3.subGroupSize != nil {
      out.append(SetupProblem(setting: .subGroupSize, reason: .notThisFramework(.subGroupSize, owner)))
    }
    if zero3.maxLiveParameters != nil {
      out.append(
        SetupProblem(setting: .stage3MaxLiveParameters, reason: .notThisFramework(.stage3MaxLiveParameters, owner)))
    }
    if zero3.prefetchBucketSize != nil {
      out.append(
        SetupProblem(
          setting: .stage3PrefetchBucketSize, reason: .notThisFramework(.stage3PrefetchBucketSize, owner)))
    }
    return out
  }
}
