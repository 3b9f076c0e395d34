import Foundation

extension JSONEncoder {
    /// Sorted keys; non-finite numbers as the strings "Infinity", "-Infinity", "NaN" (the
    /// form of metrics lines, reports and `eaft eval` output).
    public static var sorted: JSONEncoder {
        let e = JSONEncoder(); e.outputFormatting = [.sortedKeys]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }
}
