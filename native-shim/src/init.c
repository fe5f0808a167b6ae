/*
 * init.c — one-time set-up, settings from the environment, and fork safety.
 *
 * Initialisation runs on the first allocation (or the library constructor, whichever
 * comes first). It may not allocate, use stdio or the locale: it reads the environment
 * (ss_getenv), maps its tables with mmap and builds the caches in static storage.
 *
 * fork(): the prepare handler takes every allocator lock in the documented order, so the
 * child starts with consistent lists; the child re-initialises the locks. Other threads'
 * caches are dropped in the child (those threads do not exist there), as glibc does.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "internal.h"

extern char **environ;

#define DEFAULT_MMAP_THRESHOLD ((size_t)128 << 10)
#define DEFAULT_TRIM_THRESHOLD ((size_t)128 << 10)
#define DEFAULT_DIRTY_MAX      ((size_t)1 << 30)
#define DEFAULT_DECAY_MS       1000
#define DEFAULT_REAP_BYTES     ((size_t)1 << 20)

struct ss_settings settings = {
	.mmap_threshold = DEFAULT_MMAP_THRESHOLD,
	.trim_threshold = DEFAULT_TRIM_THRESHOLD,
	.dirty_max = DEFAULT_DIRTY_MAX,
	.decay_ms = DEFAULT_DECAY_MS,
	.reap_bytes = DEFAULT_REAP_BYTES,
	.small_limit = 0,                         /* nothing is small until initialised */
	.abort_on_error = true,
};
volatile int ss_initialized;
pthread_key_t tcache_key;
static ss_lock_t init_lock = SS_LOCK_INIT;

void settings_update_limits(void)
{
	size_t t = settings.mmap_threshold;
	size_t small = t ? t - 1 : 0;
	size_t medium = t ? t - 1 : 0;
	settings.small_limit = small < KMALLOC_MAX ? small : KMALLOC_MAX;
	settings.medium_limit = medium < (MAX_ORDER_PAGES << PAGE_SHIFT) ? medium : (MAX_ORDER_PAGES << PAGE_SHIFT);
}

/*
 * getenv(3) as a loop over environ: libc's getenv is code (and a fault-around window of
 * libc's pages) no program running glibc's malloc needs at start-up (sys.h).
 */
const char *ss_getenv(const char *name)
{
	size_t n = strlen(name);
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

/* Parse "131072", "128k", "2M", "1g"; -1 when absent or malformed. */
static long long env_size(const char *ours, const char *glibc)
{
	const char *s = ss_getenv(ours);
	if (!s && glibc)
		s = ss_getenv(glibc);
	if (!s || !*s)
		return -1;
	unsigned long long v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > (1ull << 40))
			return -1;
	}
	switch (*s) {
	case 'k': case 'K': v <<= 10; s++; break;
	case 'm': case 'M': v <<= 20; s++; break;
	case 'g': case 'G': v <<= 30; s++; break;
	}
	return *s ? -1 : (long long)v;
}

static void read_environment(void)
{
	long long v;
	if ((v = env_size("SLABSCOPE_MMAP_THRESHOLD", "MALLOC_MMAP_THRESHOLD_")) >= 0 && v <= (32 << 20)) {
		settings.mmap_threshold = (size_t)v;
		settings.mmap_threshold_fixed = true;
	}
	if ((v = env_size("SLABSCOPE_TRIM_THRESHOLD", "MALLOC_TRIM_THRESHOLD_")) >= 0) {
		settings.trim_threshold = (size_t)v;
		settings.mmap_threshold_fixed = true;     /* as in glibc: no more adaptation */
		settings.trim_threshold_fixed = true;
	}
	if ((v = env_size("SLABSCOPE_DIRTY_MAX", NULL)) >= 0)
		settings.dirty_max = (size_t)v;
	if ((v = env_size("SLABSCOPE_DECAY_MS", NULL)) >= 0)
		settings.decay_ms = (unsigned)v;
	if ((v = env_size("SLABSCOPE_REAP", NULL)) >= 0)
		settings.reap_bytes = (size_t)v;
	if ((v = env_size("SLABSCOPE_TOP_PAD", "MALLOC_TOP_PAD_")) >= 0)
		settings.top_pad = (size_t)v;
	const char *d = ss_getenv("SLABSCOPE_DEBUG");
	if (d) {
		strncpy(settings.debug_spec, d, sizeof settings.debug_spec - 1);
		debug_check_spec();
		debug_blocks_init();
	}
	const char *a = ss_getenv("SLABSCOPE_ABORT");
	if (a && a[0] == '0')
		settings.abort_on_error = false;
}

static uint64_t make_secret(void)
{
	uint64_t s = 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&s;
	const unsigned char *r = (const unsigned char *)getauxval(AT_RANDOM);
	if (r)
		for (int i = 0; i < 8; i++)
			s = (s << 8 | (s >> 56)) ^ r[8 + i];
	return s | 1;
}

/* ---- fork ---------------------------------------------------------------- */
static void fork_prepare(void)
{
	lock(&publish_lock);
	lock(&cache_list_lock);
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache)
		lock(&c->lock);
	lock(&page_lock);
	lock(&large_lock);
	lock(&tcache_list_lock);
	lock(&event_lock);
}

static void fork_parent(void)
{
	unlock(&event_lock);
	unlock(&tcache_list_lock);
	unlock(&large_lock);
	unlock(&page_lock);
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache)
		unlock(&c->lock);
	unlock(&cache_list_lock);
	unlock(&publish_lock);
}

static void fork_child(void)
{
	lock_init(&event_lock);
	lock_init(&tcache_list_lock);
	lock_init(&large_lock);
	lock_init(&page_lock);
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache)
		lock_init(&c->lock);
	lock_init(&cache_list_lock);
	/* The child inherits the heap, so it inherits the history of every thread too: the
	 * caches of the threads that do not exist here are folded into dead_threads (their
	 * cached objects stay allocated, as in glibc). */
	struct tcache *self = tc_self;
	for (struct tcache *tc = tcache_list; tc; tc = tc->next)
		if (tc != self)
			tcache_fold_stats(tc, &gstats.dead_threads);
	tcache_list = (uintptr_t)self > (uintptr_t)TC_DEAD ? self : NULL;
	if (tcache_list)
		self->next = self->prev = NULL;
	export_fork_child();
}

void ss_init_slow(void)
{
	static int atfork_done;
	lock(&init_lock);
	if (!ss_initialized) {
		clock_init();
		read_environment();
		settings.free_secret = make_secret();
		settings.start_time_ns = clock_ns(CLOCK_REALTIME);
		if (zones_init() < 0 || slab_init() < 0 || kmalloc_init() < 0)
			ss_fatal("initialisation failed", "cannot map the allocator's tables");
		pthread_key_create(&tcache_key, tcache_thread_exit);
		settings_update_limits();
		fault_from_env(ss_getenv("SLABSCOPE_FAULT"));   /* after the tables: they are not covered */
		__atomic_store_n(&ss_initialized, 1, __ATOMIC_RELEASE);
	}
	unlock(&init_lock);
	/* pthread_atfork may allocate: only now, when malloc works. Not later, when a second
	 * thread appears, although it would keep two windows of libc's pages out of
	 * single-threaded processes (sys.h): the first lock of a multi-threaded process can be
	 * taken in another library's fork prepare handler, and glibc holds its atfork lock
	 * while those run, so registering there would wait for ever. */
	if (!__atomic_exchange_n(&atfork_done, 1, __ATOMIC_ACQ_REL))
		pthread_atfork(fork_prepare, fork_parent, fork_child);
}

__attribute__((constructor)) static void slabscope_constructor(void)
{
	ss_init();
}
