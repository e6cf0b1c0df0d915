// Memory-heavy loops: quicksort (median of three, insertion sort for small
// ranges) and heapsort of the same pseudo-random array of 32-bit keys.
// Size: the number of elements.
#include "bench.h"

static void insertion_sort(uint32_t* v, long lo, long hi) {
  for (long i = lo + 1; i <= hi; ++i) {
    uint32_t x = v[i];
    long j = i - 1;
    while (j >= lo && v[j] > x) {
      v[j + 1] = v[j];
      --j;
    }
    v[j + 1] = x;
  }
}

static inline void swap(uint32_t* v, long i, long j) {
  uint32_t t = v[i];
  v[i] = v[j];
  v[j] = t;
}

static void quicksort(uint32_t* v, long lo, long hi) {
  while (hi - lo > 16) {
    long mid = lo + (hi - lo) / 2;
    if (v[mid] < v[lo]) swap(v, mid, lo);
    if (v[hi] < v[lo]) swap(v, hi, lo);
    if (v[hi] < v[mid]) swap(v, hi, mid);
    uint32_t pivot = v[mid];
    long i = lo, j = hi;
    while (i <= j) {
      while (v[i] < pivot) ++i;
      while (v[j] > pivot) --j;
      if (i <= j) swap(v, i++, j--);
    }
    // Recurse into the smaller half, loop on the larger: bounded depth.
    if (j - lo < hi - i) {
      quicksort(v, lo, j);
      lo = i;
    } else {
      quicksort(v, i, hi);
      hi = j;
    }
  }
  insertion_sort(v, lo, hi);
}

static void sift_down(uint32_t* v, long root, long end) {
  for (;;) {
    long child = 2 * root + 1;
    if (child >= end) return;
    if (child + 1 < end && v[child + 1] > v[child]) ++child;
    if (v[root] >= v[child]) return;
    swap(v, root, child);
    root = child;
  }
}

static void heapsort(uint32_t* v, long n) {
  for (long i = n / 2 - 1; i >= 0; --i) sift_down(v, i, n);
  for (long end = n - 1; end > 0; --end) {
    swap(v, 0, end);
    sift_down(v, 0, end);
  }
}

static uint64_t verify_and_hash(const uint32_t* v, long n, uint64_t seed) {
  uint64_t hash = seed;
  for (long i = 0; i < n; ++i) {
    if (i > 0 && v[i - 1] > v[i]) {
      fputs("not sorted\n", stderr);
      exit(1);
    }
    if ((i & 63) == 0) hash = bench_mix(hash, v[i]);
  }
  return hash;
}

int main(int argc, char** argv) {
  long n = bench_size(argc, argv, 400000);
  uint32_t* quick = malloc((size_t)n * sizeof *quick);
  uint32_t* heap = malloc((size_t)n * sizeof *heap);
  if (!quick || !heap) return 1;
  BenchRng rng = bench_rng(7);
  for (long i = 0; i < n; ++i) quick[i] = heap[i] = (uint32_t)(bench_next(&rng) >> 32);
  quicksort(quick, 0, n - 1);
  heapsort(heap, n);
  uint64_t hash = verify_and_hash(quick, n, 1);
  hash = bench_mix(hash, verify_and_hash(heap, n, 2));
  bench_print(hash);
  free(quick);
  free(heap);
  return 0;
}
