import Foundation
import TrainMemCore
import TrainMemIO

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

extension OutputFailure {
  var exitStatus: Int32 { kind == .cannotCreate ? ExitStatus.cannotCreate : ExitStatus.ioError }
}

/// Writes to an open file descriptor through a 64 KiB buffer, with every `write(2)` checked:
/// EINTR is retried, EPIPE is a broken pipe, anything else (ENOSPC, EFBIG, EBADF) an I/O error.
final class DescriptorSink: ReportSink {
  let descriptor: Int32
  let name: String
  private var buffer: [UInt8] = []
  static let bufferSize = 1 << 16

  /// The descriptor was closed when the process started (`>&-`): every write fails.
  private let closed: Bool

  init(descriptor: Int32, name: String, closed: Bool = false) {
    self.descriptor = descriptor
    self.name = name
    self.closed = closed
    buffer.reserveCapacity(Self.bufferSize)
  }

  func write(_ text: String) throws(OutputFailure) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= Self.bufferSize { try flush() }
  }

  func write(bytes: [UInt8]) throws(OutputFailure) {
    // A large piece (a sweep worker's rows) goes straight to write(2), not through the buffer.
    if bytes.count >= Self.bufferSize {
      try flush()
      try writeAll(bytes)
      return
    }
    buffer.append(contentsOf: bytes)
    if buffer.count >= Self.bufferSize { try flush() }
  }

  func finish() throws(OutputFailure) { try flush() }
  func discard() { buffer.removeAll() }

  func flush() throws(OutputFailure) {
    defer { buffer.removeAll(keepingCapacity: true) }
    try writeAll(buffer)
  }

  private func writeAll(_ bytes: [UInt8]) throws(OutputFailure) {
    if closed && !bytes.isEmpty {
      throw OutputFailure(kind: .ioError, message: "cannot write to \(name): it is closed")
    }
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { raw in
        systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
      }
      if written < 0 {
        let code = errno
        if code == EINTR { continue }
        if code == EPIPE { throw OutputFailure(kind: .brokenPipe, message: "") }
        throw OutputFailure(kind: .ioError, message: "cannot write to \(name): \(String(cString: strerror(code)))")
      }
      offset += written
    }
  }
}

private func systemWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
  #if canImport(Glibc)
    return Glibc.write(fd, pointer, count)
  #else
    return Darwin.write(fd, pointer, count)
  #endif
}

/// `--output PATH`, written the way a shell redirection would write it, but never leaving a
/// partial file.
///
/// - a regular file (or a new path) is written to a temporary file beside it and renamed over
///   it when complete, keeping the old file's mode; a file without write permission is refused;
/// - a symbolic link is followed, and its target treated as above;
/// - a device, FIFO or socket is opened and written in place (`/dev/null`, `>(…)`), never
///   replaced;
/// - a path that is one of the command's input files is refused.
final class FileSink: ReportSink {
  let path: String
  private var sink: DescriptorSink
  /// The temporary file and the final path, when the output is a regular file.
  private var replace: (temporary: FilePath, target: FilePath)?
  private var closed = false

  init(path: String) throws(OutputFailure) {
    self.path = path
    // The path's own bytes, which need not be UTF-8 (`FilePath`).
    let file = FilePath(path)
    // stat follows symbolic links as a shell's `>` does; a loop is refused as the shell would.
    var info = stat()
    let exists = file.withCString { stat($0, &info) } == 0
    if !exists && errno == ELOOP { throw FileSink.openFailure(path, ELOOP) }
    if exists && InputFile.wasRead(device: UInt64(info.st_dev), inode: UInt64(info.st_ino)) {
      throw OutputFailure(
        kind: .cannotCreate, message: "'\(visible(path))' is an input of this command; choose another --output path")
    }
    if exists && (info.st_mode & S_IFMT) == S_IFDIR {
      throw OutputFailure(
        kind: .cannotCreate, message: "'\(visible(path))' is a directory; give a file path to --output")
    }
    if exists && !FileSink.writable(file, info) && (info.st_mode & S_IFMT) == S_IFREG {
      throw OutputFailure(kind: .cannotCreate, message: "'\(visible(path))' is read-only; trainmem does not replace it")
    }
    // A device, FIFO, socket (/dev/null, /dev/stdout, >(…)) or a file with other hard links is
    // written in place, as a redirection writes it: replacing it would change what it is.
    if exists && ((info.st_mode & S_IFMT) != S_IFREG || info.st_nlink > 1) {
      let fd = file.withCString { open($0, O_WRONLY | O_TRUNC | O_CLOEXEC) }
      guard fd >= 0 else { throw FileSink.openFailure(path, errno) }
      sink = DescriptorSink(descriptor: fd, name: "'\(visible(path))'")
      return
    }
    // A regular file (through any links) or a new path: a temporary file beside the real file,
    // renamed over it when complete.
    let target = exists ? (FileSink.realPath(file) ?? file) : FileSink.resolveDangling(file)
    var template = (target.directory.appending(Array(".trainmem-XXXXXX".utf8)).bytes + [0]).map(CChar.init(bitPattern:))
    let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
    guard fd >= 0 else {
      // A writable file in a folder the user cannot write (a shared folder): no temporary file
      // can sit beside it, so it is written in place, as `>` would — complete, or truncated
      // by an error. docs/reliability.md (item 8) says which happens when.
      let code = errno
      guard exists && (code == EACCES || code == EPERM || code == EROFS) else { throw FileSink.openFailure(path, code) }
      let fd = file.withCString { open($0, O_WRONLY | O_TRUNC | O_CLOEXEC) }
      guard fd >= 0 else { throw FileSink.openFailure(path, errno) }
      sink = DescriptorSink(descriptor: fd, name: "'\(visible(path))'")
      return
    }
    let temporary = FilePath(bytes: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) })
    PendingTemporary.set(temporary)
    // The new file gets the old one's mode, or what a shell would create (0666 less the umask).
    let mask = umask(0)
    umask(mask)
    let mode = exists ? info.st_mode & 0o7777 : (0o666 & ~mask)
    fchmod(fd, mode)
    if exists && geteuid() == 0 { _ = fchown(fd, info.st_uid, info.st_gid) }
    sink = DescriptorSink(descriptor: fd, name: "'\(visible(path))'")
    replace = (temporary, target)
  }

  func write(_ text: String) throws(OutputFailure) { try write(bytes: Array(text.utf8)) }

  func write(bytes: [UInt8]) throws(OutputFailure) {
    do { try sink.write(bytes: bytes) } catch {
      discard()
      throw error
    }
  }

  func finish() throws(OutputFailure) {
    do { try sink.finish() } catch {
      discard()
      throw error
    }
    guard let (temporary, target) = replace else {
      close(sink.descriptor)
      closed = true
      return
    }
    if fsync(sink.descriptor) != 0 && errno != EINVAL {
      let code = errno
      discard()
      throw OutputFailure(kind: .ioError, message: "cannot write '\(path)': \(String(cString: strerror(code)))")
    }
    close(sink.descriptor)
    closed = true
    defer { PendingTemporary.clear() }
    if temporary.withCString({ from in target.withCString { rename(from, $0) } }) != 0 {
      let code = errno
      _ = temporary.withCString { unlink($0) }
      throw OutputFailure(kind: .ioError, message: "cannot replace '\(path)': \(String(cString: strerror(code)))")
    }
  }

  func discard() {
    sink.discard()
    if !closed {
      close(sink.descriptor)
      closed = true
    }
    if let (temporary, _) = replace { _ = temporary.withCString { unlink($0) } }
    PendingTemporary.clear()
    replace = nil
  }

  /// The canonical path of an existing file (symbolic links resolved).
  static func realPath(_ path: FilePath) -> FilePath? {
    guard let resolved = path.withCString({ realpath($0, nil) }) else { return nil }
    defer { free(resolved) }
    return FilePath(
      bytes: Array(UnsafeBufferPointer(start: resolved, count: strlen(resolved))).map(UInt8.init(bitPattern:)))
  }

  /// Where a new file at `path` lands: the target of a dangling symbolic link (a shell creates
  /// it), else the path itself.
  static func resolveDangling(_ path: FilePath) -> FilePath {
    var target = path
    for _ in 0..<40 {
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      let n = target.withCString { readlink($0, &buffer, buffer.count - 1) }
      guard n > 0 else { return target }
      let next = buffer[0..<n].map(UInt8.init(bitPattern:))
      target = next.first == 0x2F ? FilePath(bytes: next) : target.directory.appending(next)
    }
    return target
  }

  /// Whether a shell user could write it: root passes `access`, so a file with no write bit
  /// at all also counts as read-only.
  static func writable(_ path: FilePath, _ info: stat) -> Bool {
    path.withCString { access($0, W_OK) } == 0 && (info.st_mode & 0o222) != 0
  }

  static func openFailure(_ path: String, _ code: Int32) -> OutputFailure {
    OutputFailure(
      kind: .cannotCreate,
      message: "cannot write '\(path)': \(String(cString: strerror(code))); check the folder exists and is writable")
  }
}

/// The temporary file being written, removed by SIGINT, SIGTERM or SIGHUP before the process
/// ends, so an interrupted run leaves nothing behind.
///
/// A fixed C buffer: a signal handler may
/// only call async-signal-safe functions (`unlink`, `signal`, `raise`).
enum PendingTemporary {
  nonisolated(unsafe) private static var path = UnsafeMutablePointer<CChar>.allocate(capacity: 4096)
  nonisolated(unsafe) private static var active: sig_atomic_t = 0

  static func set(_ temporary: FilePath) {
    let bytes = Array(temporary.bytes.prefix(4095)).map(CChar.init(bitPattern:))
    for (i, b) in bytes.enumerated() { path[i] = b }
    path[bytes.count] = 0
    active = 1
    // A signal the process was started ignoring (a background job's SIGINT) stays ignored.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for sig in [SIGINT, SIGTERM, SIGHUP] {
      let previous = signal(sig, handler)
      if unsafeBitCast(previous, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self) {
        signal(sig, SIG_IGN)
      } else {
        sigaddset(&unblock, sig)
      }
    }
    // A parent that launched us with these blocked (some test runners do) would otherwise keep
    // the handler from ever running on this thread.
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
  }

  static func clear() { active = 0 }

  private static let handler: @convention(c) (Int32) -> Void = { sig in
    if PendingTemporary.active != 0 { unlink(PendingTemporary.path) }
    signal(sig, SIG_DFL)
    raise(sig)
  }
}
