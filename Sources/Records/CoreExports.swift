/// Core (errors, `SourceLocation`, strict decoding, POSIX I/O, lines, RNG, thread splits, `Log`)
/// is part of what every module that imports Records sees.
@_exported import Core
