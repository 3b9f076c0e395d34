import CBLAS

/// The x86 feature bits that decide which GEMM kernels a CPU can run, read with CPUID and
/// XGETBV (the OS must save the ymm / zmm state for AVX / AVX-512 to be usable).
/// Reference: Intel SDM vol. 2A, CPUID leaves 00H, 01H, 07H; vol. 1 §13.3 (XCR0).
public struct CPUFeatures: Sendable, Equatable, Codable {
    /// The widest vector ISA a GEMM kernel may use.
    public enum Level: Int, Sendable, Codable, Comparable, CustomStringConvertible {
        case sse = 0, avx, avx2, avx512
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
        public var description: String {
            switch self {
            case .sse: return "SSE"
            case .avx: return "AVX"
            case .avx2: return "AVX2+FMA"
            case .avx512: return "AVX-512"
            }
        }
    }

    /// CPUID vendor string ("GenuineIntel", "AuthenticAMD", …; "" off x86).
    public var vendor: String
    /// Display family and model (CPUID leaf 1, with the extended fields applied).
    public var family: Int
    public var model: Int
    public var avx: Bool
    public var fma: Bool
    public var avx2: Bool
    public var avx512f: Bool
    public var avx512bw: Bool
    public var avx512dq: Bool
    public var avx512vl: Bool
    public var avx512bf16: Bool
    /// The OS saves ymm (XCR0 bits 1, 2) and zmm (bits 5, 6, 7) state.
    public var osYMM: Bool
    public var osZMM: Bool

    public init(vendor: String, family: Int, model: Int, avx: Bool, fma: Bool, avx2: Bool, avx512f: Bool,
                avx512bw: Bool, avx512dq: Bool, avx512vl: Bool, avx512bf16: Bool, osYMM: Bool, osZMM: Bool) {
        self.vendor = vendor; self.family = family; self.model = model
        self.avx = avx; self.fma = fma; self.avx2 = avx2
        self.avx512f = avx512f; self.avx512bw = avx512bw; self.avx512dq = avx512dq; self.avx512vl = avx512vl
        self.avx512bf16 = avx512bf16; self.osYMM = osYMM; self.osZMM = osZMM
    }

    /// The widest level usable: every instruction group the kernels need, and the OS state.
    public var level: Level {
        if avx512f && avx512bw && avx512dq && avx512vl && osZMM && osYMM { return .avx512 }
        if avx2 && fma && osYMM { return .avx2 }
        if avx && osYMM { return .avx }
        return .sse
    }

    /// "GenuineIntel family 6 model 207".
    public var summary: String { "\(vendor.isEmpty ? "unknown" : vendor) family \(family) model \(model)" }

    /// Reads this CPU's features.
    public static func detect() -> CPUFeatures {
        #if arch(x86_64)
        var r: [UInt32] = [0, 0, 0, 0]
        func cpuid(_ leaf: UInt32, _ sub: UInt32) -> [UInt32] {
            _ = r.withUnsafeMutableBufferPointer { eaft_cpuid(leaf, sub, $0.baseAddress) }
            return r
        }
        let l0 = cpuid(0, 0)
        var vendorBytes: [UInt8] = []
        for word in [l0[1], l0[3], l0[2]] {
            for s in stride(from: 0, to: 32, by: 8) { vendorBytes.append(UInt8((word >> UInt32(s)) & 0xFF)) }
        }
        let vendor = String(decoding: vendorBytes.filter { $0 != 0 }, as: UTF8.self)
        let l1 = cpuid(1, 0)
        let baseFamily = Int((l1[0] >> 8) & 0xF), baseModel = Int((l1[0] >> 4) & 0xF)
        let family = baseFamily == 0xF ? baseFamily + Int((l1[0] >> 20) & 0xFF) : baseFamily
        let model = (baseFamily == 0x6 || baseFamily == 0xF) ? (Int((l1[0] >> 16) & 0xF) << 4) + baseModel : baseModel
        let l7 = cpuid(7, 0)
        let l71 = cpuid(7, 1)
        let xcr0 = eaft_xgetbv0()
        func bit(_ w: UInt32, _ b: UInt32) -> Bool { (w >> b) & 1 == 1 }
        return CPUFeatures(
            vendor: vendor, family: family, model: model,
            avx: bit(l1[2], 28), fma: bit(l1[2], 12), avx2: bit(l7[1], 5),
            avx512f: bit(l7[1], 16), avx512bw: bit(l7[1], 30), avx512dq: bit(l7[1], 17), avx512vl: bit(l7[1], 31),
            avx512bf16: bit(l71[0], 5),
            osYMM: xcr0 & 0x6 == 0x6, osZMM: xcr0 & 0xE6 == 0xE6)
        #else
        return CPUFeatures(vendor: "", family: 0, model: 0, avx: false, fma: false, avx2: false, avx512f: false,
                           avx512bw: false, avx512dq: false, avx512vl: false, avx512bf16: false, osYMM: false, osZMM: false)
        #endif
    }
}
