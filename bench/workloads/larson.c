/*
 * larson: larson-like cross-thread producer/consumer.
 * THREADS threads share an array of SLOTS pointers. Each operation a thread
 * allocates an object of random size 16..1024 B, fills it, and atomically
 * exchanges it into a random slot; whatever object it gets back (usually
 * allocated by another thread) is verified and freed by this thread.
 * So most frees are remote frees. At the end the main thread frees what is
 * left in the slots.
 *
 * The checksum is order-independent (sums of tags of created and of freed
 * objects), so it does not depend on thread scheduling.
 *
 * usage: larson [SCALE]   Prints "checksum=<hex>" on stdout.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 4
#define SLOTS 20000
#define BASE_OPS_PER_THREAD 2000000UL
#define MIN_SZ 16
#define MAX_SZ 1024

typedef struct { uint64_t tag; uint32_t size; uint32_t pad; } hdr_t; /* 16 bytes */

static _Atomic(hdr_t *) slots[SLOTS];
static unsigned long ops_per_thread;

typedef struct {
    int id;
    uint64_t rng;
    uint64_t created, freed, bad, remote;
} targ_t;

static inline uint64_t rnd(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline uint64_t tagval(const hdr_t *h) { return h->tag * 3 + h->size; }

static uint64_t verify_free(hdr_t *h, uint64_t *bad) {
    unsigned char *p = (unsigned char *)h;
    unsigned char want = (unsigned char)(h->tag >> 8);
    if (h->size < MIN_SZ || h->size > MAX_SZ ||
        (h->size > sizeof(hdr_t) && (p[sizeof(hdr_t)] != want || p[h->size - 1] != want)))
        (*bad)++;
    uint64_t v = tagval(h);
    free(h);
    return v;
}

static void *worker(void *arg) {
    targ_t *t = arg;
    for (unsigned long n = 0; n < ops_per_thread; n++) {
        uint64_t r = rnd(&t->rng);
        uint32_t sz = MIN_SZ + (uint32_t)(r % (MAX_SZ - MIN_SZ + 1));
        hdr_t *h = malloc(sz);
        if (!h) { fprintf(stderr, "larson: malloc failed\n"); exit(1); }
        memset((char *)h + sizeof(hdr_t), (int)((r >> 8) & 0xff), sz - sizeof(hdr_t));
        h->tag = r;
        h->size = sz;
        h->pad = (uint32_t)t->id;
        t->created += tagval(h);
        hdr_t *old = atomic_exchange_explicit(&slots[(r >> 32) % SLOTS], h, memory_order_acq_rel);
        if (old) {
            if (old->pad != (uint32_t)t->id) t->remote++;
            t->freed += verify_free(old, &t->bad);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    ops_per_thread = (unsigned long)(BASE_OPS_PER_THREAD * scale);
    pthread_t th[THREADS];
    targ_t args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].id = i;
        args[i].rng = 0x1234567ULL * (uint64_t)(i + 1);
        if (pthread_create(&th[i], NULL, worker, &args[i]) != 0) { perror("pthread_create"); return 1; }
    }
    uint64_t created = 0, freed = 0, bad = 0, remote = 0, fr = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        created += args[i].created;
        freed += args[i].freed;
        bad += args[i].bad;
        remote += args[i].remote;
    }
    for (int i = 0; i < SLOTS; i++) {
        hdr_t *h = atomic_load(&slots[i]);
        if (h) fr += verify_free(h, &bad);
    }
    freed += fr;
    if (bad || created != freed)
        fprintf(stderr, "larson: CORRUPTION bad=%llu created=%016llx freed=%016llx\n",
                (unsigned long long)bad, (unsigned long long)created, (unsigned long long)freed);
    fprintf(stderr, "larson: %d threads, %lu ops/thread, %llu remote frees\n", THREADS,
            ops_per_thread, (unsigned long long)remote);
    /* deterministic: created depends only on the per-thread RNG streams */
    printf("checksum=%016llx bad=%llu balance=%lld\n", (unsigned long long)created,
           (unsigned long long)bad, (long long)(created - freed));
    return (bad || created != freed) ? 2 : 0;
}
