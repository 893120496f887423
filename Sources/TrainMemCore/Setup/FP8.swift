// FP8 training: the decoder layers' linears run their three matmuls (y = xWᵀ,
// dx = dy·W, dW = dyᵀ·x) on FP8 tensor cores, with the casts and scales each recipe pays; the
// master weights, gradients and optimizer states keep the precision policy's dtypes; the
// embedding, the output head, routers, norms, the attention core and elementwise work stay in
// bf16 (torchtitan `filter_fqns=["output"]`; DeepSeek-V3 §3.3.1). Each doc comment below
// names the recipe's source file.

/// The matmul dtype of the decoder layers' linears (`matmul_precision`).
public enum MatmulPrecision: String, Sendable, CaseIterable {
  case bf16, fp8
}

/// How an FP8 recipe scales, keeps and saves its tensors.
public enum FP8Recipe: String, Sendable, CaseIterable {
  /// torchao Float8 with dynamic tensor-wise scales (torchtitan's default `float8` converter):
  /// an FP8 weight made in every forward and backward and never cached, the bf16 input saved
  /// for backward (`float8_linear.py`: autograd saves the high-precision tensors, so activation
  /// memory is unchanged — torchao's table: 47.65 GB bf16, 47.77 GB tensorwise), and under
  /// FSDP2 the weights all-gathered in FP8 (`enable_fsdp_float8_all_gather`).
  case tensorwise
  /// torchao rowwise scales (e4m3 everywhere): as tensorwise, without the FP8 all-gather, with
  /// costlier casts (an amax per row).
  case rowwise
  /// NVIDIA Transformer Engine's DelayedScaling (Megatron): scales from an amax history, the
  /// FP8 weight cast once per step and cached across micro-batches (`is_first_microbatch`),
  /// kept in both layouts on Hopper and Ada (their FP8 GEMMs take only the TN layout) and in
  /// one on Blackwell; linear inputs saved for backward in FP8 (their transposes).
  case delayed
  /// Transformer Engine's MXFP8BlockScaling (B200/GB200/B300 only): 32-element blocks with
  /// an 8-bit exponent scale (1 + 1/32 bytes per element), both layouts of weights and saved
  /// inputs (the blocks run along different axes).
  case mxfp8
  /// DeepSeek-V3's tile-wise scaling (1 × 128 activations, 128 × 128 weights), as Transformer
  /// Engine's Float8BlockScaling runs it on Hopper: FP8 saved inputs, FP8 weights in both
  /// layouts, scales per 128 elements.
  case blockwise

  /// Bytes per element of a linear input saved for backward: nil when the recipe saves the
  /// bf16 tensor as without FP8 (torchao).
  package var savedInputBytes: Double? {
    switch self {
    case .tensorwise, .rowwise: return nil
    case .delayed: return 1
    case .mxfp8: return 1 + 1.0 / 32
    case .blockwise: return 1 + 4.0 / 128
    }
  }

  /// Bytes per parameter of the FP8 weight copies kept from the first micro-batch to the
  /// step (Transformer Engine's cache): two layouts where the GPU's FP8 GEMMs need the
  /// transpose, one on block-scaled Blackwell; MXFP8 keeps both layouts with 1/32 scales.
  package func cachedWeightBytes(_ gpu: GPUSpec) -> Double {
    switch self {
    case .tensorwise, .rowwise: return 0
    case .delayed: return gpu.blockScaledFP8 ? 1 : 2
    case .mxfp8: return 2 * (1 + 1.0 / 32)
    case .blockwise: return 2 * (1 + 4.0 / (128 * 128))
    }
  }

  /// FSDP2 all-gathers the weights in FP8 (torchao `enable_fsdp_float8_all_gather`, tensor-wise
  /// scaling only): half the gathered bytes and the gathered buffers.
  package var gathersInFP8: Bool { self == .tensorwise }

  /// Memory traffic of the casts, bytes per element of the input x (t × k), the weight W
  /// (k × n) and the output gradient dy (t × n) per micro-batch.
  ///
  /// torchao, compiled (torchtitan
  /// calls torch.compile "required for competitive performance"): its roofline model
  /// (`float8/roofline_utils.py`) counts tensor-wise 6/8/6 (an amax read, a read and a 1-byte
  /// write, twice for the transposed layout where needed) and row-wise 8/10/8. Transformer
  /// Engine (current or delayed scaling): read 2, write 1 and a transposed 1 for x and dy;
  /// the weight once per step. Derived from the kernels' reads and writes.
  package var castBytes: (input: Double, weight: Double, gradient: Double) {
    switch self {
    case .tensorwise: return (6, 8, 6)
    case .rowwise: return (8, 10, 8)
    case .delayed, .mxfp8, .blockwise: return (4, 4, 4)
    }
  }

  /// Transformer Engine casts a cached weight in the first micro-batch of a step only.
  package var castsWeightOncePerStep: Bool { self == .delayed || self == .mxfp8 || self == .blockwise }

  /// Every side of a converted linear must be a multiple of this (torchao `_scaled_mm`: 16;
  /// MXFP8 blocks: 32; DeepSeek tiles: 128); others stay bf16.
  package var alignment: Int64 {
    switch self {
    case .tensorwise, .rowwise, .delayed: return 16
    case .mxfp8: return 32
    case .blockwise: return 128
    }
  }

  /// Share of the FP8 rate a scaled GEMM sustains relative to a plain one.
  ///
  /// Tensor-wise and
  /// delayed scales multiply the accumulator once (cuBLAS `scale_a`/`scale_b`): 1. Row-wise
  /// scaled GEMMs run CUTLASS kernels with a per-row epilogue, and block-wise ones promote
  /// partial sums to CUDA cores every 128 elements (DeepSeek-V3 §3.3.2): DeepGEMM reaches
  /// 990–1,358 of 1,979 TFLOP/s on an H800, TE's block-scaled GEMM 1.41× bf16 against 1.69×
  /// for delayed scaling on an H200 — 0.83 of it (derived from those ratios); torchao's
  /// row-wise Llama-3-8B step gains 10% where tensor-wise gains 25% (checked in `validate`).
  package var gemmEfficiency: Double {
    switch self {
    case .tensorwise, .delayed, .mxfp8: return 1
    case .rowwise, .blockwise: return 0.83
    }
  }
}

extension TrainingSetup {
  /// The FP8 recipe in effect (nil: bf16 matmuls).
  package var fp8: FP8Recipe? { matmulPrecision == .fp8 ? (fp8Recipe ?? .tensorwise) : nil }

  /// Whether a linear of these sides runs in FP8 under the setup's recipe.
  package func convertsToFP8(input k: Double, output n: Double) -> Bool {
    guard let recipe = fp8 else { return false }
    let a = Double(recipe.alignment)
    return k.truncatingRemainder(dividingBy: a) == 0 && n.truncatingRemainder(dividingBy: a) == 0
  }

  /// Parameters of the decoder-layer linears that run in FP8 (routers excluded) that this GPU
  /// converts: under expert parallelism only its own experts (1/E of them), which are all it
  /// gathers, casts and caches.
  package func localFP8Parameters(_ inv: ParameterInventory) -> Int64 {
    guard fp8 != nil else { return 0 }
    return inv.tensors.filter {
      $0.role == .projection && convertsToFP8(input: Double($0.cols), output: Double($0.rows))
    }.reduce(0) { $0 + ($1.expert ? $1.totalElements / max(1, expertParallel) : $1.totalElements) }
  }
}
