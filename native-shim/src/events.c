/*
 * events.c — sampled allocations and tier events for the Java agent (JFR).
 *
 * Sampling: each thread counts down the bytes it allocates; when the count passes zero the
 * allocation is sampled and the next count is drawn from an exponential distribution of
 * the chosen mean (512 KiB in the agent, as jemalloc and async-profiler use), so every byte
 * has the same chance to be sampled and a sample stands for `mean` bytes. The malloc fast
 * path pays one subtraction and a branch.
 *
 * A sampled block's page is flagged (PGF_SAMPLED, or the set alone for mmap blocks); free()
 * looks the address up in the sampled set only on flagged pages, and reports the free of
 * a sampled block, so live sampled memory (leak candidates) is sampled allocations minus
 * frees.
 *
 * Records go to a ring of fixed slots under event_lock (a leaf lock: it may be taken with
 * any other held). Stacks are taken with backtrace() only for samples, with no allocator
 * lock held; tier events (mmap, brk, failures) carry no stack, as they happen under locks.
 * A full ring drops the record and counts it: ss_events_dropped().
 */
#define _GNU_SOURCE
#include <execinfo.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "internal.h"
#include "slabscope_shm.h"

#define EXPORT __attribute__((visibility("default")))
#define RING_SLOTS   8192
#define SET_CAPACITY 65536                      /* sampled blocks tracked at once */
#define SKIP_FRAMES  3                          /* event code, sampler, malloc entry */

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
static uintptr_t *sampled;                      /* open addressing: 0 empty, 1 deleted */
static size_t sampled_used, sampled_tombs;

static bool ensure_buffers(void)
{
	if (ring)
		return true;
	void *r = mmap(NULL, RING_SLOTS * sizeof(struct slot), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *s = mmap(NULL, SET_CAPACITY * sizeof(uintptr_t), PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED || s == MAP_FAILED)
		return false;
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
				    .cache_id = (uint16_t)cache_id, .tid = gettid(),
				    .time_ns = clock_ns(CLOCK_REALTIME), .addr = (uintptr_t)addr, .size = size } };
	lock(&event_lock);
	if (ring)
		push(&rec);
	unlock(&event_lock);
}

/* ---- the sampled set (event_lock held) ------------------------------------ */
static size_t set_slot(uintptr_t a)
{
	return (size_t)((a >> 4) * 0x9E3779B97F4A7C15ull >> 40) & (SET_CAPACITY - 1);
}

static bool set_add(uintptr_t a)
{
	if ((sampled_used + sampled_tombs + 1) * 4 > SET_CAPACITY * 3)
		return false;                           /* full: this sample is not tracked */
	size_t i = set_slot(a);
	while (sampled[i] > 1)
		i = (i + 1) & (SET_CAPACITY - 1);
	if (sampled[i] == 1)
		sampled_tombs--;
	sampled[i] = a;
	sampled_used++;
	return true;
}

static bool set_remove(uintptr_t a)
{
	for (size_t i = set_slot(a); sampled[i]; i = (i + 1) & (SET_CAPACITY - 1))
		if (sampled[i] == a) {
			sampled[i] = 1;
			sampled_used--;
			sampled_tombs++;
			return true;
		}
	return false;
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

int64_t sample_next_interval(struct tcache *tc)
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

/* Mark the block's page so that free() knows to look it up. */
static void flag_page(const void *p)
{
	struct zone *z = zone_of(p);
	if (z)
		__atomic_or_fetch(&page_of(z, p)->flags, PGF_SAMPLED, __ATOMIC_RELAXED);
}

/* Called after an allocation of n bytes at p made this thread's countdown pass zero. */
void sample_taken(struct tcache *tc, void *p, size_t n)
{
	tc->sample_at = tc->st.bytes_requested + (uint64_t)sample_next_interval(tc);
	if (!p || tc->in_sample || !events_on)
		return;
	tc->in_sample = true;                       /* backtrace() may allocate */
	struct slot rec = { .ev = { .type = SS_EV_ALLOC, .tid = gettid(), .time_ns = clock_ns(CLOCK_REALTIME),
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
	void *frames[SS_EVENT_MAX_FRAMES + SKIP_FRAMES];
	int n_frames = backtrace(frames, SS_EVENT_MAX_FRAMES + SKIP_FRAMES);
	int skip = n_frames > SKIP_FRAMES ? SKIP_FRAMES : 0;
	for (int i = skip; i < n_frames; i++)
		rec.frames[i - skip] = (uintptr_t)frames[i];
	rec.ev.nframes = (uint16_t)(n_frames - skip);
	flag_page(p);
	lock(&event_lock);
	if (ring && set_add((uintptr_t)p))
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
	if (set_remove((uintptr_t)p)) {
		struct slot rec = { .ev = { .type = SS_EV_FREE, .tid = gettid(), .time_ns = clock_ns(CLOCK_REALTIME),
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
		tc->sample_at = tc->st.bytes_requested + (uint64_t)sample_next_interval(tc);
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
		void *warm[4];
		backtrace(warm, 4);                     /* loads the unwinder now, not in malloc */
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
