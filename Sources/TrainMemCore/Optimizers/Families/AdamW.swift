/// torch.optim.AdamW.
///
/// `exp_avg` and `exp_avg_sq` are `zeros_like(p)` (2 · mn · bytes(param)) and each parameter
/// has a 0-dim fp32 `step` tensor (torch.optim.AdamW `_init_group`; the calibration's 7B row is
/// 4 · P + 4 · 291 bytes).
package struct AdamW: OptimizerFamily {
  package var summary: StaticString { "torch.optim.AdamW: two moments per parameter" }
  /// torch defaults to foreach on CUDA; a paged AdamW is bitsandbytes' PagedAdamW32bit, one
  /// fused kernel that updates in place.
  package var defaultImplementation: StepImplementation { .foreach }

  /// Element accesses per parameter of torch `_multi_tensor_adamw` (foreach) or the loop: 19.
  ///
  /// lerp m 3, mul v 2, addcmul v 4, sqrt 2, div 2, add 2, addcdiv 4 = 19. Calibration 7B
  /// AdamW: 59.5 ms predicted for the step's traffic (derived).
  package static let unfusedAccesses = 19.0
  /// torch `_fused_adamw`: p, g, m, v read, p, m, v written (derived).
  package static let fusedAccesses = 7.0

  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    var s = OptimizerStateBytes()
    s.regularMoments = 2 * t.elements * p
    s.scalars = 4
    return s
  }

  /// `denom = exp_avg_sq.sqrt().add_(eps)` and `exp_avg / denom`: two copies of the tensor
  /// (measured: calibration 7B APOLLO's regular group, step peak − after backward = 2 × lm_head).
  package func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64 {
    2 * t.elements * p
  }

  /// `_foreach_sqrt(exp_avg_sqs)` makes one buffer per parameter at once: P · bytes(param)
  /// (measured: calibration 7B AdamW, step peak − after backward = 4 · P · 2 − 3 · P · 2 exactly).
  package func foreachTransient(_ inv: ParameterInventory, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> Int64
  {
    inv.parameters * p
  }

  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  {
    AdamW.accesses(implementation) * p
  }

  /// Accesses per parameter for the implementation the run uses.
  package static func accesses(_ implementation: StepImplementation) -> Double {
    implementation == .fused ? fusedAccesses : unfusedAccesses
  }
}
