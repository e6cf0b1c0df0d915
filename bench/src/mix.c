// A larger program mixing the other workloads: a ray tracer (f64, recursion,
// indirect calls through an object-kind table) renders an RGB image; the image
// is compressed with LZ77 (hash chains) plus canonical Huffman coding (binary
// heap, bit I/O), decompressed and checked byte for byte; the pixels' luma
// values are sorted with libc qsort (a comparator called indirectly) for the
// median; everything is hashed with 64-bit arithmetic.
// Size: the image side in pixels.
#include <math.h>

#include "bench.h"

// ---- Ray tracer --------------------------------------------------------

typedef struct {
  double x, y, z;
} Vec;

static inline Vec vec(double x, double y, double z) { return (Vec){x, y, z}; }
static inline Vec add(Vec a, Vec b) { return vec(a.x + b.x, a.y + b.y, a.z + b.z); }
static inline Vec sub(Vec a, Vec b) { return vec(a.x - b.x, a.y - b.y, a.z - b.z); }
static inline Vec scale(Vec a, double k) { return vec(a.x * k, a.y * k, a.z * k); }
static inline Vec mul(Vec a, Vec b) { return vec(a.x * b.x, a.y * b.y, a.z * b.z); }
static inline double dot(Vec a, Vec b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
static inline Vec normalize(Vec a) { return scale(a, 1.0 / sqrt(dot(a, a))); }

typedef struct Object Object;
struct Object {
  int kind;  // index into kKinds
  Vec center, normal, color;
  double radius, offset, reflectivity;
};

typedef struct {
  double (*intersect)(const Object*, Vec origin, Vec dir);  // distance, or -1
  Vec (*normal_at)(const Object*, Vec point);
  Vec (*color_at)(const Object*, Vec point);
} ObjectKind;

static double sphere_intersect(const Object* o, Vec origin, Vec dir) {
  Vec oc = sub(origin, o->center);
  double b = dot(oc, dir), c = dot(oc, oc) - o->radius * o->radius;
  double disc = b * b - c;
  if (disc < 0) return -1;
  double root = sqrt(disc), t = -b - root;
  if (t > 1e-6) return t;
  t = -b + root;
  return t > 1e-6 ? t : -1;
}
static Vec sphere_normal(const Object* o, Vec p) { return normalize(sub(p, o->center)); }
static Vec plain_color(const Object* o, Vec p) { return (void)p, o->color; }

static double plane_intersect(const Object* o, Vec origin, Vec dir) {
  double denom = dot(o->normal, dir);
  if (fabs(denom) < 1e-9) return -1;
  double t = (o->offset - dot(o->normal, origin)) / denom;
  return t > 1e-6 ? t : -1;
}
static Vec plane_normal(const Object* o, Vec p) { return (void)p, o->normal; }
static Vec checker_color(const Object* o, Vec p) {
  long cell = (long)floor(p.x) + (long)floor(p.z);
  return (cell & 1) ? o->color : scale(o->color, 0.35);
}

static const ObjectKind kKinds[2] = {
    {sphere_intersect, sphere_normal, plain_color},
    {plane_intersect, plane_normal, checker_color},
};

enum { kObjects = 6, kMaxDepth = 3 };
static const Object kScene[kObjects] = {
    {0, {0, 1, 5}, {0, 0, 0}, {0.9, 0.2, 0.2}, 1.0, 0, 0.3},
    {0, {-2.2, 0.8, 6.5}, {0, 0, 0}, {0.2, 0.9, 0.3}, 0.8, 0, 0.2},
    {0, {2.0, 0.6, 4.0}, {0, 0, 0}, {0.3, 0.4, 0.95}, 0.6, 0, 0.5},
    {0, {0.6, 0.3, 3.0}, {0, 0, 0}, {0.95, 0.9, 0.3}, 0.3, 0, 0.1},
    {0, {-1.0, 2.6, 8.0}, {0, 0, 0}, {0.8, 0.8, 0.8}, 1.2, 0, 0.6},
    {1, {0, 0, 0}, {0, 1, 0}, {0.9, 0.9, 0.9}, 0, 0, 0.25},
};
static const Vec kLight = {-4, 7, -2};

static int nearest_hit(Vec origin, Vec dir, double* distance) {
  int hit = -1;
  double best = 1e30;
  for (int i = 0; i < kObjects; ++i) {
    double t = kKinds[kScene[i].kind].intersect(&kScene[i], origin, dir);
    if (t > 0 && t < best) {
      best = t;
      hit = i;
    }
  }
  *distance = best;
  return hit;
}

static Vec trace(Vec origin, Vec dir, int depth) {
  double t;
  int hit = nearest_hit(origin, dir, &t);
  if (hit < 0) return add(vec(0.2, 0.3, 0.5), scale(vec(0.5, 0.5, 0.4), dir.y > 0 ? dir.y : 0));
  const Object* o = &kScene[hit];
  const ObjectKind* kind = &kKinds[o->kind];
  Vec point = add(origin, scale(dir, t));
  Vec normal = kind->normal_at(o, point);
  Vec base = kind->color_at(o, point);
  Vec to_light = sub(kLight, point);
  double light_distance = sqrt(dot(to_light, to_light));
  to_light = scale(to_light, 1.0 / light_distance);
  double shadow_t;
  int blocker = nearest_hit(add(point, scale(normal, 1e-4)), to_light, &shadow_t);
  double diffuse = dot(normal, to_light);
  if (diffuse < 0 || (blocker >= 0 && shadow_t < light_distance)) diffuse = 0;
  Vec color = scale(base, 0.1 + 0.9 * diffuse);
  if (depth < kMaxDepth && o->reflectivity > 0) {
    Vec reflected = sub(dir, scale(normal, 2 * dot(dir, normal)));
    Vec bounce = trace(add(point, scale(normal, 1e-4)), normalize(reflected), depth + 1);
    color = add(scale(color, 1 - o->reflectivity), mul(bounce, scale(base, o->reflectivity)));
  }
  return color;
}

static uint8_t to_byte(double c) { return (uint8_t)((c < 0 ? 0 : c > 1 ? 1 : c) * 255.0 + 0.5); }

static void render(uint8_t* rgb, long side) {
  Vec eye = vec(0, 1.5, -2);
  for (long y = 0; y < side; ++y) {
    for (long x = 0; x < side; ++x) {
      Vec dir =
          normalize(vec(((double)x + 0.5) / (double)side - 0.5, 0.5 - ((double)y + 0.5) / (double)side, 1.0));
      Vec c = trace(eye, dir, 0);
      uint8_t* px = rgb + 3 * (y * side + x);
      px[0] = to_byte(c.x), px[1] = to_byte(c.y), px[2] = to_byte(c.z);
    }
  }
}

// ---- LZ77 ----------------------------------------------------------------
// Tokens: a literal byte, or a match of length 3..258 at distance 1..32768.

enum { kWindow = 1 << 15, kHashBits = 15, kMinMatch = 3, kMaxMatch = 258, kMaxChain = 48 };

// Hash-chain bucket of the three bytes at p.
static inline uint32_t hash3(const uint8_t* p) {
  return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u >> (32 - kHashBits);
}

typedef struct {
  uint16_t length;    // 0 for a literal
  uint16_t distance;  // the literal byte when length == 0
} Token;

static long lz77(const uint8_t* in, long n, Token* out) {
  int32_t* head = malloc(sizeof(int32_t) << kHashBits);
  int32_t* prev = malloc(sizeof(int32_t) * (size_t)n);
  for (long i = 0; i < (1 << kHashBits); ++i) head[i] = -1;
  long count = 0;
  for (long i = 0; i < n;) {
    long best_length = 0, best_distance = 0;
    if (i + kMinMatch <= n) {
      uint32_t h = hash3(in + i);
      long max_length = n - i < kMaxMatch ? n - i : kMaxMatch;
      int chain = 0;
      for (long j = head[h]; j >= 0 && i - j <= kWindow && chain < kMaxChain; j = prev[j], ++chain) {
        long length = 0;
        while (length < max_length && in[j + length] == in[i + length]) ++length;
        if (length > best_length) {
          best_length = length;
          best_distance = i - j;
          if (length == max_length) break;
        }
      }
      prev[i] = head[h];
      head[h] = (int32_t)i;
    }
    if (best_length >= kMinMatch) {
      out[count++] = (Token){(uint16_t)best_length, (uint16_t)(best_distance - 1)};
      // Insert the skipped positions into the hash chains.
      for (long k = i + 1; k < i + best_length && k + kMinMatch <= n; ++k) {
        uint32_t h = hash3(in + k);
        prev[k] = head[h];
        head[h] = (int32_t)k;
      }
      i += best_length;
    } else {
      out[count++] = (Token){0, in[i]};
      ++i;
    }
  }
  free(head);
  free(prev);
  return count;
}

// ---- Huffman coding --------------------------------------------------------
// Literal/length alphabet: 0..255 literals, 256 end of block, 257 + b for a
// match whose length-3 has bit length b (followed by b-1 extra bits); the
// distance alphabet likewise buckets distance-1 by bit length.

enum { kLitSymbols = 257 + 9, kDistSymbols = 17, kMaxCodeLength = 24 };

static int bit_length(uint32_t v) { return v ? 32 - __builtin_clz(v) : 0; }

typedef struct {
  uint64_t weight;
  int32_t symbol;  // >= 0 for a leaf, else -1 - internal node index
} HeapItem;

static void heap_push(HeapItem* heap, int* size, HeapItem item) {
  int i = (*size)++;
  while (i > 0 && heap[(i - 1) / 2].weight > item.weight) {
    heap[i] = heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  heap[i] = item;
}

static HeapItem heap_pop(HeapItem* heap, int* size) {
  HeapItem top = heap[0], last = heap[--*size];
  int i = 0;
  for (;;) {
    int child = 2 * i + 1;
    if (child >= *size) break;
    if (child + 1 < *size && heap[child + 1].weight < heap[child].weight) ++child;
    if (heap[child].weight >= last.weight) break;
    heap[i] = heap[child];
    i = child;
  }
  heap[i] = last;
  return top;
}

// Code lengths from frequencies; halves the frequencies until no code is
// longer than kMaxCodeLength.
static void code_lengths(const uint64_t* freq, int symbols, uint8_t* lengths) {
  uint64_t weights[kLitSymbols];
  memcpy(weights, freq, sizeof(uint64_t) * (size_t)symbols);
  for (;;) {
    HeapItem heap[kLitSymbols];
    int parent[2 * kLitSymbols], size = 0, nodes = 0;
    for (int s = 0; s < symbols; ++s) {
      lengths[s] = 0;
      if (weights[s]) heap_push(heap, &size, (HeapItem){weights[s], s});
    }
    if (size == 1) lengths[heap[0].symbol] = 1;
    if (size <= 1) return;
    int leaf_parent[kLitSymbols];
    while (size > 1) {
      HeapItem a = heap_pop(heap, &size), b = heap_pop(heap, &size);
      int node = nodes++;
      parent[node] = -1;
      HeapItem children[2] = {a, b};
      for (int c = 0; c < 2; ++c) {
        if (children[c].symbol >= 0)
          leaf_parent[children[c].symbol] = node;
        else
          parent[-1 - children[c].symbol] = node;
      }
      heap_push(heap, &size, (HeapItem){a.weight + b.weight, -1 - node});
    }
    int longest = 0;
    for (int s = 0; s < symbols; ++s) {
      if (!weights[s]) continue;
      int depth = 1;
      for (int n = leaf_parent[s]; parent[n] >= 0; n = parent[n]) ++depth;
      lengths[s] = (uint8_t)depth;
      if (depth > longest) longest = depth;
    }
    if (longest <= kMaxCodeLength) return;
    for (int s = 0; s < symbols; ++s) weights[s] = weights[s] ? (weights[s] + 1) / 2 : 0;
  }
}

// Canonical Huffman codes, written most significant bit first.
static void canonical_codes(const uint8_t* lengths, int symbols, uint32_t* codes) {
  uint32_t count[kMaxCodeLength + 1] = {0}, next[kMaxCodeLength + 2] = {0};
  for (int s = 0; s < symbols; ++s) count[lengths[s]]++;
  count[0] = 0;
  for (int len = 1; len <= kMaxCodeLength; ++len) next[len + 1] = (next[len] + count[len]) << 1;
  for (int s = 0; s < symbols; ++s)
    if (lengths[s]) codes[s] = next[lengths[s]]++;
}

typedef struct {
  uint8_t* data;
  long bytes;
  uint64_t buffer;
  int bits;
} BitWriter;

static void put_bits(BitWriter* w, uint32_t value, int count) {
  w->buffer = w->buffer << count | value;
  w->bits += count;
  while (w->bits >= 8) {
    w->bits -= 8;
    w->data[w->bytes++] = (uint8_t)(w->buffer >> w->bits);
  }
}

typedef struct {
  const uint8_t* data;
  long position;  // in bits
} BitReader;

static uint32_t get_bit(BitReader* r) {
  uint32_t bit = r->data[r->position >> 3] >> (7 - (r->position & 7)) & 1;
  ++r->position;
  return bit;
}

static uint32_t get_bits(BitReader* r, int count) {
  uint32_t v = 0;
  while (count--) v = v << 1 | get_bit(r);
  return v;
}

// Canonical decoding table: first code and first symbol index per length.
typedef struct {
  uint32_t first_code[kMaxCodeLength + 1], first_index[kMaxCodeLength + 1], count[kMaxCodeLength + 1];
  uint16_t sorted[kLitSymbols];
} Decoder;

static void make_decoder(const uint8_t* lengths, int symbols, Decoder* d) {
  memset(d, 0, sizeof *d);
  for (int s = 0; s < symbols; ++s) d->count[lengths[s]]++;
  d->count[0] = 0;
  uint32_t code = 0, index = 0;
  for (int len = 1; len <= kMaxCodeLength; ++len) {
    d->first_code[len] = code;
    d->first_index[len] = index;
    for (int s = 0; s < symbols; ++s)
      if (lengths[s] == len) d->sorted[index++] = (uint16_t)s;
    code = (code + d->count[len]) << 1;
  }
}

static int decode_symbol(BitReader* r, const Decoder* d) {
  uint32_t code = 0;
  for (int len = 1; len <= kMaxCodeLength; ++len) {
    code = code << 1 | get_bit(r);
    if (code - d->first_code[len] < d->count[len])
      return d->sorted[d->first_index[len] + code - d->first_code[len]];
  }
  abort();
}

static long compress(const Token* tokens, long count, uint8_t* out, uint8_t* lit_len, uint8_t* dist_len) {
  uint64_t lit_freq[kLitSymbols] = {0}, dist_freq[kDistSymbols] = {0};
  for (long i = 0; i < count; ++i) {
    if (tokens[i].length == 0) {
      lit_freq[tokens[i].distance]++;
    } else {
      lit_freq[257 + bit_length(tokens[i].length - kMinMatch)]++;
      dist_freq[bit_length(tokens[i].distance)]++;
    }
  }
  lit_freq[256]++;
  code_lengths(lit_freq, kLitSymbols, lit_len);
  code_lengths(dist_freq, kDistSymbols, dist_len);
  uint32_t lit_code[kLitSymbols], dist_code[kDistSymbols];
  canonical_codes(lit_len, kLitSymbols, lit_code);
  canonical_codes(dist_len, kDistSymbols, dist_code);
  BitWriter w = {out, 0, 0, 0};
  for (long i = 0; i < count; ++i) {
    const Token* t = &tokens[i];
    if (t->length == 0) {
      put_bits(&w, lit_code[t->distance], lit_len[t->distance]);
      continue;
    }
    uint32_t extra = (uint32_t)t->length - kMinMatch;
    int bucket = bit_length(extra);
    put_bits(&w, lit_code[257 + bucket], lit_len[257 + bucket]);
    if (bucket > 1) put_bits(&w, extra & ((1u << (bucket - 1)) - 1), bucket - 1);
    int dist_bucket = bit_length(t->distance);
    put_bits(&w, dist_code[dist_bucket], dist_len[dist_bucket]);
    if (dist_bucket > 1) put_bits(&w, t->distance & ((1u << (dist_bucket - 1)) - 1), dist_bucket - 1);
  }
  put_bits(&w, lit_code[256], lit_len[256]);
  put_bits(&w, 0, 7);  // flush
  return w.bytes;
}

static long decompress(const uint8_t* in, const uint8_t* lit_len, const uint8_t* dist_len, uint8_t* out) {
  static Decoder lit, dist;
  make_decoder(lit_len, kLitSymbols, &lit);
  make_decoder(dist_len, kDistSymbols, &dist);
  BitReader r = {in, 0};
  long n = 0;
  for (;;) {
    int symbol = decode_symbol(&r, &lit);
    if (symbol < 256) {
      out[n++] = (uint8_t)symbol;
      continue;
    }
    if (symbol == 256) return n;
    int bucket = symbol - 257;
    uint32_t length = bucket == 0 ? 0 : bucket == 1 ? 1 : (1u << (bucket - 1)) | get_bits(&r, bucket - 1);
    length += kMinMatch;
    int dist_bucket = decode_symbol(&r, &dist);
    uint32_t distance =
        dist_bucket <= 1 ? (uint32_t)dist_bucket : (1u << (dist_bucket - 1)) | get_bits(&r, dist_bucket - 1);
    distance += 1;
    for (uint32_t k = 0; k < length; ++k, ++n) out[n] = out[n - distance];
  }
}

// ---- Sorting and hashing -----------------------------------------------------

static int compare_u16(const void* a, const void* b) {
  uint16_t x = *(const uint16_t*)a, y = *(const uint16_t*)b;
  return (x > y) - (x < y);
}

static uint64_t hash_bytes(const uint8_t* p, long n) {
  uint64_t h = 0xcbf29ce484222325ull;
  long i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    memcpy(&word, p + i, 8);
    h = (h ^ word) * 0x100000001b3ull;
    h ^= h >> 31;
  }
  for (; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ull;
  return bench_mix(h, (uint64_t)n);
}

int main(int argc, char** argv) {
  long side = bench_size(argc, argv, 320);
  long pixels = side * side, bytes = 3 * pixels;
  uint8_t* image = malloc((size_t)bytes);
  Token* tokens = malloc(sizeof(Token) * (size_t)bytes);
  uint8_t* packed = malloc((size_t)bytes * 4 + 64);  // codes are at most 24 bits
  uint8_t* unpacked = malloc((size_t)bytes + kMaxMatch);
  uint16_t* luma = malloc(sizeof(uint16_t) * (size_t)pixels);
  if (!image || !tokens || !packed || !unpacked || !luma) return 1;

  render(image, side);
  long token_count = lz77(image, bytes, tokens);
  uint8_t lit_len[kLitSymbols], dist_len[kDistSymbols];
  long packed_bytes = compress(tokens, token_count, packed, lit_len, dist_len);
  long unpacked_bytes = decompress(packed, lit_len, dist_len, unpacked);
  if (unpacked_bytes != bytes || memcmp(unpacked, image, (size_t)bytes) != 0) {
    fputs("round trip failed\n", stderr);
    return 1;
  }
  for (long i = 0; i < pixels; ++i)
    luma[i] = (uint16_t)(77 * image[3 * i] + 150 * image[3 * i + 1] + 29 * image[3 * i + 2]);
  qsort(luma, (size_t)pixels, sizeof *luma, compare_u16);

  uint64_t hash = hash_bytes(image, bytes);
  hash = bench_mix(hash, hash_bytes(packed, packed_bytes));
  hash = bench_mix(hash, (uint64_t)token_count << 32 | (uint64_t)packed_bytes);
  hash = bench_mix(hash, (uint64_t)luma[pixels / 2] << 16 | luma[pixels / 10]);
  bench_print(hash);
  free(image);
  free(tokens);
  free(packed);
  free(unpacked);
  free(luma);
  return 0;
}
