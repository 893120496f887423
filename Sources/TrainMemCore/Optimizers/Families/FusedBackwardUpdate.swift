/// LOMO and AdaLomo (`lomo_optim`, OpenLMLab/LOMO 45d4bac; the Hugging Face Trainer's
/// `optim="lomo"`/`"adalomo"`, run by accelerate's `lomo_backward`): the update is fused into
/// backward, so no full gradient is ever held.
///
/// Each trainable parameter gets a tensor hook (`p.register_hook(self.grad_func)`). When a
/// gradient is computed, the hook walks every named parameter and updates the ones whose
/// `.grad` has arrived since: `grad_fp32 = p.grad.to(float32)`, `p.grad = None`, the update in
/// fp32, `p.data.copy_(p_fp32)`. LOMO is SGD without momentum (Lv et al. 2023); AdaLomo adds
/// Adafactor's factored second moments and update clipping (Lv et al. 2024).
///
/// Under DeepSpeed ZeRO-3 (`fuse_update_zero3`) the hook all-reduces each full gradient
/// (`async_op=False`) and updates this rank's partition. AdaLomo's row and column moments are
/// allocated on the full shape on every rank (`p.ds_shape`), not partitioned.
package struct FusedBackwardUpdate: OptimizerFamily {
  /// AdaLomo, not LOMO.
  package let adaptive: Bool

  package var summary: StaticString {
    adaptive
      ? "AdaLomo (lomo_optim): factored fp32 second moments, the update fused into backward"
      : "LOMO (lomo_optim): SGD fused into backward, no gradients or states held"
  }
  /// The hook's Python loop over parameters.
  package var defaultImplementation: StepImplementation { .loop }
  package var updatesInBackward: Bool { true }
  package var shardsStatesWithZeRO: Bool { !adaptive }

  /// AdaLomo's fp32 moments; LOMO keeps nothing.
  ///
  /// AdaLomo: `exp_avg_sq_row` and `exp_avg_sq_col` for a matrix, `exp_avg_sq` for a vector.
  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    var s = OptimizerStateBytes()
    if adaptive { s.regularMoments = t.isMatrix ? (t.rows + t.cols) * 4 : t.elements * 4 }
    return s
  }

  /// The hook's update of one tensor at its largest instant, its own gradient included.
  ///
  /// With bf16 parameters: LOMO holds `grad_fp32` and `p_fp32` once `p.grad` is freed (8n
  /// bytes); AdaLomo's `grad_fp32 ** 2 + eps` holds three fp32 tensors at once (`grad_fp32`,
  /// the square, the sum), as later `grad_fp32`, the update and `p_fp32` do (12n). With fp32
  /// parameters `.to(float32)` returns the tensor itself: LOMO holds only the gradient (4n),
  /// AdaLomo still 12n. Under ZeRO-3 LOMO's `p_fp32` is this rank's partition (`ds_tensor`):
  /// the bf16 gradient with its fp32 copy, then the copy with the fp32 partition — max(6n, 4n +
  /// 4n/d), 8n on one GPU as without ZeRO.
  package func hookPeak(_ n: Int64, paramBytes p: Int64, shards d: Int64) -> Int64 {
    if adaptive { return 12 * n }
    return p == 4 ? 4 * n : max(n * p + 4 * n, 4 * n + 4 * n / max(1, d))
  }

  /// The per-tensor loop's temporaries: the hook's peak outside ZeRO-3.
  package func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64 {
    hookPeak(t.elements, paramBytes: p, shards: 1)
  }

  /// The hook's peak, and the gradient of the parameter whose hook runs this update, which is
  /// alive too: counted as one more gradient of the same size (assumed: backward reaches a
  /// layer's like-sized projections one after another).
  package func backwardUpdatePeak(
    _ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64, shards d: Int64
  ) -> Int64 {
    hookPeak(t.elements, paramBytes: p, shards: d) + t.elements * p
  }

  /// Bytes moved per parameter by the hook's kernels (derived from the code above).
  ///
  /// LOMO, bf16:
  /// `.to(float32)` 6, `p.data.to` 6, `add_` 12, `copy_` 6 = 30; fp32: `add_` only, 12. AdaLomo,
  /// bf16: the two casts 12, `div_` 8, square 8, `+ eps` 8, the row and column means 8, the
  /// outer product 4, `mul_` 12, the RMS norm 4, `div_` 8, the parameter norm 4, `add_` 12,
  /// `copy_` 6 = 94; fp32: without the casts and the copy onto itself, 76.
  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  {
    switch (adaptive, p == 4) {
    case (false, false): return 30
    case (false, true): return 12
    case (true, false): return 94
    case (true, true): return 76
    }
  }

  /// Python time of one iteration of the hook's `for n, p in self.model.named_parameters()` with
  /// its two attribute checks (assumed: a CPython generator step through the module tree).
  package static let secondsPerParameterVisit = 5.0e-7

  /// Every hook walks every parameter: tensors² visits per step, beside the per-tensor update
  /// the loop's host time already counts.
  package func extraStepSeconds(_ s: TrainingSetup, _ inv: ParameterInventory, _ roof: Roofline) -> Double {
    let tensors = Double(inv.tensorCount)
    return tensors * tensors * Self.secondsPerParameterVisit
  }
}
