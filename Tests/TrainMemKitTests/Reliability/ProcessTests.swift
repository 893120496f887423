import Foundation
import Testing

@testable import TrainMemCLI
@testable import TrainMemCore
@testable import TrainMemIO

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// The built `trainmem` executable, run through `bash -c` so a test can redirect, close
/// descriptors, ignore signals and set limits as a CI job would.
enum Executable {
  static let path: String = {
    let here = Bundle.main.bundleURL.deletingLastPathComponent()
    for dir in [here, here.deletingLastPathComponent(), Calibration.root.appendingPathComponent(".build/debug")] {
      let candidate = dir.appendingPathComponent("trainmem").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return Calibration.root.appendingPathComponent(".build/debug/trainmem").path
  }()

  struct Result { var status: Int32; var stdout: String; var stderr: String }

  /// Runs `script` in bash with `$TM` set to the executable and the working folder `dir`.
  static func bash(_ script: String, in dir: URL) throws -> Result {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/bash")
    p.arguments = ["-c", script]
    p.currentDirectoryURL = dir
    p.environment = ProcessInfo.processInfo.environment.merging(["TM": path]) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(
      status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self))
  }
}

/// A fresh folder with one small scenario, removed afterwards.
struct Workspace {
  let dir: URL
  static let scenario =
    "name: small\nmodel: llama-60m\ngpu: h200\noptimizer: apollo\nsweep:\n  micro_batch: [1, 2, 4]\n"

  init() throws {
    dir = FileManager.default.temporaryDirectory.appendingPathComponent("trainmem-rel-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try Self.scenario.write(to: dir.appendingPathComponent("s.yaml"), atomically: true, encoding: .utf8)
  }
  func path(_ name: String) -> String { dir.appendingPathComponent(name).path }
  func read(_ name: String) -> String? { try? String(contentsOfFile: path(name), encoding: .utf8) }
  func remove() { try? FileManager.default.removeItem(at: dir) }
}

/// Issue #13 class 1 and 2: what `--output` does to what is at its path, and write errors.
@Suite(.serialized) struct OutputProcessTests {
  @Test("--output onto a device leaves the device a device; a FIFO is written, not replaced")
  func deviceAndFIFO() throws {
    let w = try Workspace()
    defer { w.remove() }
    let dev = try Executable.bash(
      "$TM run s.yaml --output /dev/null; echo $?; test -c /dev/null && echo char", in: w.dir)
    #expect(dev.stdout == "0\nchar\n" && dev.stderr.isEmpty)
    let fifo = try Executable.bash(
      "mkfifo f; cat f > got & $TM run s.yaml --format csv --output f; s=$?; wait; test -p f && echo fifo; echo $s; head -c 5 got",
      in: w.dir)
    #expect(fifo.stdout == "fifo\n0\nlabel", "\(fifo)")
  }

  @Test("--output through a symbolic link writes its target and keeps the link")
  func symlink() throws {
    let w = try Workspace()
    defer { w.remove() }
    let r = try Executable.bash(
      "echo old > target; ln -s target link; $TM run s.yaml --output link; echo $?; test -L link && echo link; head -1 target",
      in: w.dir)
    #expect(r.stdout == "0\nlink\n# small\n", "\(r)")
  }

  @Test("a read-only file and an input file are refused (exit 73) and left as they were")
  func refused() throws {
    let w = try Workspace()
    defer { w.remove() }
    let ro = try Executable.bash(
      "echo keep > ro; chmod 444 ro; $TM run s.yaml --output ro; echo $?; cat ro; stat -c %a ro", in: w.dir)
    #expect(ro.stdout == "73\nkeep\n444\n" && ro.stderr.contains("read-only"), "\(ro)")
    let input = try Executable.bash(
      "$TM run s.yaml --output s.yaml; echo $?; ln -s s.yaml alias; $TM run s.yaml --output alias; echo $?", in: w.dir)
    #expect(input.stdout == "73\n73\n" && w.read("s.yaml") == Workspace.scenario, "\(input)")
  }

  @Test("a replaced regular file keeps its mode; a new file gets 0666 less the umask; no temporary file is left")
  func modes() throws {
    let w = try Workspace()
    defer { w.remove() }
    let r = try Executable.bash(
      "echo x > out; chmod 600 out; $TM run s.yaml --output out; stat -c %a out; umask 022; $TM run s.yaml --output new; stat -c %a new; ls -a | grep -c trainmem-",
      in: w.dir)
    #expect(r.stdout == "600\n644\n0\n", "\(r)")
  }

  @Test("write errors: /dev/full, a closed stdout and a file-size limit exit 74 with one line; the old file survives")
  func writeErrors() throws {
    let w = try Workspace()
    defer { w.remove() }
    let full = try Executable.bash("$TM run s.yaml > /dev/full", in: w.dir)
    #expect(full.status == 74 && full.stderr.split(separator: "\n").count == 1 && full.stderr.contains("No space left"))
    let closed = try Executable.bash("$TM run s.yaml >&-", in: w.dir)
    #expect(closed.status == 74 && closed.stderr.contains("standard output"))
    let limit = try Executable.bash(
      "echo old > out; ulimit -f 1; $TM run s.yaml --format json --output out; echo $?; cat out; ls -a | grep -c trainmem-",
      in: w.dir)
    #expect(limit.stdout == "74\nold\n0\n", "\(limit)")
  }

  @Test("a reader that exits early ends trainmem quietly, with SIGPIPE ignored or not")
  func brokenPipe() throws {
    let w = try Workspace()
    defer { w.remove() }
    let sweep =
      "model: llama-60m\ngpu: h200\nsweep:\n  micro_batch: [\((1...2000).map(String.init).joined(separator: ", "))]\n"
    try sweep.write(to: w.dir.appendingPathComponent("big.yaml"), atomically: true, encoding: .utf8)
    let ignored = try Executable.bash(
      "trap '' PIPE; $TM run big.yaml --format csv | head -1; echo ${PIPESTATUS[0]}", in: w.dir)
    #expect(
      ignored.stdout.hasPrefix("label,") && ignored.stdout.hasSuffix("\n74\n") && ignored.stderr.isEmpty, "\(ignored)")
    let normal = try Executable.bash("$TM run big.yaml --format csv | head -1", in: w.dir)
    #expect(normal.stderr.isEmpty && normal.stdout.hasPrefix("label,"))
  }

  @Test("standard input and process substitution are read as scenario files")
  func stdinInputs() throws {
    let w = try Workspace()
    defer { w.remove() }
    let r = try Executable.bash(
      "$TM run /dev/stdin < s.yaml | head -1; $TM run - < s.yaml | head -1; $TM run <(cat s.yaml) | head -1", in: w.dir)
    #expect(r.stdout == "# small\n# small\n# small\n" && r.stderr.isEmpty, "\(r)")
  }
}

/// The second hostile-input pass (issue #13, "tried again"): each finding pinned.
@Suite(.serialized) struct SecondPassProcessTests {
  @Test(
    "an input read through '-' is refused as --output; a symlink loop is refused (ELOOP); /dev/stdout and >(…) are written in place"
  )
  func outputTargets() throws {
    let w = try Workspace()
    defer { w.remove() }
    let stdin = try Executable.bash("$TM run - --output s.yaml < s.yaml; echo $?", in: w.dir)
    #expect(stdin.stdout == "73\n" && w.read("s.yaml") == Workspace.scenario)
    let loop = try Executable.bash(
      "ln -s b a; ln -s a b; $TM run s.yaml --output a; echo $?; test -L a && echo link", in: w.dir)
    #expect(loop.stdout == "73\nlink\n", "\(loop)")
    let stdout = try Executable.bash(
      "$TM run s.yaml --output /dev/stdout | head -1; $TM run s.yaml --output >(head -1); sleep 0.2", in: w.dir)
    #expect(stdout.stdout.hasPrefix("# small\n") && stdout.stderr.isEmpty, "\(stdout)")
    let hardLink = try Executable.bash("echo x > h1; ln h1 h2; $TM run s.yaml --output h1; head -1 h2", in: w.dir)
    #expect(hardLink.stdout == "# small\n")
  }

  @Test("an interrupted run (SIGTERM; SIGINT and SIGHUP alike) leaves no temporary file and no output")
  func interrupted() throws {
    let w = try Workspace()
    defer { w.remove() }
    let sweep =
      "model: llama-7b\nparallel: fsdp\ngpus: 8\nsweep:\n  micro_batch: [\((1...200).map(String.init).joined(separator: ", "))]\n  sequence: [\((1...200).map { String($0 * 128) }.joined(separator: ", "))]\n"
    try sweep.write(to: w.dir.appendingPathComponent("big.yaml"), atomically: true, encoding: .utf8)
    let r = try Executable.bash(
      "$TM run big.yaml --output out.md & pid=$!; sleep 1.5; kill -TERM $pid; wait $pid; ls -a | grep -c -e '^.trainmem-' -e '^out.md'",
      in: w.dir)
    #expect(r.stdout == "0\n", "\(r)")
  }

  @Test("validate refuses a *.tsv that is a FIFO instead of blocking on it")
  func fifoSeeds() throws {
    let w = try Workspace()
    defer { w.remove() }
    let r = try Executable.bash("mkdir d; mkfifo d/b.tsv; timeout 10 $TM validate d; echo $?", in: w.dir)
    #expect(r.stdout == "64\n" && r.stderr.contains("not a regular file"), "\(r)")
  }
}

@Suite struct SecondPassInputTests {
  func run(_ text: String, _ extra: [String] = []) throws -> Captured {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("second-\(UUID().uuidString).yaml")
    try text.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    var c = cli(["run", url.path] + extra)
    c.err = c.err.replacingOccurrences(of: url.path, with: "x.yaml")
    return c
  }

  @Test(
    "escaping: U+FFFE in SVG, a backslash before a pipe in Markdown, control characters in CSV and in quoted source lines"
  )
  func escaping() throws {
    let text =
      "name: \"n\u{FFFE}x\"\nmodel: llama-60m\ngpu: h200\nruns:\n  - label: \"a\u{FFFF}b\\\\|c\u{1B}\u{2028}\"\n"
    let svg = try run(text, ["--format", "svg"])
    #expect(svg.status == 0 && XMLParser(data: Data(svg.out.utf8)).parse())
    let md = try run(text)
    let row = try #require(md.out.split(separator: "\n").first { $0.hasPrefix("| a") })
    #expect(row.components(separatedBy: " | ").count == 10, "\(row)")
    let csv = try run(text, ["--format", "csv"])
    #expect(!csv.out.unicodeScalars.contains { isControl($0) && $0 != "\n" })
    let bad = try run("model: llama-60m\nfoo\u{9B}2J: 1\n")
    #expect(bad.status == 65 && !bad.err.unicodeScalars.contains { $0.value == 0x9B })
  }

  @Test(
    "what cannot take effect is refused: a run key the sweep also sets, duplicate labels, optimizer keys of another optimizer, gradient_sync without DDP"
  )
  func refusals() throws {
    let conflict = try run("model: llama-7b\nruns:\n  - label: r\n    micro_batch: 4\nsweep:\n  micro_batch: [1, 2]\n")
    #expect(conflict.err.contains("x.yaml:4:18: error: 'micro_batch' is set by this run and swept at line 6"))
    let labels = try run("model: llama-7b\nruns:\n  - label: r\n  - label: r\n")
    #expect(labels.err.contains("x.yaml:4:12: error: duplicate run label 'r'"))
    #expect(
      cli(["estimate", "--model", "llama-7b", "--update-interval", "200"]).err.contains(
        "'--update-interval' applies to GaLore and APOLLO"))
    #expect(cli(["estimate", "--model", "llama-7b", "--momentum=true"]).err.contains("'--momentum' applies to SGD"))
    #expect(cli(["estimate", "--model", "llama-7b", "--gradient-sync", "step"]).err.contains("is DDP's no_sync"))
    #expect(cli(["estimate", "--model", "llama-7b", "--memory-limit", "1e-300%"]).status == 64)
    #expect(cli(["estimate", "--model", "llama-7b", "--memory-limit", "1B"]).status == 64)
  }

  @Test(
    "seeds: a condition given twice, ratio_to on another quantity and a unit that does not measure the quantity are errors"
  )
  func seeds() throws {
    let header = SeedsReader.columns.joined(separator: "\t")
    for (row, message) in [
      ("f\tt\tfits\t1\tbool\t0\tcheck\t\tmodel=llama-7b;model=llama-60m\t", "condition 'model' is given twice"),
      (
        "f\tt\tfits\t1\tbool\t0\tcheck\t\tmodel=llama-7b;ratio_to=f\t",
        "'ratio_to' applies to a tokens_per_second_ratio"
      ),
      (
        "f\tt\ttokens_per_second\t1\tGiB\t5%\tcheck\t\tmodel=llama-7b\t",
        "unit 'GiB' does not measure tokens_per_second"
      ),
    ] {
      do {
        _ = try SeedsReader.parse(header + "\n" + row + "\n", file: "s.tsv")
        Issue.record("accepted: \(row)")
      } catch {
        #expect(error.errors.contains { $0.message.contains(message) }, "\(row)")
      }
    }
  }

  @Test("a file of many errors prints the first 50 and counts the rest, quickly")
  func manyErrors() throws {
    let text = "model: llama-7b\n" + (1...20_000).map { "k\($0): 1\n" }.joined()
    let r = try run(text)
    #expect(r.status == 65 && r.err.contains("… and ") && r.err.split(separator: "\n").count < 200)
  }

  @Test("fit honours --tokens, --price and --reserve; help shows flags with single values")
  func fitOptions() {
    let r = cli(["fit", "--model", "llama-7b", "--gpu", "h200", "--tokens", "1B", "--price", "5", "--reserve", "10GiB"])
    #expect(r.out.contains("Training 1B tokens at $5.00 per GPU-hour") && r.out.contains("Allocator reserved"))
    let ranking = cli(["fit", "--model", "llama-7b", "--tokens", "1B"])
    #expect(ranking.out.contains("cheapest to train 1B tokens first") && ranking.out.contains("| hours | cost |"))
    let help = cli(["help", "estimate"]).out
    #expect(!help.contains("MAPPING") && help.contains("(required)"))
    #expect(cli(["run", "--", "--help"]).status == 65)
  }
}
