// Floating point (f64): the spectral norm of the infinite matrix
// A(i,j) = 1/((i+j)(i+j+1)/2 + i + 1), by 10 power iterations of A^T A.
// Size: n, the truncation of the matrix (work grows as n^2).
#include <math.h>

#include "bench.h"

static inline double matrix_a(long i, long j) { return 1.0 / (double)((i + j) * (i + j + 1) / 2 + i + 1); }

static void multiply_av(long n, const double* v, double* out) {
  for (long i = 0; i < n; ++i) {
    double sum = 0.0;
    for (long j = 0; j < n; ++j) sum += matrix_a(i, j) * v[j];
    out[i] = sum;
  }
}

static void multiply_atv(long n, const double* v, double* out) {
  for (long i = 0; i < n; ++i) {
    double sum = 0.0;
    for (long j = 0; j < n; ++j) sum += matrix_a(j, i) * v[j];
    out[i] = sum;
  }
}

static void multiply_atav(long n, const double* v, double* out, double* tmp) {
  multiply_av(n, v, tmp);
  multiply_atv(n, tmp, out);
}

int main(int argc, char** argv) {
  long n = bench_size(argc, argv, 800);
  double* u = malloc((size_t)n * sizeof *u);
  double* v = malloc((size_t)n * sizeof *v);
  double* tmp = malloc((size_t)n * sizeof *tmp);
  if (!u || !v || !tmp) return 1;
  for (long i = 0; i < n; ++i) u[i] = 1.0;
  for (int iter = 0; iter < 10; ++iter) {
    multiply_atav(n, u, v, tmp);
    multiply_atav(n, v, u, tmp);
  }
  double vbv = 0.0, vv = 0.0;
  for (long i = 0; i < n; ++i) {
    vbv += u[i] * v[i];
    vv += v[i] * v[i];
  }
  uint64_t hash = bench_mix_f64(0, sqrt(vbv / vv));
  for (long i = 0; i < n; i += 16) hash = bench_mix_f64(hash, u[i]);
  bench_print(hash);
  free(u);
  free(v);
  free(tmp);
  return 0;
}
