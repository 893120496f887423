import Foundation
import TrainMemCore
import TrainMemIO

/// `trainmem validate [DIR]`: every figure in DIR/*.tsv predicted and compared; exit 1 when a
/// checked figure is outside its tolerance, 65 when a seeds file has errors.
enum ValidateCommand {
  static func run(_ args: [String], _ console: Console) throws -> Int32 {
    let options = try ParsedOptions(args, command: "validate", specs: [.format, .output])
    let format = try options.format(allowed: [.md, .json])
    guard options.positionals.count <= 1 else {
      throw UsageError(message: "'validate' takes one folder; got \(options.positionals.count) arguments")
    }
    let dir = options.positionals.first ?? "seeds"
    let paths = try seedFiles(dir)
    let figures = try TextFile.parseAll(paths) { (text, path) throws(Diagnostics) in
      try SeedsReader.parse(text, file: path)
    }.flatMap { $0 }
    let results = Validation.check(figures)
    let failed = results.filter { !$0.within && $0.figure.expect != .gap }
    let status = try TrainMemCLI.withSink(options, console) { sink in
      try sink.write(format == .json ? ValidationRenderer.json(results) : ValidationRenderer.markdown(results))
      return failed.isEmpty ? ExitStatus.ok : ExitStatus.checkFailed
    }
    for f in failed {
      let unit = f.figure.unit
      console.error(
        "error: figure '\(visible(f.figure.id))' (\(visible(f.figure.source))): published \(ValidationRenderer.fmt(f.figure.value)) \(unit), predicted \(ValidationRenderer.fmt(f.predicted)) \(unit), outside its tolerance\n"
      )
    }
    return status
  }

  /// The folder's `*.tsv` files, sorted; a folder without any is a usage error.
  static func seedFiles(_ dir: String) throws(UsageError) -> [String] {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDirectory), isDirectory.boolValue,
      let names = try? FileManager.default.contentsOfDirectory(atPath: dir)
    else {
      throw UsageError(
        message: "cannot read the folder '\(visible(dir))'; run from the project root or pass the seeds folder")
    }
    let paths = names.filter { $0.hasSuffix(".tsv") }.sorted().map { dir.hasSuffix("/") ? dir + $0 : dir + "/" + $0 }
    if paths.isEmpty { throw UsageError(message: "no *.tsv figures in '\(visible(dir))'") }
    // Nothing is skipped silently, and nothing can block: a *.tsv that is a FIFO, a device or a
    // folder is an error, never opened.
    for path in paths {
      var info = stat()
      if stat(path, &info) != 0 || (info.st_mode & S_IFMT) != S_IFREG {
        throw UsageError(message: "'\(visible(path))' is not a regular file; seeds are *.tsv files")
      }
    }
    return paths
  }
}
