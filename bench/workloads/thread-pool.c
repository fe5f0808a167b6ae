/*
 * thread-pool: what each thread of a big pool costs, as a JVM's threads use native memory.
 * THREADS threads each keep a few small objects for as long as they live (a thread's own
 * structures), serve ROUNDS requests that each open and close a zlib-sized stream (a
 * 5.9 KiB deflate state with four 64 KiB buffers, then a 7 KiB inflate state with its
 * 32 KiB window: about what java.util.zip.Deflater and Inflater get from malloc) and make a
 * few short-lived small objects, and then wait in the pool until the main thread lets them
 * go. The peak RSS is the interesting figure: it is reached while they all wait, so it
 * counts what the allocator keeps for each waiting thread (its cache, the objects in it).
 *
 * usage: thread-pool [SCALE]   (SCALE multiplies the rounds; the pool is always THREADS)
 * Prints "checksum=<hex>" on stdout.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define THREADS 200
#define BASE_ROUNDS 20UL
#define KEEP 24              /* small objects a thread keeps while it lives */
#define DEFLATE_STATE 5936
#define DEFLATE_BUF 65536    /* window, prev, head, pending: four of them */
#define INFLATE_STATE 7160
#define INFLATE_WINDOW 32768

static unsigned long rounds;
static pthread_barrier_t parked, released;

typedef struct { uint64_t rng, sum, bad; } targ_t;

static inline uint64_t rnd(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static unsigned char *make(size_t n, unsigned char v) {
    unsigned char *p = malloc(n);
    if (!p) { fprintf(stderr, "thread-pool: malloc(%zu) failed\n", n); exit(1); }
    memset(p, v, n);
    return p;
}

static void drop(targ_t *t, unsigned char *p, size_t n, unsigned char v) {
    if (p[0] != v || p[n / 2] != v || p[n - 1] != v) t->bad++;
    t->sum = t->sum * 1099511628211ULL + n * 257 + p[n - 1];
    free(p);
}

static void stream(targ_t *t) {
    unsigned char v = (unsigned char)rnd(&t->rng);
    unsigned char *state = make(DEFLATE_STATE, v), *buf[4];
    for (int i = 0; i < 4; i++) buf[i] = make(DEFLATE_BUF, v);
    for (int i = 0; i < 4; i++) drop(t, buf[i], DEFLATE_BUF, v);
    drop(t, state, DEFLATE_STATE, v);
    state = make(INFLATE_STATE, v);
    unsigned char *window = make(INFLATE_WINDOW, v);
    drop(t, window, INFLATE_WINDOW, v);
    drop(t, state, INFLATE_STATE, v);
}

static void *worker(void *arg) {
    targ_t *t = arg;
    unsigned char *keep[KEEP];
    size_t keep_n[KEEP];
    for (int i = 0; i < KEEP; i++) {
        keep_n[i] = 16 + rnd(&t->rng) % 497;
        keep[i] = make(keep_n[i], (unsigned char)i);
    }
    for (unsigned long r = 0; r < rounds; r++) {
        stream(t);
        unsigned char *tmp[8];
        size_t tmp_n[8];
        for (int i = 0; i < 8; i++) {
            tmp_n[i] = 32 + rnd(&t->rng) % 225;
            tmp[i] = make(tmp_n[i], (unsigned char)r);
        }
        for (int i = 0; i < 8; i++) drop(t, tmp[i], tmp_n[i], (unsigned char)r);
    }
    pthread_barrier_wait(&parked);           /* waiting in the pool */
    pthread_barrier_wait(&released);
    for (int i = 0; i < KEEP; i++) drop(t, keep[i], keep_n[i], (unsigned char)i);
    return NULL;
}

int main(int argc, char **argv) {
    double scale = argc > 1 ? atof(argv[1]) : 1.0;
    rounds = (unsigned long)(BASE_ROUNDS * scale);
    if (rounds < 1) rounds = 1;
    static pthread_t th[THREADS];
    static targ_t args[THREADS];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);   /* 200 threads: keep the mappings small */
    pthread_barrier_init(&parked, NULL, THREADS + 1);
    pthread_barrier_init(&released, NULL, THREADS + 1);
    for (int i = 0; i < THREADS; i++) {
        args[i].rng = 0x7007ULL + (uint64_t)i * 0x1000193ULL;
        if (pthread_create(&th[i], &attr, worker, &args[i]) != 0) { perror("pthread_create"); return 1; }
    }
    pthread_barrier_wait(&parked);
    pthread_barrier_wait(&released);
    uint64_t sum = 0, bad = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        sum = sum * 31 + args[i].sum;        /* joined in a fixed order: deterministic */
        bad += args[i].bad;
    }
    fprintf(stderr, "thread-pool: %d threads, %lu rounds each\n", THREADS, rounds);
    if (bad) fprintf(stderr, "thread-pool: CORRUPTION %llu bad objects\n", (unsigned long long)bad);
    printf("checksum=%016llx bad=%llu\n", (unsigned long long)sum, (unsigned long long)bad);
    return bad ? 2 : 0;
}
