/*
 * large: blocks above glibc's default 128 KiB mmap threshold.
 * A few (LIVE) blocks are alive at a time; each step frees a random one
 * (after verifying it) and allocates a new block of 128 KiB..8 MiB
 * (log-uniform size), touching every 4 KiB page of it.
 *
 * usage: large [SCALE]   Prints "checksum=<hex>" on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIVE 6
#define BASE_OPS 4000UL
#define PAGE 4096
#define MIN_SZ (128u * 1024)
#define MAX_SZ (8u * 1024 * 1024)

static uint64_t rng_state = 0x5EED0004ULL;
static inline uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct { unsigned char *p; size_t size; uint64_t tag; } blk_t;
static blk_t live[LIVE];
static uint64_t bad = 0;

static size_t pick_size(void) {
    /* log-uniform over [128 KiB, 8 MiB]: 2^17 .. 2^23, plus a non-page-aligned tail */
    int e = 17 + (int)(rnd() % 6);
    size_t base = (size_t)1 << e;
    size_t s = base + (size_t)(rnd() % base) + (size_t)(rnd() % 64);
    if (s < MIN_SZ) s = MIN_SZ;
    if (s > MAX_SZ) s = MAX_SZ;
    return s;
}

static void alloc_blk(blk_t *b) {
    b->size = pick_size();
    b->tag = rnd();
    b->p = malloc(b->size);
    if (!b->p) { fprintf(stderr, "large: malloc(%zu) failed\n", b->size); exit(1); }
    for (size_t off = 0; off < b->size; off += PAGE) b->p[off] = (unsigned char)(b->tag + off / PAGE);
    b->p[b->size - 1] = (unsigned char)b->tag;
}

static uint64_t free_blk(blk_t *b) {
    uint64_t h = b->tag ^ b->size;
    for (size_t off = 0; off < b->size; off += PAGE) {
        unsigned char v = b->p[off];
        unsigned char want = off == b->size - 1 ? (unsigned char)b->tag : (unsigned char)(b->tag + off / PAGE);
        if (v != want) bad++;
        h = h * 1099511628211ULL + v;
    }
    if (b->p[b->size - 1] != (unsigned char)b->tag) bad++;
    free(b->p);
    return h;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    unsigned long ops = (unsigned long)(BASE_OPS * scale);
    uint64_t sum = 0;
    for (int i = 0; i < LIVE; i++) alloc_blk(&live[i]);
    for (unsigned long n = 0; n < ops; n++) {
        blk_t *b = &live[rnd() % LIVE];
        sum = sum * 31 + free_blk(b);
        alloc_blk(b);
    }
    for (int i = 0; i < LIVE; i++) sum = sum * 31 + free_blk(&live[i]);
    if (bad) fprintf(stderr, "large: CORRUPTION %llu bad pages\n", (unsigned long long)bad);
    printf("checksum=%016llx bad=%llu\n", (unsigned long long)sum, (unsigned long long)bad);
    return bad ? 2 : 0;
}
