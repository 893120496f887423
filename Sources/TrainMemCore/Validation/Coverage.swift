/// Where a setup sits against what `validate` checks.
///
/// Each field is one way a setup can leave the calibrated region (LLaMA on one H200, sequences
/// up to 2,048); the error band (`ErrorBand`) widens with them and the reports' notes
/// (`CalibrationRange`) name them, so both read the one definition here.
package struct Coverage: Sendable, Equatable {
  /// A dense LLaMA-architecture model: what the calibration steps measured.
  package var llama: Bool
  /// On the H200, the calibration's GPU.
  package var onCalibrationGPU: Bool
  /// Inside the calibration itself: LLaMA, H200, one GPU, no adapters, sequence ≤ 2,048.
  package var calibrated: Bool
  package var architecture: GPUArchitecture
  /// The model's Hugging Face `model_type` (`llama`, `qwen3_moe`), for saying what it is.
  package var modelType: String
  package var sequence: Int64
  package var fp8: FP8Recipe?
  /// Sequences longer than the calibrated 2,048.
  package var longSequence: Bool
  /// Tensor, pipeline or context parallelism.
  package var modelParallel: Bool
  /// Any data parallelism (DDP, ZeRO, FSDP, HSDP).
  package var dataParallel: Bool
  /// Optimizer states sharded (ZeRO, FSDP, HSDP).
  package var shardedStates: Bool
  /// Adapters, frozen layers, offload or a paged optimizer.
  package var fineTuningLevers: Bool
  /// Weights sharded over several GPUs without peer-to-peer: gathers take a host path the
  /// catalog cannot know.
  package var hostPathGathers: Bool
  /// A mixture of experts.
  package var mixtureOfExperts: Bool

  /// The longest sequence the calibration steps ran.
  package static let calibratedSequence: Int64 = 2048

  package init(_ s: TrainingSetup) {
    llama = s.model.architecture == .llama && s.model.moe == nil
    onCalibrationGPU = s.gpu.id == "h200"
    longSequence = s.sequence > Self.calibratedSequence
    calibrated = llama && onCalibrationGPU && s.parallel == .none && s.lora == nil && !longSequence
    architecture = s.gpu.architecture
    modelType = s.model.modelType
    sequence = s.sequence
    fp8 = s.fp8
    modelParallel = s.modelParallel.isActive
    dataParallel = s.parallel != .none
    shardedStates = s.parallel.shardsStates
    fineTuningLevers = s.usesFineTuningLevers
    hostPathGathers = s.parallel.shardsWeights && !s.gpu.peerToPeer && s.gpus > 1
    mixtureOfExperts = s.model.moe != nil
  }
}
