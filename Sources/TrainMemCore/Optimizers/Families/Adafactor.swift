/// transformers Adafactor with `beta1=None`: no first moment.
///
/// A 2-D tensor keeps fp32 row and column second moments, a vector a full fp32 one.
package struct Adafactor: OptimizerFamily {
  package var summary: StaticString { "transformers Adafactor: factored fp32 second moments, no first moment" }
  package var defaultImplementation: StepImplementation { .loop }

  /// Bytes per parameter: the upcast parameter and gradient, the factored statistics, the
  /// update, its RMS clip and the write back, about 12 fp32 accesses (derived from
  /// transformers `Adafactor.step`).
  package static let stepBytes = 48.0

  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    var s = OptimizerStateBytes()
    s.regularMoments = t.isMatrix ? (t.rows + t.cols) * 4 : t.elements * 4
    s.scalars = 4
    return s
  }
  /// fp32 copies of the parameter and gradient and a full-size update.
  package func tensorTransient(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64) -> Int64 {
    3 * t.elements * 4
  }
  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  { Adafactor.stepBytes }
}
