/*
 * realloc: many interleaved "string builders" grown by realloc.
 * ACTIVE builders are alive at once; each step appends a chunk to a randomly
 * chosen builder. Two growth policies are mixed:
 *   - geometric: capacity starts at 16 B and grows by ~1.5x (targets up to 1 MiB)
 *   - exact:     realloc to exactly the new length on every append, i.e. many
 *                small increments (targets up to 256 KiB)
 * When a builder reaches its target length its content is verified (sampled),
 * folded into the checksum, freed, and a new builder starts in its place.
 *
 * usage: realloc [SCALE]   Prints "checksum=<hex>" on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTIVE 64
#define BASE_BUILDS 3000UL

static uint64_t rng_state = 0xC0FFEE1234ULL;
static inline uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
/* log-uniform integer in [lo, hi] without libm: pick an exponent, then a mantissa */
static size_t logrand(size_t lo, size_t hi) {
    int elo = 0, ehi = 0;
    while (((size_t)1 << (elo + 1)) <= lo) elo++;
    while (((size_t)1 << ehi) < hi) ehi++;
    int e = elo + (int)(rnd() % (uint64_t)(ehi - elo + 1));
    size_t base = (size_t)1 << e;
    size_t v = base + (size_t)(rnd() % base);
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return v;
}

typedef struct {
    unsigned char *buf;
    size_t len, cap, target;
    int exact;
    uint8_t seed;
} builder_t;

static builder_t b[ACTIVE];
static uint64_t reallocs = 0, bad = 0;

static void start(builder_t *x) {
    x->exact = (int)(rnd() % 3 == 0);
    x->target = x->exact ? logrand(1024, 256 * 1024) : logrand(4096, 1024 * 1024);
    x->seed = (uint8_t)rnd();
    x->len = 0;
    x->cap = 16;
    x->buf = malloc(x->cap);
    if (!x->buf) { fprintf(stderr, "realloc: malloc failed\n"); exit(1); }
}

static uint64_t finish(builder_t *x) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < x->len; i += 61) {
        unsigned char want = (unsigned char)(x->seed + i * 7);
        if (x->buf[i] != want) bad++;
        h = (h ^ x->buf[i]) * 1099511628211ULL;
    }
    if (x->buf[x->len - 1] != (unsigned char)(x->seed + (x->len - 1) * 7)) bad++;
    h ^= x->len;
    free(x->buf);
    return h;
}

static void append(builder_t *x) {
    size_t c = x->exact ? 8 + rnd() % 249 : 1 + rnd() % 512;
    size_t need = x->len + c;
    if (need > x->cap) {
        size_t nc;
        if (x->exact) nc = need;
        else { nc = x->cap; while (nc < need) nc = nc + nc / 2; }
        unsigned char *nb = realloc(x->buf, nc);
        if (!nb) { fprintf(stderr, "realloc: realloc(%zu) failed\n", nc); exit(1); }
        x->buf = nb;
        x->cap = nc;
        reallocs++;
    }
    unsigned char *p = x->buf + x->len;
    uint8_t s = (uint8_t)(x->seed + x->len * 7);
    for (size_t i = 0; i < c; i++) p[i] = (unsigned char)(s + i * 7);
    x->len = need;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    unsigned long builds = (unsigned long)(BASE_BUILDS * scale), done = 0;
    uint64_t sum = 0;
    for (int i = 0; i < ACTIVE; i++) start(&b[i]);
    while (done < builds) {
        builder_t *x = &b[rnd() % ACTIVE];
        append(x);
        if (x->len >= x->target) {
            sum = sum * 31 + finish(x);
            done++;
            start(x);
        }
    }
    for (int i = 0; i < ACTIVE; i++) {
        if (b[i].len) sum = sum * 31 + finish(&b[i]);
        else free(b[i].buf);
    }
    fprintf(stderr, "realloc: %lu builders finished, %llu reallocs\n", done, (unsigned long long)reallocs);
    if (bad) fprintf(stderr, "realloc: CORRUPTION %llu bad bytes\n", (unsigned long long)bad);
    printf("checksum=%016llx bad=%llu\n", (unsigned long long)sum, (unsigned long long)bad);
    return bad ? 2 : 0;
}
