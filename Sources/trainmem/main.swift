import TrainMemKit

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

exit(TrainMemCLI.main(Array(CommandLine.arguments.dropFirst())))
