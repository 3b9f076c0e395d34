import Curation
import Foundation
import Records
import TestSupport
import XCTest

final class CurationTests: XCTestCase {
    func testXXH64ReferenceVectors() {
        // Vectors from the xxHash reference implementation / python-xxhash docs.
        XCTAssertEqual(XXH64.hash(""), 0xEF46_DB37_51D8_E999)
        XCTAssertEqual(XXH64.hash("a"), 0xD24E_C4F1_A98C_6E5B)
        XCTAssertEqual(XXH64.hash("abc"), 0x44BC_2CF5_AD77_0999)
        // 39 bytes: exercises the 32-byte stripe loop, the 8-byte and 4-byte tails.
        XCTAssertEqual(XXH64.hash("Nobody inspects the spammish repetition"), 0xFBCE_A83C_8A37_8BF1)
    }

    func testNormalizeAndWords() {
        XCTAssertEqual(TextNormalizer.normalize("  Héllo\u{0301}   WORLD\n\tx "), "héllo\u{0301} world x".precomposedStringWithCanonicalMapping)
        XCTAssertEqual(TextNormalizer.normalize("  A\tB\r\n c\u{0B}D  "), "a b c d")  // ASCII fast path
        XCTAssertEqual(TextNormalizer.wordHashes("Hello, world!"), TextNormalizer.wordHashes("hello world"))
        XCTAssertEqual(TextNormalizer.wordHashes("数学题").count, 3)
        // NFD and NFC spell the same words
        XCTAssertEqual(TextNormalizer.wordHashes("caf\u{0065}\u{0301}"), TextNormalizer.wordHashes("caf\u{00E9}"))
        // ASCII fast path and Unicode path agree (the trailing "é" forces the Unicode path).
        let long = String(repeating: "Ab", count: 70)
        for t in ["Hello, World 123 x_y", long + " tail"] {
            XCTAssertEqual(TextNormalizer.words(t).hashes, Array(TextNormalizer.words(t + " é").hashes.dropLast()), t)
            XCTAssertEqual(TextNormalizer.words(t).alphabetic, Array(TextNormalizer.words(t + " é").alphabetic.dropLast()), t)
        }
        // NFC quick check: decomposed inputs (combining acute, Hangul jamo, Angstrom sign) still normalise.
        XCTAssertEqual(TextNormalizer.normalize("Cafe\u{0301} x"), "caf\u{00E9} x")
        XCTAssertEqual(TextNormalizer.normalize("\u{1100}\u{1161}"), "\u{AC00}")
        XCTAssertEqual(TextNormalizer.normalize("\u{212B}"), "\u{00E5}")
        XCTAssertEqual(TextNormalizer.normalize("数学 Ñ"), "数学 ñ")
        let (_, alpha) = TextNormalizer.words("3 apples and 25")
        XCTAssertEqual(alpha, [false, true, true, false])
    }

    func testExactDedupKeepsFirst() {
        var d = ExactDeduplicator()
        XCTAssertEqual(d.decide(text: "What is 2+2?", id: "a"), .keep)
        XCTAssertEqual(d.decide(text: "what  is 2+2?\n", id: "b"), .drop(DropReason("exact_duplicate", "of a")))
        XCTAssertEqual(d.decide(text: "What is 2+3?", id: "c"), .keep)
        XCTAssertEqual(d.distinctCount, 2)
        XCTAssertEqual(d.dropped, 1)
    }

    func testLengthFilter() {
        let f = LengthFilter(minChars: 5, maxChars: 10, minTokens: 2, maxTokens: 3)
        XCTAssertEqual(f.decide(text: "abc").reason?.code, "too_short")
        XCTAssertEqual(f.decide(text: "abcdefghijk").reason?.detail, "11 chars > 10")
        XCTAssertEqual(f.decide(text: "abcdef", tokenCount: 4).reason?.detail, "4 tokens > 3")
        XCTAssertEqual(f.decide(text: "数学题数学", tokenCount: 2), .keep)  // 5 scalars
    }

    func testSamplerQuotasDeterminismAndPartitionStability() {
        let ids = (0..<1000).map { "r\($0)" }
        func source(_ i: Int) -> String { i % 3 == 0 ? "a" : "b" }
        var s1 = Sampler(seed: 42, quotas: ["a": 50, "b": 100])
        for (i, id) in ids.enumerated() { s1.offer(id: id, source: source(i)) }
        let chosen = s1.selectedIDs
        XCTAssertEqual(chosen.count, 150)
        XCTAssertEqual(chosen.filter { Int($0.dropFirst())! % 3 == 0 }.count, 50)
        // Reversed order → same selection.
        var s2 = Sampler(seed: 42, quotas: ["a": 50, "b": 100])
        for (i, id) in ids.enumerated().reversed() { s2.offer(id: id, source: source(i)) }
        XCTAssertEqual(s2.selectedIDs, chosen)
        // Partitioned: each half keeps its bottom-q, a merge keeps the bottom-q of the union.
        var p1 = Sampler(seed: 42, quotas: ["a": 50, "b": 100]), p2 = p1
        for (i, id) in ids.enumerated() {
            if i % 2 == 0 { p1.offer(id: id, source: source(i)) } else { p2.offer(id: id, source: source(i)) }
        }
        var merged = Sampler(seed: 42, quotas: ["a": 50, "b": 100])
        for id in p1.selectedIDs.union(p2.selectedIDs) { merged.offer(id: id, source: source(Int(id.dropFirst())!)) }
        XCTAssertEqual(merged.selectedIDs, chosen)
        // Another seed → a different selection.
        var s3 = Sampler(seed: 43, quotas: ["a": 50, "b": 100])
        for (i, id) in ids.enumerated() { s3.offer(id: id, source: source(i)) }
        XCTAssertNotEqual(s3.selectedIDs, chosen)
        // The record convenience keeps input order and says why others were dropped.
        let recs = ids.prefix(10).enumerated().map { Record(id: $1, source: source($0), domain: .math, messages: []) }
        let (kept, decisions) = Sampler.sample(Array(recs), seed: 1, quotas: ["a": 1, "b": 2])
        XCTAssertEqual(kept.count, 3)
        XCTAssertEqual(kept.map(\.id), recs.map(\.id).filter { id in kept.contains { $0.id == id } })
        XCTAssertEqual(decisions.filter { !$0.isKeep }.first?.reason?.code, "not_sampled")
    }

    func testMinHashSmallFixture() {
        let base = "the quick brown fox jumps over the lazy dog while the cat sleeps on the warm mat near the door of the old house by the river"
        let near = base.replacingOccurrences(of: "warm", with: "cold")
        let other = "a completely different sentence about linear algebra and eigenvalues of symmetric matrices with real entries only in finite dimensions"
        let d = MinHashDeduplicator(config: .init(ngram: 3, bands: 20, rows: 5, seed: 3), threads: 2)
        let r = d.run(texts: [base, other, near, base], ids: ["x", "y", "z", "w"])
        XCTAssertEqual(r[0], .keep)
        XCTAssertEqual(r[1], .keep)
        XCTAssertEqual(r[2], .drop(DropReason("near_duplicate", "of x")))
        XCTAssertEqual(r[3], .drop(DropReason("near_duplicate", "of x")))
    }

    /// The streaming rule: a record is dropped only when it collides with an earlier *kept*
    /// record (a chain A≈B≈C with A≉C keeps C), drops name the earliest kept match, and with a
    /// verify threshold a collision whose signatures disagree does not count.
    func testMinHashIndexDecisionRule() {
        var idx = MinHashIndex(config: .init(ngram: 5, bands: 2, rows: 1))
        typealias S = MinHashDeduplicator.Sketch
        XCTAssertEqual(idx.decide(S(keys: [1, 2]), id: "A"), .keep)
        XCTAssertEqual(idx.decide(S(keys: [10, 20]), id: "D"), .keep)
        XCTAssertEqual(idx.decide(S(keys: [3, 2]), id: "B"), .drop(DropReason("near_duplicate", "of A")))
        XCTAssertEqual(idx.decide(S(keys: [3, 4]), id: "C"), .keep, "B was dropped, so C is not compared with it")
        XCTAssertEqual(idx.decide(S(keys: [3, 20]), id: "E"), .drop(DropReason("near_duplicate", "of D")), "earliest kept match")
        XCTAssertEqual(idx.keptCount, 3)
        XCTAssertEqual(idx.dropped, 2)

        var v = MinHashIndex(config: .init(ngram: 5, bands: 2, rows: 2, verifyThreshold: 0.75))
        XCTAssertEqual(v.decide(S(keys: [1, 2], signature: [5, 6, 7, 8]), id: "A"), .keep)
        XCTAssertEqual(v.decide(S(keys: [1, 9], signature: [5, 6, 0, 0]), id: "B"), .keep, "2/4 agree < 0.75")
        XCTAssertEqual(v.decide(S(keys: [1, 3], signature: [5, 6, 0, 8]), id: "C"), .drop(DropReason("near_duplicate", "of A")),
                       "3/4 agree with A (bucket 1 holds A and B)")
    }
}


final class NgramHashTests: XCTestCase {
    /// The rolling n-gram hash equals hashing each window from scratch (naive twin).
    func testRollingMatchesNaive() {
        var rng = SplitMix64(seed: 5)
        let words = (0..<200).map { _ in rng.next() }
        for n in [1, 2, 5, 13, 200] {
            let fast = TextNormalizer.ngramHashes(words, n: n)
            let naive = (0...(words.count - n)).map { i in TextNormalizer.ngramHashes(Array(words[i..<(i + n)]), n: n)[0] }
            XCTAssertEqual(fast, naive, "n=\(n)")
        }
        XCTAssertEqual(TextNormalizer.ngramHashes(words, n: 201), [])
        XCTAssertNotEqual(TextNormalizer.ngramHashes([1, 2], n: 2), TextNormalizer.ngramHashes([2, 1], n: 2))
    }
}
