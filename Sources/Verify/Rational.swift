/// An exact fraction of two `Int64`s, always reduced, denominator > 0.
/// Every operation checks for overflow and returns nil instead of trapping, so callers
/// fall back to `Double` comparison when numbers grow too large.
public struct Rational: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let num: Int64
    public let den: Int64

    /// nil if `den` is 0 or normalising overflows (Int64.min).
    public init?(_ num: Int64, _ den: Int64 = 1) {
        guard den != 0, num != .min, den != .min else { return nil }
        let g = Rational.gcd(Swift.abs(num), Swift.abs(den))
        var n = num / g, d = den / g
        if d < 0 { n = -n; d = -d }
        self.num = n
        self.den = d
    }

    static func gcd(_ a: Int64, _ b: Int64) -> Int64 {
        var a = a, b = b
        while b != 0 { (a, b) = (b, a % b) }
        return a == 0 ? 1 : a
    }

    /// Parses a plain decimal literal such as `12`, `-3.250`, `.5` exactly.
    public init?(decimal s: Substring) {
        var neg = false
        var body = s
        if body.first == "-" { neg = true; body = body.dropFirst() } else if body.first == "+" { body = body.dropFirst() }
        guard !body.isEmpty else { return nil }
        var n: Int64 = 0, d: Int64 = 1, seenDot = false, digits = 0
        for c in body.utf8 {
            if c == UInt8(ascii: ".") {
                if seenDot { return nil }
                seenDot = true
                continue
            }
            guard c >= 48, c <= 57 else { return nil }
            digits += 1
            let (m, o1) = n.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(c - 48))
            guard !o1, !o2 else { return nil }
            n = a
            if seenDot {
                let (dd, o3) = d.multipliedReportingOverflow(by: 10)
                guard !o3 else { return nil }
                d = dd
            }
        }
        guard digits > 0 else { return nil }
        self.init(neg ? -n : n, d)
    }

    public var doubleValue: Double { Double(num) / Double(den) }
    public var isInteger: Bool { den == 1 }
    public var description: String { den == 1 ? "\(num)" : "\(num)/\(den)" }

    public static func + (a: Rational, b: Rational) -> Rational? {
        let g = gcd(a.den, b.den)
        let (l1, o1) = a.num.multipliedReportingOverflow(by: b.den / g)
        let (l2, o2) = b.num.multipliedReportingOverflow(by: a.den / g)
        let (s, o3) = l1.addingReportingOverflow(l2)
        let (d, o4) = a.den.multipliedReportingOverflow(by: b.den / g)
        guard !o1, !o2, !o3, !o4 else { return nil }
        return Rational(s, d)
    }

    public static prefix func - (a: Rational) -> Rational? { Rational(-a.num, a.den) }

    public static func - (a: Rational, b: Rational) -> Rational? {
        guard let nb = -b else { return nil }
        return a + nb
    }

    public static func * (a: Rational, b: Rational) -> Rational? {
        let g1 = gcd(Swift.abs(a.num), b.den), g2 = gcd(Swift.abs(b.num), a.den)
        let (n, o1) = (a.num / g1).multipliedReportingOverflow(by: b.num / g2)
        let (d, o2) = (a.den / g2).multipliedReportingOverflow(by: b.den / g1)
        guard !o1, !o2 else { return nil }
        return Rational(n, d)
    }

    public static func / (a: Rational, b: Rational) -> Rational? {
        guard b.num != 0, let inv = Rational(b.den, b.num) else { return nil }
        return a * inv
    }

    /// Integer powers only (|e| ≤ 64); nil on overflow.
    public func power(_ e: Int64) -> Rational? {
        guard Swift.abs(e) <= 64 else { return nil }
        var result = Rational(1)!
        for _ in 0..<Swift.abs(e) {
            guard let r = result * self else { return nil }
            result = r
        }
        return e < 0 ? (Rational(1)! / result) : result
    }
}
