/// torch.optim.Muon (`torch/optim/_muon.py`): "Muon only supports 2D parameters".
///
/// A momentum buffer (`zeros_like(grad)`) for each hidden matrix; embeddings, lm_head and
/// vectors go to AdamW, as its documentation requires.
package struct Muon: OptimizerFamily {
  package var summary: StaticString {
    "torch.optim.Muon: one momentum per hidden matrix, Newton–Schulz orthogonalised; AdamW on the rest"
  }
  package var defaultImplementation: StepImplementation { .loop }

  /// Element accesses per parameter of the momentum update: `lerp_` of the buffer, the
  /// Nesterov `grad.lerp` copy, the bf16 cast, the scaled `add_` to the weight: 8 (derived); the
  /// AdamW group is counted with it.
  package static let momentumAccesses = 8.0
  /// `DEFAULT_NS_STEPS` in `torch/optim/_muon.py`.
  package static let newtonSchulzSteps = 5.0

  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    var s = OptimizerStateBytes()
    if t.role == .projection || t.role == .router || t.role == .adapter && t.isMatrix {
      s.regularMoments = t.elements * p
    } else {
      s.regularMoments = 2 * t.elements * p
      s.scalars = 4
    }
    return s
  }

  /// The Nesterov `grad.lerp(buf)` copy, its bf16 cast and the Gram matrices (min side²) of the
  /// Newton–Schulz step; AdamW's two copies on the rest.
  package func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64 {
    let n = t.elements
    return t.role == .projection ? n * p + n * 2 + 2 * t.minSide * t.minSide * 2 : 2 * n * p
  }

  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  { Muon.momentumAccesses * p }

  /// Each hidden matrix's momentum orthogonalised by 5 Newton–Schulz iterations in bf16: X Xᵀ,
  /// its square, and the product with X, on the m × n matrix with m its smaller side.
  package func extraStepSeconds(_ s: TrainingSetup, _ inv: ParameterInventory, _ roof: Roofline) -> Double {
    var seconds = 0.0
    for t in inv.tensors where t.role == .projection || t.role == .router {
      let m = Double(t.minSide), n = Double(t.maxSide)
      let iteration =
        roof.gemmSeconds(m, n, m, elementSize: 2) + roof.gemmSeconds(m, m, m, elementSize: 2)
        + roof.gemmSeconds(m, m, n, elementSize: 2)
      seconds += Double(t.count) * Muon.newtonSchulzSteps * iteration
    }
    return seconds
  }
}
