/*
 * fuzz_malloc.c — a coverage-guided fuzzer (libFuzzer) of the allocator's whole API, every
 * result checked against a shadow model.
 *
 * The allocator's sources are compiled into this binary (with coverage, without ASan: we
 * are malloc), so everything in the process, libFuzzer included, allocates from it. The
 * input bytes are a program: each operation is an opcode byte followed by its operands
 * (a slot of the table below, sizes, alignments, flags). Reading past the end yields
 * zeros, so every input is a valid program and libFuzzer's mutations stay meaningful.
 *
 * The shadow model knows, for each of the NSLOTS slots, the block it holds: address, size
 * asked, usable size, alignment promised, and the seed of the pattern that fills all of its
 * usable bytes. It checks
 *   - every block's pattern byte for byte before free and realloc, and the kept prefix
 *     after realloc (also after a failed realloc: the block must be untouched);
 *   - alignment: 16 for the malloc family, the asked one for the aligned calls, 8 for
 *     ss_kmalloc of 8 bytes or less, the cache's for named caches;
 *   - malloc_usable_size >= the size asked, and stable while the block lives;
 *   - calloc's zeroes; a constructed state (the ctor's mark) on every named-cache object;
 *   - that no two live blocks overlap (each new block against all live ones);
 *   - errno and return values: NULL only when a fault was injected during that very call
 *     (or for requests no machine can satisfy), and then with ENOMEM; EINVAL and EBUSY
 *     where the API promises them;
 *   - after each input, with everything freed: the allocator's own structures
 *     (invariants.c), and that the live-allocation count is back where it started.
 * Any mismatch aborts with a message, and libFuzzer keeps the input.
 *
 * Sizes span every tier: tiny, each kmalloc class edge, up to 32 KiB, medium 32..128 KiB,
 * the mmap threshold's edges and large blocks up to 4 MiB, with live bytes capped (LIVE_CAP)
 * so that the fuzzer never runs out of memory itself. Fault injection (ss_fault_inject)
 * is an operation like the others, so the failure paths are fuzzed too.
 */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "fuzz.h"

#define NSLOTS    128
#define NCACHES   8
#define LIVE_CAP  ((size_t)96 << 20)          /* bytes the model may hold at once */
#define KiB       ((size_t)1 << 10)
#define MiB       ((size_t)1 << 20)

enum kind { K_NONE, K_MALLOC, K_KMALLOC, K_CACHE };

struct block {
	unsigned char *p;
	size_t size;                             /* asked */
	size_t usable;                           /* filled with the pattern */
	size_t align;                            /* promised */
	uint64_t seed;
	uint8_t kind;
	uint8_t cache;                           /* K_CACHE: index in caches[] */
};

struct cache {
	struct kmem_cache *c;
	char name[SS_CACHE_NAME_MAX];
	size_t size, align;
	int ctor;                                /* 0 none, else index in ctors[] */
	size_t live;
};

static struct block blocks[NSLOTS];
#define POOL_MAX 4096                            /* op_exhaust's medium blocks */
static unsigned char *pool[POOL_MAX];
static size_t pool_size[POOL_MAX], pool_n;
static struct cache caches[NCACHES];
static size_t live_bytes;
static bool injecting;
static uint64_t seed_counter;
static bool trace;

void fuzz_fail(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof buf - 2)
		n = (int)sizeof buf - 2;
	buf[n++] = '\n';
	(void)!write(2, "fuzz_malloc: ", 13);
	(void)!write(2, buf, (size_t)n);
	abort();
}

#define TRACE(...) do { if (trace) fprintf(stderr, __VA_ARGS__); } while (0)

/* ---- the input, read as a program ----------------------------------------------- */
struct input { const uint8_t *p; size_t n; };

static uint8_t take8(struct input *in)
{
	if (!in->n)
		return 0;
	in->n--;
	return *in->p++;
}
static uint16_t take16(struct input *in) { return (uint16_t)(take8(in) | take8(in) << 8); }
static uint32_t take32(struct input *in) { return (uint32_t)take16(in) | (uint32_t)take16(in) << 16; }

/* A size from every tier, edges first. */
static size_t take_size(struct input *in)
{
	uint8_t sel = take8(in);
	int delta = (int)(take8(in) % 3) - 1;
	switch (sel % 11) {
	case 0:  return take8(in) % 65;                                  /* tiny, 0 included */
	case 1:  return (size_t)((int)kmalloc_size[take8(in) % NR_KMALLOC] + delta);   /* class edges */
	case 2:  return take16(in) % (32 * KiB + 1);                     /* small */
	case 3:  return 32 * KiB + take32(in) % (96 * KiB + 1);         /* medium */
	case 4: {                                                        /* threshold edge */
		ptrdiff_t t = (ptrdiff_t)settings.mmap_threshold + delta;
		return t < 0 ? 0 : (size_t)t;
	}
	case 5:  return 128 * KiB + take32(in) % (4 * MiB);             /* large */
	case 6:  return (size_t)((ptrdiff_t)((size_t)(take8(in) % 64 + 1) << PAGE_SHIFT) + delta);
	case 7:  return (size_t)1 << (take8(in) % 23);                  /* powers of two up to 4 MiB */
	case 8:  return take8(in) * 4u;
	case 9:  return 16 * KiB + take16(in) % (48 * KiB);             /* around the small limit */
	default: return take16(in) % 2048;
	}
}

/* An alignment: mostly powers of two up to 64 MiB, sometimes invalid ones. */
static size_t take_align(struct input *in)
{
	uint8_t sel = take8(in);
	if (sel < 220)
		return (size_t)1 << (sel % 27);
	static const size_t odd[] = { 0, 3, 24, 48, 100, 4095, 4097, 12288 };
	return odd[sel % 8];
}

/* ---- patterns ------------------------------------------------------------------------ */
static inline uint64_t pat_word(uint64_t seed, size_t w) { return seed ^ ((w + 1) * 0x9E3779B97F4A7C15ull); }
static inline uint8_t pat_byte(uint64_t seed, size_t i) { return (uint8_t)(pat_word(seed, i >> 3) >> ((i & 7) * 8)); }

static void fill_range(unsigned char *p, size_t from, size_t to, uint64_t seed)
{
	size_t i = from;
	for (; i < to && (i & 7); i++)
		p[i] = pat_byte(seed, i);
	for (; i + 8 <= to; i += 8) {
		uint64_t v = pat_word(seed, i >> 3);
		memcpy(p + i, &v, 8);
	}
	for (; i < to; i++)
		p[i] = pat_byte(seed, i);
}

static void check_range(const struct block *b, const unsigned char *p, size_t from, size_t to, const char *when)
{
	size_t i = from;
	for (; i < to && (i & 7); i++)
		if (p[i] != pat_byte(b->seed, i))
			goto bad;
	for (; i + 8 <= to; i += 8) {
		uint64_t v;
		memcpy(&v, p + i, 8);
		if (v != pat_word(b->seed, i >> 3))
			break;
	}
	for (; i < to; i++)
		if (p[i] != pat_byte(b->seed, i))
			goto bad;
	return;
bad:
	fuzz_fail("%s: block %p (size %zu, usable %zu, kind %u) byte %zu is %#x, want %#x",
		  when, (void *)p, b->size, b->usable, b->kind, i, p[i], pat_byte(b->seed, i));
}

/* ---- named caches' constructors: a mark that depends on the object's address ---------- */
#define CTOR_A 0xc7a0c7a0c7a0c7a0ull
#define CTOR_B 0x0b0b1e5e0b0b1e5eull
static void ctor_a(void *p) { uint64_t v = CTOR_A ^ (uintptr_t)p; memcpy(p, &v, 8); }
static void ctor_b(void *p) { uint64_t v = CTOR_B ^ (uintptr_t)p; memcpy(p, &v, 8); }
static void (*const ctors[3])(void *) = { NULL, ctor_a, ctor_b };
static const uint64_t ctor_mark[3] = { 0, CTOR_A, CTOR_B };

/* ---- the model's checks ---------------------------------------------------------------- */
static uint64_t faults_before;

static void call_begin(void)
{
	faults_before = ss_faults_injected();
	errno = 0;
}

/* A call returned NULL (or an error code) for a request the machine can satisfy. */
static void null_ok(const char *what, size_t n, int err)
{
	if (ss_faults_injected() == faults_before)
		fuzz_fail("%s(%zu) failed (errno %d) without an injected fault", what, n, err);
	if (err != ENOMEM)
		fuzz_fail("%s(%zu) failed under injection with errno %d, want ENOMEM", what, n, err);
}

static void check_block(const struct block *b, const char *when)
{
	if (b->kind == K_CACHE) {
		const struct cache *cc = &caches[b->cache];
		check_range(b, b->p, cc->ctor ? 8 : 0, b->usable, when);
	} else {
		check_range(b, b->p, 0, b->usable, when);
	}
}

/* A block just obtained: alignment, usable size, no overlap with any live block. */
static void accept_block(int slot, struct block *nb, const char *what)
{
	uintptr_t a = (uintptr_t)nb->p;
	if (a & (nb->align - 1))
		fuzz_fail("%s(%zu): %p not aligned to %zu", what, nb->size, (void *)nb->p, nb->align);
	if (nb->kind != K_CACHE) {
		size_t u = malloc_usable_size(nb->p);
		if (u < nb->size)
			fuzz_fail("%s(%zu): usable size %zu", what, nb->size, u);
		nb->usable = u;
	} else {
		nb->usable = nb->size;
	}
	size_t len = nb->usable ? nb->usable : 1;
	for (int i = 0; i < NSLOTS; i++) {
		const struct block *o = &blocks[i];
		if (i == slot || o->kind == K_NONE)
			continue;
		size_t olen = o->usable ? o->usable : 1;
		if (a < (uintptr_t)o->p + olen && (uintptr_t)o->p < a + len)
			fuzz_fail("%s(%zu): [%p, +%zu) overlaps live block [%p, +%zu) of slot %d",
				  what, nb->size, (void *)nb->p, len, (void *)o->p, olen, i);
	}
	for (size_t i = 0; i < pool_n; i++)
		if (a < (uintptr_t)pool[i] + pool_size[i] && (uintptr_t)pool[i] < a + len)
			fuzz_fail("%s(%zu): [%p, +%zu) overlaps pool block [%p, +%zu)",
				  what, nb->size, (void *)nb->p, len, (void *)pool[i], pool_size[i]);
}

static void forget(int slot)
{
	struct block *b = &blocks[slot];
	live_bytes -= b->usable;
	if (b->kind == K_CACHE)
		caches[b->cache].live--;
	memset(b, 0, sizeof *b);
}

static void release(int slot)
{
	struct block *b = &blocks[slot];
	if (b->kind == K_NONE)
		return;
	check_block(b, "free");
	TRACE("free slot %d %p\n", slot, (void *)b->p);
	if (b->kind == K_CACHE) {
		struct cache *cc = &caches[b->cache];
		if (cc->ctor) {                       /* back in its constructed state, as the kernel wants */
			uint64_t v = ctor_mark[cc->ctor] ^ (uintptr_t)b->p;
			memcpy(b->p, &v, 8);
		}
		ss_kmem_cache_free(cc->c, b->p);
	} else if (b->kind == K_KMALLOC) {
		ss_kfree(b->p);
	} else {
		free(b->p);
	}
	forget(slot);
}

static bool fits(size_t n) { return n <= LIVE_CAP && live_bytes + n <= LIVE_CAP; }

/* Install a fresh block of the malloc family in `slot` (already emptied). */
static void install(int slot, void *p, size_t n, size_t align, enum kind kind, bool zeroed, const char *what)
{
	struct block *b = &blocks[slot];
	*b = (struct block){ .p = p, .size = n, .align = align, .kind = (uint8_t)kind, .seed = ++seed_counter * 0x2545F4914F6CDD1Dull };
	accept_block(slot, b, what);
	if (zeroed)
		for (size_t i = 0; i < n; i++)
			if (b->p[i])
				fuzz_fail("%s(%zu): byte %zu of %p is %#x, not zero", what, n, i, (void *)b->p, b->p[i]);
	fill_range(b->p, 0, b->usable, b->seed);
	live_bytes += b->usable;
	TRACE("%s(%zu) slot %d -> %p usable %zu\n", what, n, slot, p, b->usable);
}

/* ---- operations ---------------------------------------------------------------------- */
enum op {
	OP_MALLOC, OP_CALLOC, OP_REALLOC, OP_REALLOCARRAY, OP_FREE, OP_ALIGNED, OP_USABLE,
	OP_TRIM, OP_MALLOPT, OP_CACHE_CREATE, OP_CACHE_ALLOC, OP_CACHE_SHRINK, OP_CACHE_DESTROY,
	OP_KMALLOC, OP_FAULT_ON, OP_FAULT_OFF, OP_CHECK_ALL, OP_HUGE, OP_FREE_ALL, OP_EXHAUST,
	OP_POOL_FREE, NR_OPS
};

static void op_malloc(int slot, size_t n)
{
	if (!fits(n))
		return;
	release(slot);
	call_begin();
	void *p = malloc(n);
	if (!p)
		return null_ok("malloc", n, errno);
	install(slot, p, n, MIN_ALIGN, K_MALLOC, false, "malloc");
}

static void op_calloc(int slot, size_t nmemb, size_t size)
{
	size_t n;
	if (__builtin_mul_overflow(nmemb, size, &n)) {
		call_begin();
		if (calloc(nmemb, size) || errno != ENOMEM)
			fuzz_fail("calloc(%zu, %zu) overflows: want NULL, ENOMEM (errno %d)", nmemb, size, errno);
		return;
	}
	if (!fits(n))
		return;
	release(slot);
	call_begin();
	void *p = calloc(nmemb, size);
	if (!p)
		return null_ok("calloc", n, errno);
	install(slot, p, n, MIN_ALIGN, K_MALLOC, true, "calloc");
}

/* realloc and reallocarray: grow, shrink, to 0 (frees), from NULL (mallocs). */
static void op_realloc(int slot, size_t nmemb, size_t size, bool array)
{
	struct block *b = &blocks[slot];
	const char *what = array ? "reallocarray" : "realloc";
	size_t n;
	bool overflow = __builtin_mul_overflow(nmemb, size, &n);
	if (b->kind == K_CACHE)
		return;                                  /* not a malloc block */
	if (overflow) {
		if (!array)
			return;
		if (b->kind != K_NONE)
			check_block(b, "reallocarray");
		call_begin();
		if (reallocarray(b->p, nmemb, size) || errno != ENOMEM)
			fuzz_fail("reallocarray(%p, %zu, %zu) overflows: want NULL, ENOMEM (errno %d)",
				  (void *)b->p, nmemb, size, errno);
		if (b->kind != K_NONE)
			check_block(b, "after an overflowing reallocarray");
		return;
	}
	if (b->kind == K_NONE) {                     /* realloc(NULL, n) is malloc(n) */
		if (!fits(n))
			return;
		call_begin();
		void *p = array ? reallocarray(NULL, nmemb, size) : realloc(NULL, n);
		if (!p)
			return null_ok(what, n, errno);
		install(slot, p, n, MIN_ALIGN, K_MALLOC, false, what);
		return;
	}
	if (n > b->usable && !fits(n - b->usable))
		return;
	check_block(b, what);
	size_t old_usable = b->usable;
	unsigned char *old = b->p;
	call_begin();
	unsigned char *q = array ? reallocarray(old, nmemb, size) : realloc(old, n);
	int err = errno;
	TRACE("%s(%p, %zu) slot %d -> %p\n", what, (void *)old, n, slot, (void *)q);
	if (n == 0) {                                /* glibc: frees and returns NULL */
		if (q)
			fuzz_fail("%s(%p, 0) returned %p, want NULL (freed)", what, (void *)old, (void *)q);
		forget(slot);
		return;
	}
	if (!q) {
		null_ok(what, n, err);
		if (malloc_usable_size(old) != old_usable)
			fuzz_fail("%s(%p, %zu) failed and changed the usable size %zu -> %zu", what, (void *)old, n,
				  old_usable, malloc_usable_size(old));
		check_block(b, "after a failed realloc");   /* untouched */
		return;
	}
	size_t keep = b->size < n ? b->size : n;
	check_range(b, q, 0, keep, "realloc's kept prefix");
	live_bytes -= b->usable;
	if (q != old)
		b->align = MIN_ALIGN;                    /* moved: malloc's alignment; kept: its own */
	b->p = q;
	b->size = n;
	b->kind = K_MALLOC;
	accept_block(slot, b, what);
	fill_range(q, keep, b->usable, b->seed);
	live_bytes += b->usable;
}

static void op_aligned(int slot, int variant, size_t align, size_t n)
{
	static const char *const names[] = { "posix_memalign", "aligned_alloc", "memalign", "valloc", "pvalloc" };
	const char *what = names[variant];
	bool pow2 = align && !(align & (align - 1));
	size_t want = align;                         /* the alignment promised */
	size_t need = n;                             /* usable bytes promised */
	bool einval = false;
	switch (variant) {
	case 0: einval = !pow2 || align % sizeof(void *); break;
	case 1: einval = !pow2; break;
	case 2: if (!pow2) want = align ? (size_t)1 << order_for_pages(align) : MIN_ALIGN; break;
	case 3: want = PAGE_SIZE; break;
	case 4:                                      /* rounded up to pages: SIZE_MAX - 1 wraps */
		want = PAGE_SIZE;
		need = n > SIZE_MAX - PAGE_SIZE ? SIZE_MAX : align_up(n ? n : 1, PAGE_SIZE);
		break;
	}
	if (want < MIN_ALIGN)
		want = MIN_ALIGN;
	if (!einval && !fits(need))
		return;
	release(slot);
	void *p = NULL;
	call_begin();
	errno = 4242;                                /* posix_memalign leaves errno alone */
	int rc = 0;
	switch (variant) {
	case 0: rc = posix_memalign(&p, align, n); break;
	case 1: p = aligned_alloc(align, n); break;
	case 2: p = memalign(align, n); break;
	case 3: p = valloc(n); break;
	case 4: p = pvalloc(n); break;
	}
	int err = variant == 0 ? rc : errno;
	if (einval) {
		if (p || err != EINVAL)
			fuzz_fail("%s(%zu, %zu): want EINVAL, got %p, error %d", what, align, n, p, err);
		return;
	}
	if (!p)
		return null_ok(what, n, err);
	if (variant == 0 && errno != 4242)
		fuzz_fail("posix_memalign(%zu, %zu) succeeded and changed errno to %d", align, n, errno);
	install(slot, p, need, want, K_MALLOC, false, what);
}

static void op_usable(int slot)
{
	struct block *b = &blocks[slot];
	if (b->kind == K_NONE) {
		if (malloc_usable_size(NULL) != 0)
			fuzz_fail("malloc_usable_size(NULL) != 0");
		return;
	}
	if (b->kind == K_CACHE)
		return;
	size_t u = malloc_usable_size(b->p);
	if (u != b->usable)
		fuzz_fail("malloc_usable_size(%p) changed from %zu to %zu", (void *)b->p, b->usable, u);
	check_block(b, "malloc_usable_size");
}

static void op_kmalloc(int slot, size_t n)
{
	if (!fits(n))
		return;
	release(slot);
	call_begin();
	void *p = ss_kmalloc(n);
	if (!p)
		return null_ok("ss_kmalloc", n, errno);
	install(slot, p, n, n <= 8 ? 8 : MIN_ALIGN, K_KMALLOC, false, "ss_kmalloc");
}

static void op_mallopt(struct input *in)
{
	static const int mmap_values[] = { -1, 0, 1, 4096, 32767, 32768, 65536, 131071, 131072, 1 << 20,
					   32 << 20, (32 << 20) + 1, 0x7fffffff };
	static const int trim_values[] = { -1, 0, 4096, 128 << 10, 1 << 20 };
	static const int pad_values[] = { -1, 0, 4096, 1 << 20, 16 << 20 };
	uint8_t sel = take8(in), v = take8(in);
	int param, value, want;
	switch (sel % 4) {
	case 0:
		param = M_MMAP_THRESHOLD, value = mmap_values[v % 13];
		want = value >= 0 && value <= (32 << 20);
		break;
	case 1: param = M_TRIM_THRESHOLD, value = trim_values[v % 5], want = 1; break;
	case 2: param = M_TOP_PAD, value = pad_values[v % 5], want = value >= 0; break;
	default: param = M_ARENA_MAX, value = v, want = 1; break;
	}
	int rc = mallopt(param, value);
	TRACE("mallopt(%d, %d) = %d\n", param, value, rc);
	if (rc != want)
		fuzz_fail("mallopt(%d, %d) = %d, want %d", param, value, rc, want);
}

/* ---- named caches ------------------------------------------------------------------ */
static const char *const builtin_names[] = { "kmalloc-64", "kmalloc-8", "kmem_cache", "kmem_slab", "kmalloc-16384" };

static void op_cache_create(struct input *in)
{
	int ci = take8(in) % NCACHES;
	uint8_t name_sel = take8(in), size_sel = take8(in);
	size_t size;
	switch (size_sel % 8) {
	case 0: size = take8(in) % 64; break;                       /* 0 is invalid */
	case 1: size = take16(in) % 4097; break;
	case 2: size = (size_t)kmalloc_size[take8(in) % NR_KMALLOC] + (take8(in) % 3) - 1; break;
	case 3: size = take32(in) % (256 * KiB); break;
	case 4: size = (size_t)1 << (take8(in) % 27); break;       /* up to 64 MiB: too big above 32 */
	case 5: size = (size_t)(take8(in) % 33) << 20; break;        /* MiB objects */
	default: size = 8 + take8(in) * 8u; break;
	}
	size_t align = take8(in) % 4 ? 0 : take_align(in);
	unsigned flags = take8(in) & (SS_SLAB_HWCACHE_ALIGN | SS_SLAB_NO_COLOUR | SS_SLAB_SLOB | SS_SLAB_SLUB);
	int ctor = size >= 8 ? take8(in) % 3 : 0;

	char name[64];
	if (name_sel % 16 == 15)
		snprintf(name, sizeof name, "%s", builtin_names[name_sel / 16 % 5]);
	else if (name_sel % 16 == 13)
		name[0] = 0;                                              /* invalid */
	else if (name_sel % 16 == 14)                                 /* the same 31 first characters */
		snprintf(name, sizeof name, "fuzz-cache-with-a-very-long-name-%u", name_sel / 16);
	else
		snprintf(name, sizeof name, "fz%u", name_sel % 12);
	bool dup = name_sel % 16 == 15 || !name[0];
	for (int i = 0; i < NCACHES; i++)
		if (caches[i].c && !strncmp(caches[i].name, name, SS_CACHE_NAME_MAX - 1))
			dup = true;
	size_t eff_align = align ? align : 8;
	if ((flags & SS_SLAB_HWCACHE_ALIGN) && eff_align < CACHE_LINE)
		eff_align = CACHE_LINE;
	bool valid = !dup && size && size <= 32 * MiB && !(eff_align & (eff_align - 1)) && eff_align <= PAGE_SIZE;
	if (caches[ci].c)
		return;                                   /* slot in use: destroy first */

	call_begin();
	struct kmem_cache *c = ss_kmem_cache_create(name, size, align, flags, ctors[ctor]);
	int err = errno;
	TRACE("cache_create(%s, %zu, %zu, %#x, ctor %d) -> %p\n", name, size, align, flags, ctor, (void *)c);
	if (!valid) {
		/* bad arguments are found after the cache's own struct is allocated: under
		 * injection that allocation may fail first */
		if (c || (err != EINVAL && (dup || ss_faults_injected() == faults_before || err != ENOMEM)))
			fuzz_fail("ss_kmem_cache_create(%s, %zu, %zu, %#x): want NULL, EINVAL, got %p, errno %d",
				  name, size, align, flags, (void *)c, err);
		return;
	}
	if (!c)
		return null_ok("ss_kmem_cache_create", size, err);
	if (strncmp(ss_kmem_cache_name(c), name, SS_CACHE_NAME_MAX - 1) || strlen(ss_kmem_cache_name(c)) >= SS_CACHE_NAME_MAX)
		fuzz_fail("cache %s is named %s", name, ss_kmem_cache_name(c));
	struct cache *cc = &caches[ci];
	*cc = (struct cache){ .c = c, .size = size, .align = eff_align, .ctor = ctor };
	snprintf(cc->name, sizeof cc->name, "%s", name);
}

static void op_cache_alloc(int slot, int ci)
{
	struct cache *cc = &caches[ci];
	if (!cc->c || !fits(cc->size))
		return;
	release(slot);
	call_begin();
	unsigned char *p = ss_kmem_cache_alloc(cc->c);
	if (!p)
		return null_ok("ss_kmem_cache_alloc", cc->size, errno);
	if (cc->ctor) {
		uint64_t mark;
		memcpy(&mark, p, 8);
		if (mark != (ctor_mark[cc->ctor] ^ (uintptr_t)p))
			fuzz_fail("cache %s: object %p not in its constructed state (%#llx)", cc->name, (void *)p,
				  (unsigned long long)mark);
	}
	struct block *b = &blocks[slot];
	*b = (struct block){ .p = p, .size = cc->size, .align = cc->align, .kind = K_CACHE, .cache = (uint8_t)ci,
			     .seed = ++seed_counter * 0x2545F4914F6CDD1Dull };
	accept_block(slot, b, "ss_kmem_cache_alloc");
	fill_range(p, cc->ctor ? 8 : 0, b->usable, b->seed);
	cc->live++;
	live_bytes += b->usable;
	TRACE("cache_alloc(%s) slot %d -> %p\n", cc->name, slot, (void *)p);
}

static void op_cache_shrink(int ci)
{
	struct cache *cc = &caches[ci];
	if (!cc->c)
		return;
	ss_kmem_cache_free(cc->c, NULL);             /* as kfree(NULL): nothing */
	ss_kmem_cache_shrink(cc->c);
	size_t again = ss_kmem_cache_shrink(cc->c);
	if (again)
		fuzz_fail("cache %s: a second shrink released %zu pages: the first left empty slabs", cc->name, again);
}

static void op_cache_destroy(int ci)
{
	struct cache *cc = &caches[ci];
	if (!cc->c) {
		/* nothing to destroy is fine; the caches the allocator lives on are not ours to
		 * (kmalloc-8 is left out: its destruction is not refused, but no public call
		 * hands out its pointer) */
		struct kmem_cache *builtin = &kmalloc_caches[ci * 5 % NR_KMALLOC];
		if (ss_kmem_cache_destroy(NULL) != 0)
			fuzz_fail("ss_kmem_cache_destroy(NULL) != 0");
		errno = 0;
		if (ss_kmem_cache_destroy(builtin) != -1 || errno != EINVAL)
			fuzz_fail("destroying %s: want -1, EINVAL (errno %d)", builtin->name, errno);
		return;
	}
	errno = 0;
	int rc = ss_kmem_cache_destroy(cc->c);
	TRACE("cache_destroy(%s) live %zu -> %d\n", cc->name, cc->live, rc);
	if (cc->live) {
		if (rc != -1 || errno != EBUSY)
			fuzz_fail("destroying cache %s with %zu objects: %d, errno %d, want -1, EBUSY", cc->name, cc->live, rc, errno);
		return;
	}
	if (rc != 0)
		fuzz_fail("destroying empty cache %s: %d, errno %d", cc->name, rc, errno);
	memset(cc, 0, sizeof *cc);
}

/* ---- requests nobody can satisfy ----------------------------------------------------- */
static void op_huge(struct input *in, int slot)
{
	uint8_t sel = take8(in);
	size_t k = take16(in);
	size_t n = sel & 0x10 ? SIZE_MAX - k : ((size_t)1 << 47) + (k << PAGE_SHIFT);
	size_t align = (size_t)1 << (take8(in) % 30);
	void *p = NULL;
	int rc = 0;
	struct block *b = &blocks[slot];
	errno = 0;
	switch (sel % 9) {
	case 0: p = malloc(n); break;
	case 1: p = calloc(n, 1); break;
	case 2: p = calloc((size_t)1 << 32 | k, (size_t)1 << 32); break;       /* overflows */
	case 3: rc = posix_memalign(&p, align < 8 ? 8 : align, n); break;
	case 4: p = aligned_alloc(align, n); break;
	case 5: p = memalign(align, n); break;
	case 6: p = valloc(n); break;
	case 7: p = pvalloc(n); break;
	case 8:
		if (b->kind != K_MALLOC && b->kind != K_KMALLOC)
			return;
		check_block(b, "realloc");
		p = realloc(b->p, n);
		if (malloc_usable_size(b->p) != b->usable)
			fuzz_fail("a failed realloc to %zu changed the usable size", n);
		check_block(b, "after a failed huge realloc");
		break;
	}
	int err = sel % 9 == 3 ? rc : errno;
	TRACE("huge op %u (%zu, align %zu) -> %p, error %d\n", sel % 9, n, align, p, err);
	if (p || err != ENOMEM)
		fuzz_fail("huge request %u of %zu bytes (align %zu): got %p, error %d, want NULL, ENOMEM",
			  sel % 9, n, align, p, err);
}

static void op_fault_on(struct input *in)
{
	static const uint64_t counts[] = { 1, 2, 3, 8, UINT64_MAX };
	unsigned sources = 1 + take8(in) % 3;
	uint64_t skip = take8(in) % 16;
	uint64_t count = counts[take8(in) % 5];
	TRACE("fault_inject(%u, %llu, %llu)\n", sources, (unsigned long long)skip, (unsigned long long)count);
	ss_fault_inject(sources, skip, count);
	injecting = true;
}

static void fault_off(void)
{
	ss_fault_inject(0, 0, 0);
	injecting = false;
}

static void check_all(void)
{
	check_invariants();
	for (int i = 0; i < NSLOTS; i++)
		if (blocks[i].kind != K_NONE) {
			check_block(&blocks[i], "check");
			if (blocks[i].kind != K_CACHE)
				check_block_allocated(blocks[i].p);
		}
	for (int i = 0; i < NCACHES; i++)
		if (caches[i].c && caches[i].c->active_objs != caches[i].live)
			fuzz_fail("cache %s: active_objs %zu, the model holds %zu", caches[i].name,
				  caches[i].c->active_objs, caches[i].live);
}

/* ---- running the heap dry: the failure paths of small, medium and cache allocations ----
 * Pages come from free blocks before any page source is asked, so with free space left in
 * the heap an injected fault changes nothing. While injecting, this fills the heap with
 * medium blocks (a pool apart from the slots, marked at both ends) until an allocation
 * fails or the live cap is reached; later small and cache allocations then need new pages. */
static uint64_t pool_mark(size_t i, const void *p) { return 0x9001900190019001ull ^ (i << 32) ^ (uintptr_t)p; }

static void op_exhaust(struct input *in)
{
	if (!injecting)
		return;
	size_t n = 32 * KiB + (size_t)(take8(in) % 97) * KiB;
	while (pool_n < POOL_MAX && fits(n)) {
		call_begin();
		unsigned char *p = malloc(n);
		if (!p)
			return null_ok("malloc (running the heap dry)", n, errno);
		struct block b = { .p = p, .size = n, .usable = n, .align = MIN_ALIGN, .kind = K_MALLOC };
		accept_block(-1, &b, "malloc (running the heap dry)");
		uint64_t mark = pool_mark(pool_n, p);
		memcpy(p, &mark, 8);
		memcpy(p + n - 8, &mark, 8);
		pool[pool_n] = p;
		pool_size[pool_n++] = n;
		live_bytes += n;
	}
}

static void pool_free(void)
{
	while (pool_n) {
		size_t i = --pool_n, n = pool_size[i];
		uint64_t head, tail, mark = pool_mark(i, pool[i]);
		memcpy(&head, pool[i], 8);
		memcpy(&tail, pool[i] + n - 8, 8);
		if (head != mark || tail != mark)
			fuzz_fail("pool block %p (%zu bytes) overwritten at its %s", (void *)pool[i], n,
				  head != mark ? "start" : "end");
		free(pool[i]);
		live_bytes -= n;
	}
}

static void free_all(void)
{
	for (int i = 0; i < NSLOTS; i++)
		release(i);
	pool_free();
}

/* ---- one input ---------------------------------------------------------------------- */
static struct ss_settings defaults;

static uint64_t live_allocs_now(void)
{
	struct thread_stats t;
	struct tcache_figures f;
	stats_sum_threads(&t, &f);
	return live_allocs(&t);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	trace = getenv("FUZZ_TRACE") != NULL;
	free(malloc(1));                           /* initialised: the settings are the defaults */
	defaults = settings;
	defaults.mmap_threshold = 128 * KiB;
	defaults.trim_threshold = 128 * KiB;
	defaults.top_pad = 0;
	defaults.mmap_threshold_fixed = defaults.trim_threshold_fixed = false;
	defaults.reap_bytes = 64 * KiB;            /* reaps (tcache.c) within the inputs, not once per MiB */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	/* Every input starts from the default settings, as a fresh process would; what
	 * libFuzzer freed in between may have moved the adaptive threshold. */
	settings = defaults;
	settings_update_limits();
	uint64_t live_at_start = live_allocs_now();
	while (in.n) {
		enum op op = (enum op)(take8(&in) % NR_OPS);
		int slot = take8(&in) % NSLOTS;
		switch (op) {
		case OP_MALLOC: op_malloc(slot, take_size(&in)); break;
		case OP_CALLOC: {
			size_t n = take_size(&in), m = 1 + take8(&in) % 4;
			op_calloc(slot, m, n / m);
			break;
		}
		case OP_REALLOC: {
			uint8_t how = take8(&in);
			op_realloc(slot, 1, how % 16 == 0 ? 0 : take_size(&in), false);
			break;
		}
		case OP_REALLOCARRAY: {
			uint8_t how = take8(&in);
			size_t n = take_size(&in);
			if (how % 4 == 0)
				op_realloc(slot, SIZE_MAX / 2 + how, n | 2, true);   /* overflows */
			else
				op_realloc(slot, 1 + how % 8, n / (1 + how % 8), true);
			break;
		}
		case OP_FREE: release(slot); break;
		case OP_ALIGNED: {
			int variant = take8(&in) % 5;
			size_t align = take_align(&in);
			op_aligned(slot, variant, align, take_size(&in));
			break;
		}
		case OP_USABLE: op_usable(slot); break;
		case OP_TRIM: malloc_trim(take8(&in) % 2 ? 0 : take_size(&in)); break;
		case OP_MALLOPT: op_mallopt(&in); break;
		case OP_CACHE_CREATE: op_cache_create(&in); break;
		case OP_CACHE_ALLOC: op_cache_alloc(slot, take8(&in) % NCACHES); break;
		case OP_CACHE_SHRINK: op_cache_shrink(take8(&in) % NCACHES); break;
		case OP_CACHE_DESTROY: op_cache_destroy(take8(&in) % NCACHES); break;
		case OP_KMALLOC: op_kmalloc(slot, take8(&in) % 4 ? take8(&in) % 17 : take_size(&in)); break;
		case OP_FAULT_ON: op_fault_on(&in); break;
		case OP_FAULT_OFF: fault_off(); break;
		case OP_CHECK_ALL: check_all(); break;
		case OP_HUGE: op_huge(&in, slot); break;
		case OP_FREE_ALL: free_all(); break;
		case OP_EXHAUST: op_exhaust(&in); break;
		case OP_POOL_FREE: pool_free(); break;
		case NR_OPS: break;
		}
	}
	/* Everything back: blocks, caches, injection off; the structures must be whole and
	 * the allocator must work as before. */
	fault_off();
	check_all();
	free_all();
	for (int i = 0; i < NCACHES; i++)
		op_cache_destroy(i);
	for (int i = 0; i < NCACHES; i++)
		if (caches[i].c)
			fuzz_fail("cache %s survived its destruction", caches[i].name);
	check_invariants();
	uint64_t live = live_allocs_now();
	if (live != live_at_start)
		fuzz_fail("live allocations %llu after freeing everything, %llu before the input",
			  (unsigned long long)live, (unsigned long long)live_at_start);
	if (live_bytes)
		fuzz_fail("model accounting: %zu live bytes after freeing everything", live_bytes);
	return 0;
}
