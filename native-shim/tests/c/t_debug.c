/*
 * t_debug.c — slab debugging (SLABSCOPE_DEBUG): each kind of damage is found, named and
 * reported with its owner; aborting by default, repaired with SLABSCOPE_ABORT=0.
 *
 * SLABSCOPE_DEBUG is read when the allocator starts, so every case runs in a fresh copy
 * of this program (exec with the case's environment); the parent checks how it ended and
 * what it printed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"
#include "child.h"
#include "slabscope.h"
#include "slabscope_shm.h"

static volatile char sink;

/* ---- the cases, each run in a child ---------------------------------------- */

static void overflow(void)
{
	char *p = malloc(50);
	memset(p, 'A', 50);
	p[50] = 'A';                                /* one byte past what was asked */
	free(p);
}

static void underflow(void)
{
	char *p = malloc(200);
	p[-3] = 0;
	free(p);
}

static void use_after_free(void)
{
	char *p = malloc(100);
	free(p);
	p[10] = 1;                                  /* found when the object is handed out again */
	for (int i = 0; i < 64; i++)
		sink = *(volatile char *)malloc(100);
}

static void double_free(void)
{
	char *p = malloc(40);
	free(p);
	free(p);
}

/* Medium (page-run) and mmap blocks: a red zone after the bytes asked for. */
static void block_overflow(void)
{
	char *p = malloc(40000);
	memset(p, 1, 40001);
	free(p);
}

static void mmap_overflow(void)
{
	size_t n = (size_t)1 << 20;                 /* above the mmap threshold */
	char *p = malloc(n);
	p[n + 3] = 1;
	free(p);
}

#define BIG ((size_t)40 << 20)
/* Blocks with SLABSCOPE_ABORT=0: the program sees what it asked for; damage to the red zone
 * or the trailer behind it is found on free, on realloc and by ss_validate, then repaired. */
static void blocks(void)
{
	ss_set_events(1);
	size_t sizes[] = { 20000, 40000, 65536, 200000, (size_t)3 << 20 };
	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char *p = malloc(sizes[i]);
		CHECK(malloc_usable_size(p) == sizes[i]);
		CHECK((uint8_t)p[0] == 0x5a && (uint8_t)p[sizes[i] - 1] == 0x5a);
		memset(p, 9, sizes[i]);
		free(p);
		char *z = calloc(1, sizes[i]);
		CHECK(z[0] == 0 && z[sizes[i] / 2] == 0 && z[sizes[i] - 1] == 0);
		free(z);
	}
	char *g = malloc(30000);                    /* realloc keeps the contents, medium to mmap */
	for (size_t n = 30000; n < (4u << 20); n = n * 2 + 123) {
		memset(g, (int)(n & 0x7f), 30000);
		g = realloc(g, n);
		CHECK(g && (uint8_t)g[29999] == (n & 0x7f) && malloc_usable_size(g) == n);
	}
	g = realloc(g, 50000);                      /* and shrinking */
	CHECK(g && malloc_usable_size(g) == 50000);
	free(g);
	void *a = NULL;
	CHECK(posix_memalign(&a, 65536, 100000) == 0 && ((uintptr_t)a & 65535) == 0);
	CHECK(malloc_usable_size(a) == 100000);
	free(a);
	CHECK(ss_corruptions() == 0);

	char *m = malloc(40000);                    /* one byte past the end: found on free */
	m[40000] = 'M';
	free(m);
	CHECK(ss_corruptions() == 1);
	char *r = malloc(50000);                    /* found when realloc moves it */
	r[50001] = 'R';
	r = realloc(r, 60000);
	CHECK(ss_corruptions() == 2);
	free(r);
	char *t = malloc(40960 - 200);              /* over the red zone into the trailer */
	memset(t, 'T', 40960);
	free(t);
	CHECK(ss_corruptions() == 3);
	char *live = malloc(70000);                 /* ss_validate: live blocks, both kinds */
	char *big = malloc(BIG);                    /* above the largest buddy block: mapped */
	CHECK(ss_validate() == 0);
	live[70000] = 1;
	big[BIG] = 1;
	CHECK(ss_validate() == 2);
	CHECK(ss_validate() == 0);                  /* repaired */
	free(live);
	free(big);
	CHECK(ss_corruptions() == 5);

	static char buf[1 << 16];                   /* events name the tier, block and bad byte */
	size_t n = ss_events_drain(buf, sizeof buf);
	int found = 0;
	for (size_t off = 0; off < n;) {
		struct ss_event *ev = (struct ss_event *)(buf + off);
		if (ev->type == SS_EV_CORRUPTION && ev->addr == (uintptr_t)m && ev->size == 40000) {
			CHECK(ev->tier == SS_TIER_MEDIUM && ev->reserved == SS_CORRUPT_REDZONE_RIGHT);
			CHECK(ev->weight == (uintptr_t)m + 40000);
			CHECK(ev->tid == gettid() && ev->nframes > 0);
			found++;
		}
		if (ev->type == SS_EV_CORRUPTION && ev->addr == (uintptr_t)big) {
			CHECK(ev->tier == SS_TIER_MMAP && ev->weight == (uintptr_t)big + BIG);
			found++;
		}
		off += sizeof *ev + ev->nframes * sizeof(uint64_t);
	}
	CHECK(found == 2);
}

/* SLABSCOPE_ABORT=0: every kind reported, counted, sent as an event, and the program goes on. */
static void report_only(void)
{
	ss_set_events(1);
	char *p = malloc(50);
	p[50] = 'A';
	free(p);
	char *q = malloc(100);
	free(q);
	q[10] = 1;
	/* the damage is found when q is handed out again: allocate until it is (the first malloc
	 * does today: lowest free object, no thread cache for debugged caches; not relied upon) */
	char *others[64];
	int n_others = 0;
	char *r = malloc(100);
	while (r != q && n_others < 64) {
		others[n_others++] = r;
		r = malloc(100);
	}
	CHECK(r == q);
	while (n_others > 0)
		free(others[--n_others]);
	char *u = malloc(40);
	free(u);
	free(u);
	CHECK(ss_corruptions() == 3);

	/* repaired: the objects work, and nothing else is found */
	char *again = malloc(50);
	memset(again, 7, 50);
	free(again);
	free(r);
	CHECK(ss_validate() == 0);
	CHECK(ss_corruptions() == 3);
	static char snap[1 << 20];                  /* and the snapshot other processes read says so */
	CHECK(ss_snapshot(snap, sizeof snap) <= sizeof snap);
	const struct ss_shm_header *h = (const void *)snap;
	CHECK(h->global_size >= offsetof(struct ss_shm_global, corruptions) + 8);
	CHECK(((const struct ss_shm_global *)(snap + h->global_offset))->corruptions == 3);

	/* the events: the overflow names its object, first bad byte, kind and owner */
	static char buf[1 << 16];
	size_t n = ss_events_drain(buf, sizeof buf);
	int found = 0;
	for (size_t off = 0; off < n;) {
		struct ss_event *ev = (struct ss_event *)(buf + off);
		if (ev->type == SS_EV_CORRUPTION && ev->addr == (uintptr_t)p) {
			CHECK(ev->reserved == SS_CORRUPT_REDZONE_RIGHT);
			CHECK(ev->weight == (uintptr_t)p + 50);
			CHECK(ev->size == 50);
			CHECK(ev->tid == gettid());
			CHECK(ev->nframes > 0);
			found++;
		}
		if (ev->type == SS_EV_CORRUPTION && ev->addr == (uintptr_t)q) {
			CHECK(ev->reserved == SS_CORRUPT_POISON && ev->weight == (uintptr_t)q + 10);
			found++;
		}
		if (ev->type == SS_EV_CORRUPTION && ev->addr == (uintptr_t)u) {
			CHECK(ev->reserved == SS_CORRUPT_DOUBLE_FREE);
			found++;
		}
		off += sizeof *ev + ev->nframes * sizeof(uint64_t);
	}
	CHECK(found == 3);
}

/* ss_validate finds damage to live and free objects without waiting for their free. */
static void validate(void)
{
	char *live = malloc(300);
	char *gone = malloc(300);
	free(gone);
	CHECK(ss_validate() == 0);
	live[300] = 1;                              /* red zone of a live object */
	gone[5] = 1;                                /* poison of a free one */
	CHECK(ss_validate() == 2);
	CHECK(ss_validate() == 0);                  /* both repaired */
	free(live);
	CHECK(ss_corruptions() == 2);
}

static int ctor_runs;
static void ctor(void *obj) { memset(obj, 0x11, 24); ctor_runs++; }

/* Debugging must not change what the program sees. */
static void semantics(void)
{
	char *p = malloc(50);
	CHECK(malloc_usable_size(p) == 50);         /* exactly what was asked: the rest is red zone */
	CHECK((uint8_t)p[0] == 0x5a && (uint8_t)p[49] == 0x5a);   /* fresh objects are 0x5a */
	for (size_t n = 60; n < 5000; n = n * 3 / 2) {   /* realloc keeps the contents */
		memset(p, (int)(n & 0x7f), 50);
		p = realloc(p, n);
		CHECK(p && (uint8_t)p[49] == (n & 0x7f));
	}
	free(p);
	char *z = calloc(10, 30);
	for (int i = 0; i < 300; i++)
		CHECK(z[i] == 0);
	free(z);
	size_t aligns[] = { 16, 32, 64, 128, 256, 4096 };
	for (unsigned i = 0; i < sizeof aligns / sizeof aligns[0]; i++) {
		void *a = NULL;
		CHECK(posix_memalign(&a, aligns[i], 100) == 0);
		CHECK(((uintptr_t)a & (aligns[i] - 1)) == 0);
		memset(a, 1, 100);
		free(a);
		char *b = aligned_alloc(aligns[i], aligns[i] * 2);
		CHECK(b && ((uintptr_t)b & (aligns[i] - 1)) == 0);
		free(b);
	}
	struct kmem_cache *hw = ss_kmem_cache_create("t_debug_hw", 40, 0, SS_SLAB_HWCACHE_ALIGN, NULL);
	struct kmem_cache *con = ss_kmem_cache_create("t_debug_ctor", 24, 8, 0, ctor);
	CHECK(hw && con);
	CHECK(ss_kmem_cache_debug(hw) == (SS_DEBUG_CHECKS | SS_DEBUG_REDZONE | SS_DEBUG_POISON | SS_DEBUG_TRACK));
	void *objs[100];
	for (int i = 0; i < 100; i++) {
		objs[i] = ss_kmem_cache_alloc(hw);
		CHECK(((uintptr_t)objs[i] & 63) == 0);
		memset(objs[i], i, 40);
	}
	for (int i = 0; i < 100; i++)
		ss_kmem_cache_free(hw, objs[i]);
	char *o = ss_kmem_cache_alloc(con);
	CHECK(ctor_runs > 0 && o[0] == 0x11 && o[23] == 0x11);   /* constructed, not poisoned */
	ss_kmem_cache_free(con, o);
	void *k = ss_kmalloc(5);                    /* kmalloc-8 */
	memset(k, 3, 5);
	ss_kfree(k);
	CHECK(ss_kmem_cache_destroy(hw) == 0 && ss_kmem_cache_destroy(con) == 0);
	CHECK(ss_validate() == 0);
	CHECK(ss_corruptions() == 0);
}

/* "FZ,kmalloc-64;P,t_debug_*": only the named caches are debugged, each with its flags. */
static void per_cache(void)
{
	struct kmem_cache *a = ss_kmem_cache_create("t_debug_a", 64, 0, 0, NULL);
	struct kmem_cache *b = ss_kmem_cache_create("other", 64, 0, 0, NULL);
	CHECK(ss_kmem_cache_debug(a) == SS_DEBUG_POISON);
	CHECK(ss_kmem_cache_debug(b) == 0);
	char *p = malloc(60);                       /* kmalloc-64: red zones */
	p[62] = 1;
	free(p);
	CHECK(ss_corruptions() == 1);
	char *q = malloc(100);                      /* kmalloc-112: not debugged */
	CHECK(malloc_usable_size(q) == 112);
	q[110] = 1;
	free(q);
	CHECK(ss_corruptions() == 1);
	char *big = malloc(40000);                  /* "medium" not named: not debugged */
	CHECK(malloc_usable_size(big) == 40960);
	free(big);
	char *o = ss_kmem_cache_alloc(a);
	ss_kmem_cache_free(a, o);
	o[3] = 9;                                   /* t_debug_a: poisoned */
	char *o2 = ss_kmem_cache_alloc(a);
	CHECK(o2 == o);
	CHECK(ss_corruptions() == 2);
	ss_kmem_cache_free(a, o2);
	ss_kmem_cache_free(b, ss_kmem_cache_alloc(b));
}

/* Many threads, cross-thread frees, reallocs: no false report. */
#define NT 4
static void *volatile shared[NT][256];
static void *churn(void *arg)
{
	long id = (long)arg;
	unsigned seed = (unsigned)id * 7919u + 1;
	for (int round = 0; round < 20000; round++) {
		int i = rand_r(&seed) % 256;
		int t = rand_r(&seed) % NT;
		void *old = __atomic_exchange_n(&shared[t][i], NULL, __ATOMIC_ACQ_REL);
		if (old && rand_r(&seed) % 3 == 0)
			old = realloc(old, (size_t)(rand_r(&seed) % 3000) + 1);
		free(old);
		size_t n = (size_t)(rand_r(&seed) % (round % 50 ? 512 : 40000)) + 1;
		char *p = malloc(n);
		memset(p, (int)id, n);
		void *prev = __atomic_exchange_n(&shared[id][i], p, __ATOMIC_ACQ_REL);
		free(prev);
	}
	return NULL;
}

static void threads(void)
{
	pthread_t th[NT];
	for (long i = 0; i < NT; i++)
		CHECK(pthread_create(&th[i], NULL, churn, (void *)i) == 0);
	for (int i = 0; i < NT; i++)
		pthread_join(th[i], NULL);
	CHECK(ss_validate() == 0);
	CHECK(ss_corruptions() == 0);
}

static const struct {
	const char *name;
	void (*run)(void);
} cases[] = {
	{ "overflow", overflow }, { "underflow", underflow }, { "use_after_free", use_after_free },
	{ "double_free", double_free }, { "report_only", report_only }, { "validate", validate },
	{ "semantics", semantics }, { "per_cache", per_cache }, { "threads", threads },
	{ "block_overflow", block_overflow }, { "mmap_overflow", mmap_overflow }, { "blocks", blocks },
};

/* ---- the parent: run a case with its environment, check the outcome ---------- */

static char out[1 << 16];

struct case_run {
	const char *self, *name, *debug, *abort_env;
};

static void exec_case(void *arg)
{
	const struct case_run *c = arg;
	setenv("SLABSCOPE_DEBUG", c->debug, 1);
	if (c->abort_env)
		setenv("SLABSCOPE_ABORT", c->abort_env, 1);
	else
		unsetenv("SLABSCOPE_ABORT");
	execl(c->self, c->self, c->name, (char *)NULL);
}

/* Runs case `name`; returns its wait status, its stderr in out[]. */
static int run_case(const char *self, const char *name, const char *debug, const char *abort_env)
{
	struct case_run c = { self, name, debug, abort_env };
	return run_child(exec_case, &c, out, sizeof out);
}

static void expect_abort(const char *self, const char *name, const char *const *lines)
{
	int status = run_case(self, name, "FZPU", NULL);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT) {
		fprintf(stderr, "case %s: expected SIGABRT, status %#x, stderr:\n%s\n", name, status, out);
		exit(1);
	}
	for (; *lines; lines++)
		if (!strstr(out, *lines)) {
			fprintf(stderr, "case %s: expected \"%s\" in stderr:\n%s\n", name, *lines, out);
			exit(1);
		}
}

static void expect_exit0(const char *self, const char *name, const char *debug, const char *abort_env)
{
	int status = run_case(self, name, debug, abort_env);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "case %s: expected exit 0, status %#x, stderr:\n%s\n", name, status, out);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++)
			if (!strcmp(argv[1], cases[i].name)) {
				cases[i].run();
				return 0;
			}
		return 2;
	}
	const char *self = "/proc/self/exe";
	char path[4096];
	ssize_t n = readlink(self, path, sizeof path - 1);
	CHECK(n > 0);
	path[n] = 0;

	expect_abort(path, "overflow", (const char *const[]){
		"slabscope: BUG kmalloc-64: right red zone overwritten", "size 50 (cache object size 64)",
		"= object+50", "found 41 cc", "expected cc", "last allocated by thread", "(" , "aborting", NULL });
	expect_abort(path, "underflow", (const char *const[]){
		"BUG kmalloc-208: left red zone overwritten", "= object-3", "found 00", NULL });
	expect_abort(path, "use_after_free", (const char *const[]){
		"BUG kmalloc-112: poison overwritten (write to a freed object)", "= object+10", "found 01 6b",
		"expected 6b", "last freed by thread", NULL });
	expect_abort(path, "double_free", (const char *const[]){
		"BUG kmalloc-48: double free", "last allocated by thread", "last freed by thread", NULL });
	expect_abort(path, "block_overflow", (const char *const[]){
		"slabscope: BUG medium: right red zone overwritten", "block 0x", "size 40000 (bytes of the block",
		"= block+40000", "found 01 cc", "expected cc", "last allocated by thread", "aborting", NULL });
	expect_abort(path, "mmap_overflow", (const char *const[]){
		"slabscope: BUG mmap: right red zone overwritten", "size 1048576", "= block+1048579", "found 01 cc",
		NULL });
	expect_exit0(path, "blocks", "FZPU", "0");
	expect_exit0(path, "report_only", "FZPU", "0");
	CHECK(strstr(out, "repaired, going on") && strstr(out, "second free ignored"));
	expect_exit0(path, "report_only", "FZPUS", "0");   /* whole stacks: more than the call site */
	CHECK(strstr(out, "last freed by thread") && strstr(out, "    #1 0x"));
	expect_exit0(path, "validate", "1", "0");
	expect_exit0(path, "semantics", "all", NULL);
	CHECK(out[0] == 0);                         /* no report, no warning */
	expect_exit0(path, "per_cache", "FZ,kmalloc-64;P,t_debug_*", "0");
	expect_exit0(path, "threads", "FZPU", NULL);
	expect_exit0(path, "semantics", "FZPUX", NULL);   /* unknown flag: warned, ignored */
	CHECK(strstr(out, "SLABSCOPE_DEBUG: unknown flag 'X'"));
	puts("t_debug: ok");
	return 0;
}
