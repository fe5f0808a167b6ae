/* t_faults.c — when the page sources fail (ss_fault_inject, SLABSCOPE_FAULT), every call of
 * the malloc family returns NULL with ENOMEM (posix_memalign: ENOMEM), blocks allocated
 * before are intact and can be freed, realloc leaves its block alone, a failing sbrk falls
 * back to mmap zones, and everything works again once the sources do. Then the real limit:
 * a child under RLIMIT_AS runs each tier dry, frees everything and gets the memory back
 * under the same limit (t_page_sources covers the program taking the break, and mmap
 * blocks under a limit that is then lifted). */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "slabscope.h"
#include "slabscope_shm.h"
#include "check.h"
#include "child.h"

#define KiB ((size_t)1 << 10)
#define MiB ((size_t)1 << 20)
#define ALL (SS_FAULT_SBRK | SS_FAULT_MMAP)
#define FOREVER UINT64_MAX

/* ---- helpers ---------------------------------------------------------------- */
static unsigned char pattern(unsigned seed, size_t i) { return (unsigned char)(seed * 131 + i * 7 + (i >> 9)); }

static void fill(void *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		((unsigned char *)p)[i] = pattern(seed, i);
}

static int intact(const void *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (((const unsigned char *)p)[i] != pattern(seed, i))
			return 0;
	return 1;
}

static int all_zero(const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const unsigned char *)p)[i])
			return 0;
	return 1;
}

/* The process's counters, from the snapshot (static buffer: malloc may be failing). */
static struct ss_shm_global counters(void)
{
	static char buf[1 << 20];
	size_t need = ss_snapshot(buf, sizeof buf);
	CHECK(need <= sizeof buf);
	const struct ss_shm_header *h = (const struct ss_shm_header *)buf;
	CHECK(h->magic == SS_SHM_MAGIC && h->global_size >= sizeof(struct ss_shm_global));
	struct ss_shm_global g;
	memcpy(&g, buf + h->global_offset, sizeof g);
	return g;
}

/* The zone records of a snapshot taken now: how many, and the first one. */
static uint32_t zones_now(struct ss_shm_zone *first)
{
	static char buf[1 << 20];
	CHECK(ss_snapshot(buf, sizeof buf) <= sizeof buf);
	const struct ss_shm_header *h = (const struct ss_shm_header *)buf;
	memcpy(first, buf + h->zones_offset, sizeof *first);
	return h->nr_zones;
}

/* Both ends of a block: enough to see neighbours overlap, cheap for 192 MiB of blocks. */
static void fill_ends(unsigned char *p, size_t n, unsigned seed)
{
	if (n <= 128)
		return fill(p, n, seed);
	fill(p, 64, seed);
	fill(p + n - 64, 64, seed + 1);
}

static int intact_ends(const unsigned char *p, size_t n, unsigned seed)
{
	if (n <= 128)
		return intact(p, n, seed);
	return intact(p, 64, seed) && intact(p + n - 64, 64, seed + 1);
}

/* Blocks held while a tier is run dry. */
#define HELD_MAX (1 << 19)
static void *held[HELD_MAX];
static size_t held_size[HELD_MAX];
static size_t nheld;

/* malloc(size) until NULL (which must come with ENOMEM, before `limit` blocks); each block
 * is filled. Returns the blocks obtained. */
static size_t run_dry(size_t size, size_t limit)
{
	size_t got = 0;
	for (;;) {
		CHECK(got < limit && nheld < HELD_MAX);
		errno = 0;
		void *p = malloc(size);
		if (!p) {
			CHECK(errno == ENOMEM);
			return got;
		}
		fill_ends(p, size, (unsigned)nheld);
		held[nheld] = p;
		held_size[nheld++] = size;
		got++;
	}
}

static void free_held(void)
{
	for (size_t i = 0; i < nheld; i++) {
		CHECK(intact_ends(held[i], held_size[i], (unsigned)i));
		free(held[i]);
	}
	nheld = 0;
}

struct obj { uint64_t magic; char payload[184]; };
#define OBJ_MAGIC 0x0b1ec7ull
static void obj_ctor(void *p) { ((struct obj *)p)->magic = OBJ_MAGIC; }

/* ---- every source failing -------------------------------------------------- */
static void test_all_sources_fail(void)
{
	/* blocks of every tier before the fault, and a named cache with none allocated yet */
	char *small = malloc(100), *medium = malloc(64 * KiB), *large = malloc(1 * MiB);
	CHECK(small && medium && large);
	fill(small, 100, 1);
	fill(medium, 64 * KiB, 2);
	fill(large, 1 * MiB, 3);
	struct kmem_cache *cache = ss_kmem_cache_create("t_faults_obj", sizeof(struct obj), 0, 0, obj_ctor);
	CHECK(cache);
	struct ss_shm_global before = counters();
	uint64_t injected = ss_faults_injected();
	CHECK(before.faults_injected == injected);

	ss_fault_inject(ALL, 0, FOREVER);
	errno = 0;
	CHECK(malloc(1 * MiB) == NULL && errno == ENOMEM);           /* mmap path */
	CHECK(ss_faults_injected() > injected);
	/* medium, then smaller and smaller objects, until no free page is left anywhere */
	run_dry(64 * KiB, 1 << 16);
	run_dry(4096, 1 << 17);
	run_dry(1000, HELD_MAX);
	run_dry(100, HELD_MAX);
	run_dry(16, HELD_MAX);
	CHECK(nheld < HELD_MAX);

	/* a failed allocation is not counted as one (live_allocs, bytes_allocated) */
	struct ss_shm_global dry = counters();
	for (int i = 0; i < 10; i++)
		CHECK(malloc(1000) == NULL && malloc(100) == NULL && malloc(16) == NULL);
	struct ss_shm_global still = counters();
	CHECK(still.live_allocs == dry.live_allocs && still.bytes_allocated == dry.bytes_allocated);

	/* every entry point now needs new pages, and fails as malloc does */
	errno = 0;
	CHECK(calloc(1, 64 * KiB) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(calloc(10, 100) == NULL && errno == ENOMEM);            /* kmalloc-1024, dry */
	errno = 0;
	CHECK(calloc(1, 1 * MiB) == NULL && errno == ENOMEM);
	void *out = (void *)&out;
	CHECK(posix_memalign(&out, 4096, 64 * KiB) == ENOMEM && out == (void *)&out);
	CHECK(posix_memalign(&out, 64, 1000) == ENOMEM && out == (void *)&out);
	errno = 0;
	CHECK(aligned_alloc(64, 1000) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(aligned_alloc(1 * MiB, 1 * MiB) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(memalign(4096, 64 * KiB) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(valloc(64 * KiB) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(pvalloc(200 * KiB) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(ss_kmem_cache_alloc(cache) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(ss_kmalloc(5000) == NULL && errno == ENOMEM);

	/* realloc that cannot be done: NULL, ENOMEM, the block untouched (glibc semantics) */
	errno = 0;
	CHECK(realloc(small, 1 * MiB) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(realloc(small, 10000) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(realloc(medium, 100 * KiB) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(realloc(large, 4 * MiB) == NULL && errno == ENOMEM);    /* mremap fails */
	errno = 0;
	CHECK(realloc(large, 512 * KiB) == NULL && errno == ENOMEM);  /* even shrinking it */
	errno = 0;
	CHECK(reallocarray(small, 1000, 1000) == NULL && errno == ENOMEM);
	CHECK(intact(small, 100, 1) && intact(medium, 64 * KiB, 2) && intact(large, 1 * MiB, 3));
	CHECK(malloc_usable_size(small) >= 100 && malloc_usable_size(large) >= 1 * MiB);

	/* the failures are counted */
	struct ss_shm_global during = counters();
	CHECK(during.alloc_failures > before.alloc_failures);
	CHECK(during.faults_injected == ss_faults_injected());
	CHECK(during.faults_injected > before.faults_injected);

	/* freeing works while the sources still fail, and frees real memory */
	free_held();
	CHECK(intact(medium, 64 * KiB, 2));
	free(medium);

	ss_fault_inject(ALL, 0, 0);                                   /* off */
	uint64_t after_off = ss_faults_injected();
	char *big = realloc(large, 4 * MiB);
	CHECK(big && intact(big, 1 * MiB, 3));
	char *grown = realloc(small, 1 * MiB);
	CHECK(grown && intact(grown, 100, 1));
	free(big);
	free(grown);
	for (int i = 0; i < 200; i++) {                               /* every tier again */
		size_t n = i % 3 == 0 ? 1 * MiB : i % 3 == 1 ? 64 * KiB : 100;
		char *p = calloc(1, n);
		CHECK(p && all_zero(p, n));
		fill_ends(p, n, (unsigned)nheld);
		held[nheld] = p;
		held_size[nheld++] = n;
	}
	free_held();
	struct obj *o = ss_kmem_cache_alloc(cache);
	CHECK(o && o->magic == OBJ_MAGIC);
	ss_kmem_cache_free(cache, o);
	CHECK(ss_kmem_cache_destroy(cache) == 0);
	CHECK(ss_faults_injected() == after_off);                     /* off means off */
}

/* ---- skip and count ---------------------------------------------------------- */
static void test_skip_and_count(void)
{
	free(malloc(1 * MiB));                  /* the large-block table exists: one mmap per block */
	uint64_t injected = ss_faults_injected();
	void *v[6];
	ss_fault_inject(SS_FAULT_MMAP, 2, 1);
	for (int i = 0; i < 6; i++) {
		errno = 0;
		v[i] = malloc(1 * MiB);
		CHECK(i == 2 ? v[i] == NULL && errno == ENOMEM : v[i] != NULL);
	}
	CHECK(ss_faults_injected() == injected + 1);
	for (int i = 0; i < 6; i++)
		free(v[i]);

	ss_fault_inject(SS_FAULT_SBRK, 0, FOREVER);   /* another source: mmap blocks unaffected */
	v[0] = malloc(1 * MiB);
	CHECK(v[0]);
	free(v[0]);
	ss_fault_inject(SS_FAULT_MMAP, 0, FOREVER);
	CHECK(malloc(1 * MiB) == NULL && malloc(2 * MiB) == NULL);
	ss_fault_inject(SS_FAULT_MMAP, 0, 0);         /* count 0: off */
	v[0] = malloc(1 * MiB);
	CHECK(v[0]);
	free(v[0]);
	CHECK(ss_faults_injected() == injected + 3);
}

/* ---- sbrk failing: mmap zones, exactly as when the kernel refuses the break -------- */
static void test_sbrk_falls_back_to_mmap_zones(void)
{
	struct ss_shm_global before = counters();
	ss_fault_inject(SS_FAULT_SBRK, 0, FOREVER);
	for (int i = 0; i < 2000; i++) {        /* 128 MiB of medium blocks: more than the heap has */
		char *p = malloc(64 * KiB);
		CHECK(p);
		fill_ends(p, 64 * KiB, (unsigned)nheld);
		held[nheld] = p;
		held_size[nheld++] = 64 * KiB;
	}
	struct ss_shm_global during = counters();
	CHECK(during.brk_failures > before.brk_failures);
	CHECK(during.mmap_zones > before.mmap_zones);
	CHECK(during.brk_top == before.brk_top);           /* the break never moved */
	int outside = 0;
	for (size_t i = 0; i < nheld; i++)
		outside += (uintptr_t)held[i] < during.brk_base || (uintptr_t)held[i] >= during.brk_top;
	CHECK(outside > 0);
	free_held();
	ss_fault_inject(0, 0, 0);
}

/* ---- SLABSCOPE_FAULT: the same through the environment, in a fresh process ---------- */
static int child_mode(const char *mode)
{
	if (!strcmp(mode, "env-mmap")) {            /* SLABSCOPE_FAULT=mmap */
		errno = 0;
		CHECK(malloc(1 * MiB) == NULL && errno == ENOMEM);
		void *p = malloc(100);                  /* the break still works */
		CHECK(p);
		free(p);
		CHECK(ss_faults_injected() >= 1);
		ss_fault_inject(SS_FAULT_MMAP, 0, 0);
		p = malloc(1 * MiB);
		CHECK(p);
		free(p);
	} else if (!strcmp(mode, "env-window")) {   /* SLABSCOPE_FAULT=mmap,sbrk:1:1 */
		/* the first page-source call succeeds (the break grows for this thread's cache),
		 * the second fails (the 1 MiB block's mapping), all later ones succeed */
		int nulls = 0;
		for (int i = 0; i < 6; i++) {
			void *p = malloc(1 * MiB);
			nulls += !p;
			CHECK(p || i == 0);
			free(p);
		}
		CHECK(nulls == 1 && ss_faults_injected() == 1);
	} else if (!strcmp(mode, "env-sbrk")) {     /* SLABSCOPE_FAULT=sbrk */
		for (int i = 0; i < 64; i++)
			CHECK(malloc(64 * KiB));
		struct ss_shm_global g = counters();
		CHECK(g.brk_bytes == 0 && g.brk_failures >= 1 && g.mmap_zones >= 1);
		/* the break never moved: the first mmap zone took the brk zone's place (zone 1,
		 * the one zone_of() checks first), no empty brk zone beside it */
		struct ss_shm_zone first;
		CHECK(zones_now(&first) == 1 && first.id == 1 && first.kind == 1 && first.top > first.base);
	} else if (!strcmp(mode, "env-off")) {      /* malformed: injection stays off */
		void *p = malloc(1 * MiB);
		CHECK(p);
		free(p);
		CHECK(ss_faults_injected() == 0);
	} else {
		return 2;
	}
	return 0;
}

struct fault_child {
	const char *mode, *fault;
};

static void exec_mode(void *arg)
{
	const struct fault_child *c = arg;
	setenv("SLABSCOPE_FAULT", c->fault, 1);
	execl("/proc/self/exe", "t_faults", c->mode, (char *)NULL);
}

static void run_mode(const char *mode, const char *fault)
{
	static char out[1 << 14];
	struct fault_child c = { mode, fault };
	int status = run_child(exec_mode, &c, out, sizeof out);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "child %s with SLABSCOPE_FAULT=%s: status %#x, stderr:\n%s\n", mode, fault, status, out);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_environment(void)
{
	run_mode("env-mmap", "mmap");
	run_mode("env-window", "mmap,sbrk:1:1");
	run_mode("env-sbrk", "sbrk");
	run_mode("env-off", "brk");
	run_mode("env-off", "mmap:x");
	run_mode("env-off", "mmap:1:2:3");
	run_mode("env-off", "mmap:0:0");
}

/* ---- the real limit ------------------------------------------------------------- */
static void rlimit_child(void *unused)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long vm_pages = 0;
	CHECK(f && fscanf(f, "%lu", &vm_pages) == 1);
	fclose(f);
	struct rlimit lim;
	CHECK(getrlimit(RLIMIT_AS, &lim) == 0);
	lim.rlim_cur = vm_pages * (unsigned long)sysconf(_SC_PAGESIZE) + 192 * MiB;
	CHECK(setrlimit(RLIMIT_AS, &lim) == 0);
	static const size_t sizes[] = { 1 * MiB, 64 * KiB, 3000, 1000 };
	size_t first[4];
	for (int round = 0; round < 2; round++) {
		for (int s = 0; s < 4; s++) {
			size_t got = run_dry(sizes[s], HELD_MAX);
			CHECK(got * sizes[s] >= 64 * MiB);     /* most of the 192 MiB, then ENOMEM */
			free_held();
			malloc_trim(0);
			if (round == 0)
				first[s] = got;
			else
				CHECK(got >= first[s] / 2);        /* and the memory came back */
		}
	}
	void *p = malloc(128 * MiB);                   /* all of it, at once */
	CHECK(p);
	free(p);
	_exit(0);
}

static void test_rlimit(void)
{
	static char out[1 << 14];
	int status = run_child(rlimit_child, NULL, out, sizeof out);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fprintf(stderr, "RLIMIT_AS child: status %#x, stderr:\n%s\n", status, out);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return child_mode(argv[1]);
	CHECK(mallopt(M_MMAP_THRESHOLD, 128 * KiB) == 1);  /* no adaptive threshold: 1 MiB is mmapped */
	test_skip_and_count();
	test_all_sources_fail();
	test_sbrk_falls_back_to_mmap_zones();
	test_environment();
	test_rlimit();
	puts("t_faults: ok");
	return 0;
}
