/*
 * t_slob.c — the SLOB policy (SS_SLAB_SLOB): caches share pages, first fit in 16-byte units,
 * alignment kept, freed space merged and reused, empty pages given back, what slabinfo
 * says, the footprint against SLAB caches, and misuse reported.
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

static uintptr_t page(const void *p) { return (uintptr_t)p & ~(uintptr_t)4095; }

static int ctor_runs;
static void ctor(void *p) { memset(p, 0x77, 40); ctor_runs++; }

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

static void plain_free(void *arg)
{
	(void)arg;
	free(ss_kmem_cache_alloc(victim));
	_exit(0);
}

static void inner_pointer(void *arg)
{
	(void)arg;
	char *p = ss_kmem_cache_alloc(victim);
	ss_kmem_cache_free(victim, p + 16);
	_exit(0);
}

/* Random allocations and frees over three caches (one aligned to 32): every object keeps
 * its bytes, and when all is freed no SLOB page is left. Two threads at once. */
#define SLOTS 400
static void *churn(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	char name[32];
	struct kmem_cache *cs[3];
	size_t sizes[3] = { 16, 40, 200 }, aligns[3] = { 0, 32, 0 };
	for (int k = 0; k < 3; k++) {
		snprintf(name, sizeof name, "slob_churn_%u_%d", seed, k);
		cs[k] = ss_kmem_cache_create(name, sizes[k], aligns[k], SS_SLAB_SLOB, NULL);
		CHECK(cs[k]);
	}
	static __thread unsigned char *slot[SLOTS];
	static __thread int kind[SLOTS];
	for (int op = 0; op < 40000; op++) {
		int i = rand_r(&seed) % SLOTS;
		if (slot[i]) {
			for (size_t b = 0; b < sizes[kind[i]]; b++)
				CHECK(slot[i][b] == (unsigned char)(i + kind[i]));
			ss_kmem_cache_free(cs[kind[i]], slot[i]);
			slot[i] = NULL;
		} else {
			kind[i] = rand_r(&seed) % 3;
			slot[i] = ss_kmem_cache_alloc(cs[kind[i]]);
			CHECK(slot[i] && (kind[i] != 1 || ((uintptr_t)slot[i] & 31) == 0));
			memset(slot[i], i + kind[i], sizes[kind[i]]);
		}
	}
	for (int i = 0; i < SLOTS; i++)
		if (slot[i])
			ss_kmem_cache_free(cs[kind[i]], slot[i]);
	for (int k = 0; k < 3; k++)
		CHECK(ss_kmem_cache_destroy(cs[k]) == 0);
	return NULL;
}

int main(void)
{
	/* two caches, one page: objects of both side by side, each cache's alignment kept */
	struct kmem_cache *a = ss_kmem_cache_create("slob_a", 24, 0, SS_SLAB_SLOB, NULL);
	struct kmem_cache *b = ss_kmem_cache_create("slob_b", 100, 64, SS_SLAB_SLOB, NULL);
	CHECK(a && b);
	char *pa[100], *pb[100];
	for (int i = 0; i < 100; i++) {
		pa[i] = ss_kmem_cache_alloc(a);
		pb[i] = ss_kmem_cache_alloc(b);
		CHECK(pa[i] && pb[i] && ((uintptr_t)pa[i] & 15) == 0 && ((uintptr_t)pb[i] & 63) == 0);
		memset(pa[i], 'a' + i % 26, 24);
		memset(pb[i], 'A' + i % 26, 100);
	}
	CHECK(page(pa[0]) == page(pb[0]));          /* shared, not a slab per cache */
	const struct ss_shm_cache *slob = snap_cache("slob");
	CHECK(slob && slob->pagesperslab == 1 && slob->objperslab > 0);
	size_t units = 100 * 2 + 100 * 8;           /* 24 B: 2 units; 100 B aligned to 64: 128 B, 8 */
	CHECK(slob->active_objs == units);
	CHECK(slob->num_slabs >= (units + slob->objperslab - 1) / slob->objperslab);
	CHECK(slob->num_objs == slob->num_slabs * slob->objperslab);
	const struct ss_shm_cache *ra = snap_cache("slob_a");
	CHECK(ra && ra->active_objs == 100 && ra->num_objs == 100 && ra->num_slabs == 0 && ra->pagesperslab == 0);
	CHECK((ra->flags & SS_SLAB_SLOB) && (snap_cache("slob")->flags & SS_SLAB_SLOB));   /* the policy, for readers */

	/* freed objects merge and are reused, lowest address first */
	for (int i = 0; i < 100; i += 2)
		ss_kmem_cache_free(b, pb[i]);
	char *again = ss_kmem_cache_alloc(b);
	CHECK(again == pb[0]);
	ss_kmem_cache_free(b, again);
	for (int i = 0; i < 100; i++) {              /* nobody's bytes were touched */
		for (int k = 0; k < 24; k++)
			CHECK(pa[i][k] == 'a' + i % 26);
		if (i % 2)
			for (int k = 0; k < 100; k++)
				CHECK(pb[i][k] == 'A' + i % 26);
	}
	/* everything freed: the pages go back to the buddy tier */
	for (int i = 0; i < 100; i++) {
		ss_kmem_cache_free(a, pa[i]);
		if (i % 2)
			ss_kmem_cache_free(b, pb[i]);
	}
	slob = snap_cache("slob");
	CHECK(slob->active_objs == 0 && slob->num_slabs == 0);
	CHECK(ss_kmem_cache_destroy(a) == 0 && ss_kmem_cache_destroy(b) == 0);

	/* the constructor runs at every allocation (no constructed state is kept) */
	struct kmem_cache *c = ss_kmem_cache_create("slob_ctor", 40, 8, SS_SLAB_SLOB, ctor);
	for (int i = 0; i < 3; i++) {
		char *o = ss_kmem_cache_alloc(c);
		CHECK(o[0] == 0x77 && o[39] == 0x77);
		memset(o, 0, 40);
		ss_kmem_cache_free(c, o);
	}
	CHECK(ctor_runs == 3);
	void *held = ss_kmem_cache_alloc(c);
	errno = 0;
	CHECK(ss_kmem_cache_destroy(c) == -1 && errno == EBUSY);   /* live objects */
	ss_kmem_cache_free(c, held);
	CHECK(ss_kmem_cache_destroy(c) == 0);

	/* the footprint: ten small caches of three objects each, SLOB against SLAB */
	struct kmem_cache *small[10], *slab[10];
	void *objs[10][3], *sobjs[10][3];
	for (int i = 0; i < 10; i++) {
		char name[32];
		snprintf(name, sizeof name, "slob_small_%d", i);
		small[i] = ss_kmem_cache_create(name, 48 + 8 * (size_t)i, 0, SS_SLAB_SLOB, NULL);
		snprintf(name, sizeof name, "slab_small_%d", i);
		slab[i] = ss_kmem_cache_create(name, 48 + 8 * (size_t)i, 0, 0, NULL);
		for (int k = 0; k < 3; k++) {
			objs[i][k] = ss_kmem_cache_alloc(small[i]);
			sobjs[i][k] = ss_kmem_cache_alloc(slab[i]);
		}
	}
	uint64_t slab_pages = 0;
	for (int i = 0; i < 10; i++) {
		char name[32];
		snprintf(name, sizeof name, "slab_small_%d", i);
		const struct ss_shm_cache *r = snap_cache(name);
		slab_pages += r->num_slabs * r->pagesperslab;
	}
	CHECK(snap_cache("slob")->num_slabs == 1);       /* 30 objects of 48-120 B: one page */
	CHECK(slab_pages >= 10);                    /* a slab per cache at least */
	for (int i = 0; i < 10; i++) {
		for (int k = 0; k < 3; k++) {
			ss_kmem_cache_free(small[i], objs[i][k]);
			ss_kmem_cache_free(slab[i], sobjs[i][k]);
		}
		CHECK(ss_kmem_cache_destroy(small[i]) == 0 && ss_kmem_cache_destroy(slab[i]) == 0);
	}

	/* the name of the SLOB pages is taken, even before they exist */
	errno = 0;
	CHECK(ss_kmem_cache_create("slob", 64, 0, 0, NULL) == NULL && errno == EINVAL);

	/* big objects get the SLAB policy */
	struct kmem_cache *big = ss_kmem_cache_create("slob_big", 3000, 0, SS_SLAB_SLOB, NULL);
	void *bo = ss_kmem_cache_alloc(big);
	CHECK(snap_cache("slob_big")->num_slabs == 1 && !(snap_cache("slob_big")->flags & SS_SLAB_SLOB));   /* SLAB's */
	ss_kmem_cache_free(big, bo);
	CHECK(ss_kmem_cache_destroy(big) == 0);

	pthread_t th[2];
	for (long t = 0; t < 2; t++)
		CHECK(pthread_create(&th[t], NULL, churn, (void *)(t + 1)) == 0);
	for (int t = 0; t < 2; t++)
		pthread_join(th[t], NULL);
	CHECK(snap_cache("slob")->num_slabs == 0 && snap_cache("slob")->active_objs == 0);
	CHECK(snap_cache("slob")->allocs > 40000);      /* the threads did run */

	/* misuse is reported and aborts, as for any other cache */
	victim = ss_kmem_cache_create("slob_victim", 48, 0, SS_SLAB_SLOB, NULL);
	expect_child_abort(double_free, "not a live object of this SLOB cache");
	expect_child_abort(plain_free, "an object of a SLOB cache (free it with kmem_cache_free)");
	expect_child_abort(inner_pointer, "not a live object of this SLOB cache");
	puts("t_slob: ok");
	return 0;
}
