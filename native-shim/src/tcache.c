/*
 * tcache.c — per-thread array caches, the kernel's per-CPU array_cache for threads.
 *
 * Each thread keeps, per kmalloc class, a small stack of free objects. malloc pops from
 * it and free pushes to it without any lock; only when a stack is empty (refill) or full
 * (flush) does the thread take the cache lock, and then it moves a batch of objects at once.
 *
 * An object freed by another thread than the one that allocated it simply goes onto the
 * freeing thread's stack — the slab layer does not care which thread returns an object.
 * When a thread exits, a pthread key destructor gives its objects back to the slabs.
 *
 * The struct itself lives in PG_META pages from the buddy allocator, never in TLS: JVM
 * threads carve static TLS out of their stacks, so TLS holds one pointer only.
 *
 * Light and full caches. A JVM runs hundreds of threads, most of which allocate a little
 * and then wait in a pool. With a full cache for each (then 10 pages: a stack of 64 slots
 * for every class), 200 threads that each ran a Deflater (6 and 7 KiB of zlib state) made
 * a JVM 12.3 MiB bigger than under glibc (80.6 against 68.3 MiB): their caches' pages, and
 * the big objects each kept. So a thread starts with a light cache (one page: 7 objects of
 * each class up to 1 KiB, none bigger, what glibc's tcache keeps) and gets a full one (5
 * pages: stacks as deep as each class's limit) after LIGHT_EVENTS refills and flushes:
 * a thread that keeps 64 or 128 objects of its classes in flight got one within 2,048 and
 * 1,536 calls, while one that keeps 32 spread over 15 classes (a few of each) stayed light
 * through 6.4 million, which it may. The same JVM is 68.3 MiB (glibc 68.2).
 * The swap (tcache_upgrade) happens at the thread's next slow path, where the old cache is
 * not in use.
 */
#include <stddef.h>
#include <string.h>
#include "internal.h"

__thread struct tcache *tc_self __attribute__((tls_model("initial-exec")));
ss_lock_t tcache_list_lock = SS_LOCK_INIT;
struct tcache *tcache_list;
INTERNAL extern pthread_key_t tcache_key;

#define REAP_MIN_SIZE 1024                   /* smaller classes are not reaped (tcache_reap) */
#define REAP_ANY_PROBE_SIZE 4096             /* larger ones: any probe that held (tcache_reap) */
#define LIGHT_EVENTS 256                     /* refills and flushes before a full cache */

/* When st.bytes_requested is `now`: the next reap (SLABSCOPE_REAP bytes later, 0: never). */
static uint64_t next_reap(uint64_t now)
{
	return settings.reap_bytes ? now + settings.reap_bytes : UINT64_MAX;
}

static const struct tc_layout *layout_of(const struct tcache *tc)
{
	return tc->light ? &tc_light : &tc_full;
}

/* The layout's stacks (and, full, its reap probes) for tc; tcache_list_lock held, so
 * that a hot class added meanwhile (tcache_class_added) is not missed. */
static void set_layout(struct tcache *tc, const struct tc_layout *l)
{
	tc->light = l == &tc_light;
	memcpy(tc->limit, l->limit, sizeof tc->limit);
	memcpy(tc->offset, l->offset, sizeof tc->offset);
	tc->reap_probe = NULL;
	if (!tc->light) {
		tc->reap_probe = (void *)(tc->slots + l->slots);
		memset(tc->reap_probe, 0, NR_KMALLOC * sizeof *tc->reap_probe);
	}
}

static void list_add(struct tcache *tc)
{
	tc->prev = NULL;
	tc->next = tcache_list;
	if (tcache_list)
		tcache_list->prev = tc;
	tcache_list = tc;
}

static void list_del(struct tcache *tc)
{
	if (tc->prev)
		tc->prev->next = tc->next;
	else
		tcache_list = tc->next;
	if (tc->next)
		tc->next->prev = tc->prev;
}

/* A new thread's cache: light (internal.h) until the thread shows it is busy. */
COLD struct tcache *tcache_create(void)
{
	struct tcache *tc = pages_alloc(tc_light.pages, 0, PG_META);
	if (!tc)
		return NULL;
	/* the stacks are not cleared: only count[] of each are valid */
	memset(tc, 0, offsetof(struct tcache, slots));
	static uint32_t next_shard;
	tc->shard = __atomic_fetch_add(&next_shard, 1, __ATOMIC_RELAXED) % SLAB_SHARDS;
	tc->reap_at = next_reap(0);
	sample_rearm(tc);
	lock(&tcache_list_lock);
	set_layout(tc, &tc_light);
	list_add(tc);
	unlock(&tcache_list_lock);
	tc_self = tc;
	pthread_setspecific(tcache_key, tc);
	return tc;
}

/*
 * A light cache whose thread made LIGHT_EVENTS refills and flushes is replaced by a full
 * one, from the thread itself at its next slow path (tc_get), where nothing holds the old
 * pointer. Its objects move along; other threads see either cache whole, as they only
 * read caches under tcache_list_lock. Returns the cache to use (the old one if no memory).
 */
COLD struct tcache *tcache_upgrade(struct tcache *old)
{
	old->upgrade_due = false;
	struct tcache *tc = pages_alloc(tc_full.pages, 0, PG_META);
	if (!tc)
		return old;                              /* stays light; asked again later */
	lock(&tcache_list_lock);
	memcpy(tc, old, offsetof(struct tcache, slots));
	set_layout(tc, &tc_full);
	for (unsigned cls = 0; cls < NR_KMALLOC; cls++)
		memcpy(tc_stack(tc, cls), tc_stack(old, cls), old->count[cls] * sizeof(void *));
	list_del(old);
	list_add(tc);
	tc_self = tc;
	unlock(&tcache_list_lock);
	pthread_setspecific(tcache_key, tc);
	pages_free(old, tc_light.pages);
	return tc;
}

/* A hot class was set up in slot cls: every cache learns its limit. */
void tcache_class_added(unsigned cls)
{
	lock(&tcache_list_lock);
	for (struct tcache *tc = tcache_list; tc; tc = tc->next)
		__atomic_store_n(&tc->limit[cls], layout_of(tc)->limit[cls], __ATOMIC_RELAXED);
	unlock(&tcache_list_lock);
}

/* Adds cache tc to *f: one thread more, full or not, and the bytes of the free objects it
 * keeps, its counts read as they are at this moment (its thread changes them without a
 * lock). tcache_list_lock held, so that tc cannot go away meanwhile. */
void tcache_count(const struct tcache *tc, struct tcache_figures *f)
{
	f->threads++;
	f->full += !tc->light;
	for (unsigned cls = 0; cls < NR_KMALLOC; cls++)
		f->cached_bytes += (uint64_t)__atomic_load_n(&tc->count[cls], __ATOMIC_RELAXED) * kmalloc_size[cls];
}

/* A refill or a flush: paces publication, and tells a busy light cache to grow. */
static void slow_event(struct tcache *tc)
{
	if (!(++tc->slow_events & 15))
		export_maybe_publish();
	if (tc->light && !(tc->slow_events % LIGHT_EVENTS))
		tc->upgrade_due = true;
}

/*
 * Refill an empty stack and return one object (NULL: out of memory). The first refill of
 * a class takes REFILL_FIRST objects, each later one twice as many as the one before, up
 * to half the limit: a class a thread uses for a few objects does not leave 32 idle ones
 * in its stack (bench sqlite had 30 such classes), a busy one soon refills in full batches.
 * A class the cache does not keep (limit 0: above 1 KiB in a light cache) is served
 * straight from its slabs.
 */
#define REFILL_FIRST 4

void *tcache_refill(struct tcache *tc, unsigned cls)
{
	struct kmem_cache *c = &kmalloc_caches[cls];
	slow_event(tc);
	if (!tc->limit[cls]) {                       /* a class this cache does not keep */
		void *p;
		return c->policy->alloc_bulk(c, &p, 1, tc->shard) == 1 ? p : NULL;
	}
	unsigned full = tc->limit[cls] / 2 + 1u;
	unsigned want = tc->batch[cls] ? tc->batch[cls] : REFILL_FIRST;
	if (want > full)
		want = full;
	tc->batch[cls] = (uint8_t)(want * 2 < full ? want * 2 : full);
	int got = c->policy->alloc_bulk(c, tc_stack(tc, cls), (int)want, tc->shard);
	if (got <= 0)
		return NULL;
	tc->count[cls] = (uint8_t)(got - 1);
	return tc_stack(tc, cls)[got - 1];
}

/* Give back all but `keep` objects of a stack (the oldest ones, at the bottom). */
void tcache_flush(struct tcache *tc, unsigned cls, unsigned keep)
{
	unsigned n = tc->count[cls];
	if (n <= keep)
		return;
	struct kmem_cache *c = &kmalloc_caches[cls];
	unsigned give = n - keep;
	void **stack = tc_stack(tc, cls);
	c->policy->free_bulk(c, stack, (int)give);
	memmove(stack, stack + give, keep * sizeof(void *));
	tc->count[cls] = (uint8_t)keep;
	slow_event(tc);
}

void tcache_flush_all(struct tcache *tc)
{
	for (unsigned cls = 0; cls < NR_KMALLOC; cls++)
		tcache_flush(tc, cls, 0);
}

/*
 * The reap (the kernel's cache_reap, which drains the per-CPU arrays a little every two
 * seconds): after every MiB a thread asks for (SLABSCOPE_REAP), each stack gives back
 * three quarters of the objects that sat at its bottom, untouched, the whole time since
 * the last reap, and its next refill is halved. A busy class moves its stack up and down
 * between reaps and loses nothing; the leftovers of growth (a vector grown by realloc frees
 * each smaller buffer into a class nobody may ask for again) go back to their slabs. Bench
 * gcc's cc1 held over 520 KiB that way at its peak (525 KiB in the 34 classes holding more
 * than 8 KiB each) beside a heap of 6 MiB.
 * Then cache_reap (slab.c) releases the empty slabs nobody took.
 *
 * "Untouched" costs the fast paths nothing: a stack is last in, first out, so a slot below
 * the lowest point the stack reached still holds what it held at the last reap. The reap
 * remembers what REAP_PROBES slots (at 1/4 ... 4/4 of the stack) held and, next time, takes
 * the highest probe below which all still hold it as the low-water mark. An object freed
 * back into the slot it was taken from (a = malloc, b = malloc, free b, free a) looks
 * untouched and is given back: the class then pays one refill per reap.
 * (Tracking the mark in malloc's fast path, as jemalloc does, cost 3 instructions per call:
 * +1.5% on bench threads-small under callgrind.)
 *
 * Classes above REAP_ANY_PROBE_SIZE keep at most four objects, each a page or more, and a
 * refill costs little next to what a program does with such an object: there the highest
 * probe that still holds its object counts, whatever the probes below it hold, so a stack
 * whose objects were taken and given back in another order gives back too. In bench
 * realloc (buffers grown by realloc through all the classes) that was the usual case: at
 * the reaps of kmalloc-9216 ... 16384 the top probe held its object and a lower one did
 * not 1,067-1,260 times per class, all of them held 6-22 times, so those stacks stayed
 * full. With this rule its peak RSS is 40,236 KiB instead of 40,876 (glibc 40,760; medians
 * of five runs), for +0.24% instructions there; cc1 and sqlite are unchanged.
 *
 * Only classes of REAP_MIN_SIZE and more are reaped: the small ones are the busy ones, a
 * random walk up and down their stacks leaves bottoms untouched for a while, and reaping
 * them made refills (callgrind, scale 0.2: larson +2.8%, churn +1.0% instructions) for no
 * memory beyond run-to-run noise; their stacks hold 16-32 KiB each at most anyway. Reaping
 * from 1 KiB costs larson +0.5%, churn +0.2%, threads-small nothing measurable.
 * Counted in bytes, not time: it runs in the allocating thread, at a pace set by its work.
 */
/* Probe i (1..REAP_PROBES) of a stack that held `mark` objects: the slot below this depth. */
static unsigned probe_depth(unsigned mark, unsigned i)
{
	return mark * i / REAP_PROBES;
}

static unsigned untouched_bottom(struct tcache *tc, unsigned cls)
{
	bool any_probe = kmalloc_size[cls] > REAP_ANY_PROBE_SIZE;
	unsigned mark = tc->reap_mark[cls], n = tc->count[cls], untouched = 0;
	for (unsigned i = 1; i <= REAP_PROBES; i++) {
		unsigned depth = probe_depth(mark, i);
		if (!depth)
			continue;
		if (depth > n || tc_stack(tc, cls)[depth - 1] != tc->reap_probe[cls][i - 1]) {
			if (any_probe)
				continue;
			break;
		}
		untouched = depth;
	}
	return untouched;
}

static void tcache_reap(struct tcache *tc)
{
	for (unsigned cls = 0; cls < NR_KMALLOC && !tc->light; cls++) {
		if (kmalloc_size[cls] < REAP_MIN_SIZE || (!tc->count[cls] && !tc->reap_mark[cls]))
			continue;
		unsigned idle = untouched_bottom(tc, cls);
		if (idle) {
			unsigned give = idle - idle / 4;
			tc->st.reaped_objects += give;
			tcache_flush(tc, cls, tc->count[cls] - give);
			tc->batch[cls] = (uint8_t)(tc->batch[cls] / 2 > REFILL_FIRST ? tc->batch[cls] / 2 : REFILL_FIRST);
		}
		unsigned mark = tc->count[cls];
		tc->reap_mark[cls] = (uint8_t)mark;
		for (unsigned i = 1; i <= REAP_PROBES; i++) {
			unsigned depth = probe_depth(mark, i);
			tc->reap_probe[cls][i - 1] = depth ? tc_stack(tc, cls)[depth - 1] : NULL;
		}
	}
	cache_reap();
}

/*
 * malloc_trim and ss_shrink_caches give back the calling thread's cache at once; another
 * thread's stacks are its own (no lock guards them), so it is asked to give back all of its
 * cache at its next malloc: its event_at goes to 0, which sends that malloc down the slow
 * path to tcache_event. (Should the owner rewrite event_at at that very moment, the request
 * waits for its next sample or reap.) A thread that no longer allocates keeps its cache.
 */
void tcache_request_flush_all(void)
{
	struct tcache *self = tc_self;
	lock(&tcache_list_lock);                     /* tcache_thread_exit unlinks under it */
	for (struct tcache *tc = tcache_list; tc; tc = tc->next)
		if (tc != self) {
			__atomic_store_n(&tc->flush_requested, 1, __ATOMIC_RELEASE);
			__atomic_store_n(&tc->event_at, 0, __ATOMIC_RELAXED);
		}
	unlock(&tcache_list_lock);
}

/* st.bytes_requested reached event_at: a sample, a reap, a requested flush, or several. */
void tcache_event(struct tcache *tc, void *p, size_t n)
{
	uint64_t now = tc->st.bytes_requested;
	if (__atomic_load_n(&tc->flush_requested, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&tc->flush_requested, 0, __ATOMIC_RELAXED);
		tcache_flush_all(tc);
	}
	if (now >= tc->sample_at)
		sample_taken(tc, p, n);
	if (now >= tc->reap_at && !tc->in_sample) {
		tc->reap_at = next_reap(now);
		tcache_reap(tc);
	}
	tcache_set_event_at(tc);
}

/* Add a thread's counters to *out (atomically): its slow-path counts plus what its fast
 * paths counted per class, which stand for malloc/free calls and slab traffic. */
COLD void tcache_fold_stats(const struct tcache *tc, struct thread_stats *out)
{
	struct thread_stats s = tc->st;
	for (unsigned c = 0; c < NR_KMALLOC; c++) {
		uint64_t a = __atomic_load_n(&tc->fast_allocs[c], __ATOMIC_RELAXED);
		uint64_t f = __atomic_load_n(&tc->fast_frees[c], __ATOMIC_RELAXED);
		s.malloc_calls += a;
		s.slab_allocs += a;
		s.bytes_allocated += a * kmalloc_size[c];
		s.free_calls += f;
		s.slab_frees += f;
	}
	stats_add(out, &s);
}

/* pthread key destructor: the thread is exiting. Later frees in it take the locked path. */
COLD void tcache_thread_exit(void *arg)
{
	struct tcache *tc = arg;
	if (!tc || tc == TC_DEAD)
		return;
	tc_self = TC_DEAD;
	tcache_flush_all(tc);
	lock(&tcache_list_lock);
	list_del(tc);
	tcache_fold_stats(tc, &gstats.dead_threads);
	unlock(&tcache_list_lock);
	pages_free(tc, layout_of(tc)->pages);
}
