/*
 * churn: single-threaded small-object churn.
 * A working set of ~100k live objects (8..512 B, uniform) is kept in a slot
 * array; each step frees a random slot and replaces it with a new object of
 * a random size, writing every byte of the new object. On free the object's
 * header and last byte are checked and folded into the checksum.
 *
 * usage: churn [SCALE]   (SCALE multiplies the number of operations; default 1)
 * Prints "checksum=<hex>" on stdout. Deterministic for a given SCALE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE 100000
#define BASE_OPS 4000000UL
#define MIN_SZ 8
#define MAX_SZ 512

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static inline uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct { void *p; uint32_t size; } slot_t;
static slot_t slots[LIVE];
static uint64_t bad = 0;

static inline void *make(uint32_t size, uint64_t tag) {
    unsigned char *p = malloc(size);
    if (!p) { fprintf(stderr, "churn: malloc(%u) failed\n", size); exit(1); }
    memset(p, (int)(tag & 0xff), size);
    memcpy(p, &tag, sizeof tag); /* size >= 8 */
    return p;
}

static inline uint64_t check(slot_t *s) {
    unsigned char *p = s->p;
    uint64_t tag;
    memcpy(&tag, p, sizeof tag);
    unsigned char last = p[s->size - 1];
    if (s->size > 8 && last != (unsigned char)(tag & 0xff)) bad++;
    return tag * 31 + last + s->size;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    unsigned long ops = (unsigned long)(BASE_OPS * scale);
    uint64_t sum = 0;
    for (int i = 0; i < LIVE; i++) {
        uint32_t sz = MIN_SZ + (uint32_t)(rnd() % (MAX_SZ - MIN_SZ + 1));
        slots[i].size = sz;
        slots[i].p = make(sz, rnd());
    }
    for (unsigned long n = 0; n < ops; n++) {
        uint64_t r = rnd();
        slot_t *s = &slots[r % LIVE];
        sum = sum * 1099511628211ULL + check(s);
        free(s->p);
        uint32_t sz = MIN_SZ + (uint32_t)((r >> 32) % (MAX_SZ - MIN_SZ + 1));
        s->size = sz;
        s->p = make(sz, rnd());
    }
    for (int i = 0; i < LIVE; i++) {
        sum = sum * 1099511628211ULL + check(&slots[i]);
        free(slots[i].p);
    }
    if (bad) fprintf(stderr, "churn: %llu corrupted objects\n", (unsigned long long)bad);
    printf("checksum=%016llx bad=%llu\n", (unsigned long long)sum, (unsigned long long)bad);
    return bad ? 2 : 0;
}
