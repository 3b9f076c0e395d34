#include <cblas.h>
#include <cpuid.h>

/* CPUID feature probes for kernel selection (Sources/Kernels/KernelSelection.swift).
   Reference: Intel SDM vol. 2A, CPUID leaf 01H/07H; XGETBV for OS-enabled register state. */

/* cpuid(leaf, subleaf) -> out[0..3] = eax, ebx, ecx, edx; returns 0 when the leaf is absent. */
static inline int eaft_cpuid(unsigned leaf, unsigned subleaf, unsigned out[4]) {
    unsigned maxLeaf = __get_cpuid_max(leaf & 0x80000000u, 0);
    if (maxLeaf == 0 || leaf > maxLeaf) { out[0] = out[1] = out[2] = out[3] = 0; return 0; }
    __cpuid_count(leaf, subleaf, out[0], out[1], out[2], out[3]);
    return 1;
}

/* XCR0 (the register state the OS saves); 0 when OSXSAVE is off. */
static inline unsigned long long eaft_xgetbv0(void) {
    unsigned r[4];
    if (!eaft_cpuid(1, 0, r) || !(r[2] & (1u << 27))) return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
