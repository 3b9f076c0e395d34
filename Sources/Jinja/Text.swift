/// Python `str` operations with code-point semantics (`len`, slicing, `find`, `split`, `strip`),
/// working on UTF-8 bytes where that is exact (UTF-8 is self-synchronising, so byte search finds
/// the same code-point positions). Reference: https://docs.python.org/3/library/stdtypes.html#string-methods
enum Text {
    /// Byte offset of the first occurrence of `needle` in `hay` at or after `from`, or nil.
    static func find(_ hay: String, _ needle: String, from: Int = 0) -> Int? {
        if let r = hay.utf8.withContiguousStorageIfAvailable({ h in
            needle.utf8.withContiguousStorageIfAvailable({ n in find(h, n, from: from) })
        }) { return r ?? nil }
        return find(Array(hay.utf8), Array(needle.utf8), from: from)
    }

    /// Byte-wise equality (Python compares code points; Swift's `==` uses canonical equivalence).
    @inline(__always)
    static func bytesEqual(_ a: String, _ b: String) -> Bool {
        if a.utf8.count != b.utf8.count { return false }
        if let r = a.utf8.withContiguousStorageIfAvailable({ x in
            b.utf8.withContiguousStorageIfAvailable({ y in x.elementsEqual(y) })
        }), let eq = r { return eq }
        return a.utf8.elementsEqual(b.utf8)
    }

    static func find<H: RandomAccessCollection, N: RandomAccessCollection>(_ h: H, _ n: N, from: Int = 0) -> Int?
    where H.Element == UInt8, N.Element == UInt8, H.Index == Int, N.Index == Int {
        if n.isEmpty { return from <= h.count ? from : nil }
        if n.count > h.count { return nil }
        let first = n[0]
        var i = from
        let last = h.count - n.count
        while i <= last {
            if h[i] == first {
                var k = 1
                while k < n.count && h[i + k] == n[k] { k += 1 }
                if k == n.count { return i }
            }
            i += 1
        }
        return nil
    }

    static func rfind(_ h: [UInt8], _ n: [UInt8]) -> Int? {
        if n.count > h.count { return nil }
        var i = h.count - n.count
        while i >= 0 {
            var k = 0
            while k < n.count && h[i + k] == n[k] { k += 1 }
            if k == n.count { return i }
            i -= 1
        }
        return nil
    }

    static func string(_ bytes: ArraySlice<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

    /// `s.split(sep, maxsplit)`; with `sep == nil`, splits on runs of whitespace.
    static func split(_ s: String, _ sep: String?, maxsplit: Int = -1) throws -> [String] {
        guard let sep else { return splitWhitespace(s, maxsplit: maxsplit) }
        if sep.isEmpty { throw JinjaError(.type, "empty separator") }
        let h = Array(s.utf8), n = Array(sep.utf8)
        var out: [String] = []
        var start = 0
        while maxsplit < 0 || out.count < maxsplit, let i = find(h, n, from: start) {
            out.append(string(h[start..<i]))
            start = i + n.count
        }
        out.append(string(h[start...]))
        return out
    }

    /// `s.rsplit(sep, maxsplit)`.
    static func rsplit(_ s: String, _ sep: String?, maxsplit: Int = -1) throws -> [String] {
        if maxsplit < 0 { return try split(s, sep) }
        guard let sep else {
            let parts = splitWhitespace(String(s.unicodeScalars.reversed().map(Character.init)), maxsplit: maxsplit)
            return parts.reversed().map { String($0.unicodeScalars.reversed().map(Character.init)) }
        }
        if sep.isEmpty { throw JinjaError(.type, "empty separator") }
        var h = Array(s.utf8)
        let n = Array(sep.utf8)
        var out: [String] = []
        while out.count < maxsplit, let i = rfind(h, n) {
            out.append(string(h[(i + n.count)...]))
            h = Array(h[..<i])
        }
        out.append(string(h[...]))
        return out.reversed()
    }

    static func splitWhitespace(_ s: String, maxsplit: Int) -> [String] {
        var out: [String] = []
        var cur = String.UnicodeScalarView()
        var inWord = false
        var it = s.unicodeScalars.makeIterator()
        var rest: String.UnicodeScalarView? = nil
        while let c = it.next() {
            if PyFormat.isSpace(c) {
                if inWord { out.append(String(cur)); cur = .init(); inWord = false }
            } else {
                if !inWord && maxsplit >= 0 && out.count == maxsplit {
                    var r = String.UnicodeScalarView()
                    r.append(c)
                    while let d = it.next() { r.append(d) }
                    rest = r
                    break
                }
                inWord = true
                cur.append(c)
            }
        }
        if let rest {
            out.append(String(rest))
        } else if inWord {
            out.append(String(cur))
        }
        return out
    }

    /// `s.strip(chars)` / `lstrip` / `rstrip`; `chars == nil` strips Unicode whitespace.
    static func strip(_ s: String, _ chars: String?, left: Bool, right: Bool) -> String {
        let set = chars.map { Set($0.unicodeScalars) }
        func drop(_ c: Unicode.Scalar) -> Bool { set.map { $0.contains(c) } ?? PyFormat.isSpace(c) }
        let u = s.unicodeScalars
        var lo = u.startIndex, hi = u.endIndex
        if left { while lo < hi, drop(u[lo]) { lo = u.index(after: lo) } }
        if right {
            while hi > lo {
                let p = u.index(before: hi)
                if drop(u[p]) { hi = p } else { break }
            }
        }
        if lo == u.startIndex && hi == u.endIndex { return s }
        return String(u[lo..<hi])
    }

    /// `s.replace(old, new, count)`.
    static func replace(_ s: String, _ old: String, _ new: String, count: Int = -1) -> String {
        if old.isEmpty {
            var out = String.UnicodeScalarView()
            var n = 0
            for c in s.unicodeScalars {
                if count < 0 || n < count { out.append(contentsOf: new.unicodeScalars); n += 1 }
                out.append(c)
            }
            if count < 0 || n < count { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        let h = Array(s.utf8), o = Array(old.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(h.count)
        var start = 0, n = 0
        while count < 0 || n < count, let i = find(h, o, from: start) {
            out.append(contentsOf: h[start..<i])
            out.append(contentsOf: new.utf8)
            start = i + o.count
            n += 1
        }
        out.append(contentsOf: h[start...])
        return String(decoding: out, as: UTF8.self)
    }

    /// Python `str.title()`-like capitalisation used by `capitalize`: first code point upper, rest lower.
    static func capitalize(_ s: String) -> String {
        guard let f = s.unicodeScalars.first else { return s }
        let rest = String(s.unicodeScalars.dropFirst())
        return String(f).uppercased() + rest.lowercased()
    }

    /// Python `str.title()`: words (runs of cased letters) start upper-case, continue lower-case.
    static func title(_ s: String) -> String {
        var out = ""
        var prevCased = false
        for c in s.unicodeScalars {
            let cased = c.properties.isCased || c.properties.isCaseIgnorable && prevCased && c.properties.isCased
            if c.properties.isCased {
                out += prevCased ? String(c).lowercased() : String(c).uppercased()
                prevCased = true
            } else {
                out.unicodeScalars.append(c)
                prevCased = cased && false
            }
        }
        return out
    }
}
