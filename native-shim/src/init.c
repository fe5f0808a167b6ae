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

/*
 * glibc's tunable glibc.malloc.<name> in GLIBC_TUNABLES ("glibc.malloc.trim_threshold=
 * 131072:glibc.malloc.top_pad=0"): the first character of its value, NULL when absent.
 */
static const char *glibc_tunable(const char *name)
{
	static const char prefix[] = "glibc.malloc.";
	size_t p = sizeof prefix - 1, n = strlen(name);
	for (const char *s = ss_getenv("GLIBC_TUNABLES"); s && *s;) {
		if (strncmp(s, prefix, p) == 0 && strncmp(s + p, name, n) == 0 && s[p + n] == '=')
			return s + p + n + 1;
		while (*s && *s != ':')
			s++;
		if (*s)
			s++;
	}
	return NULL;
}

/* Parse "131072", "0x20000", "128k", "2M", "1g", ending at ':' or NUL; -1 when malformed. */
static long long parse_size(const char *s)
{
	unsigned base = s[0] == '0' && (s[1] == 'x' || s[1] == 'X') ? 16 : 10;
	if (base == 16)
		s += 2;
	unsigned long long v = 0;
	int digits = 0;
	for (;; s++, digits++) {
		unsigned d = *s >= '0' && *s <= '9' ? (unsigned)(*s - '0')
			   : base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f' ? (unsigned)((*s | 0x20) - 'a' + 10)
			   : 99;
		if (d >= base)
			break;
		v = v * base + d;
		if (v > (1ull << 40))
			return -1;
	}
	if (!digits)
		return -1;
	switch (*s) {
	case 'k': case 'K': v <<= 10; s++; break;
	case 'm': case 'M': v <<= 20; s++; break;
	case 'g': case 'G': v <<= 30; s++; break;
	}
	return *s && *s != ':' ? -1 : (long long)v;
}

/*
 * A size setting: SLABSCOPE_<name> first, then glibc's own ways to say it — the tunable
 * glibc.malloc.<tunable> (which glibc prefers too), then its old variable MALLOC_<NAME>_ —
 * so that a program tuned for glibc's malloc keeps its tuning under the shim. -1: none.
 */
static long long env_size(const char *ours, const char *tunable, const char *glibc_env)
{
	const char *s = ss_getenv(ours);
	if (!s && tunable)
		s = glibc_tunable(tunable);
	if (!s && glibc_env)
		s = ss_getenv(glibc_env);
	return s ? parse_size(s) : -1;
}

static void read_environment(void)
{
	long long v;
	if ((v = env_size("SLABSCOPE_MMAP_THRESHOLD", "mmap_threshold", "MALLOC_MMAP_THRESHOLD_")) >= 0 && v <= (32 << 20)) {
		settings.mmap_threshold = (size_t)v;
		settings.mmap_threshold_fixed = true;
	}
	if ((v = env_size("SLABSCOPE_TRIM_THRESHOLD", "trim_threshold", "MALLOC_TRIM_THRESHOLD_")) >= 0) {
		settings.trim_threshold = (size_t)v;
		settings.mmap_threshold_fixed = true;     /* as in glibc: no more adaptation */
		settings.trim_threshold_fixed = true;
	}
	if ((v = env_size("SLABSCOPE_DIRTY_MAX", NULL, NULL)) >= 0)
		settings.dirty_max = (size_t)v;
	if ((v = env_size("SLABSCOPE_DECAY_MS", NULL, NULL)) >= 0)
		settings.decay_ms = (unsigned)v;
	if ((v = env_size("SLABSCOPE_REAP", NULL, NULL)) >= 0)
		settings.reap_bytes = (size_t)v;
	if ((v = env_size("SLABSCOPE_TOP_PAD", "top_pad", "MALLOC_TOP_PAD_")) >= 0)
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
