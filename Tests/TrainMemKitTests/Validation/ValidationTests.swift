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
