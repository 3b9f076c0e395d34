import Foundation

/// Python's printf-style `str % args` for the common conversions (`%s %r %d %i %f %x %%`,
/// with flags, width and precision). Reference: https://docs.python.org/3/library/stdtypes.html#old-string-formatting
enum Printf {
    static func format(_ fmt: String, _ arg: Value) throws -> String {
        var args: [Value]
        if case .tuple(let t) = arg { args = t } else { args = [arg] }
        var out = ""
        var it = Array(fmt.unicodeScalars)[...]
        var argi = 0
        func next() throws -> Value {
            guard argi < args.count else { throw JinjaError(.type, "not enough arguments for format string") }
            defer { argi += 1 }
            return args[argi]
        }
        while let c = it.popFirst() {
            if c != "%" { out.unicodeScalars.append(c); continue }
            var flags = "", width = "", prec: String? = nil
            while let f = it.first, "-+ 0#".unicodeScalars.contains(f) { flags.unicodeScalars.append(f); it.removeFirst() }
            while let f = it.first, f.properties.numericType != nil, f.isASCII { width.unicodeScalars.append(f); it.removeFirst() }
            if it.first == "." {
                it.removeFirst()
                var p = ""
                while let f = it.first, f.isASCII, f.properties.numericType != nil { p.unicodeScalars.append(f); it.removeFirst() }
                prec = p
            }
            guard let conv = it.popFirst() else { throw JinjaError(.type, "incomplete format") }
            var s: String
            switch conv {
            case "%": out += "%"; continue
            case "s": s = PyFormat.str(try next())
            case "r": s = PyFormat.repr(try next())
            case "d", "i":
                let v = try next()
                guard let d = PyOps.number(v) else { throw JinjaError(.type, "%d format: a real number is required, not \(v.pyTypeName)") }
                s = String(Int(d.rounded(.towardZero)))
                if flags.contains("+"), d >= 0 { s = "+" + s }
            case "f", "F", "e", "g":
                let v = try next()
                guard let d = PyOps.number(v) else { throw JinjaError(.type, "must be real number, not \(v.pyTypeName)") }
                s = String(format: "%.\(Int(prec ?? "6") ?? 6)\(conv)", d)
                if flags.contains("+"), d >= 0 { s = "+" + s }
            case "x", "X", "o":
                let v = try next()
                guard let d = PyOps.int(v) else { throw JinjaError(.type, "%\(conv) format: an integer is required, not \(v.pyTypeName)") }
                s = String(d, radix: conv == "o" ? 8 : 16, uppercase: conv == "X")
            default: throw JinjaError(.type, "unsupported format character '\(conv)'")
            }
            if conv == "s" || conv == "r", let p = prec, let n = Int(p) { s = String(s.unicodeScalars.prefix(n)) }
            if let w = Int(width), s.unicodeScalars.count < w {
                _ = try PyOps.repeatCount(1, w, Limits.maxRepeatBytes)
                let pad = String(repeating: flags.contains("0") && !flags.contains("-") && conv != "s" ? "0" : " ",
                                 count: w - s.unicodeScalars.count)
                s = flags.contains("-") ? s + pad : pad + s
            }
            out += s
        }
        if argi < args.count, case .tuple = arg { throw JinjaError(.type, "not all arguments converted during string formatting") }
        return out
    }
}
