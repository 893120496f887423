// How each framework holds weights, gradients and the fp32 master copy for a precision and a
// parallel mode. One precision setting means different tensors under different
// frameworks, so the memory and throughput models read this policy, never `precision` alone.

/// Where an fp32 master copy lives, when training keeps one.
public enum MasterWeights: String, Sendable, CaseIterable {
  /// No separate copy: the weights are the master (pure bf16, fp32, autocast, FSDP).
  case none
  /// bf16 working weights, and an fp32 copy the optimizer updates and shards with its moments
  /// (Megatron `Float16OptimizerWithFloat16Params` / `DistributedOptimizer`, DeepSpeed
  /// `bf16`/`fp16` with ZeRO).
  case fp32
}

/// The dtype gradients are kept and reduced in.
public enum GradientDType: String, Sendable, CaseIterable { case fp32, bf16 }

/// The tensors one precision mode makes a framework hold.
package struct PrecisionPolicy: Sendable, Equatable {
  package enum Kind: String, Sendable {
    /// `model.to(torch.bfloat16)`: weights, gradients and states in bf16.
    case pureBF16 = "pure bf16"
    case fp32
    /// torch.autocast over fp32 parameters (HF Trainer `bf16=True`, DDP): a bf16 copy of each
    /// matmul weight is cached for the step and saved for backward.
    case autocast = "torch.autocast"
    /// FSDP `MixedPrecision(param_dtype=bf16)` / FSDP2 `MixedPrecisionPolicy`: the sharded
    /// fp32 parameters are the master; bf16 copies are all-gathered one unit at a time.
    case fsdp = "FSDP MixedPrecision"
    /// Megatron/DeepSpeed: bf16 working weights, fp32 master in the optimizer.
    case masterWeights = "bf16 weights + fp32 master"
  }

  package var kind: Kind
  /// Bytes per element of the weights the GPU holds (before ZeRO-3/FSDP sharding).
  package var weightBytes: Int64
  /// Bytes per element of the fp32 master copy the optimizer holds; 0 without one.
  package var masterBytes: Int64
  /// Bytes per element of the gradients held between backward and the optimizer step.
  package var gradientBytes: Int64
  /// Bytes per element gradients are reduced in (DDP all-reduce, ZeRO/FSDP reduce-scatter).
  package var reduceBytes: Int64
  /// Bytes per element of the weights matmuls read: gathered ZeRO-3/FSDP layers, autocast
  /// copies.
  package var computeBytes: Int64
  /// Bytes per element of the moments (`zeros_like` of the parameter the optimizer updates).
  package var stateBytes: Int64

  package var autocastCopies: Bool { kind == .autocast }
  /// Element size of the residual stream and norm outputs: fp32 only when the parameters the
  /// forward sees are fp32 (autocast leaves the embedding output and residual adds in fp32).
  package var residualBytes: Int64 { kind == .autocast || kind == .fp32 ? 4 : 2 }

  /// The policy a setup's settings select (docs/scenario-format.md, "Precision and sharding").
  ///
  /// - `bf16`: pure bf16, or with `master_weights: fp32` Megatron's mixed precision, whose
  ///   gradients accumulate in fp32 by default (Megatron-LM `arguments.py`: "bfloat16 requires
  ///   gradient accumulation and all-reduce to be done in fp32").
  /// - `mixed` without sharding: torch.autocast; under `fsdp`/`hsdp`: FSDP MixedPrecision,
  ///   reducing in bf16 (FSDP's `reduce_dtype` defaults to `param_dtype`); under `zero1`–`zero3`:
  ///   DeepSpeed's `bf16` mode, bf16 gradients as the ZeRO paper counts them (§3.1: 2Ψ + 2Ψ + KΨ).
  /// - `gradient_dtype` overrides the gradient dtype where the framework lets it be chosen.
  package static func of(
    precision: Precision, parallel: Parallelism, master: MasterWeights?, gradients: GradientDType?
  ) -> PrecisionPolicy {
    let chosen = gradients.map { $0 == .fp32 ? Int64(4) : 2 }
    switch precision {
    case .fp32:
      return PrecisionPolicy(
        kind: .fp32, weightBytes: 4, masterBytes: 0, gradientBytes: 4, reduceBytes: 4, computeBytes: 4, stateBytes: 4)
    case .bf16 where master == .fp32:
      let g = chosen ?? 4
      return PrecisionPolicy(
        kind: .masterWeights, weightBytes: 2, masterBytes: 4, gradientBytes: g, reduceBytes: g, computeBytes: 2,
        stateBytes: 4)
    case .bf16:
      return PrecisionPolicy(
        kind: .pureBF16, weightBytes: 2, masterBytes: 0, gradientBytes: 2, reduceBytes: 2, computeBytes: 2,
        stateBytes: 2)
    case .mixed:
      switch parallel {
      case .none, .ddp:
        return PrecisionPolicy(
          kind: .autocast, weightBytes: 4, masterBytes: 0, gradientBytes: 4, reduceBytes: 4, computeBytes: 2,
          stateBytes: 4)
      case .fsdp, .hsdp:
        return PrecisionPolicy(
          kind: .fsdp, weightBytes: 4, masterBytes: 0, gradientBytes: 4, reduceBytes: chosen ?? 2, computeBytes: 2,
          stateBytes: 4)
      case .zero1, .zero2, .zero3:
        let g = chosen ?? 2
        return PrecisionPolicy(
          kind: .masterWeights, weightBytes: 2, masterBytes: 4, gradientBytes: g, reduceBytes: g, computeBytes: 2,
          stateBytes: 4)
      }
    }
  }

  /// What this policy is in the frameworks people use, for reports.
  package var frameworkSetting: String {
    switch kind {
    case .pureBF16: return "pure bf16: model.to(torch.bfloat16), the GaLore/APOLLO scripts' --dtype bfloat16"
    case .fp32: return "fp32 with TF32 matmuls"
    case .autocast: return "fp32 weights under torch.autocast: HF Trainer bf16=True"
    case .fsdp:
      return "FSDP MixedPrecision: sharded fp32 master, bf16 layers gathered, gradients reduced in "
        + (reduceBytes == 4 ? "fp32" : "bf16")
    case .masterWeights:
      return "bf16 weights, fp32 master copy in the optimizer, \(gradientBytes == 4 ? "fp32" : "bf16") gradients"
        + " (Megatron / DeepSpeed)"
    }
  }
}
