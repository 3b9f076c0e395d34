/// jinja2's built-in filters that chat templates use, plus transformers' `tojson`.
/// Reference: jinja2/filters.py, https://jinja.palletsprojects.com/en/3.1.x/templates/#list-of-builtin-filters
enum Filters {
    typealias Fn = (_ value: Value, _ args: Arguments, _ interp: Interpreter) throws -> Value

    static let table: [String: Fn] = {
        var t: [String: Fn] = [:]
        t["trim"] = { v, a, _ in .string(Text.strip(PyFormat.str(v), try Members.stringArg(a, 0, "chars", method: "trim"), left: true, right: true)) }
        t["length"] = { v, _, _ in .int(try length(v)) }
        t["count"] = t["length"]
        t["string"] = { v, _, _ in
            if case .undefined(let u) = v, u.unsafe { throw u.error }
            return .string(PyFormat.str(v))
        }
        t["lower"] = { v, _, _ in .string(PyFormat.str(v).lowercased()) }
        t["upper"] = { v, _, _ in .string(PyFormat.str(v).uppercased()) }
        t["capitalize"] = { v, _, _ in .string(Text.capitalize(PyFormat.str(v))) }
        t["title"] = { v, _, _ in .string(jinjaTitle(PyFormat.str(v))) }
        t["safe"] = { v, _, _ in v }
        t["escape"] = { v, _, _ in .string(htmlEscape(PyFormat.str(v))) }
        t["e"] = t["escape"]
        t["replace"] = { v, a, _ in
            let old = PyFormat.str(a.get(0, "old") ?? .string("")), new = PyFormat.str(a.get(1, "new") ?? .string(""))
            var count = -1
            if let c = a.get(2, "count"), let n = PyOps.int(c) { count = n }
            return .string(Text.replace(PyFormat.str(v), old, new, count: count))
        }
        t["default"] = { v, a, _ in
            let boolean = a.get(1, "boolean")?.truthy ?? false
            if v.isUndefined || (boolean && !v.truthy) { return a.get(0, "default_value") ?? .string("") }
            return v
        }
        t["d"] = t["default"]
        t["join"] = { v, a, i in
            let sep = PyFormat.str(a.get(0, "d") ?? .string(""))
            var items = try i.iterate(v, a.pos)
            if let attr = a.get(1, "attribute") { items = try items.map { try attrGetter($0, attr, i) } }
            return .string(items.map { PyFormat.str($0) }.joined(separator: sep))
        }
        t["first"] = { v, _, i in
            try i.iterate(v, SourcePos(line: 0, column: 0)).first ?? .undef("No first item, sequence was empty.")
        }
        t["last"] = { v, _, i in
            try i.iterate(v, SourcePos(line: 0, column: 0)).last ?? .undef("No last item, sequence was empty.")
        }
        t["list"] = { v, a, i in .list(try i.iterate(v, a.pos)) }
        t["reverse"] = { v, a, i in
            if case .string(let s) = v { return .string(String(String.UnicodeScalarView(s.unicodeScalars.reversed()))) }
            return .list(try i.iterate(v, a.pos).reversed())
        }
        t["items"] = { v, _, _ in
            switch v {
            case .dict(let d): return .list(d.entries.map { .tuple([$0.key, $0.value]) })
            case .undefined: return .list([])
            default: throw JinjaError(.type, "Can only get item pairs from a mapping.")
            }
        }
        t["int"] = { v, a, _ in
            let dflt = a.get(0, "default") ?? .int(0)
            switch v {
            case .int: return v
            case .bool(let b): return .int(b ? 1 : 0)
            case .float(let d): return d.isFinite ? .int(Int(d.rounded(.towardZero))) : dflt
            case .string(let s):
                let t = Text.strip(s, nil, left: true, right: true).replacingOccurrences("_", "")
                if let n = Int(t, radix: PyOps.int(a.get(1, "base") ?? .int(10)) ?? 10) { return .int(n) }
                if let d = Double(t), d.isFinite { return .int(Int(d.rounded(.towardZero))) }
                return dflt
            default: return dflt
            }
        }
        t["float"] = { v, a, _ in
            let dflt = a.get(0, "default") ?? .float(0)
            switch v {
            case .float: return v
            case .int(let i): return .float(Double(i))
            case .bool(let b): return .float(b ? 1 : 0)
            case .string(let s): return Double(Text.strip(s, nil, left: true, right: true)).map { .float($0) } ?? dflt
            default: return dflt
            }
        }
        t["abs"] = { v, _, _ in
            switch v {
            case .int(let i): return .int(abs(i))
            case .float(let d): return .float(abs(d))
            case .bool(let b): return .int(b ? 1 : 0)
            default: throw JinjaError(.type, "bad operand type for abs(): '\(v.pyTypeName)'")
            }
        }
        t["round"] = { v, a, _ in
            guard let d = PyOps.number(v) else { throw JinjaError(.type, "must be real number, not \(v.pyTypeName)") }
            let precision = PyOps.int(a.get(0, "precision") ?? .int(0)) ?? 0
            let method = PyFormat.str(a.get(1, "method") ?? .string("common"))
            var m = 1.0
            for _ in 0..<abs(precision) { m *= 10 }
            if precision < 0 { m = 1 / m }
            let rule: FloatingPointRoundingRule = method == "ceil" ? .up : method == "floor" ? .down : .toNearestOrEven
            return .float((d * m).rounded(rule) / m)
        }
        t["tojson"] = { v, a, _ in
            var indent: String? = nil
            if let iv = a.get(0, "indent") {
                switch iv {
                case .int(let n): indent = String(repeating: " ", count: try PyOps.repeatCount(1, n, Limits.maxRepeatBytes))
                case .string(let s): indent = s
                default: break
                }
            }
            var seps: (String, String)? = nil
            if let s = a.keyword.first(where: { $0.0 == "separators" })?.1, case .tuple(let p) = s, p.count == 2 {
                seps = (PyFormat.str(p[0]), PyFormat.str(p[1]))
            } else if let s = a.keyword.first(where: { $0.0 == "separators" })?.1, case .list(let p) = s, p.count == 2 {
                seps = (PyFormat.str(p[0]), PyFormat.str(p[1]))
            }
            let ascii = a.keyword.first(where: { $0.0 == "ensure_ascii" })?.1.truthy ?? false
            let sortKeys = a.keyword.first(where: { $0.0 == "sort_keys" })?.1.truthy ?? false
            return .string(try PyJSON(ensureASCII: ascii, indent: indent, separators: seps, sortKeys: sortKeys).dumps(v))
        }
        t["indent"] = { v, a, _ in
            let w = a.get(0, "width") ?? .int(4)
            let ind: String
            if case .string(let s) = w { ind = s } else { ind = String(repeating: " ", count: try PyOps.repeatCount(1, PyOps.int(w) ?? 4, Limits.maxRepeatBytes)) }
            let first = a.get(1, "first")?.truthy ?? false, blank = a.get(2, "blank")?.truthy ?? false
            var lines = try Text.split((PyFormat.str(v) + "\n").replacingNewlines(), "\n")
            if lines.last == "" { lines.removeLast() }
            var rv: String
            if blank { rv = lines.joined(separator: "\n" + ind) } else {
                rv = lines.isEmpty ? "" : lines.removeFirst()
                if !lines.isEmpty { rv += "\n" + lines.map { $0.isEmpty ? $0 : ind + $0 }.joined(separator: "\n") }
            }
            return .string(first ? ind + rv : rv)
        }
        t["unique"] = { v, a, i in
            let cs = a.get(0, "case_sensitive")?.truthy ?? false
            var seen: [Value] = [], out: [Value] = []
            for x in try i.iterate(v, a.pos) {
                var key = x
                if let attr = a.get(1, "attribute") { key = try attrGetter(x, attr, i) }
                if !cs, case .string(let s) = key { key = .string(s.lowercased()) }
                if !seen.contains(where: { PyOps.equal($0, key) }) { seen.append(key); out.append(x) }
            }
            return .list(out)
        }
        t["sort"] = { v, a, i in
            let rev = a.get(0, "reverse")?.truthy ?? false, cs = a.get(1, "case_sensitive")?.truthy ?? false
            let attr = a.get(2, "attribute")
            let items = try i.iterate(v, a.pos)
            let keys = try items.map { x -> Value in
                var k = x
                if let attr { k = try attrGetter(x, attr, i) }
                if !cs, case .string(let s) = k { k = .string(s.lowercased()) }
                return k
            }
            var idx = Array(items.indices)
            var failure: Error? = nil
            idx.sort { p, q in  // stable, as Python's sorted: ties keep their order
                do {
                    let (a, b) = rev ? (keys[q], keys[p]) : (keys[p], keys[q])
                    if try PyOps.less(a, b) { return true }
                    if try PyOps.less(b, a) { return false }
                    return p < q
                } catch { failure = error; return false }
            }
            if let failure { throw failure }
            return .list(idx.map { items[$0] })
        }
        t["dictsort"] = { v, a, _ in
            guard case .dict(let d) = v else { throw JinjaError(.type, "dictsort expects a mapping") }
            let byValue = PyFormat.str(a.get(1, "by") ?? .string("key")) == "value"
            let rev = a.get(2, "reverse")?.truthy ?? false
            let e = d.entries
            func key(_ i: Int) -> Value {
                let v = byValue ? e[i].value : e[i].key
                if case .string(let s) = v { return .string(s.lowercased()) }
                return v
            }
            let order = e.indices.sorted { p, q in
                let (a, b) = rev ? (key(q), key(p)) : (key(p), key(q))
                if (try? PyOps.less(a, b)) ?? false { return true }
                if (try? PyOps.less(b, a)) ?? false { return false }
                return p < q
            }
            return .list(order.map { .tuple([e[$0].key, e[$0].value]) })
        }
        t["sum"] = { v, a, i in
            var acc = a.get(1, "start") ?? .int(0)
            for x in try i.iterate(v, a.pos) {
                acc = try PyOps.binary(.add, acc, try a.get(0, "attribute").map { try attrGetter(x, $0, i) } ?? x)
            }
            return acc
        }
        t["min"] = { v, a, i in try extreme(try i.iterate(v, a.pos), max: false) }
        t["max"] = { v, a, i in try extreme(try i.iterate(v, a.pos), max: true) }
        t["wordcount"] = { v, _, _ in .int(Text.splitWhitespace(PyFormat.str(v), maxsplit: -1).count) }
        t["center"] = { v, a, _ in
            try Members.stringMethod(PyFormat.str(v), "center", Arguments(positional: [a.get(0, "width") ?? .int(80)], pos: a.pos))
        }
        t["format"] = { v, a, _ in
            .string(try Printf.format(PyFormat.str(v), a.positional.count == 1 ? a.positional[0] : .tuple(a.positional)))
        }
        t["attr"] = { v, a, _ in
            // jinja2's `attr` looks up the Python attribute only (no item fallback).
            let name = PyFormat.str(a.get(0, "name") ?? Value.none)
            if case .undefined(let u) = v { throw u.error }
            return Members.attribute(v, name) ?? .undef("'\(v.objectTypeRepr)' has no attribute '\(name)'", name: name)
        }
        t["batch"] = { v, a, i in
            let n = max(1, PyOps.int(a.get(0, "linecount") ?? .int(1)) ?? 1)
            let items = try i.iterate(v, a.pos)
            var out: [Value] = []
            var k = 0
            while k < items.count {
                let end = n >= items.count - k ? items.count : k + n  // no k + n overflow for huge n
                var chunk = Array(items[k..<end])
                if chunk.count < n, let fill = a.get(1, "fill_with") {
                    chunk += Array(repeating: fill, count: try PyOps.repeatCount(1, n - chunk.count, Limits.maxRepeatElements))
                }
                out.append(.list(chunk))
                k = end
            }
            return .list(out)
        }
        for (name, negate, byAttr) in [("select", false, false), ("reject", true, false), ("selectattr", false, true), ("rejectattr", true, true)] {
            t[name] = { v, a, i in try selectOrReject(v, a, i, negate: negate, byAttribute: byAttr) }
        }
        t["map"] = { v, a, i in try mapFilter(v, a, i) }
        return t
    }()

    static func length(_ v: Value) throws -> Int {
        switch v {
        case .string(let s): return s.unicodeScalars.count
        case .list(let a), .tuple(let a): return a.count
        case .dict(let d): return d.count
        case .undefined(let u): if u.unsafe { throw u.error }; return 0
        default: throw JinjaError(.type, "object of type '\(v.pyTypeName)' has no len()")
        }
    }

    static func extreme(_ items: [Value], max: Bool) throws -> Value {
        guard var best = items.first else { return .undef("No aggregated item, sequence was empty.") }
        for x in items.dropFirst() where max ? try PyOps.less(best, x) : try PyOps.less(x, best) { best = x }
        return best
    }

    /// jinja2's `make_attrgetter`: dotted path, each part an item lookup (integers index lists).
    static func attrGetter(_ v: Value, _ attr: Value, _ interp: Interpreter) throws -> Value {
        if let n = PyOps.int(attr) { return try Members.getitem(v, .int(n)).get(SourcePos(line: 0, column: 0)) }
        var cur = v
        for part in PyFormat.str(attr).split(separator: ".", omittingEmptySubsequences: false) {
            let key: Value = Int(part).map { .int($0) } ?? .string(String(part))
            cur = try Members.getitem(cur, key).get(SourcePos(line: 0, column: 0))
        }
        return cur
    }

    static func htmlEscape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// jinja2's `title` filter: upper-cases the first letter after `-`, whitespace, or an opening bracket.
    static func jinjaTitle(_ s: String) -> String {
        var out = ""
        var atStart = true
        for c in s.unicodeScalars {
            let sep = PyFormat.isSpace(c) || "-({[<".unicodeScalars.contains(c)
            if sep { out.unicodeScalars.append(c); atStart = true; continue }
            out += atStart ? String(c).uppercased() : String(c).lowercased()
            atStart = false
        }
        return out
    }
}

extension String {
    func replacingOccurrences(_ a: String, _ b: String) -> String { Text.replace(self, a, b) }
}
