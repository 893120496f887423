import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

@Suite struct ValidationTests {
  static let header = SeedsReader.columns.joined(separator: "\t")

  @Test("every quantity the parser accepts has a prediction (the list and predict's switch agree)")
  func everyQuantityPredicts() throws {
    let conditions = "model=llama-60m;gpu=h200;optimizer=galore;rank=128"
    let rows = FigureQuantity.allCases.map { q in
      [
        "f-\(q.rawValue)", "test", q.rawValue, "1", q.units[0], "100%", "gap", "",
        conditions + (q == .tokensPerSecondRatio ? ";ratio_to=f-fits" : ""), "",
      ]
      .joined(separator: "\t")
    }
    let figures = try SeedsReader.parse(([Self.header] + rows).joined(separator: "\n"), file: "t.tsv")
    for r in Validation.check(figures) {
      #expect(r.predicted.isFinite, "\(r.figure.quantity)")
    }
  }

  @Test("an at_most bound admits any shortfall and an excess up to its tolerance; check is two-sided")
  func atMostBound() throws {
    #expect(Expectation.atMost.admits(-0.6, tolerance: 0.25) && Expectation.atMost.admits(0.25, tolerance: 0.25))
    #expect(!Expectation.atMost.admits(0.26, tolerance: 0.25) && !Expectation.atMost.admits(.nan, tolerance: 0.25))
    #expect(!Expectation.check.admits(-0.3, tolerance: 0.25) && Expectation.check.admits(-0.2, tolerance: 0.25))
    // The planner's best layout for a small run, held to a figure far above and far below it.
    let conditions = "model=llama-60m;gpu=h200;gpus=8;parallel=ddp;sequence=1024;global_batch=64"
    let rows = [
      "low\tt\tplanner_tokens_per_second\t1e9\ttok/s\t25%\tat_most\t\t\(conditions)\t",
      "high\tt\tplanner_tokens_per_second\t1\ttok/s\t25%\tat_most\t\t\(conditions)\t",
    ]
    let results = Validation.check(try SeedsReader.parse(([Self.header] + rows).joined(separator: "\n"), file: "t.tsv"))
    #expect(results.map(\.within) == [true, false] && results.allSatisfy { $0.predicted > 1 })
  }

  @Test("an unknown quantity or a dangling ratio_to is an error at its line, with a suggestion")
  func badRows() {
    let rows = [
      "a\tt\tpeak_alocated\t1\tGiB\t3%\tcheck\t\tmodel=llama-60m\t",
      "b\tt\ttokens_per_second_ratio\t1\tx\t3%\tcheck\t\tmodel=llama-60m;ratio_to=aa\t",
    ]
    do {
      _ = try SeedsReader.parse(([Self.header] + rows).joined(separator: "\n"), file: "t.tsv")
      Issue.record("accepted")
    } catch {
      let messages = error.errors.map { "\($0.location.line): \($0.message)" }
      #expect(
        messages == [
          "2: unknown quantity 'peak_alocated'; did you mean 'peak_allocated'?",
          "3: 'ratio_to=aa' names no figure in this file; did you mean 'b'?",
        ])
    }
  }
}
