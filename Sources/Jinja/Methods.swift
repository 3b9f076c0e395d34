/// Python methods of `str`, `dict` and `list` that templates call (`content.split('</think>')`,
/// `message.get('content')`, `tool.items()`), with Python's argument conventions.
/// Reference: https://docs.python.org/3/library/stdtypes.html
extension Members {
    static func callMethod(_ recv: Value, _ name: String, _ args: Arguments, _ interp: Interpreter) throws -> Value {
        switch recv {
        case .string(let s): return try stringMethod(s, name, args)
        case .dict(let d):
            switch name {
            case "items": return .list(d.entries.map { .tuple([$0.key, $0.value]) })
            case "keys": return .list(d.entries.map(\.key))
            case "values": return .list(d.entries.map(\.value))
            case "get":
                guard let k = args.get(0, "key") else { throw JinjaError(.type, "get expected at least 1 argument, got 0") }
                return d[k] ?? args.get(1, "default") ?? Value.none
            case "copy": return recv
            default: break
            }
        case .list(let a), .tuple(let a):
            switch name {
            case "count": return .int(a.filter { PyOps.equal($0, args.get(0, "value") ?? Value.none) }.count)
            case "index":
                let x: Value = args.get(0, "value") ?? Value.none
                guard let i = a.firstIndex(where: { PyOps.equal($0, x) }) else {
                    throw JinjaError(.type, "\(PyFormat.repr(x)) is not in list")
                }
                return .int(i)
            case "copy": return recv
            default: break
            }
        default: break
        }
        throw JinjaError(.type, "'\(recv.pyTypeName)' object has no method '\(name)'")
    }

    static func stringArg(_ args: Arguments, _ i: Int, _ name: String, method: String) throws -> String? {
        guard let v = args.get(i, name) else { return nil }
        switch v {
        case .string(let s): return s
        case .none: return nil
        case .undefined(let u): throw u.error
        default: throw JinjaError(.type, "\(method) arg must be None or str")
        }
    }

    static func intArg(_ args: Arguments, _ i: Int, _ name: String, _ dflt: Int) throws -> Int {
        guard let v = args.get(i, name) else { return dflt }
        if case .none = v { return dflt }
        guard let n = PyOps.int(v) else { throw JinjaError(.type, "'\(v.pyTypeName)' object cannot be interpreted as an integer") }
        return n
    }

    static func stringMethod(_ s: String, _ name: String, _ args: Arguments) throws -> Value {
        switch name {
        case "startswith", "endswith":
            guard let p = args.get(0, "prefix") else { throw JinjaError(.type, "\(name)() takes at least 1 argument (0 given)") }
            var subject = s
            if args.positional.count > 1 {
                let u = Array(s.unicodeScalars)
                let start = try intArg(args, 1, "start", 0), end = try intArg(args, 2, "end", u.count)
                let idx = try PyOps.sliceIndices(count: u.count, start: start, stop: end, step: 1)
                subject = String(String.UnicodeScalarView(idx.map { u[$0] }))
            }
            let candidates: [Value]
            if case .tuple(let t) = p { candidates = t } else { candidates = [p] }
            for c in candidates {
                guard case .string(let t) = c else {
                    throw JinjaError(.type, "\(name) first arg must be str or a tuple of str, not \(c.pyTypeName)")
                }
                let hit = name == "startswith" ? subject.utf8.starts(with: t.utf8) : subject.utf8.reversed().starts(with: t.utf8.reversed())
                if hit { return .bool(true) }
            }
            return .bool(false)
        case "split", "rsplit":
            let sep = try stringArg(args, 0, "sep", method: name)
            let maxsplit = try intArg(args, 1, "maxsplit", -1)
            let parts = name == "split" ? try Text.split(s, sep, maxsplit: maxsplit) : try Text.rsplit(s, sep, maxsplit: maxsplit)
            return .list(parts.map { .string($0) })
        case "strip", "lstrip", "rstrip":
            let chars = try stringArg(args, 0, "chars", method: name)
            return .string(Text.strip(s, chars, left: name != "rstrip", right: name != "lstrip"))
        case "replace":
            guard let old = try stringArg(args, 0, "old", method: name), let new = try stringArg(args, 1, "new", method: name) else {
                throw JinjaError(.type, "replace expected at least 2 arguments")
            }
            return .string(Text.replace(s, old, new, count: try intArg(args, 2, "count", -1)))
        case "upper": return .string(s.uppercased())
        case "lower": return .string(s.lowercased())
        case "casefold": return .string(s.lowercased())
        case "title": return .string(Text.title(s))
        case "capitalize": return .string(Text.capitalize(s))
        case "swapcase":
            return .string(String(s.unicodeScalars.map { c -> String in
                c.properties.isUppercase ? String(c).lowercased() : (c.properties.isLowercase ? String(c).uppercased() : String(c))
            }.joined()))
        case "find", "rfind", "index", "rindex", "count":
            guard let sub = try stringArg(args, 0, "sub", method: name) else { throw JinjaError(.type, "\(name)() missing argument") }
            let h = Array(s.utf8), n = Array(sub.utf8)
            if name == "count" {
                if n.isEmpty { return .int(s.unicodeScalars.count + 1) }
                var c = 0, from = 0
                while let i = Text.find(h, n, from: from) { c += 1; from = i + n.count }
                return .int(c)
            }
            let byte = name.hasPrefix("r") ? Text.rfind(h, n) : Text.find(h, n)
            guard let b = byte else {
                if name.hasSuffix("index") { throw JinjaError(.type, "substring not found") }
                return .int(-1)
            }
            return .int(String(decoding: h[..<b], as: UTF8.self).unicodeScalars.count)
        case "join":
            guard let it = args.get(0, "iterable") else { throw JinjaError(.type, "join() takes exactly one argument (0 given)") }
            var parts: [String] = []
            let items: [Value]
            switch it {
            case .list(let a), .tuple(let a): items = a
            case .dict(let d): items = d.entries.map(\.key)
            case .string(let t): items = t.unicodeScalars.map { .string(String($0)) }
            default: throw JinjaError(.type, "can only join an iterable")
            }
            for x in items {
                guard case .string(let t) = x else {
                    throw JinjaError(.type, "sequence item \(parts.count): expected str instance, \(x.pyTypeName) found")
                }
                parts.append(t)
            }
            return .string(parts.joined(separator: s))
        case "format": return .string(try formatMethod(s, args))
        case "isdigit", "isnumeric", "isdecimal":
            return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType != nil })
        case "isalpha": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic })
        case "isalnum":
            return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || $0.properties.numericType != nil })
        case "isspace": return .bool(!s.isEmpty && s.unicodeScalars.allSatisfy(PyFormat.isSpace))
        case "isupper": return .bool(s.unicodeScalars.contains { $0.properties.isCased } && s == s.uppercased())
        case "islower": return .bool(s.unicodeScalars.contains { $0.properties.isCased } && s == s.lowercased())
        case "zfill", "center", "ljust", "rjust":
            let width = try intArg(args, 0, "width", 0)
            let fill = try stringArg(args, 1, "fillchar", method: name) ?? (name == "zfill" ? "0" : " ")
            let n = s.unicodeScalars.count
            if width <= n { return .string(s) }
            let pad = width - n
            _ = try PyOps.repeatCount(max(1, fill.utf8.count), pad, Limits.maxRepeatBytes)
            switch name {
            case "ljust": return .string(s + String(repeating: fill, count: pad))
            case "rjust", "zfill": return .string(String(repeating: fill, count: pad) + s)
            default:
                let left = pad / 2 + (pad & width & 1)
                return .string(String(repeating: fill, count: left) + s + String(repeating: fill, count: pad - left))
            }
        case "splitlines":
            var lines = try Text.split(s.replacingNewlines(), "\n")
            if lines.last == "" { lines.removeLast() }
            return .list(lines.map { .string($0) })
        case "partition", "rpartition":
            guard let sep = try stringArg(args, 0, "sep", method: name) else { throw JinjaError(.type, "must be str") }
            let h = Array(s.utf8), n = Array(sep.utf8)
            if let i = name == "partition" ? Text.find(h, n) : Text.rfind(h, n) {
                return .tuple([.string(Text.string(h[..<i])), .string(sep), .string(Text.string(h[(i + n.count)...]))])
            }
            return name == "partition" ? .tuple([.string(s), .string(""), .string("")]) : .tuple([.string(""), .string(""), .string(s)])
        case "removeprefix":
            let p = try stringArg(args, 0, "prefix", method: name) ?? ""
            return .string(s.utf8.starts(with: p.utf8) ? Text.string(Array(s.utf8)[p.utf8.count...]) : s)
        case "removesuffix":
            let p = try stringArg(args, 0, "suffix", method: name) ?? ""
            let u = Array(s.utf8)
            return .string(!p.isEmpty && u.reversed().starts(with: p.utf8.reversed()) ? Text.string(u[..<(u.count - p.utf8.count)]) : s)
        default:
            throw JinjaError(.type, "str.\(name)() is not supported by this template engine")
        }
    }

    /// `str.format` with `{}`, `{0}`, `{name}` fields (no format specs beyond none).
    static func formatMethod(_ s: String, _ args: Arguments) throws -> String {
        var out = "", auto = 0
        var u = Array(s.unicodeScalars)[...]
        while let c = u.popFirst() {
            if c == "{" {
                if u.first == "{" { u.removeFirst(); out += "{"; continue }
                var field = ""
                while let d = u.popFirst(), d != "}" { field.unicodeScalars.append(d) }
                let v: Value?
                if field.isEmpty { v = args.positional.indices.contains(auto) ? args.positional[auto] : nil; auto += 1 }
                else if let i = Int(field) { v = args.positional.indices.contains(i) ? args.positional[i] : nil }
                else { v = args.keyword.first { $0.0 == field }?.1 }
                guard let v else { throw JinjaError(.type, "Replacement index \(field) out of range for positional args tuple") }
                out += PyFormat.str(v)
            } else if c == "}" {
                if u.first == "}" { u.removeFirst() }
                out += "}"
            } else {
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

extension String {
    /// `\r\n`, `\r` and the other Python line boundaries as `\n` (for `splitlines`).
    func replacingNewlines() -> String {
        var out = String.UnicodeScalarView()
        var prevCR = false
        for c in unicodeScalars {
            if prevCR && c == "\n" { prevCR = false; continue }
            prevCR = c == "\r"
            switch c {
            case "\r", "\u{0B}", "\u{0C}", "\u{1C}", "\u{1D}", "\u{1E}", "\u{85}", "\u{2028}", "\u{2029}": out.append("\n")
            default: out.append(c)
            }
        }
        return String(out)
    }
}
