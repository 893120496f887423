// Element formats of tensors. The one place element count × format becomes bytes.

/// The storage format of a tensor's elements.
package enum NumericFormat: String, Sendable, CaseIterable {
  case fp32, bf16, fp16, int8, int64

  package var bitWidth: Int64 {
    switch self {
    case .fp32: return 32
    case .bf16, .fp16: return 16
    case .int8: return 8
    case .int64: return 64
    }
  }
  /// Bytes per element (all formats here are whole bytes).
  package var size: Int64 { bitWidth / 8 }

}
