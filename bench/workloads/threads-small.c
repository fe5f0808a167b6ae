/*
 * threads-small: THREADS threads each doing independent small-object churn
 * (8..256 B, private working set of LIVE objects, random replacement).
 * No object crosses threads, so this measures thread-local caching and the
 * cost of any shared locks in the allocator fast path.
 *
 * usage: threads-small [SCALE]   Prints "checksum=<hex>" on stdout.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 2
#define LIVE 10000
#define BASE_OPS_PER_THREAD 12000000UL
#define MIN_SZ 8
#define MAX_SZ 256

static unsigned long ops_per_thread;

typedef struct {
    uint64_t rng, sum, bad;
    void *p[LIVE];
    uint32_t size[LIVE];
} targ_t;

static inline uint64_t rnd(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline void *make(uint32_t size, uint64_t tag) {
    unsigned char *p = malloc(size);
    if (!p) { fprintf(stderr, "threads-small: malloc failed\n"); exit(1); }
    memset(p, (int)(tag & 0xff), size);
    memcpy(p, &tag, sizeof tag);
    return p;
}

static inline uint64_t drop(targ_t *t, int i) {
    unsigned char *p = t->p[i];
    uint64_t tag;
    memcpy(&tag, p, sizeof tag);
    unsigned char last = p[t->size[i] - 1];
    if (t->size[i] > 8 && last != (unsigned char)(tag & 0xff)) t->bad++;
    free(p);
    return tag + t->size[i];
}

static void *worker(void *arg) {
    targ_t *t = arg;
    for (int i = 0; i < LIVE; i++) {
        t->size[i] = MIN_SZ + (uint32_t)(rnd(&t->rng) % (MAX_SZ - MIN_SZ + 1));
        t->p[i] = make(t->size[i], rnd(&t->rng));
    }
    for (unsigned long n = 0; n < ops_per_thread; n++) {
        uint64_t r = rnd(&t->rng);
        int i = (int)(r % LIVE);
        t->sum = t->sum * 1099511628211ULL + drop(t, i);
        t->size[i] = MIN_SZ + (uint32_t)((r >> 32) % (MAX_SZ - MIN_SZ + 1));
        t->p[i] = make(t->size[i], r >> 8);
    }
    for (int i = 0; i < LIVE; i++) t->sum = t->sum * 1099511628211ULL + drop(t, i);
    return NULL;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    ops_per_thread = (unsigned long)(BASE_OPS_PER_THREAD * scale);
    pthread_t th[THREADS];
    static targ_t args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i].rng = 0xABCDEF01ULL + (uint64_t)i * 0x1000193ULL;
        if (pthread_create(&th[i], NULL, worker, &args[i]) != 0) { perror("pthread_create"); return 1; }
    }
    uint64_t sum = 0, bad = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        sum = sum * 31 + args[i].sum; /* joined in a fixed order: deterministic */
        bad += args[i].bad;
    }
    if (bad) fprintf(stderr, "threads-small: CORRUPTION %llu bad objects\n", (unsigned long long)bad);
    printf("checksum=%016llx bad=%llu\n", (unsigned long long)sum, (unsigned long long)bad);
    return bad ? 2 : 0;
}
