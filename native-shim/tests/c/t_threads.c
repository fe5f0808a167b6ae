/* t_threads.c — per-thread caches: objects freed by other threads are reused correctly,
 * and a thread's cached objects go back to the slabs when it exits, returns early with
 * pthread_exit, or is cancelled (slabinfo shows it). What a parked thread costs: the
 * pages of its cache, and the objects it keeps of a big class it used once (tcache.c:
 * light and full caches). */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include "slabscope.h"
#include "check.h"
#include "snap.h"
#include "busy.h"

#define OBJ 200               /* kmalloc-208 */
enum { THREADS = 8, PER = 5000 };
static void *handoff[THREADS][PER];

static unsigned long active_objs(const char *name)
{
	int fds[2];
	CHECK(pipe(fds) == 0);
	ss_write_slabinfo(fds[1]);
	close(fds[1]);
	static char text[1 << 16];
	ssize_t n = 0, r;
	while ((r = read(fds[0], text + n, sizeof text - 1 - (size_t)n)) > 0)
		n += r;
	close(fds[0]);
	text[n] = 0;
	char *l = strstr(text, name);
	CHECK(l);
	return strtoul(l + strlen(name), NULL, 10);
}

static void *producer(void *arg)
{
	long t = (long)arg;
	for (int i = 0; i < PER; i++) {
		handoff[t][i] = malloc(OBJ);
		memset(handoff[t][i], (int)t, OBJ);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	long t = (long)arg;                    /* frees what producer t allocated */
	for (int i = 0; i < PER; i++) {
		unsigned char *p = handoff[t][i];
		for (int k = 0; k < OBJ; k++)
			CHECK(p[k] == (unsigned char)t);
		free(p);
		void *q = malloc(OBJ);             /* reuse through this thread's cache */
		memset(q, 0xee, OBJ);
		free(q);
	}
	return NULL;
}

/* Fills its cache, then loops until cancelled (or leaves by pthread_exit). */
static void *cached_then_gone(void *arg)
{
	void *mine[64];
	for (int round = 0;; round++) {
		for (int i = 0; i < 64; i++)
			mine[i] = malloc(OBJ);
		for (int i = 0; i < 64; i++)
			free(mine[i]);                 /* into this thread's cache */
		if (arg && round == 100)
			pthread_exit(NULL);
		pthread_testcancel();
	}
	return NULL;
}

static void threads_that_do_not_return(unsigned long base)
{
	pthread_t th[THREADS];
	for (long t = 0; t < THREADS; t++)
		CHECK(pthread_create(&th[t], NULL, cached_then_gone, (void *)(t & 1)) == 0);
	usleep(50 * 1000);
	for (int t = 0; t < THREADS; t++)
		if (!(t & 1))
			pthread_cancel(th[t]);
	for (int t = 0; t < THREADS; t++) {
		void *ret;
		pthread_join(th[t], &ret);
		CHECK(t & 1 ? ret == NULL : ret == PTHREAD_CANCELED);
	}
	CHECK(active_objs("kmalloc-208 ") == base);
}

/*
 * Threads that make and free one 6000-byte object (a zlib stream's state is about that
 * big) and a few small ones, then wait, as a JVM's pooled threads do. Their caches are
 * light (a page each, no object above 1 KiB kept), so they keep nothing of kmalloc-6144;
 * with a full cache each kept three of them (the one it freed and two more its first refill
 * took), in 10 pages. A busy thread's cache (busy.h) is a full one, and keeps what it freed.
 */
#define PARKED 16
static pthread_barrier_t parked, released;

static void *use_once_then_park(void *busy)
{
	if (busy)
		busy_thread_cache();
	void *big = malloc(6000), *small[8];
	CHECK(big != NULL);
	memset(big, 1, 6000);
	for (int i = 0; i < 8; i++)
		CHECK((small[i] = malloc(16 + 48 * (size_t)i)) != NULL);
	for (int i = 0; i < 8; i++)
		free(small[i]);
	free(big);
	pthread_barrier_wait(&parked);
	pthread_barrier_wait(&released);
	return NULL;
}

/* Pages of per-thread caches (PG_META) in the heap layout now. */
static uint64_t cache_pages(void)
{
	static char buf[8 << 20];
	CHECK(ss_layout(buf, sizeof buf) <= sizeof buf);
	const struct ss_layout_header *h = (const void *)buf;
	uint64_t n = 0;
	for (uint32_t z = 0; z < h->nr_zones; z++) {
		const struct ss_layout_zone *zone = (const void *)(buf + h->zones_offset) + z;
		const uint32_t *pe = (const void *)(buf + zone->pages_offset);
		for (uint64_t i = 0; i < zone->npages; i++)
			n += SS_PAGE_KIND(pe[i]) == 5;
	}
	return n;
}

struct parked_cost { uint64_t threads, objs, pages, full, cached; };

/* n threads that use_once_then_park (busy or not): what they hold while they wait. */
static struct parked_cost park(int n, bool busy)
{
	const struct ss_shm_cache *c = snap_cache("kmalloc-6144");
	const struct ss_shm_global *g = snap_global();
	uint64_t objs = c ? c->active_objs : 0, threads = g->threads, pages = cache_pages();
	uint64_t full = g->full_thread_caches, cached = g->thread_cache_bytes;
	pthread_t th[PARKED];
	CHECK(pthread_barrier_init(&parked, NULL, (unsigned)n + 1) == 0);
	CHECK(pthread_barrier_init(&released, NULL, (unsigned)n + 1) == 0);
	for (int t = 0; t < n; t++)
		CHECK(pthread_create(&th[t], NULL, use_once_then_park, busy ? "busy" : NULL) == 0);
	pthread_barrier_wait(&parked);
	c = snap_cache("kmalloc-6144");
	g = snap_global();
	struct parked_cost cost = { g->threads - threads, c->active_objs - objs, cache_pages() - pages,
				    g->full_thread_caches - full, g->thread_cache_bytes - cached };
	pthread_barrier_wait(&released);
	for (int t = 0; t < n; t++)
		pthread_join(th[t], NULL);
	CHECK(cache_pages() == pages);               /* exited threads' caches are freed */
	pthread_barrier_destroy(&parked);
	pthread_barrier_destroy(&released);
	printf("%d %s threads parked: kmalloc-6144 objects %llu, cache pages %llu, full caches %llu, "
	       "%llu bytes kept in them\n", n, busy ? "busy" : "light", (unsigned long long)cost.objs,
	       (unsigned long long)cost.pages, (unsigned long long)cost.full, (unsigned long long)cost.cached);
	return cost;
}

static void parked_threads(void)
{
	busy_thread_cache();        /* this thread's cache is full already: it cannot grow meanwhile */
	/* the snapshot's figures say the same: no full cache, a few small objects kept each
	 * (8 freed, with the others their classes' first refills took: 4 per class) */
	struct parked_cost light = park(PARKED, false);
	CHECK(light.threads == PARKED && light.objs == 0 && light.pages == PARKED);
	CHECK(light.full == 0 && light.cached > 0 && light.cached <= PARKED * 8 * 4 * 512);
	struct parked_cost busy = park(1, true);
	CHECK(busy.threads == 1 && busy.objs >= 1 && busy.pages > 1);
	CHECK(busy.full == 1 && busy.cached >= 6144);
}

int main(void)
{
	unsigned long base = active_objs("kmalloc-208 ");
	pthread_t th[THREADS];
	for (long t = 0; t < THREADS; t++)
		CHECK(pthread_create(&th[t], NULL, producer, (void *)t) == 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	CHECK(active_objs("kmalloc-208 ") >= base + THREADS * PER);
	for (long t = 0; t < THREADS; t++)
		CHECK(pthread_create(&th[t], NULL, consumer, (void *)t) == 0);
	for (int t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	/* every exited thread flushed its cache: nothing of theirs is still counted active */
	CHECK(active_objs("kmalloc-208 ") == base);
	threads_that_do_not_return(base);
	parked_threads();
	puts("t_threads: ok");
	return 0;
}
