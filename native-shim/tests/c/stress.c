/*
 * stress.c - multi-threaded allocator stress test with cross-thread frees and fork().
 *
 * Uses only malloc/free/calloc/realloc/posix_memalign, so it runs the same with
 * glibc malloc and under LD_PRELOAD=libslabscope.so.
 *
 *   producers  allocate blocks of 1 B .. 256 KiB (malloc, calloc, posix_memalign,
 *              realloc chains), fill them with a per-block pattern and push them
 *              on a bounded queue;
 *   consumers  pop blocks, check the pattern, sometimes realloc them (checking the
 *              kept prefix) and free them - i.e. nearly every free is cross-thread;
 *   main       allocates too, and fork()s FORKS times while the others run; each
 *              child allocates/frees on its own, frees blocks inherited from the
 *              parent and exits 0.
 *
 * The summary line on stdout depends only on the deterministic set of blocks, not
 * on scheduling. Any corruption prints a message on stderr and exits 1.
 *
 * Usage: stress [items-per-producer]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PRODUCERS 3
#define CONSUMERS 3
#define DEFAULT_ITEMS_PER_PRODUCER 30000
#define QUEUE_CAP 256
#define MAX_SIZE (256 * 1024)
#define FORKS 3
#define MAIN_SLOTS 64
#define CHILD_ROUNDS 20000
#define CHILD_TIMEOUT_SECONDS 60

typedef struct item {
    struct item *next;
    unsigned char *data;
    size_t size;
    uint64_t tag;
} item;

/* ---- failure reporting ------------------------------------------------- */

static void fail(const char *what, uint64_t tag, size_t size, size_t at)
{
    fprintf(stderr, "stress: CORRUPTION: %s (tag=%016" PRIx64 " size=%zu offset=%zu)\n",
            what, tag, size, at);
    fflush(stderr);
    _exit(1);
}

static void die(const char *what)
{
    fprintf(stderr, "stress: %s: %s\n", what, strerror(errno));
    fflush(stderr);
    _exit(1);
}

/* ---- deterministic random numbers ------------------------------------- */

static uint64_t next_random(uint64_t *state)
{
    /* splitmix64 */
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static size_t random_size(uint64_t *state)
{
    uint64_t r = next_random(state);
    unsigned bucket = (unsigned)(r % 100);
    r >>= 8;
    if (bucket < 70)
        return 1 + (size_t)(r % 512);                 /* small: 1 .. 512 */
    if (bucket < 90)
        return 513 + (size_t)(r % (32 * 1024 - 512)); /* medium: 513 .. 32 KiB */
    return 32 * 1024 + 1 + (size_t)(r % (MAX_SIZE - 32 * 1024)); /* large: .. 256 KiB */
}

/* ---- patterns ---------------------------------------------------------- */

static inline unsigned char pattern_byte(uint64_t tag, size_t i)
{
    return (unsigned char)((tag >> ((i & 7) * 8)) ^ (i * 0x9d) ^ (i >> 8));
}

static void fill(unsigned char *p, size_t from, size_t to, uint64_t tag)
{
    for (size_t i = from; i < to; i++)
        p[i] = pattern_byte(tag, i);
}

static void check(const unsigned char *p, size_t n, uint64_t tag, size_t size, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern_byte(tag, i))
            fail(what, tag, size, i);
}

static void check_zero(const unsigned char *p, size_t n, uint64_t tag)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != 0)
            fail("calloc memory not zeroed", tag, n, i);
}

static uint64_t contribution(uint64_t tag, size_t size)
{
    return (tag * 0x2545f4914f6cdd1dULL) ^ (uint64_t)size;
}

/* ---- bounded queue ------------------------------------------------------ */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t not_empty;
    pthread_cond_t not_full;
    item *head, *tail;
    int count;
    int producers_done;
} queue = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
           NULL, NULL, 0, 0};

static void queue_push(item *it)
{
    pthread_mutex_lock(&queue.lock);
    while (queue.count >= QUEUE_CAP)
        pthread_cond_wait(&queue.not_full, &queue.lock);
    it->next = NULL;
    if (queue.tail)
        queue.tail->next = it;
    else
        queue.head = it;
    queue.tail = it;
    queue.count++;
    pthread_cond_signal(&queue.not_empty);
    pthread_mutex_unlock(&queue.lock);
}

/* returns NULL once all producers are done and the queue is drained */
static item *queue_pop(void)
{
    pthread_mutex_lock(&queue.lock);
    while (queue.count == 0 && queue.producers_done < PRODUCERS)
        pthread_cond_wait(&queue.not_empty, &queue.lock);
    item *it = queue.head;
    if (it) {
        queue.head = it->next;
        if (!queue.head)
            queue.tail = NULL;
        queue.count--;
        pthread_cond_signal(&queue.not_full);
    }
    pthread_mutex_unlock(&queue.lock);
    return it;
}

static void producer_finished(void)
{
    pthread_mutex_lock(&queue.lock);
    queue.producers_done++;
    pthread_cond_broadcast(&queue.not_empty);
    pthread_mutex_unlock(&queue.lock);
}

/* ---- shared counters ---------------------------------------------------- */

static long items_per_producer = DEFAULT_ITEMS_PER_PRODUCER;
static uint64_t produced;     /* atomic */
static uint64_t consumed;     /* atomic */
static uint64_t bytes_total;  /* atomic */
static uint64_t checksum;     /* atomic, order-independent sum */

/* ---- producers ---------------------------------------------------------- */

static unsigned char *make_block(uint64_t *rng, uint64_t tag, size_t size)
{
    unsigned kind = (unsigned)(next_random(rng) % 100);
    unsigned char *p;

    if (kind < 60) {
        p = malloc(size);
        if (!p)
            die("malloc");
        fill(p, 0, size, tag);
    } else if (kind < 70) {
        p = calloc(1, size);
        if (!p)
            die("calloc");
        check_zero(p, size, tag);
        fill(p, 0, size, tag);
    } else if (kind < 80) {
        size_t align = (size_t)16 << (next_random(rng) % 9); /* 16 .. 4096 */
        void *q = NULL;
        int rc = posix_memalign(&q, align, size);
        if (rc != 0) {
            errno = rc;
            die("posix_memalign");
        }
        if ((uintptr_t)q & (align - 1))
            fail("posix_memalign result misaligned", tag, size, align);
        p = q;
        fill(p, 0, size, tag);
    } else if (kind < 95) {
        /* realloc chain ending at `size`, each step keeping the common prefix */
        size_t cur = 0;
        p = NULL;
        int steps = 2 + (int)(next_random(rng) % 4);
        for (int s = 0; s < steps; s++) {
            size_t want = (s == steps - 1) ? size : random_size(rng);
            unsigned char *q = realloc(p, want);
            if (!q)
                die("realloc");
            p = q;
            size_t keep = cur < want ? cur : want;
            check(p, keep, tag, want, "realloc lost data (producer chain)");
            if (want > cur)
                fill(p, cur, want, tag);
            cur = want;
        }
    } else {
        /* short-lived same-thread garbage around the real block */
        void *tmp[8];
        for (int i = 0; i < 8; i++) {
            tmp[i] = malloc(1 + (size_t)(next_random(rng) % 2048));
            if (!tmp[i])
                die("malloc");
            memset(tmp[i], 0xa5, 1);
        }
        p = malloc(size);
        if (!p)
            die("malloc");
        fill(p, 0, size, tag);
        for (int i = 7; i >= 0; i--)
            free(tmp[i]);
    }
    return p;
}

static void *producer(void *arg)
{
    long id = (long)arg;
    uint64_t rng = 0x5eed0000ULL + (uint64_t)id * 7919;

    for (long n = 0; n < items_per_producer; n++) {
        uint64_t tag = next_random(&rng);
        size_t size = random_size(&rng);
        item *it = malloc(sizeof *it);
        if (!it)
            die("malloc");
        it->data = make_block(&rng, tag, size);
        it->size = size;
        it->tag = tag;
        queue_push(it);
        __atomic_add_fetch(&produced, 1, __ATOMIC_RELAXED);
    }
    producer_finished();
    return NULL;
}

/* ---- consumers ---------------------------------------------------------- */

static void *consumer(void *arg)
{
    (void)arg;
    item *it;
    while ((it = queue_pop()) != NULL) {
        unsigned char *p = it->data;
        size_t size = it->size;
        uint64_t tag = it->tag;

        check(p, size, tag, size, "pattern mismatch in consumer");

        switch (tag & 7) {
        case 0: { /* shrink */
            size_t want = size / 2 + 1;
            unsigned char *q = realloc(p, want);
            if (!q)
                die("realloc");
            p = q;
            check(p, want < size ? want : size, tag, size, "realloc shrink lost data");
            break;
        }
        case 1: { /* grow */
            size_t want = size + 1 + (size_t)((tag >> 8) % 65536);
            unsigned char *q = realloc(p, want);
            if (!q)
                die("realloc");
            p = q;
            check(p, size, tag, size, "realloc grow lost data");
            memset(p + size, 0x5a, want - size);
            break;
        }
        default:
            break;
        }

        free(p);
        free(it);
        __atomic_add_fetch(&consumed, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&bytes_total, (uint64_t)size, __ATOMIC_RELAXED);
        __atomic_add_fetch(&checksum, contribution(tag, size), __ATOMIC_RELAXED);
    }
    return NULL;
}

/* ---- main thread's own blocks (also inherited by fork children) --------- */

typedef struct {
    unsigned char *p;
    size_t size;
    uint64_t tag;
} slot;

static void churn(slot *slots, int nslots, uint64_t *rng, int rounds)
{
    for (int r = 0; r < rounds; r++) {
        slot *s = &slots[next_random(rng) % (uint64_t)nslots];
        if (s->p) {
            check(s->p, s->size, s->tag, s->size, "pattern mismatch in main-thread block");
            free(s->p);
            s->p = NULL;
        } else {
            s->tag = next_random(rng);
            s->size = random_size(rng);
            s->p = malloc(s->size);
            if (!s->p)
                die("malloc");
            fill(s->p, 0, s->size, s->tag);
        }
    }
}

static void release_all(slot *slots, int nslots)
{
    for (int i = 0; i < nslots; i++) {
        if (slots[i].p) {
            check(slots[i].p, slots[i].size, slots[i].tag, slots[i].size,
                  "pattern mismatch in main-thread block");
            free(slots[i].p);
            slots[i].p = NULL;
        }
    }
}

static void child_main(slot *inherited, int nslots, int which)
{
    alarm(CHILD_TIMEOUT_SECONDS); /* a deadlocked child dies instead of hanging the parent */

    uint64_t rng = 0xc41dULL + (uint64_t)which;
    slot own[MAIN_SLOTS];
    memset(own, 0, sizeof own);

    /* blocks allocated by the parent before fork() must be intact and freeable */
    release_all(inherited, nslots);
    churn(own, MAIN_SLOTS, &rng, CHILD_ROUNDS);

    /* a realloc chain and some calloc in the child */
    unsigned char *p = NULL;
    size_t cur = 0;
    for (int s = 0; s < 16; s++) {
        size_t want = random_size(&rng);
        unsigned char *q = realloc(p, want);
        if (!q)
            die("realloc (child)");
        p = q;
        check(p, cur < want ? cur : want, 0x1234, want, "realloc lost data (child)");
        if (want > cur)
            fill(p, cur, want, 0x1234);
        cur = want;
    }
    free(p);
    for (int i = 0; i < 64; i++) {
        size_t n = random_size(&rng);
        unsigned char *z = calloc(n, 1);
        if (!z)
            die("calloc (child)");
        check_zero(z, n, 0);
        free(z);
    }
    release_all(own, MAIN_SLOTS);
    exit(0); /* normal exit: atexit handlers / shim report run */
}

static int wait_child(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            die("waitpid");
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 1;
    if (WIFSIGNALED(status))
        fprintf(stderr, "stress: fork child %d killed by signal %d\n", (int)pid, WTERMSIG(status));
    else
        fprintf(stderr, "stress: fork child %d exited with %d\n", (int)pid, WEXITSTATUS(status));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        items_per_producer = strtol(argv[1], NULL, 10);
        if (items_per_producer <= 0) {
            fprintf(stderr, "usage: %s [items-per-producer]\n", argv[0]);
            return 2;
        }
    }

    pthread_t producers[PRODUCERS], consumers[CONSUMERS];
    for (long i = 0; i < CONSUMERS; i++)
        if (pthread_create(&consumers[i], NULL, consumer, (void *)i) != 0)
            die("pthread_create");
    for (long i = 0; i < PRODUCERS; i++)
        if (pthread_create(&producers[i], NULL, producer, (void *)i) != 0)
            die("pthread_create");

    uint64_t rng = 0x3a1fULL;
    slot slots[MAIN_SLOTS];
    memset(slots, 0, sizeof slots);

    const uint64_t total = (uint64_t)items_per_producer * PRODUCERS;
    int forks_ok = 0;
    for (int f = 0; f < FORKS; f++) {
        /* fork at 1/4, 2/4, 3/4 of the production, while the other threads allocate */
        uint64_t mark = total * (uint64_t)(f + 1) / (FORKS + 1);
        while (__atomic_load_n(&produced, __ATOMIC_RELAXED) < mark)
            churn(slots, MAIN_SLOTS, &rng, 64);

        fflush(stdout);
        fflush(stderr);
        pid_t pid = fork();
        if (pid < 0)
            die("fork");
        if (pid == 0)
            child_main(slots, MAIN_SLOTS, f);
        churn(slots, MAIN_SLOTS, &rng, 1000);
        forks_ok += wait_child(pid);
    }

    for (int i = 0; i < PRODUCERS; i++)
        pthread_join(producers[i], NULL);
    for (int i = 0; i < CONSUMERS; i++)
        pthread_join(consumers[i], NULL);
    release_all(slots, MAIN_SLOTS);

    if (consumed != total) {
        fprintf(stderr, "stress: consumed %" PRIu64 " of %" PRIu64 " items\n", consumed, total);
        return 1;
    }
    if (forks_ok != FORKS) {
        fprintf(stderr, "stress: %d of %d fork children failed\n", FORKS - forks_ok, FORKS);
        return 1;
    }

    printf("stress: producers=%d consumers=%d items=%" PRIu64 " bytes=%" PRIu64
           " checksum=%016" PRIx64 " forks=%d ok\n",
           PRODUCERS, CONSUMERS, consumed, bytes_total, checksum, forks_ok);
    return 0;
}
