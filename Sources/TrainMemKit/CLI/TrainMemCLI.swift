import Foundation

/// The command line: `run(arguments:)` returns the exit status; `main` wires it to the process.
public enum TrainMemCLI {
  public static func main(_ arguments: [String]) -> Int32 {
    var out = FileOutput.stdout
    var err = FileOutput.stderr
    return run(arguments: arguments, stdout: &out, stderr: &err)
  }

  static func run(arguments: [String], stdout: inout some TextOutputStream, stderr: inout some TextOutputStream) -> Int32 {
    0
  }
}

/// A TextOutputStream over a C stdio stream.
struct FileOutput: TextOutputStream {
  let handle: FileHandle
  static var stdout: FileOutput { FileOutput(handle: .standardOutput) }
  static var stderr: FileOutput { FileOutput(handle: .standardError) }
  mutating func write(_ string: String) { handle.write(Data(string.utf8)) }
}
