import TrainMemCore

// Where a run sits against what trainmem was checked on (`trainmem validate`,
// docs/validation.md): said in every Markdown report, so a number far from the measured ones is read
// with its error bar.

package enum CalibrationRange {
  /// One clause per way the run leaves the calibrated range, each with the check that covers it.
  package static func notes(_ c: Coverage) -> [String] {
    var out: [String] = []
    if c.calibrated {
      out.append(
        "inside the calibration (H200, LLaMA, one GPU: peak within 0.3%, tokens/s within 15% of measured steps)")
    } else {
      out.append("memory counted from the libraries' code and checked on H200 steps within 0.3%")
    }
    switch c.architecture {
    case .hopper: break
    case .blackwell:
      out.append(
        "speed on Blackwell from datasheet rates and the measured matmul share (NVIDIA's Megatron-Bridge FP8 steps on B200 and GB200 within 9%)"
      )
    case .ampere, .ada:
      out.append(
        "speed on \(c.architecture.displayName) scaled from the H200 by datasheet rates (A100 checks: APOLLO Table 7 within 25%, FSDP runs on 64–128 GPUs 1–25% slow)"
      )
    case .cdna3, .cdna4, .volta, .turing:
      out.append(
        "speed on \(c.architecture.displayName) from datasheet rates and the measured matmul share, with no published absolute check (FP8 gains on B200 and MI300X checked within 12%)"
      )
    }
    if let recipe = c.fp8 {
      out.append(
        "FP8 (\(recipe.rawValue)) gains checked against torchao and torchtitan on H100, B200 and MI300X (within 12%; torch.compile assumed, as those runs used it)"
      )
    }
    if !c.llama {
      out.append(
        "a \(c.modelType) architecture: parameters exact, activations counted from its modeling file (Qwen2 FSDP within 1%, GPT-2 within 8%)"
      )
    }
    if c.longSequence {
      out.append("\(NumberFormatting.grouped(Double(c.sequence)))-token sequences extrapolate the 256–2,048 calibrated")
    }
    if c.modelParallel {
      out.append(
        "tensor, pipeline and context parallelism: Korthikanti et al.'s activation formulas reproduced exactly; step time checked against Megatron-LM and torchtitan runs (see `validate`)"
      )
    }
    if c.dataParallel {
      out.append(
        "sharding checked against the ZeRO paper (exact) and published FSDP runs (throughput within 25%; ZeRO-3 on GeForce cards depends on how they share PCIe uplinks: set intra_node_bandwidth; LOMO's 8 RTX 3090 shared 4 GB/s per GPU, not the catalog's 16)"
      )
    }
    if c.fineTuningLevers {
      out.append(
        "fine-tuning levers checked against 22 published peaks (most within 15%; torch.compile is not modelled)")
    }
    return out
  }
}
