import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct MemoryModelCalibrationTests {
  @Test("calibration file is present and has rows")
  func calibrationLoads() { #expect(Calibration.cases.count >= 16) }

  @Test("peak allocated within 3% and weights/gradients/states within 1% on every H200 row")
  func peaksMatchMeasurements() {
    var table = "model  optimizer    batch  measured GiB  predicted GiB  error\n"
    for c in Calibration.cases {
      let m = MemoryModel.estimate(c.setup)
      let err = relativeError(Double(m.peak), Double(c.steadyPeak))
      table +=
        "\(c.model)  \(c.optimizer)  \(c.batch)  \(Bytes(c.steadyPeak))  \(Bytes(m.peak))  \(NumberFormatting.percent(err))\n"
      #expect(abs(err) < 0.03, "\(c): peak \(m.peak) vs \(c.steadyPeak)")
      // Tensor-level counts: weights and gradients are P bf16 elements, states are the
      // optimizer's state tensors. The allocator-level fields (weights_bytes, grads_bytes,
      // state_bytes) also hold the cuBLAS workspace and leftovers of the process (130M rows:
      // +2.9 MB weights, +9.1 MB grads; 350M GaLore/APOLLO: +32–38 MB state), so they are
      // printed, not asserted.
      #expect(m.weights == 2 * c.params, "\(c) weights")
      #expect(m.gradients == 2 * c.params, "\(c) grads")
      #expect(abs(relativeError(Double(m.states.total), Double(c.state_tensor_bytes))) < 0.005, "\(c) states")
      table +=
        "    allocator-level: weights \(NumberFormatting.percent(relativeError(Double(m.weights), Double(c.weights_bytes)))), grads \(NumberFormatting.percent(relativeError(Double(m.gradients), Double(c.grads_bytes)))), states \(NumberFormatting.percent(relativeError(Double(m.states.total), Double(c.state_bytes))))\n"
    }
    print(table)
  }
}

@Suite struct MemoryLimitTests {
  @Test("a memory limit caps allocated + fragmentation; the context stays outside it")
  func limitCapsTheAllocator() throws {
    let sc = try ScenarioLoader.load(
      file: "x", text: "model: llama-7b\ngpu: h200\noptimizer:\n  name: apollo\n  rank: 256\nmemory_limit: 30GiB\n")
    let s = try #require(sc.runs.first).setup
    let m = MemoryModel.estimate(s)
    #expect(m.capacity == Bytes.gib(30).count + s.overhead.context.count)
    #expect(m.fits == (m.peak + m.fragmentation <= Bytes.gib(30).count))
    // The planner respects the cap: the largest batch fits under it and one more does not.
    let b = try #require(Planner.maxMicroBatch(s))
    var at = s
    at.microBatch = b
    var over = s
    over.microBatch = b + 1
    #expect(MemoryModel.estimate(at).fits && !MemoryModel.estimate(over).fits)
    var uncapped = s
    uncapped.memoryLimit = nil
    #expect(try #require(Planner.maxMicroBatch(uncapped)) > b)
  }

  @Test("absurd sizes are refused at their line; the largest accepted ones are summed without overflow")
  func absurdSizesDoNotTrap() throws {
    do {
      _ = try ScenarioLoader.load(
        file: "x", text: "model: llama-60m\ngpu: h200\nmemory_limit: 9100000000GB\noverhead:\n  context: 9100000000GB\n"
      )
      Issue.record("accepted")
    } catch {
      #expect(error.errors.map(\.location.line) == [3, 5])
    }
    var s = TrainingSetup(model: ModelConfig.preset("llama-60m")!, gpu: GPUSpec.preset("h200")!)
    s.memoryLimit = .amount(Bytes(Int64.max - 10))
    s.overhead.context = Bytes(Int64.max - 10)
    let m = MemoryModel.estimate(s)
    #expect(m.required == Int64.max && !m.fits)
  }

  @Test("a fraction above 100% or a non-size is an error at the value")
  func badLimit() {
    for bad in ["150%", "lots", "0GB"] {
      do {
        _ = try ScenarioLoader.load(file: "x", text: "model: llama-7b\nmemory_limit: \(bad)\n")
        Issue.record("\(bad) accepted")
      } catch {
        #expect(
          error.errors.first?.location.line == 2 && error.errors.first?.message.contains("memory_limit") == true,
          "\(bad)")
      }
    }
  }
}

@Suite struct DropoutTests {
  func setup(_ attention: AttentionKernel, dropout: Double, precision: Precision = .bf16) -> TrainingSetup {
    var s = TrainingSetup(model: ModelConfig.preset("llama-60m")!, gpu: GPUSpec.preset("h200")!)
    s.attention = attention
    s.dropout = dropout
    s.precision = precision
    s.sequence = 512
    s.microBatch = 4
    return s
  }

  @Test("eager attention dropout saves a 1-byte mask per score (5 bytes in fp32); SDPA keeps only its RNG state")
  func savedMask() {
    let tokens: Int64 = 4 * 512, scores = tokens * 8 * 512  // heads × sequence per token
    for (precision, extra) in [(Precision.bf16, Int64(1)), (.fp32, 5)] {
      let plain = ActivationModel.sizes(setup(.eager, dropout: 0, precision: precision)).perLayer
      let dropped = ActivationModel.sizes(setup(.eager, dropout: 0.1, precision: precision)).perLayer
      #expect(dropped - plain == extra * scores, "\(precision)")
    }
    #expect(
      ActivationModel.sizes(setup(.sdpa, dropout: 0.1)).perLayer
        == ActivationModel.sizes(setup(.sdpa, dropout: 0)).perLayer)
  }

  @Test("eager dropout costs its traffic, 4e + 2 bytes per score, in the step time")
  func traffic() {
    // LLaMA-1B at 4 × 512 tokens is GPU-bound (60M would hide the traffic behind host dispatch).
    var s = setup(.eager, dropout: 0)
    s.model = ModelConfig.preset("llama-1b")!
    var d = s
    d.dropout = 0.1
    let plain = ThroughputModel.estimate(s), dropped = ThroughputModel.estimate(d)
    #expect(!plain.hostBound)
    let roof = Roofline(s.gpu, precision: .bf16)
    let expected = 24 * (4 * 2 + 2) * 32 * 512 * 2048 / roof.bandwidth  // layers × bytes × heads × s × tokens
    #expect(abs((dropped.compute - plain.compute) / expected - 1) < 1e-9)
    #expect(ThroughputModel.estimate(setup(.sdpa, dropout: 0.1)) == ThroughputModel.estimate(setup(.sdpa, dropout: 0)))
  }

  @Test("dropout is read as a scenario key and a flag, and refused outside [0, 0.99]")
  func readAndRefused() {
    #expect(
      cli(["estimate", "--model", "llama-60m", "--attention", "eager", "--dropout", "0.1", "--format", "json"]).out
        .contains("\"dropout\" : 0.1"))
    #expect(
      cli(["estimate", "--model", "llama-60m", "--dropout", "1"]).err.contains(
        "'--dropout' is '1', above the supported maximum 0.99"))
  }
}

@Suite struct MemoryTimelineTests {
  @Test("the timeline's highest point is the estimate's peak, for every preset, optimizer and precision")
  func peakIsTheEstimates() {
    for model in ModelConfig.presets {
      for optimizer in OptimizerKind.allCases {
        for precision in Precision.allCases {
          var s = TrainingSetup(model: model, gpu: GPUSpec.preset("h200")!, optimizer: OptimizerConfig(kind: optimizer))
          s.precision = precision
          s.microBatch = 4
          guard s.validationProblems().isEmpty else { continue }
          let t = MemoryTimeline(s)
          #expect(
            t.points.map(\.instant.total).max() == MemoryModel.estimate(s).peak, "\(model.id) \(optimizer) \(precision)"
          )
        }
      }
    }
  }

  @Test("estimate --format svg --chart timeline draws it; --chart needs SVG and a known chart")
  func command() {
    let r = cli(["estimate", "--model", "llama-7b", "--gpu", "h200", "--format", "svg", "--chart", "timeline"])
    #expect(r.status == 0 && r.out.contains("peak 62.8") && XMLParser(data: Data(r.out.utf8)).parse())
    #expect(cli(["estimate", "--model", "llama-7b", "--chart", "timeline"]).status == 64)
    #expect(cli(["estimate", "--model", "llama-7b", "--format", "svg", "--chart", "pie"]).status == 64)
  }
}
