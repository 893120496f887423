/// Why a report could not be written.
///
/// `brokenPipe` (the reader went away, `| head -1`) ends the
/// command quietly; the others print one line and exit 73 or 74 (sysexits.h).
package struct OutputFailure: Error, Sendable, Equatable {
  package enum Kind: Sendable { case brokenPipe, cannotCreate, ioError }
  package var kind: Kind
  package var message: String

  package init(kind: Kind, message: String) {
    self.kind = kind
    self.message = message
  }
}

/// Where a command's report goes, written piece by piece so a large sweep streams.
package protocol ReportSink: AnyObject {
  func write(_ text: String) throws(OutputFailure)
  func write(bytes: [UInt8]) throws(OutputFailure)
  /// Flushes and, for a file, puts it in place. Nothing is visible at the path before this.
  func finish() throws(OutputFailure)
  /// Abandons the output after a failure: a file being written is removed, the path untouched.
  func discard()
}

/// Collects the report in memory (the tests' stdout).
package final class StringSink: ReportSink {
  package private(set) var text = ""

  package init() {}
  package func write(_ text: String) throws(OutputFailure) { self.text += text }
  package func write(bytes: [UInt8]) throws(OutputFailure) { text += String(decoding: bytes, as: UTF8.self) }
  package func finish() throws(OutputFailure) {}
  package func discard() {}
}
