/*
 * t_slub.c — the SLUB policy (SS_SLAB_SLUB): objects from slabs without bitmaps, the freelist
 * through the free objects (last freed, first handed out), constructed objects kept whole,
 * empty slabs given back, what slabinfo says, two threads, and misuse reported: a double
 * free, a pointer into an object, a freelist link overwritten after a free.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "slabscope.h"
#include "slabscope_shm.h"
#include "check.h"
#include "child.h"
#include "snap.h"

static int ctor_runs;
static void ctor(void *p) { memset(p, 0x33, 56); ctor_runs++; }

/* ---- misuse, each in a child that must abort with the message ---------------- */
static struct kmem_cache *victim;

static void double_free(void *arg)
{
	(void)arg;
	void *p = ss_kmem_cache_alloc(victim);
	ss_kmem_cache_free(victim, p);
	ss_kmem_cache_free(victim, p);
	_exit(0);
}

static void inner_pointer(void *arg)
{
	(void)arg;
	char *p = ss_kmem_cache_alloc(victim);
	ss_kmem_cache_free(victim, p + 8);
	_exit(0);
}

static void write_after_free(void *arg)
{
	(void)arg;
	uint64_t *p = ss_kmem_cache_alloc(victim);
	ss_kmem_cache_free(victim, p);
	p[0] = 0x4141414141414141ull;                /* the link: the next allocation finds it */
	ss_kmem_cache_alloc(victim);
	ss_kmem_cache_alloc(victim);
	_exit(0);
}

/* Random allocations and frees in a cache of its own, contents checked; both threads at once. */
#define SLOTS 500
static void *churn(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	char name[32];
	snprintf(name, sizeof name, "slub_churn_%u", seed);
	struct kmem_cache *c = ss_kmem_cache_create(name, 72, 0, SS_SLAB_SLUB, NULL);
	CHECK(c);
	static __thread unsigned char *slot[SLOTS];
	for (int op = 0; op < 50000; op++) {
		int i = rand_r(&seed) % SLOTS;
		if (slot[i]) {
			for (int b = 0; b < 72; b++)
				CHECK(slot[i][b] == (unsigned char)i);
			ss_kmem_cache_free(c, slot[i]);
			slot[i] = NULL;
		} else {
			CHECK((slot[i] = ss_kmem_cache_alloc(c)) != NULL);
			memset(slot[i], i, 72);
		}
	}
	for (int i = 0; i < SLOTS; i++)
		if (slot[i])
			ss_kmem_cache_free(c, slot[i]);
	CHECK(snap_cache(name)->num_slabs <= 1);           /* one empty slab kept at most */
	CHECK(ss_kmem_cache_destroy(c) == 0);
	return NULL;
}

int main(void)
{
	struct kmem_cache *c = ss_kmem_cache_create("slub_obj", 100, 32, SS_SLAB_SLUB, NULL);
	CHECK(c);
	static char *o[1000];
	for (int i = 0; i < 1000; i++) {
		o[i] = ss_kmem_cache_alloc(c);
		CHECK(o[i] && ((uintptr_t)o[i] & 31) == 0);
		memset(o[i], i & 0xff, 100);
	}
	const struct ss_shm_cache *r = snap_cache("slub_obj");
	CHECK(r->active_objs == 1000 && r->size == 128 && r->objperslab > 0 && (r->flags & SS_SLAB_SLUB));
	CHECK(r->num_objs == r->num_slabs * r->objperslab && r->num_objs >= 1000);
	CHECK(r->num_slabs == (1000 + r->objperslab - 1) / r->objperslab);   /* no slack beyond the last */
	ss_kmem_cache_free(c, o[1]);                /* a full slab gets room: allocation goes there, */
	char *again = ss_kmem_cache_alloc(c);       /* to the head of its freelist, the last freed */
	CHECK(again == o[1]);
	memset(again, 1, 100);                      /* its link overwrote its first bytes */
	for (int i = 0; i < 1000; i += 2)
		ss_kmem_cache_free(c, o[i]);
	for (int i = 1; i < 1000; i += 2)            /* nobody else's bytes were touched */
		for (int k = 0; k < 100; k++)
			CHECK((unsigned char)o[i][k] == (i & 0xff));
	for (int i = 1; i < 1000; i += 2)
		ss_kmem_cache_free(c, o[i]);
	r = snap_cache("slub_obj");
	CHECK(r->active_objs == 0 && r->num_slabs == 1);   /* the empty slabs went back, one kept */
	CHECK(ss_kmem_cache_shrink(c) == r->pagesperslab);
	CHECK(snap_cache("slub_obj")->num_slabs == 0);
	void *held = ss_kmem_cache_alloc(c);
	errno = 0;
	CHECK(ss_kmem_cache_destroy(c) == -1 && errno == EBUSY);
	ss_kmem_cache_free(c, held);
	CHECK(ss_kmem_cache_destroy(c) == 0);

	/* a constructor runs once per object; the link lives after the object, so a freed
	 * object keeps its constructed bytes */
	struct kmem_cache *k = ss_kmem_cache_create("slub_ctor", 56, 8, SS_SLAB_SLUB, ctor);
	char *a = ss_kmem_cache_alloc(k);
	int runs = ctor_runs;
	CHECK(runs > 0 && a[0] == 0x33 && a[55] == 0x33);
	ss_kmem_cache_free(k, a);
	char *b = ss_kmem_cache_alloc(k);
	CHECK(b == a && b[0] == 0x33 && b[55] == 0x33 && ctor_runs == runs);
	ss_kmem_cache_free(k, b);
	CHECK(ss_kmem_cache_destroy(k) == 0);

	pthread_t th[2];
	for (long t = 0; t < 2; t++)
		CHECK(pthread_create(&th[t], NULL, churn, (void *)(t + 1)) == 0);
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);

	victim = ss_kmem_cache_create("slub_victim", 48, 0, SS_SLAB_SLUB, NULL);
	expect_child_abort(double_free, "double free");
	expect_child_abort(inner_pointer, "kmem_cache_free(): object not from this cache");
	expect_child_abort(write_after_free, "freelist link overwritten");
	puts("t_slub: ok");
	return 0;
}
