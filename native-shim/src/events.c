/*
 * events.c — sampled allocations and tier events for the Java agent (JFR).
 *
 * Sampling: each thread counts down the bytes it allocates; when the count passes zero the
 * allocation is sampled and the next count is drawn from an exponential distribution of
 * the chosen mean (512 KiB in the agent, as jemalloc and async-profiler use), so every byte
 * has the same chance to be sampled and a sample stands for `mean` bytes. The malloc fast
 * path pays one subtraction and a branch.
 *
 * A sampled block's page is flagged (PGF_SAMPLED, or the set alone for mmap blocks) while
 * it holds a sampled block; free() looks the address up in the sampled set only on flagged
 * pages, and reports the free of a sampled block, so live sampled memory (leak candidates) is sampled allocations minus
 * frees.
 *
 * Records go to a ring of fixed slots under event_lock (a leaf lock: it may be taken with
 * any other held). Stacks are taken (stack.c) only for samples, with no allocator lock held; tier events (mmap, brk, failures) carry no stack, as they happen under locks.
 * A full ring drops the record and counts it: ss_events_dropped().
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"
#include "slabscope_shm.h"

#define EXPORT __attribute__((visibility("default")))
#define RING_SLOTS   8192
#define SET_CAPACITY 65536                      /* sampled blocks + their pages tracked at once */
#define PAGE_KEY     2                          /* set key of a page: its address | PAGE_KEY */

struct slot {
	struct ss_event ev;
	uint64_t frames[SS_EVENT_MAX_FRAMES];
};

ss_lock_t event_lock = SS_LOCK_INIT;
volatile bool events_on;
volatile size_t sample_mean;                    /* 0: sampling off */

static struct slot *ring;
static uint32_t ring_head, ring_tail;           /* write, read positions (mod RING_SLOTS) */
static uint64_t dropped;
struct sampled_entry {
	uintptr_t key;                              /* block address, or page address | PAGE_KEY; 0 empty */
	uintptr_t count;                            /* pages: sampled blocks on the page */
};
static struct sampled_entry *sampled;           /* open addressing, linear probing */
static size_t sampled_used;

static bool ensure_buffers(void)
{
	if (ring)
		return true;
	void *r = map_anon(RING_SLOTS * sizeof(struct slot), 0);
	void *s = map_anon(SET_CAPACITY * sizeof(struct sampled_entry), 0);
	if (!r || !s) {
		if (r)
			sys_munmap(r, RING_SLOTS * sizeof(struct slot));
		if (s)
			sys_munmap(s, SET_CAPACITY * sizeof(struct sampled_entry));
		return false;
	}
	sampled = s;
	__atomic_store_n(&ring, (struct slot *)r, __ATOMIC_RELEASE);
	return true;
}

/* event_lock held */
static void push(const struct slot *rec)
{
	if (ring_head - ring_tail >= RING_SLOTS) {
		dropped++;
		return;
	}
	ring[ring_head % RING_SLOTS] = *rec;
	ring_head++;
}

void event_record(int type, unsigned tier, uint32_t cache_id, const void *addr, size_t size)
{
	if (!events_on)
		return;
	struct slot rec = { .ev = { .type = (uint16_t)type, .tier = (uint16_t)tier,
				    .cache_id = (uint16_t)cache_id, .tid = sys_gettid(),
				    .time_ns = clock_ns(CLOCK_REALTIME), .addr = (uintptr_t)addr, .size = size } };
	lock(&event_lock);
	if (ring)
		push(&rec);
	unlock(&event_lock);
}

/* A record built by the caller (debug.c's corruption reports), with its frames. */
void event_push(const struct ss_event *ev, const uint64_t *frames)
{
	if (!events_on)
		return;
	struct slot rec = { .ev = *ev };
	if (rec.ev.nframes > SS_EVENT_MAX_FRAMES)
		rec.ev.nframes = SS_EVENT_MAX_FRAMES;
	memcpy(rec.frames, frames, rec.ev.nframes * sizeof(uint64_t));
	lock(&event_lock);
	if (ring)
		push(&rec);
	unlock(&event_lock);
}

/* ---- the sampled set (event_lock held) ------------------------------------ */
/*
 * The sampled blocks, and for each page holding any a count, so that the page's flag is
 * cleared with its last sampled block: otherwise every free on a page that was ever
 * sampled would take the slow path for the rest of the run. Deletion shifts later
 * entries back (no tombstones), so the set never fills up with the dead.
 */
static size_t set_slot(uintptr_t key)
{
	return (size_t)((key >> 4) * 0x9E3779B97F4A7C15ull >> 40) & (SET_CAPACITY - 1);
}

static struct sampled_entry *set_find(uintptr_t key)
{
	for (size_t i = set_slot(key); sampled[i].key; i = (i + 1) & (SET_CAPACITY - 1))
		if (sampled[i].key == key)
			return &sampled[i];
	return NULL;
}

static struct sampled_entry *set_insert(uintptr_t key)
{
	if ((sampled_used + 1) * 4 > SET_CAPACITY * 3)
		return NULL;                            /* full: not tracked */
	size_t i = set_slot(key);
	while (sampled[i].key)
		i = (i + 1) & (SET_CAPACITY - 1);
	sampled[i] = (struct sampled_entry){ .key = key };
	sampled_used++;
	return &sampled[i];
}

static void set_erase(struct sampled_entry *e)
{
	size_t i = (size_t)(e - sampled), j = i;
	sampled_used--;
	for (;;) {
		sampled[i].key = 0;
		for (;;) {
			j = (j + 1) & (SET_CAPACITY - 1);
			if (!sampled[j].key)
				return;
			size_t home = set_slot(sampled[j].key);
			/* j may move to i unless its home slot lies cyclically in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		sampled[i] = sampled[j];
		i = j;
	}
}

static uintptr_t page_key(uintptr_t a) { return (a & ~(PAGE_SIZE - 1)) | PAGE_KEY; }

static void page_flags(uintptr_t a, bool on)
{
	struct zone *z = zone_of((void *)a);           /* mmap blocks have no page flag */
	if (!z)
		return;
	if (on)
		__atomic_or_fetch(&page_of(z, (void *)a)->flags, PGF_SAMPLED, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&page_of(z, (void *)a)->flags, (uint8_t)~PGF_SAMPLED, __ATOMIC_RELAXED);
}

/* Track a sampled block and flag its page; false when the set is full. */
static bool sampled_add(uintptr_t a)
{
	if (set_find(a))
		return true;
	struct sampled_entry *pg = set_find(page_key(a));
	if (!pg && !(pg = set_insert(page_key(a))))
		return false;
	if (!set_insert(a)) {
		if (!pg->count)
			set_erase(pg);
		return false;
	}
	if (pg->count++ == 0)
		page_flags(a, true);
	return true;
}

/* Forget a sampled block; the page's flag goes with its last one. */
static bool sampled_remove(uintptr_t a)
{
	struct sampled_entry *e = set_find(a);
	if (!e)
		return false;
	set_erase(e);
	struct sampled_entry *pg = set_find(page_key(a));
	if (pg && --pg->count == 0) {
		set_erase(pg);
		page_flags(a, false);
	}
	return true;
}

/* ---- sampling ------------------------------------------------------------- */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/*
 * Natural logarithm of u in (0, 1], without libm: linking libm maps 300 KiB of its text
 * into every process under the shim for this one call. u = m * 2^e with m in [1, 2), and
 * ln m = 2 atanh(t), t = (m - 1) / (m + 1), whose series converges fast once m is
 * brought into [sqrt 1/2, sqrt 2) (relative error below 1e-10 with these terms).
 */
static double ln_unit(double u)
{
	union { double d; uint64_t bits; } x = { .d = u };
	int e = (int)((x.bits >> 52) & 0x7ff) - 1023;
	x.bits = (x.bits & ~((uint64_t)0x7ff << 52)) | ((uint64_t)1023 << 52);   /* m in [1, 2) */
	if (x.d > 1.41421356237309504880) {        /* m in [sqrt 1/2, sqrt 2): |t| <= 0.172 */
		x.d *= 0.5;
		e++;
	}
	double t = (x.d - 1.0) / (x.d + 1.0), t2 = t * t;
	double series = t * (2.0 + t2 * (2.0 / 3 + t2 * (2.0 / 5 + t2 * (2.0 / 7 + t2 * (2.0 / 9 + t2 * (2.0 / 11))))));
	return e * 0.69314718055994530942 + series;
}

static int64_t sample_next_interval(struct tcache *tc)
{
	size_t mean = sample_mean;
	if (!mean)
		return INT64_MAX;
	if (!tc->rng)
		tc->rng = (uintptr_t)tc ^ clock_ns(CLOCK_REALTIME);
	double u = ((double)(rng_next(&tc->rng) >> 11) + 1.0) / 9007199254740993.0;   /* (0, 1] */
	double v = -ln_unit(u) * (double)mean;
	return v > 1e15 ? (int64_t)1e15 : (int64_t)v + 1;
}

/* The thread's next sample: a new interval from what it has asked for so far. */
void sample_rearm(struct tcache *tc)
{
	tc->sample_at = tc->st.bytes_requested + (uint64_t)sample_next_interval(tc);
	tcache_set_event_at(tc);
}

/* Called after an allocation of n bytes at p made this thread's countdown pass zero. */
void sample_taken(struct tcache *tc, void *p, size_t n)
{
	sample_rearm(tc);
	if (!p || tc->in_sample || !events_on)
		return;
	tc->in_sample = true;                       /* backtrace() may allocate */
	struct slot rec = { .ev = { .type = SS_EV_ALLOC, .tid = sys_gettid(), .time_ns = clock_ns(CLOCK_REALTIME),
				    .addr = (uintptr_t)p, .size = n } };
	size_t mean = sample_mean;
	rec.ev.weight = n > mean ? n : mean;
	struct zone *z = zone_of(p);
	if (z && page_of(z, p)->kind == PG_SLAB) {
		rec.ev.tier = SS_TIER_SLAB;
		rec.ev.cache_id = (uint16_t)page_of(z, p)->slab->cache->id;
	} else {
		rec.ev.tier = z ? SS_TIER_MEDIUM : SS_TIER_MMAP;
	}
	rec.ev.nframes = (uint16_t)stack_capture(rec.frames, SS_EVENT_MAX_FRAMES);
	lock(&event_lock);
	if (ring && sampled_add((uintptr_t)p))
		push(&rec);
	unlock(&event_lock);
	tc->in_sample = false;
}

/* free() of a block on a flagged page (or of any mmap block while sampling). */
void sample_freed(const void *p, size_t size)
{
	if (!ring)
		return;
	lock(&event_lock);
	if (sampled_remove((uintptr_t)p)) {
		struct slot rec = { .ev = { .type = SS_EV_FREE, .tid = sys_gettid(), .time_ns = clock_ns(CLOCK_REALTIME),
					    .addr = (uintptr_t)p, .size = size } };
		push(&rec);
	}
	unlock(&event_lock);
}

/* ---- the agent's interface ------------------------------------------------ */
static void reset_countdowns(void)
{
	lock(&tcache_list_lock);
	for (struct tcache *tc = tcache_list; tc; tc = tc->next)
		sample_rearm(tc);
	unlock(&tcache_list_lock);
}

EXPORT void ss_set_events(int on)
{
	ss_init();
	lock(&event_lock);
	bool ok = !on || ensure_buffers();
	events_on = on && ok;
	unlock(&event_lock);
}

EXPORT void ss_set_sampling(size_t mean_interval_bytes)
{
	ss_init();
	if (mean_interval_bytes) {
		uint64_t warm[4];
		stack_capture(warm, 4);                 /* loads the unwinder now, not in malloc */
		ss_set_events(1);
	}
	sample_mean = mean_interval_bytes;
	reset_countdowns();
}

EXPORT size_t ss_events_drain(void *buf, size_t len)
{
	size_t out = 0;
	lock(&event_lock);
	while (ring && ring_tail != ring_head) {
		const struct slot *s = &ring[ring_tail % RING_SLOTS];
		size_t need = sizeof s->ev + s->ev.nframes * sizeof(uint64_t);
		if (out + need > len)
			break;
		memcpy((char *)buf + out, s, need);
		out += need;
		ring_tail++;
	}
	unlock(&event_lock);
	return out;
}

EXPORT uint64_t ss_events_dropped(void)
{
	return __atomic_load_n(&dropped, __ATOMIC_RELAXED);
}
