import Foundation

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// One measured H200 training step (seeds/calibration/h200-llama-pretrain.json).
struct CalibrationCase: Decodable, Sendable, CustomStringConvertible {
  let model: String
  let optimizer: String
  let batch: Int64
  let seq: Int64
  let rank: Int64?
  let params: Int64
  let params_lowrank_target: Int64
  let weights_bytes: Int64
  let grads_bytes: Int64
  let state_bytes: Int64
  let state_tensor_bytes: Int64
  let peak_fwd_bwd_bytes: [Int64]
  let peak_alloc_bytes: [Int64]
  let peak_reserved_bytes: [Int64]
  let steady_step_s: Double
  let tokens_per_s: Double

  var steadyPeak: Int64 { peak_alloc_bytes.dropFirst().max() ?? 0 }
  var description: String { "\(model) \(optimizer) b\(batch)" }

  /// The setup the measurement ran: bf16, sdpa, one H200, the scripts' ranks (APOLLO-Mini 1).
  var setup: TrainingSetup {
    let kind = OptimizerKind(rawValue: optimizer)!
    return TrainingSetup(
      model: ModelConfig.preset("llama-" + model)!, gpu: GPUSpec.preset("h200")!,
      sequence: seq, microBatch: batch,
      optimizer: OptimizerConfig(kind: kind, rank: kind.isMini ? nil : (rank ?? 256)))
  }
}

enum Calibration {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  static let cases: [CalibrationCase] = {
    struct File: Decodable { let cases: [CalibrationCase] }
    let url = root.appendingPathComponent("seeds/calibration/h200-llama-pretrain.json")
    guard let data = try? Data(contentsOf: url),
      let file = try? JSONDecoder().decode(File.self, from: data)
    else { return [] }
    return file.cases
  }()
}

func relativeError(_ predicted: Double, _ measured: Double) -> Double {
  (predicted - measured) / measured
}
