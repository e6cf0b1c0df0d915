// 64-bit arithmetic: arbitrary-precision integers in 32-bit limbs with 64-bit
// intermediate products. Computes n! by single-limb multiplication, squares it
// with schoolbook multiplication, and converts n! to decimal by repeated
// 64-bit division by 10^9.
// Size: n.
#include "bench.h"

typedef struct {
  uint32_t* limbs;  // little-endian
  long length;
} BigNum;

static void multiply_small(BigNum* x, uint32_t factor) {
  uint64_t carry = 0;
  for (long i = 0; i < x->length; ++i) {
    uint64_t product = (uint64_t)x->limbs[i] * factor + carry;
    x->limbs[i] = (uint32_t)product;
    carry = product >> 32;
  }
  if (carry) x->limbs[x->length++] = (uint32_t)carry;
}

// out (length a.length + b.length) = a * b, schoolbook.
static void multiply(const BigNum* a, const BigNum* b, BigNum* out) {
  memset(out->limbs, 0, (size_t)(a->length + b->length) * sizeof(uint32_t));
  for (long i = 0; i < a->length; ++i) {
    uint64_t carry = 0;
    uint64_t ai = a->limbs[i];
    for (long j = 0; j < b->length; ++j) {
      uint64_t t = ai * b->limbs[j] + out->limbs[i + j] + carry;
      out->limbs[i + j] = (uint32_t)t;
      carry = t >> 32;
    }
    out->limbs[i + b->length] = (uint32_t)carry;
  }
  out->length = a->length + b->length;
  while (out->length > 1 && out->limbs[out->length - 1] == 0) --out->length;
}

// Divides x in place by divisor, returning the remainder (64-bit division).
static uint32_t divide_small(BigNum* x, uint32_t divisor) {
  uint64_t remainder = 0;
  for (long i = x->length - 1; i >= 0; --i) {
    uint64_t current = remainder << 32 | x->limbs[i];
    x->limbs[i] = (uint32_t)(current / divisor);
    remainder = current % divisor;
  }
  while (x->length > 1 && x->limbs[x->length - 1] == 0) --x->length;
  return (uint32_t)remainder;
}

int main(int argc, char** argv) {
  long n = bench_size(argc, argv, 10000);
  long capacity = n + 2;  // n! < 2^(32 n)
  BigNum fact = {calloc((size_t)capacity, sizeof(uint32_t)), 1};
  BigNum square = {calloc((size_t)capacity * 2, sizeof(uint32_t)), 0};
  if (!fact.limbs || !square.limbs) return 1;
  fact.limbs[0] = 1;
  for (long k = 2; k <= n; ++k) multiply_small(&fact, (uint32_t)k);

  multiply(&fact, &fact, &square);
  uint64_t hash = bench_mix(0, (uint64_t)fact.length << 32 | (uint64_t)square.length);
  for (long i = 0; i < square.length; i += 5) hash = bench_mix(hash, square.limbs[i]);

  // Decimal digits of n!, nine at a time; hash their sum and count.
  uint64_t digit_sum = 0, chunks = 0;
  while (fact.length > 1 || fact.limbs[0] != 0) {
    uint32_t chunk = divide_small(&fact, 1000000000u);
    for (; chunk; chunk /= 10) digit_sum += chunk % 10;
    ++chunks;
  }
  hash = bench_mix(hash, digit_sum << 20 | chunks);
  bench_print(hash);
  free(fact.limbs);
  free(square.limbs);
  return 0;
}
