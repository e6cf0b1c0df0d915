// Floating point (f32): the Mandelbrot set on a square grid in single
// precision, at most 64 iterations per point, hashing the escape counts.
// Size: the grid's side in points.
#include "bench.h"

int main(int argc, char** argv) {
  long side = bench_size(argc, argv, 1000);
  const int max_iter = 64;
  uint64_t hash = 0;
  uint32_t inside = 0;
  for (long py = 0; py < side; ++py) {
    float ci = 2.5f * (float)py / (float)side - 1.25f;
    uint32_t row = 0;
    for (long px = 0; px < side; ++px) {
      float cr = 3.0f * (float)px / (float)side - 2.25f;
      float zr = 0.0f, zi = 0.0f, zr2 = 0.0f, zi2 = 0.0f;
      int iter = 0;
      while (iter < max_iter && zr2 + zi2 <= 4.0f) {
        zi = 2.0f * zr * zi + ci;
        zr = zr2 - zi2 + cr;
        zr2 = zr * zr;
        zi2 = zi * zi;
        ++iter;
      }
      inside += iter == max_iter;
      row = row * 31 + (uint32_t)iter;
    }
    hash = bench_mix(hash, row);
  }
  hash = bench_mix(hash, inside);
  bench_print(hash);
  return 0;
}
