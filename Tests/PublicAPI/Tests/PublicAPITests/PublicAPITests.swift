import Testing
import TrainMemCore

/// The library product's first user: a setup built in code through the public API alone (no
/// `@testable`, another package), estimated by both models.
@Suite struct PublicAPITests {
  @Test("a setup built in code is estimated through the public API")
  func estimate() throws {
    let model = try #require(ModelConfig.preset("llama-7b"))
    let gpu = try #require(GPUSpec.preset("h100-sxm"))
    var setup = TrainingSetup(model: model, gpu: gpu)
    setup.microBatch = 4
    setup.sequence = 2048
    #expect(setup.problems.isEmpty)
    let memory = MemoryModel.estimate(setup)
    let time = ThroughputModel.estimate(setup)
    #expect(memory.peak > 0 && memory.required >= memory.peak && memory.fits == (memory.headroom >= 0))
    #expect(time.tokensPerSecond > 0 && time.stepSeconds > 0 && time.mfu > 0 && time.mfu <= 1)
    setup.microBatch = 1 << 20
    #expect(!MemoryModel.estimate(setup).fits)
  }
}
