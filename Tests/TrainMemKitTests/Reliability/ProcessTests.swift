import Foundation
import Testing

@testable import TrainMemKit

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
