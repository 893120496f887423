// How far a prediction may be off: the worst error of the `validate` figures (docs/validation.md,
// and `trainmem validate`) that cover a setup, rounded up. Measured, not fitted: each band names the
// figures it comes from, and a setup no figure covers says so.

/// The error band of a setup's memory and speed predictions, as fractions (0.05 = ±5%).
package struct ErrorBand: Sendable, Equatable {
  package var memory: Double
  package var throughput: Double
  /// False when no published or measured figure covers this GPU family's speed.
  package var throughputChecked: Bool

  package init(_ s: TrainingSetup) { self.init(Coverage(s)) }

  package init(_ c: Coverage) {
    memory = Self.memoryBand(c)
    (throughput, throughputChecked) = Self.throughputBand(c)
  }

  /// Peak memory.
  ///
  /// LLaMA on the H200 without sharding or fine-tuning levers: the 18 calibration
  /// peaks, worst 0.3% → ±1%. Other GPUs: APOLLO Fig. 1 and GaLore/Q-GaLore memory figures on
  /// A100/RTX 4090 (DDP included), worst −3.5% → ±5%. Sharding: the ZeRO paper exact, torchtitan and fms-fsdp
  /// runs fit as published → ±10%. Other architectures: GPT-2 7.3%, Qwen2 FSDP 0.5% → ±10%.
  /// Adapters, freezing, offload, paging: 22 published peaks, unsloth's context +12.8%,
  /// litgpt 8.7% → ±15%. Mixtures of experts: of the six GPT-OSS and Llama 4 framework peaks in
  /// `validate`, two within 6%, two 18–20% off (axolotl's own kernels and buffers) and two
  /// further (Unsloth's kernels 39%, an approximate FSDP2-offload figure 57%) → ±20%, which
  /// covers four of them.
  package static func memoryBand(_ c: Coverage) -> Double {
    var band = c.onCalibrationGPU ? 0.01 : 0.05
    if c.shardedStates || !c.llama || c.modelParallel { band = max(band, 0.10) }
    if c.fineTuningLevers { band = max(band, 0.15) }
    if c.mixtureOfExperts { band = max(band, 0.20) }
    return band
  }

  /// Tokens/s.
  ///
  /// Hopper: the H200 steps, worst 14.1% → ±15%. Ampere: APOLLO Table 7 within 25%,
  /// FSDP runs on 64–128 GPUs 1–25% slow → ±25%. Ada: the GaLore authors' RTX 4090 step, predicted 1.9×
  /// slow → ±50%. Blackwell: NVIDIA's Megatron-Bridge FP8 steps on B200 and GB200 within 9%
  /// (torchao's power-limited B200 aside) → ±25%. CDNA 3: FP8 gains checked (torchao, within
  /// 12%), absolute speed not (MI300X 27% slower than modelled) → ±50%, unchecked; Volta,
  /// Turing and CDNA 4: no figure → ±50%, unchecked. FP8 recipes add ±10%
  /// at least (ratios within 12%). Longer sequences than the
  /// calibrated 2,048, fine-tuning levers (torch.compile unmodelled: torchtune 9%, litgpt) and
  /// sharding each widen it to at least ±25%; ZeRO-3/FSDP on cards without peer-to-peer hang on
  /// a host path the catalog cannot know (LOMO's 8 RTX 3090 ran 2.7× slower than a dedicated
  /// PCIe 4.0 link per GPU gives; within 13% with the shared uplinks its rows imply) → ±75%.
  /// Mixtures of experts: of the 25 MoE step figures in `validate` (Megatron-Core's ModelZoo and
  /// recipes, dgxc, AutoModel, axolotl), 7 within their 25–30% and most of the rest 28–66% off
  /// (DeepEP, natural routing's imbalance, attention sinks; three further: a2a context
  /// parallelism, FSDP-QLoRA gathers, an ambiguous layout) → ±50%.
  package static func throughputBand(_ c: Coverage) -> (Double, Bool) {
    var band: Double
    switch c.architecture {
    case .hopper: band = 0.15
    case .ampere, .blackwell: band = 0.25
    case .ada, .volta, .turing, .cdna3, .cdna4: band = 0.50
    }
    if c.longSequence || c.fineTuningLevers || c.dataParallel || !c.llama { band = max(band, 0.25) }
    if c.hostPathGathers { band = max(band, 0.75) }
    if c.fp8 != nil || c.modelParallel { band = max(band, 0.25) }
    if c.mixtureOfExperts { band = max(band, 0.50) }
    return (band, c.architecture.throughputChecked)
  }

  /// When a run fits by less than the memory band: it may not fit on a real GPU.
  package func headroomWarning(_ m: MemoryEstimate) -> String? {
    let uncertainty = Bytes(Checked.bytes(Double(m.required) * memory))
    guard m.fits && !m.narrow && m.headroom < uncertainty.count else { return nil }
    return
      "The \(Bytes(m.headroom)) to spare is inside the estimate's ±\(Self.points(memory)) (\(uncertainty)): it may "
      + "not fit on the GPU; keep a margin (`margin: 5%`, `--margin 5%`)."
  }

  package static func points(_ fraction: Double) -> String { NumberFormatting.fixed(fraction * 100, 0) + "%" }

  /// "peak ±1%, tokens/s ±15%" (with "unchecked" when no figure covers the speed).
  package var summary: String {
    "peak memory ±\(Self.points(memory)), tokens/s ±\(Self.points(throughput))"
      + (throughputChecked ? "" : " (no published speed figure for this GPU family)")
  }
}
