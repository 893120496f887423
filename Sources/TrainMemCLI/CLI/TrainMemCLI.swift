import Foundation
import TrainMemCore
import TrainMemIO

/// Exit statuses (sysexits.h; the README lists them).
enum ExitStatus {
  static let ok: Int32 = 0
  static let checkFailed: Int32 = 1
  /// EX_USAGE: a command, option or value the command does not take.
  static let usage: Int32 = 64
  /// EX_DATAERR: a scenario, seeds or config file with errors.
  static let dataError: Int32 = 65
  /// EX_CANTCREAT: the `--output` path cannot be written (read-only, an input, a directory).
  static let cannotCreate: Int32 = 73
  /// EX_IOERR: writing the report failed (disk full, closed output).
  static let ioError: Int32 = 74
}

/// What a command writes to: the report sink (stdout or `--output`) and the diagnostics.
struct Console {
  var stdout: ReportSink
  var diagnostics: (String) -> Void

  func error(_ text: String) { diagnostics(text) }
}

/// The command line: `run(arguments:stdout:stderr:)` returns the exit status; `main` wires it to
/// the process.
///
/// Nothing reaches stdout when a command fails before its report.
public enum TrainMemCLI {
  static let version = "trainmem 0.2.0 (scenario format v1, report schema v1)"
  static let commands = ["run", "estimate", "fit", "validate", "list", "bench", "help"]

  public static func main(_ arguments: [String], raw: [[UInt8]] = []) -> Int32 {
    RawArguments.record(raw)
    // Past a file-size limit (`ulimit -f`) a write fails with EFBIG and is reported (exit 74)
    // rather than the process being killed by SIGXFSZ half-way through a file.
    signal(SIGXFSZ, SIG_IGN)
    // A closed descriptor 0, 1 or 2 is taken by /dev/null, so a later open() (an --output file)
    // can never land on it; a report for a closed stdout still fails, as a write to it would.
    let stdoutClosed = fcntl(1, F_GETFD) < 0
    for fd in Int32(0)...2 where fcntl(fd, F_GETFD) < 0 { _ = open("/dev/null", O_RDWR) }
    let stdout = DescriptorSink(descriptor: 1, name: "standard output", closed: stdoutClosed)
    let console = Console(stdout: stdout) { text in
      let bytes = Array(text.utf8)
      _ = bytes.withUnsafeBytes { write(2, $0.baseAddress!, $0.count) }
    }
    return execute(arguments, console)
  }

  /// For tests: the command's stdout and stderr as strings.
  static func run(arguments: [String], stdout: inout some TextOutputStream, stderr: inout some TextOutputStream)
    -> Int32
  {
    let sink = StringSink()
    var errors = ""
    let status = execute(arguments, Console(stdout: sink) { errors += $0 })
    stdout.write(sink.text)
    stderr.write(errors)
    return status
  }

  static func execute(_ arguments: [String], _ console: Console) -> Int32 {
    // Each command's inputs are its own (tests run many commands in one process, side by side).
    InputFile.command { executeCommand(arguments, console) }
  }

  private static func executeCommand(_ arguments: [String], _ console: Console) -> Int32 {
    do {
      let status = try dispatch(arguments, console)
      try console.stdout.finish()
      return status
    } catch let e as UsageError {
      console.stdout.discard()
      console.error("error: \(e.message)\n")
      return ExitStatus.usage
    } catch let e as OutputFailure {
      console.stdout.discard()
      if e.kind != .brokenPipe { console.error("error: \(e.message)\n") }
      return e.exitStatus
    } catch let e as DataErrors {
      console.stdout.discard()
      console.error(e.rendered)
      return ExitStatus.dataError
    } catch {
      console.stdout.discard()
      console.error("error: \(visible(String(describing: error)))\n")
      return ExitStatus.checkFailed
    }
  }

  static func dispatch(_ arguments: [String], _ console: Console) throws -> Int32 {
    guard let command = arguments.first else {
      console.error(Help.overview)
      return ExitStatus.usage
    }
    let rest = Array(arguments.dropFirst())
    switch command {
    case "--help", "-h", "help": return try HelpCommand.run(rest, console)
    case "--version":
      guard rest.isEmpty else { throw UsageError(message: "'--version' takes no arguments") }
      try console.stdout.write(version + "\n")
      return ExitStatus.ok
    case _ where commands.contains(command) && asksForHelp(rest):
      return try HelpCommand.run([command], console)
    case "run": return try RunCommand.run(rest, console)
    case "estimate": return try EstimateCommand.run(rest, console)
    case "fit": return try FitCommand.run(rest, console)
    case "validate": return try ValidateCommand.run(rest, console)
    case "list": return try ListCommand.run(rest, console)
    case "bench": return try BenchCommand.run(rest, console)
    default:
      throw UsageError(
        message: "unknown command '\(visible(command))'\(suggestion(command, commands)); run 'trainmem --help'")
    }
  }

  /// `--help` or `-h` among the options (not after `--`, where it is a file name).
  static func asksForHelp(_ args: [String]) -> Bool {
    args.prefix { $0 != "--" }.contains { $0 == "--help" || $0 == "-h" }
  }

  /// The sink a command's report goes to: `--output PATH` (never a file the command read) or stdout.
  static func sink(_ options: ParsedOptions, _ console: Console) throws(OutputFailure)
    -> ReportSink
  {
    guard let path = options.value("output"), path != "-" else { return console.stdout }
    guard !path.isEmpty else { throw OutputFailure(kind: .cannotCreate, message: "'--output' needs a file path") }
    return try FileSink(path: path)
  }
}

/// `trainmem help [COMMAND]`.
enum HelpCommand {
  static func run(_ args: [String], _ console: Console) throws -> Int32 {
    guard let topic = args.first else {
      try console.stdout.write(Help.overview)
      return ExitStatus.ok
    }
    guard args.count == 1, let text = Help.command(topic) else {
      throw UsageError(
        message:
          "no help for '\(visible(args.joined(separator: " ")))'\(suggestion(topic, TrainMemCLI.commands)); commands: \(TrainMemCLI.commands.joined(separator: ", "))"
      )
    }
    try console.stdout.write(text)
    return ExitStatus.ok
  }
}

extension TrainMemCLI {
  /// Runs `body` with the command's report sink, then puts a `--output` file in place; on any
  /// error the file being written is removed and the path left as it was.
  static func withSink(
    _ options: ParsedOptions, _ console: Console, _ body: (ReportSink) throws -> Int32
  ) throws -> Int32 {
    let sink = try sink(options, console)
    guard sink !== console.stdout else { return try body(sink) }
    do {
      let status = try body(sink)
      try sink.finish()
      return status
    } catch {
      sink.discard()
      throw error
    }
  }
}
