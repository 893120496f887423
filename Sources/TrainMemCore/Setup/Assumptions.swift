// The defaults that decide an answer when the user did not set them. Reports and `fit` open
// with them, each with what assuming it means, so nobody acts on a default they never saw.

/// A default in effect that the user did not set, and what assuming it means.
package struct Assumption: Sendable, Equatable {
  package var setting: SettingID
  package var value: String
  package var meaning: String
}

extension TrainingSetup {
  /// The consequential defaults this setup runs with, of the settings `given` says were not set.
  package func assumptions(given userGave: (SettingID) -> Bool) -> [Assumption] {
    // What a framework profile set was decided, not assumed: the report lists it apart.
    func given(_ id: SettingID) -> Bool { userGave(id) || frameworkSet.contains(id) }
    var out: [Assumption] = []
    func assume(_ id: SettingID, _ value: String, _ meaning: String) {
      if !given(id) { out.append(Assumption(setting: id, value: value, meaning: meaning)) }
    }
    if precision == .bf16 && masterWeights == nil && lora == nil && !given(.masterWeights) {
      assume(
        .precision, "bf16",
        "pure bf16: weights, gradients and optimizer states in bf16 and no fp32 master copy, as the GaLore and APOLLO scripts train; most frameworks keep one: set precision: mixed"
      )
    }
    assume(
      .sequence, "\(sequence)",
      "the GaLore and APOLLO pretraining length; activations and time grow with it: set your data's")
    if globalBatch == nil {
      assume(.microBatch, "\(microBatch)", "sequences per GPU per pass; `fit` finds the largest that fits")
    }
    if margin == 0 {
      assume(
        .margin, "0%",
        "a run fits at the point estimate, with none of the error band kept free: set margin: 10% to keep room")
    }
    if upcastsUnquantized && checkpointingChoice == nil {
      assume(
        .checkpointing, "full",
        "QLoRA: peft's prepare_model_for_kbit_training turns gradient checkpointing on by default")
    }
    return out
  }
}
