// What training updates: every parameter, or without the ones a partial fine-tune freezes.
// Frozen parameters keep their weights on the GPU but have no gradients, optimizer states or
// master copy (`requires_grad=False` leaves `.grad` None and the optimizer never sees them).

/// Parameters a fine-tune leaves unchanged (`freeze:`): the token embedding and the first
/// `layers` decoder layers, as partial fine-tuning freezes them.
public struct Freeze: Sendable, Equatable {
  package var embeddings = false
  package var layers: Int64 = 0
  package var isActive: Bool { embeddings || layers > 0 }
}

extension TensorGroup {
  /// Outside the decoder layers: embeddings, the final norm and the head.
  package var isRoot: Bool { role == .embedding || role == .lmHead || name == "final norm" }

  package func with(count: Int64) -> TensorGroup {
    TensorGroup(name: name, rows: rows, cols: cols, count: count, role: role, expert: expert)
  }
}

extension ParameterInventory {
  /// The tensors the optimizer updates under the setup's freezing: all of them without it.
  package func trainable(_ s: TrainingSetup) -> ParameterInventory {
    if let lora = s.lora { return ParameterInventory.adapters(lora, of: self, model: s.model) }
    guard s.freeze.isActive else { return self }
    let layers = s.model.layers
    let frozen = min(layers, s.freeze.layers)
    var out: [TensorGroup] = []
    for t in tensors {
      // A last pipeline stage's copy of tied word embeddings is the embedding: frozen with it.
      if s.freeze.embeddings && (t.role == .embedding || (t.role == .lmHead && s.model.tiedEmbeddings)) { continue }
      if t.isRoot {
        out.append(t)
      } else {
        // Each per-layer group loses the frozen layers' share of its tensors (dense and MoE
        // layers are frozen in proportion when a model mixes them).
        let kept = t.count - t.count * frozen / layers
        if kept > 0 { out.append(t.with(count: kept)) }
      }
    }
    return ParameterInventory(tensors: out, model: s.model)
  }
}

extension TrainingSetup {
  /// Decoder layers at the bottom that keep nothing for backward: frozen layers below the first
  /// trainable one, when the embedding is frozen too (no gradient flows below them).
  package var inertLayers: Int64 { lora == nil && freeze.embeddings ? min(model.layers, freeze.layers) : 0 }

  /// Decoder layers by what backward does in them: trained (every gradient), frozen (input
  /// gradients only: every LoRA base layer, frozen layers above a trained one) and inert.
  package var layerTraining: (trained: Int64, frozen: Int64, inert: Int64) {
    if lora != nil { return (0, model.layers, 0) }
    let frozen = min(model.layers, freeze.layers)
    return (model.layers - frozen, frozen - inertLayers, inertLayers)
  }
}

extension TrainingSetup {
  /// Adapters, frozen layers, offload or a paged optimizer: the fine-tuning levers the
  /// published peaks of `validate` check (reports widen their error band for them).
  package var usesFineTuningLevers: Bool { lora != nil || freeze.isActive || offload.isActive || optimizer.paged }
}
