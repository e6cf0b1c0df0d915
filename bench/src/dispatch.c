// Indirect calls: C-style virtual dispatch through vtables of five shape
// types, and a table of sixteen binary operations selected by data.
// Size: repetitions over 4096 shapes.
#include "bench.h"

typedef struct Shape Shape;

typedef struct {
  uint32_t (*area)(const Shape*);
  uint32_t (*perimeter)(const Shape*);
  void (*grow)(Shape*, uint32_t);
} ShapeVtable;

struct Shape {
  const ShapeVtable* vtable;
  uint32_t a, b, c;
};

static uint32_t square_area(const Shape* s) { return s->a * s->a; }
static uint32_t square_perimeter(const Shape* s) { return 4 * s->a; }
static void square_grow(Shape* s, uint32_t k) { s->a = (s->a + k) & 0x3ff; }

static uint32_t rect_area(const Shape* s) { return s->a * s->b; }
static uint32_t rect_perimeter(const Shape* s) { return 2 * (s->a + s->b); }
static void rect_grow(Shape* s, uint32_t k) {
  s->a = (s->a + k) & 0x3ff;
  s->b = (s->b ^ k) & 0x3ff;
}

static uint32_t triangle_area(const Shape* s) { return s->a * s->b / 2; }
static uint32_t triangle_perimeter(const Shape* s) { return s->a + s->b + s->c; }
static void triangle_grow(Shape* s, uint32_t k) {
  s->c = (s->c + s->a + k) & 0x3ff;
  s->a = (s->a + 1) & 0x3ff;
}

static uint32_t circle_area(const Shape* s) { return s->a * s->a * 355 / 113; }
static uint32_t circle_perimeter(const Shape* s) { return 2 * s->a * 355 / 113; }
static void circle_grow(Shape* s, uint32_t k) { s->a = (s->a * 3 + k) & 0x3ff; }

static uint32_t hexagon_area(const Shape* s) { return s->a * s->a * 2598 / 1000; }
static uint32_t hexagon_perimeter(const Shape* s) { return 6 * s->a; }
static void hexagon_grow(Shape* s, uint32_t k) { s->a = (s->a ^ (k << 1)) & 0x3ff; }

// clang-format off
static const ShapeVtable kVtables[5] = {
    {square_area, square_perimeter, square_grow},
    {rect_area, rect_perimeter, rect_grow},
    {triangle_area, triangle_perimeter, triangle_grow},
    {circle_area, circle_perimeter, circle_grow},
    {hexagon_area, hexagon_perimeter, hexagon_grow},
};

static uint32_t op_add(uint32_t x, uint32_t y) { return x + y; }
static uint32_t op_sub(uint32_t x, uint32_t y) { return x - y; }
static uint32_t op_mul(uint32_t x, uint32_t y) { return x * y; }
static uint32_t op_xor(uint32_t x, uint32_t y) { return x ^ y; }
static uint32_t op_and(uint32_t x, uint32_t y) { return x & (y | 0xff); }
static uint32_t op_or(uint32_t x, uint32_t y) { return x | (y >> 8); }
static uint32_t op_shl(uint32_t x, uint32_t y) { return x << (y & 7); }
static uint32_t op_shr(uint32_t x, uint32_t y) { return x >> (y & 7); }
static uint32_t op_rotl(uint32_t x, uint32_t y) { return (x << 5 | x >> 27) + y; }
static uint32_t op_div(uint32_t x, uint32_t y) { return x / (y | 1); }
static uint32_t op_rem(uint32_t x, uint32_t y) { return x % (y | 1) + y; }
static uint32_t op_min(uint32_t x, uint32_t y) { return x < y ? x : y; }
static uint32_t op_max(uint32_t x, uint32_t y) { return x > y ? x : y; }
static uint32_t op_avg(uint32_t x, uint32_t y) { return (x >> 1) + (y >> 1); }
static uint32_t op_mix(uint32_t x, uint32_t y) { return (x ^ y) * 0x45d9f3b; }
static uint32_t op_neg(uint32_t x, uint32_t y) { return ~x + y; }

typedef uint32_t (*BinaryOp)(uint32_t, uint32_t);
static const BinaryOp kOps[16] = {op_add, op_sub, op_mul, op_xor, op_and, op_or, op_shl, op_shr,
                                  op_rotl, op_div, op_rem, op_min, op_max, op_avg, op_mix, op_neg};
// clang-format on

enum { kShapes = 4096 };

int main(int argc, char** argv) {
  long reps = bench_size(argc, argv, 800);
  static Shape shapes[kShapes];
  static uint8_t selectors[kShapes];
  BenchRng rng = bench_rng(99);
  for (int i = 0; i < kShapes; ++i) {
    uint64_t r = bench_next(&rng);
    shapes[i].vtable = &kVtables[r % 5];
    shapes[i].a = (uint32_t)(r >> 8) & 0x3ff;
    shapes[i].b = (uint32_t)(r >> 20) & 0x3ff;
    shapes[i].c = (uint32_t)(r >> 32) & 0x3ff;
    selectors[i] = (uint8_t)(r >> 48);
  }
  uint64_t hash = 0;
  uint32_t acc = 1;
  for (long r = 0; r < reps; ++r) {
    uint32_t area_sum = 0, perimeter_sum = 0;
    for (int i = 0; i < kShapes; ++i) {
      Shape* s = &shapes[i];
      area_sum += s->vtable->area(s);
      perimeter_sum += s->vtable->perimeter(s);
      s->vtable->grow(s, (uint32_t)r + selectors[i]);
      acc = kOps[(selectors[i] + acc) & 15](acc, area_sum);
      acc = kOps[selectors[i] >> 4](acc, perimeter_sum);
    }
    hash = bench_mix(hash, (uint64_t)area_sum << 32 | perimeter_sum);
    hash = bench_mix(hash, acc);
  }
  bench_print(hash);
  return 0;
}
