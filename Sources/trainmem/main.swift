import TrainMemCLI

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

// The arguments' bytes too: a path need not be UTF-8 (RawArguments).
let raw = (1..<Int(CommandLine.argc)).map { i in
  CommandLine.unsafeArgv[i].map {
    Array(UnsafeBufferPointer(start: $0, count: strlen($0))).map(UInt8.init(bitPattern:))
  }
    ?? []
}
exit(TrainMemCLI.main(Array(CommandLine.arguments.dropFirst()), raw: raw))
