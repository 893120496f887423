import Testing

@testable import TrainMemKit

@Suite struct ThroughputCalibrationTests {
  @Test("tokens/s within 15% of the measured steady value on every H200 row")
  func tokensPerSecondMatch() {
    var table = "model  optimizer  batch  measured tok/s  predicted tok/s  error\n"
    for c in Calibration.cases {
      let t = ThroughputModel.estimate(c.setup)  // steady: steps 2–4 have no SVD refresh
      let err = relativeError(t.tokensPerStep / t.steadyStepSeconds, c.tokens_per_s)
      table += "\(c.model)  \(c.optimizer)  \(c.batch)  \(NumberFormatting.grouped(c.tokens_per_s))  \(NumberFormatting.grouped(t.tokensPerStep / t.steadyStepSeconds))  \(NumberFormatting.percent(err))\n"
      #expect(abs(err) < 0.15, "\(c): \(t.tokensPerSecond) vs \(c.tokens_per_s)")
    }
    print(table)
  }
}
