/* oneDNN (libdnnl-dev 2.6) as a candidate for eaft's dense GEMMs, against OpenBLAS, both on one
   thread (eaft splits GEMMs over the cores itself, BENCHMARKS.md "GEMM peak per candidate kernel"):
   1. speed on the model shapes (row-major; NT = forward x·Wᵀ, NN = dX = dY·W, TN = dW = dYᵀ·X),
      best of 5 calls, two interleaved measurements each;
   2. whether splitting a product into row or column blocks gives the bits of one call (what
      Threads.sgemm needs for results that do not depend on the thread count).
   Build and run: gcc -O2 -fopenmp bench/onednn_probe.c -o /tmp/onednn_probe -lopenblas -ldnnl && /tmp/onednn_probe */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>
#include <dnnl.h>
#include <omp.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static void gemm(int dnnl, char ta, char tb, int m, int n, int k, const float *a, int lda, const float *b, int ldb, float *c, int ldc) {
    if (dnnl) dnnl_sgemm(ta, tb, m, n, k, 1, a, lda, b, ldb, 0, c, ldc);
    else cblas_sgemm(CblasRowMajor, ta == 'N' ? CblasNoTrans : CblasTrans, tb == 'N' ? CblasNoTrans : CblasTrans,
                     m, n, k, 1, a, lda, b, ldb, 0, c, ldc);
}

static double gflops(int dnnl, char ta, char tb, int m, int n, int k, const float *a, const float *b, float *c) {
    int lda = ta == 'N' ? k : m, ldb = tb == 'N' ? n : k;
    double best = 1e30;
    for (int r = 0; r <= 5; r++) {
        double t = now();
        gemm(dnnl, ta, tb, m, n, k, a, lda, b, ldb, c, n);
        t = now() - t;
        if (r > 0 && t < best) best = t;
    }
    return 2.0 * m * n * k / best / 1e9;
}

/* 0: identical; 1: row blocks [0, r0) + [r0, m) differ from one call; 2: column blocks differ; 3: both. */
static int split(char ta, char tb, int m, int n, int k, int r0, int c0, const float *a, const float *b, float *c1, float *c2) {
    int lda = ta == 'N' ? k : m, ldb = tb == 'N' ? n : k, bad = 0;
    gemm(1, ta, tb, m, n, k, a, lda, b, ldb, c1, n);
    gemm(1, ta, tb, r0, n, k, a, lda, b, ldb, c2, n);
    gemm(1, ta, tb, m - r0, n, k, ta == 'N' ? a + (long)r0 * k : a + r0, lda, b, ldb, c2 + (long)r0 * n, n);
    if (memcmp(c1, c2, sizeof(float) * m * n)) bad |= 1;
    gemm(1, ta, tb, m, c0, k, a, lda, b, ldb, c2, n);
    gemm(1, ta, tb, m, n - c0, k, a, lda, tb == 'N' ? b + c0 : b + (long)c0 * k, ldb, c2 + c0, n);
    if (memcmp(c1, c2, sizeof(float) * m * n)) bad |= 2;
    return bad;
}

int main(void) {
    openblas_set_num_threads(1);
    omp_set_num_threads(1);
    long cap = 8192L * 8192;
    float *a = malloc(sizeof(float) * cap), *b = malloc(sizeof(float) * cap);
    float *c1 = malloc(sizeof(float) * cap), *c2 = malloc(sizeof(float) * cap);
    srand(1);
    for (long i = 0; i < cap; i++) { a[i] = rand() / (float)RAND_MAX - 0.5f; b[i] = rand() / (float)RAND_MAX - 0.5f; }
    /* m n k trans: SmolLM2-135M shape (H 576, I 1536, q|k|v 960, gate|up 3072) at 1024 and 256
       rows per piece, and the small shape's LM head (V 8192, H 256). */
    struct { int m, n, k; char ta, tb; } s[] = {
        {1024, 960, 576, 'N', 'T'}, {1024, 3072, 576, 'N', 'T'}, {1024, 576, 1536, 'N', 'T'},
        {1024, 576, 3072, 'N', 'N'}, {1024, 576, 960, 'N', 'N'}, {576, 1536, 1024, 'T', 'N'}, {3072, 576, 1024, 'T', 'N'},
        {256, 960, 576, 'N', 'T'}, {256, 3072, 576, 'N', 'T'}, {256, 576, 1536, 'N', 'T'}, {170, 6144, 576, 'N', 'T'},
        {1024, 8192, 256, 'N', 'T'}, {1024, 256, 8192, 'N', 'N'}, {8192, 256, 1024, 'T', 'N'},
    };
    int ns = sizeof(s) / sizeof(s[0]);
    for (int i = 0; i < ns; i++) {
        double o = 0, d = 0;
        for (int rep = 0; rep < 2; rep++) {
            double x = gflops(0, s[i].ta, s[i].tb, s[i].m, s[i].n, s[i].k, a, b, c1); if (x > o) o = x;
            double y = gflops(1, s[i].ta, s[i].tb, s[i].m, s[i].n, s[i].k, a, b, c1); if (y > d) d = y;
        }
        printf("{\"probe\":\"speed\",\"m\":%d,\"n\":%d,\"k\":%d,\"op\":\"%c%c\",\"openblas_gflops\":%.1f,\"onednn_gflops\":%.1f,\"ratio\":%.3f}\n",
               s[i].m, s[i].n, s[i].k, s[i].ta, s[i].tb, o, d, d / o);
    }
    /* Splits on 48-row / 64-column edges (OpenBLAS's AVX-512 tiles), as Threads.sgemm makes them;
       the last shape leaves a 12-row piece. */
    struct { int m, n, k, r0; } t[] = {{2048, 960, 576, 1008}, {2048, 3072, 576, 1008}, {256, 2048, 1024, 96},
                                        {2048, 256, 8192, 1008}, {60, 4096, 576, 48}, {1000, 1000, 1000, 480}};
    char ops[3][2] = {{'N', 'T'}, {'N', 'N'}, {'T', 'N'}};
    for (int i = 0; i < (int)(sizeof(t) / sizeof(t[0])); i++)
        for (int o = 0; o < 3; o++) {
            int r0 = t[i].r0, c0 = (t[i].n / 128) * 64;
            int bad = split(ops[o][0], ops[o][1], t[i].m, t[i].n, t[i].k, r0, c0, a, b, c1, c2);
            printf("{\"probe\":\"split\",\"m\":%d,\"n\":%d,\"k\":%d,\"op\":\"%c%c\",\"rows_at\":%d,\"cols_at\":%d,\"rows_identical\":%s,\"cols_identical\":%s}\n",
                   t[i].m, t[i].n, t[i].k, ops[o][0], ops[o][1], r0, c0, bad & 1 ? "false" : "true", bad & 2 ? "false" : "true");
        }
    return 0;
}
