import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

/// The memory ledger is the memory model's own account: the terms above the peak add up to it,
/// and every term says how its formula is established.
@Suite struct MemoryLedgerTests {
  @Test("the ledger's main terms add up to the peak, for every preset and a sharded, adapted and offloaded run")
  func ledgerAddsUp() throws {
    let gpu = try #require(GPUSpec.preset("h100-sxm"))
    var setups = ModelConfig.presets.map { TrainingSetup(model: $0, gpu: gpu) }
    var lora = setups[0]
    lora.lora = LoRAConfig()
    var sharded = setups[0]
    sharded.gpus = 8
    sharded.parallel = .fsdp
    sharded.offload.optimizer = true
    setups += [lora, sharded]
    for s in setups where s.validationProblems().isEmpty {
      let m = MemoryModel.estimate(s)
      let ledger = MemoryModel.ledger(s, m)
      let peakIndex = try #require(ledger.firstIndex { $0.name == "peak allocated" })
      let main = ledger[..<peakIndex].filter { !$0.name.hasPrefix(" ") }
      #expect(main.reduce(0) { $0 + $1.bytes } == m.peak, "\(s.model.id)")
      #expect(ledger[peakIndex].citation.kind == .derived)
      #expect(ledger.allSatisfy { !$0.citation.text.isEmpty })
    }
  }
}
