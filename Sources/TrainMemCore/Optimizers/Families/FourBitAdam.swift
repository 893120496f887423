/// torchao `AdamW4bit`.
///
/// Two 4-bit moments (half a byte each) with an fp32 scale per 128, for tensors of at least
/// 4,096 elements divisible by 128; the rest `zeros_like` in the parameter's dtype.
package struct FourBitAdam: InPlaceUpdate {
  package var summary: StaticString { "torchao AdamW4bit: 4-bit moments with an fp32 scale per 128" }
  /// One compiled kernel per tensor.
  package var defaultImplementation: StepImplementation { .fused }

  package func states(_ t: TensorGroup, _ o: OptimizerConfig, rank r: Int64, paramBytes p: Int64)
    -> OptimizerStateBytes
  {
    let n = t.elements
    var s = OptimizerStateBytes()
    s.regularMoments = n >= 4096 && n % 128 == 0 ? 2 * (n / 2 + n / 128 * 4) : 2 * n * p
    s.scalars = 4
    return s
  }
  /// One compiled kernel: p and g read, p written, two half-byte moments read and written with
  /// their scales (derived).
  package func regularStepBytes(_ o: OptimizerConfig, implementation: StepImplementation, paramBytes p: Double)
    -> Double
  {
    3 * p + 2 * 2 * (0.5 + 4.0 / 128)
  }
}
