/* f32 GEMM peak per candidate kernel on this CPU: OpenBLAS (the core chosen by OPENBLAS_CORETYPE,
   or OpenBLAS's own choice) and, when built with -DWITH_DNNL, oneDNN's dnnl_sgemm.
   Square n x n x n, row-major NoTrans/NoTrans, best of R timed calls after one warm-up, on
   1 thread and on 2 threads (OpenBLAS's own threading; oneDNN's OpenMP).
   Build and run: bash bench/gemm_peak.sh  (prints one JSON line per library x threads). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cblas.h>
#ifdef WITH_DNNL
#include <dnnl.h>
#include <omp.h>
#endif
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 2048, reps = argc > 2 ? atoi(argv[2]) : 5;
    const char *lib = argc > 3 ? argv[3] : "openblas";
    int threads = argc > 4 ? atoi(argv[4]) : 1;
    float *a = malloc(sizeof(float) * n * n), *b = malloc(sizeof(float) * n * n), *c = malloc(sizeof(float) * n * n);
    for (long i = 0; i < (long)n * n; i++) { a[i] = (i % 7) * 0.1f; b[i] = (i % 5) * 0.2f; }
    double best = 1e30;
    for (int r = 0; r <= reps; r++) {
        double t = now();
        if (strcmp(lib, "openblas") == 0) {
            openblas_set_num_threads(threads);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
        }
#ifdef WITH_DNNL
        else { omp_set_num_threads(threads); dnnl_sgemm('N', 'N', n, n, n, 1, a, n, b, n, 0, c, n); }
#endif
        t = now() - t;
        if (r > 0 && t < best) best = t;
    }
    printf("{\"lib\":\"%s\",\"core\":\"%s\",\"n\":%d,\"threads\":%d,\"gflops\":%.1f}\n", lib,
           strcmp(lib, "openblas") == 0 ? openblas_get_corename() : "dnnl", n, threads, 2.0 * n * n * n / best / 1e9);
    return 0;
}
