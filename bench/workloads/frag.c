/*
 * frag: fragmentation pattern; the peak RSS is the interesting figure.
 * Each phase allocates OBJS objects cycling through that phase's three size
 * classes (e.g. 64 B / 4 KiB / 40 KiB), writes all their bytes, then frees
 * every other one, leaving holes. The next phase uses different size classes
 * that do not fit the holes exactly. Survivors of the last KEEP phases stay
 * alive (older ones are freed), so the live set is bounded; an allocator that
 * reuses holes well keeps RSS close to the live set.
 * On stderr it reports the peak of live requested bytes for comparison.
 *
 * usage: frag [SCALE]   (SCALE multiplies the number of phases)
 * Prints "checksum=<hex>" on stdout.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OBJS 3000           /* objects allocated per phase */
#define KEEP 4              /* phases whose survivors stay alive */
#define BASE_PHASES 200UL

static const size_t classes[][3] = {
    {64, 4096, 40960},
    {48, 3000, 50000},
    {128, 8192, 24576},
    {96, 1500, 65536},
    {200, 6000, 32768},
    {32, 2048, 45000},
    {512, 12288, 20000},
    {80, 5000, 36000},
};
#define NCLASSES (sizeof classes / sizeof classes[0])

static uint64_t rng_state = 0xF4A6ULL;
static inline uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

typedef struct { unsigned char *p; size_t size; unsigned char v; } obj_t;
static obj_t ring[KEEP][OBJS / 2];
static int ring_n[KEEP];
static obj_t cur[OBJS];
static size_t live_bytes = 0, peak_live = 0;
static uint64_t bad = 0;

static void mk(obj_t *o, size_t size) {
    o->size = size;
    o->v = (unsigned char)rnd();
    o->p = malloc(size);
    if (!o->p) { fprintf(stderr, "frag: malloc(%zu) failed\n", size); exit(1); }
    memset(o->p, o->v, size);
    live_bytes += size;
    if (live_bytes > peak_live) peak_live = live_bytes;
}

static uint64_t rm(obj_t *o) {
    if (o->p[0] != o->v || o->p[o->size / 2] != o->v || o->p[o->size - 1] != o->v) bad++;
    uint64_t h = o->size * 257 + o->p[o->size - 1];
    free(o->p);
    live_bytes -= o->size;
    o->p = NULL;
    return h;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    unsigned long phases = (unsigned long)(BASE_PHASES * scale);
    if (phases < 1) phases = 1;
    uint64_t sum = 0;
    for (unsigned long ph = 0; ph < phases; ph++) {
        const size_t *cl = classes[ph % NCLASSES];
        int slot = (int)(ph % KEEP);
        /* retire the survivors of the phase KEEP phases ago */
        for (int i = 0; i < ring_n[slot]; i++) sum = sum * 31 + rm(&ring[slot][i]);
        ring_n[slot] = 0;
        for (int i = 0; i < OBJS; i++) {
            /* mostly round-robin over the classes, with a little jitter in size */
            size_t sz = cl[i % 3] + (size_t)(rnd() % 16);
            mk(&cur[i], sz);
        }
        /* free every other object (leaves holes between survivors) */
        for (int i = 0; i < OBJS; i++) {
            if (i % 2 == 0) sum = sum * 31 + rm(&cur[i]);
            else ring[slot][ring_n[slot]++] = cur[i];
        }
    }
    for (int s = 0; s < KEEP; s++)
        for (int i = 0; i < ring_n[s]; i++) sum = sum * 31 + rm(&ring[s][i]);
    fprintf(stderr, "frag: %lu phases, peak live requested bytes %.1f MiB\n", phases,
            peak_live / 1048576.0);
    if (bad) fprintf(stderr, "frag: CORRUPTION %llu bad objects\n", (unsigned long long)bad);
    printf("checksum=%016llx bad=%llu\n", (unsigned long long)sum, (unsigned long long)bad);
    return bad ? 2 : 0;
}
