// LLaMA architectures. Sources:
// - GaLore/APOLLO repository configs `configs/llama_{60m..7b}.json`, APOLLO `llama_13b.json`
//   (papers.md §a): hidden, intermediate, heads, layers, vocab 32000, untied embeddings.
// - LLaMA-1 paper (Touvron et al. 2023, arXiv:2302.13971, Table 2) for 30B/65B (their HF
//   configs give intermediate 17920 and 22016).
// - Llama 2 (arXiv:2307.09288) 70B and Llama 3 (arXiv:2407.21783) 8B/70B HF configs:
//   grouped-query attention with 8 KV heads; Llama 3 vocab 128256.

/// A decoder-only LLaMA model: RMSNorm, rotary attention (optionally grouped-query), SwiGLU MLP.
public struct ModelConfig: Sendable, Equatable {
  var id: String
  var hidden: Int64
  var intermediate: Int64
  var layers: Int64
  var heads: Int64
  var kvHeads: Int64
  var vocab: Int64
  var tiedEmbeddings: Bool

  var headDim: Int64 { hidden / heads }
  /// Width of the k and v projections: kv_heads × head_dim.
  var kvWidth: Int64 { kvHeads * headDim }

  /// The presets, in size order.
  static let presets: [ModelConfig] = [
    .init(
      id: "llama-60m", hidden: 512, intermediate: 1376, layers: 8, heads: 8, kvHeads: 8, vocab: 32000,
      tiedEmbeddings: false),
    .init(
      id: "llama-130m", hidden: 768, intermediate: 2048, layers: 12, heads: 12, kvHeads: 12, vocab: 32000,
      tiedEmbeddings: false),
    .init(
      id: "llama-350m", hidden: 1024, intermediate: 2736, layers: 24, heads: 16, kvHeads: 16, vocab: 32000,
      tiedEmbeddings: false),
    // The repo JSON (32 heads, 24 layers) — the paper tables print them swapped (papers.md §a).
    .init(
      id: "llama-1b", hidden: 2048, intermediate: 5461, layers: 24, heads: 32, kvHeads: 32, vocab: 32000,
      tiedEmbeddings: false),
    .init(
      id: "llama-3b", hidden: 2560, intermediate: 6848, layers: 32, heads: 32, kvHeads: 32, vocab: 32000,
      tiedEmbeddings: false),
    .init(
      id: "llama-7b", hidden: 4096, intermediate: 11008, layers: 32, heads: 32, kvHeads: 32, vocab: 32000,
      tiedEmbeddings: false),
    .init(
      id: "llama-13b", hidden: 5120, intermediate: 13824, layers: 40, heads: 40, kvHeads: 40, vocab: 32000,
      tiedEmbeddings: false),
    .init(
      id: "llama-30b", hidden: 6656, intermediate: 17920, layers: 60, heads: 52, kvHeads: 52, vocab: 32000,
      tiedEmbeddings: false),
    .init(
      id: "llama-65b", hidden: 8192, intermediate: 22016, layers: 80, heads: 64, kvHeads: 64, vocab: 32000,
      tiedEmbeddings: false),
    .init(
      id: "llama2-70b", hidden: 8192, intermediate: 28672, layers: 80, heads: 64, kvHeads: 8, vocab: 32000,
      tiedEmbeddings: false),
    .init(
      id: "llama3-8b", hidden: 4096, intermediate: 14336, layers: 32, heads: 32, kvHeads: 8, vocab: 128256,
      tiedEmbeddings: false),
    .init(
      id: "llama3-70b", hidden: 8192, intermediate: 28672, layers: 80, heads: 64, kvHeads: 8, vocab: 128256,
      tiedEmbeddings: false),
  ]

  static func preset(_ id: String) -> ModelConfig? { presets.first { $0.id == id } }

  /// The largest dimension, layer count or vocabulary a custom model may have (2^24): with the
  /// limits on sequence and batch, every byte count stays inside Int64.
  static let dimensionLimit: Int64 = 1 << 24

  /// Checks the shape is a buildable LLaMA; returns the message naming the problem.
  func validationProblem() -> String? { validationIssue()?.message }

  /// The problem and the model key it is about (`heads`, `kv_heads`, …).
  func validationIssue() -> (key: String, message: String)? {
    let limit = Self.dimensionLimit
    // The common case, checked without building anything (this runs for every point of a sweep).
    func ok(_ v: Int64) -> Bool { v > 0 && v <= limit }
    if ok(hidden), ok(intermediate), ok(layers), ok(heads), ok(kvHeads), ok(vocab), hidden % heads == 0,
      heads % kvHeads == 0,
      Double(layers) * Double(hidden) * Double(hidden + intermediate) < 1e14
    {
      return nil
    }
    for (name, v) in [
      ("hidden", hidden), ("intermediate", intermediate), ("layers", layers),
      ("heads", heads), ("kv_heads", kvHeads), ("vocab", vocab),
    ] {
      if v <= 0 { return (name, "'\(name)' must be a positive integer, got \(v)") }
      if v > limit { return (name, "'\(name)' is \(v), above the supported maximum \(limit)") }
    }
    // Each dimension may be within its limit while their product leaves Int64: bound the count
    // (in Double) before any inventory multiplies them. 10^15 is 2,500 times Llama-3-405B.
    let h = Double(hidden),
      approxParameters = Double(layers) * (4 * h * h + 3 * h * Double(intermediate)) + 2 * Double(vocab) * h
    if approxParameters > 1e15 {
      return (
        "layers",
        "this model has about \(NumberFormatting.grouped(approxParameters / 1e12))T parameters, beyond the 10^15 trainmem counts; reduce 'layers', 'hidden' or 'intermediate'"
      )
    }
    if hidden % heads != 0 { return ("heads", "'heads' (\(heads)) must divide 'hidden' (\(hidden))") }
    if heads % kvHeads != 0 { return ("kv_heads", "'kv_heads' (\(kvHeads)) must divide 'heads' (\(heads))") }
    return nil
  }
}
