/// The largest value of each count the models accept; beyond them byte counts could leave
/// Int64 (checked again as a whole in `TrainingSetup.problems`).
package enum SetupLimits {
  package static let gpus: Int64 = 1 << 20
  package static let sequence: Int64 = 1 << 24
  package static let microBatch: Int64 = 1 << 24
  package static let globalBatch: Int64 = 1 << 40
  package static let updateInterval: Int64 = 1 << 40
  package static let rank: Int64 = 1 << 24
  /// A framework's bucket or group size in elements (DeepSpeed's `sub_group_size`): 2^40.
  package static let bucketElements: Int64 = 1 << 40
  /// Tokens to train: at least one (none would make every bill $0), up to 10^16 (a thousand
  /// times Llama 3's 15.6T).
  package static let tokens: ClosedRange<Double> = 1...1e16
  /// Dollars per GPU-hour: up to $1,000,000.
  package static let price: ClosedRange<Double> = 0...1e6
  /// CUDA context per GPU: up to 64 GiB.
  package static let context: ClosedRange<Double> = 0...68_719_476_736
}
