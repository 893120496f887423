import Foundation

/// Exit statuses (design.md "The command line"; sysexits.h EX_USAGE / EX_DATAERR).
enum ExitStatus {
  static let ok: Int32 = 0
  static let checkFailed: Int32 = 1
  static let usage: Int32 = 64
  static let dataError: Int32 = 65
}

struct UsageError: Error { let message: String }

/// The command line: `run(arguments:stdout:stderr:)` returns the exit status; `main` wires it to
/// the process. Nothing reaches stdout when a command fails.
public enum TrainMemCLI {
  static let version = "trainmem 0.1.0 (scenario format v1, report schema v1)"
  static let commands = ["run", "estimate", "fit", "validate", "list", "bench", "help"]

  public static func main(_ arguments: [String]) -> Int32 {
    var out = FileOutput.stdout
    var err = FileOutput.stderr
    return run(arguments: arguments, stdout: &out, stderr: &err)
  }

  static func run(arguments: [String], stdout: inout some TextOutputStream, stderr: inout some TextOutputStream) -> Int32 {
    guard let command = arguments.first else {
      stderr.write(Help.overview)
      return ExitStatus.usage
    }
    let rest = Array(arguments.dropFirst())
    do {
      switch command {
      case "--help", "-h", "help":
        if let topic = rest.first, let text = Help.command(topic) { stdout.write(text) } else { stdout.write(Help.overview) }
        return ExitStatus.ok
      case "--version": stdout.write(version + "\n"); return ExitStatus.ok
      case _ where rest.contains("--help") || rest.contains("-h"):
        // `trainmem estimate --help` is `trainmem help estimate`.
        guard let text = Help.command(command) else {
          throw UsageError(message: "unknown command '\(command)'\(suggestion(command, commands)); run 'trainmem --help'")
        }
        stdout.write(text)
        return ExitStatus.ok
      case "run": return try RunCommand.run(rest, &stdout, &stderr)
      case "estimate": return try EstimateCommand.estimate(rest, &stdout, &stderr)
      case "fit": return try FitCommand.run(rest, &stdout, &stderr)
      case "validate": return try ValidateCommand.run(rest, &stdout, &stderr)
      case "list": return try ListCommand.run(rest, &stdout)
      case "bench": return try BenchCommand.run(rest, &stdout, &stderr)
      default:
        throw UsageError(message: "unknown command '\(command)'\(suggestion(command, commands)); run 'trainmem --help'")
      }
    } catch let e as UsageError {
      stderr.write("error: \(e.message)\n")
      return ExitStatus.usage
    } catch {
      stderr.write("error: \(error)\n")
      return ExitStatus.checkFailed
    }
  }
}

/// A TextOutputStream over a FileHandle.
struct FileOutput: TextOutputStream {
  let handle: FileHandle
  static var stdout: FileOutput { FileOutput(handle: .standardOutput) }
  static var stderr: FileOutput { FileOutput(handle: .standardError) }
  mutating func write(_ string: String) { handle.write(Data(string.utf8)) }
}

/// Minimal flag parsing: `--name value`, `--name=value`, boolean `--flag`, positionals.
struct Arguments {
  var values: [(String, String)] = []
  var flags: [String] = []
  var positionals: [String] = []

  init(_ args: [String], valued: [String], boolean: [String]) throws {
    var i = 0
    while i < args.count {
      let a = args[i]
      if a.hasPrefix("--") {
        var name = String(a.dropFirst(2))
        var value: String?
        if let eq = name.firstIndex(of: "=") { value = String(name[name.index(after: eq)...]); name = String(name[..<eq]) }
        if boolean.contains(name) { flags.append(name); i += 1; continue }
        guard valued.contains(name) else {
          throw UsageError(message: "unknown option '--\(name)'\(suggestion(name, valued + boolean).replacingOccurrences("'", "'--").replacingOccurrences("?'", "?"))")
        }
        if value == nil {
          guard i + 1 < args.count else { throw UsageError(message: "option '--\(name)' needs a value") }
          value = args[i + 1]; i += 1
        }
        values.append((name, value!))
      } else {
        positionals.append(a)
      }
      i += 1
    }
  }

  func value(_ name: String) -> String? { values.last { $0.0 == name }?.1 }
  func has(_ flag: String) -> Bool { flags.contains(flag) }

  func format(default d: ReportFormat = .md, allowed: [ReportFormat] = ReportFormat.allCases) throws -> ReportFormat {
    guard let v = value("format") else { return d }
    guard let f = ReportFormat(rawValue: v), allowed.contains(f) else {
      throw UsageError(message: "unknown format '\(v)'; expected \(allowed.map(\.rawValue).joined(separator: ", "))")
    }
    return f
  }
}

func render(_ r: Report, _ f: ReportFormat) -> String {
  switch f {
  case .md: return MarkdownRenderer.render(r)
  case .json: return JSONRenderer.render(r)
  case .csv: return CSVRenderer.render(r)
  case .svg: return SVGRenderer.render(r)
  }
}
