/*
 * kmalloc.c — the general-purpose caches kmalloc-16 ... kmalloc-16384 (and kmalloc-8).
 *
 * The kernel's kmalloc classes are powers of two plus 96 and 192. Here there are 16-byte
 * steps up to 128 B and eight classes per power of two above, so a request wastes at most
 * 12.5% of its object and about 6% on average (with four classes per power of two, bench
 * sqlite lost 17% on its 4368-byte pages and 24% on its 1032-byte cells). A lookup table
 * maps every size to its class in one load.
 *
 * Above 16 KiB requests are medium blocks (exact pages, at most 25% and on average 10%
 * waste): slabs of such objects would hold up to seven of them in 128 KiB, and a class used
 * for two objects would keep a whole slab (gcc's cc1 under bench kept 1 MiB that way).
 *
 * Hot sizes: a program that keeps thousands of objects of one size pays its class's
 * rounding on each (bench sqlite: 4729 pages of 4368 B in kmalloc-4608, 15586 cells of
 * 1032 B in kmalloc-1152, 3 MB in all). Refills are where a class's live set grows, so
 * they are counted per request size (16-byte steps, 512 B and more): a size that causes
 * HOT_REFILLS refills, three quarters of its class's, and loses at least 1/32 of its
 * class gets a class of its own, of exactly its size (rounded to 16), up to
 * NR_KMALLOC_HOT of them per process. Its slabs are chosen to leave next to nothing over
 * (slab.c: 15 x 4368 and 63 x 1040 in 64 KiB). The three quarters keep out sizes that
 * only pass through a class (a string grown by realloc visits every size of it); the
 * threshold keeps out short bursts (16 or 32 refills gave python's list and dict resizes
 * classes that cost it 0.2-0.7 MiB at its peak).
 * Only the lookup table entry of that size changes, so objects already handed out stay in
 * the old class and are freed there (the page descriptor names the class).
 *
 * Classes of a power-of-two size are aligned to their size (up to a page), which the
 * aligned allocation calls use. kmalloc-8 exists for ss_kmalloc() only: malloc() must
 * return 16-byte aligned memory.
 */
#include <errno.h>
#include <stdlib.h>
#include "internal.h"

uint32_t kmalloc_size[NR_KMALLOC] = {
	16, 32, 48, 64, 80, 96, 112, 128,
	144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512,
	576, 640, 704, 768, 832, 896, 960, 1024,
	1152, 1280, 1408, 1536, 1664, 1792, 1920, 2048,
	2304, 2560, 2816, 3072, 3328, 3584, 3840, 4096,
	4608, 5120, 5632, 6144, 6656, 7168, 7680, 8192,
	9216, 10240, 11264, 12288, 13312, 14336, 15360, 16384,
};

struct kmem_cache kmalloc_caches[NR_KMALLOC];
struct kmem_cache kmalloc_8;
uint8_t kmalloc_lut[KMALLOC_MAX / 16 + 1];
struct tc_layout tc_light, tc_full;
struct kmalloc_geometry kmalloc_geometry[NR_KMALLOC];

#define HOT_MIN_SIZE 512               /* smaller requests: classes 16-64 B apart, and busy */
#ifndef HOT_REFILLS                    /* -D for experiments */
#define HOT_REFILLS  64                /* refills of one size before it gets its own class */
#endif

static uint32_t refills_by_size[KMALLOC_MAX / 16 + 1];
static uint32_t refills_by_class[NR_KMALLOC_FIXED];
static unsigned nr_hot;
static int hot_busy;                   /* a hot class is being set up (never waited for) */

/* Objects a thread may keep per class: many small ones, few big ones (memory held). */
static uint16_t thread_cache_limit(uint32_t size)
{
	if (size <= 256)
		return 64;
	if (size <= 1024)
		return 32;
	if (size <= 4096)
		return 8;
	return size <= 8192 ? 4 : 2;
}

/*
 * The light thread cache (internal.h) keeps what glibc's tcache keeps: up to 7 objects of
 * each size up to 1032 bytes (here: of each class up to 1 KiB), and nothing bigger. A
 * thread that made and freed a few big objects (a JVM thread that ran a Deflater: 6 and
 * 7 KiB of zlib state) and then waits in a pool does not keep them.
 */
#define LIGHT_LIMIT    7
#define LIGHT_MAX_SIZE 1024

static unsigned layout_limit(bool light, uint32_t size)
{
	unsigned full = thread_cache_limit(size);
	if (!light)
		return full;
	return size > LIGHT_MAX_SIZE ? 0 : full < LIGHT_LIMIT ? full : LIGHT_LIMIT;
}

/* Stacks as deep as their limits. A hot class's slot (limit 0 until the class is made)
 * gets room for the deepest any hot size can have: they are all above HOT_MIN_SIZE, and
 * limits only fall as sizes grow. */
static void tc_layout_init(struct tc_layout *l, bool light)
{
	unsigned slots = 0, hot_room = layout_limit(light, HOT_MIN_SIZE + 16);
	for (unsigned i = 0; i < NR_KMALLOC; i++) {
		l->offset[i] = (uint16_t)slots;
		l->limit[i] = (uint8_t)(kmalloc_size[i] ? layout_limit(light, kmalloc_size[i]) : 0);
		slots += i < NR_KMALLOC_FIXED ? l->limit[i] : hot_room;
	}
	l->slots = slots;
	size_t bytes = sizeof(struct tcache) + slots * sizeof(void *);
	if (!light)
		bytes += NR_KMALLOC * sizeof(void *[REAP_PROBES]);
	l->pages = align_up(bytes, PAGE_SIZE) >> PAGE_SHIFT;
}

static void class_name(char *buf, uint32_t size)
{
	const char *pre = "kmalloc-";
	char digits[12];
	int n = 0;
	while (*pre)
		*buf++ = *pre++;
	do digits[n++] = (char)('0' + size % 10); while ((size /= 10));
	while (n)
		*buf++ = digits[--n];
	*buf = 0;
}

static int setup_class(unsigned i, uint32_t size, unsigned flags)
{
	char name[SS_CACHE_NAME_MAX];
	class_name(name, size);
	/* power-of-two classes are naturally aligned (aligned_alloc relies on it), except
	 * when debugging: then a red zone of the alignment's size would triple big objects */
	uint32_t align = (size & (size - 1)) || debug_flags_for(name) ? MIN_ALIGN
			 : (size < PAGE_SIZE ? size : PAGE_SIZE);
	if (kmem_cache_setup(&kmalloc_caches[i], name, size, align, flags, NULL) < 0)
		return -1;
	kmalloc_caches[i].tc_class = (int)i;
	kmalloc_geometry[i].magic = UINT64_MAX / kmalloc_caches[i].size + 1;
	kmalloc_geometry[i].span = kmalloc_caches[i].num * kmalloc_caches[i].size;
	kmalloc_size[i] = size;
	return 0;
}

/*
 * A refill of class cls for a request of n bytes (slow path, no lock held). The counts
 * are racy on purpose (a lost increment only delays a class); one thread at a time sets a
 * class up, and a thread that finds another doing so just goes on. A fork in the middle
 * leaves the child without new hot classes, which costs it memory, not correctness.
 */
void kmalloc_note_refill(unsigned cls, size_t n)
{
	if (n <= HOT_MIN_SIZE || cls >= NR_KMALLOC_FIXED || nr_hot >= NR_KMALLOC_HOT)
		return;
	unsigned g = (unsigned)(n + 15) >> 4;
	uint32_t size = g << 4, csize = kmalloc_size[cls];
	uint32_t of_class = ++refills_by_class[cls];
	if ((csize - size) * 32 < csize || ++refills_by_size[g] < HOT_REFILLS ||
	    (uint64_t)refills_by_size[g] * 4 < (uint64_t)of_class * 3)
		return;
	if (__atomic_exchange_n(&hot_busy, 1, __ATOMIC_ACQUIRE))
		return;
	unsigned slot = NR_KMALLOC_FIXED + nr_hot;
	if (nr_hot < NR_KMALLOC_HOT && kmalloc_lut[g] == cls && setup_class(slot, size, SLAB_DENSE) == 0) {
		nr_hot++;
		tc_full.limit[slot] = (uint8_t)layout_limit(false, size);
		tc_light.limit[slot] = (uint8_t)layout_limit(true, size);
		tcache_class_added(slot);
		/* x86 keeps stores in order; the release says the class is set up before use */
		__atomic_store_n(&kmalloc_lut[g], (uint8_t)slot, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&hot_busy, 0, __ATOMIC_RELEASE);
}

int kmalloc_init(void)
{
	char name[SS_CACHE_NAME_MAX];
	class_name(name, 8);
	if (kmem_cache_setup(&kmalloc_8, name, 8, 8, 0, NULL) < 0)
		return -1;
	for (int i = NR_KMALLOC_FIXED - 1; i >= 0; i--)   /* listed smallest first */
		if (setup_class((unsigned)i, kmalloc_size[i], 0) < 0)
			return -1;
	for (unsigned k = 0, c = 0; k <= KMALLOC_MAX / 16; k++) {
		while (kmalloc_size[c] < k * 16)
			c++;
		kmalloc_lut[k] = (uint8_t)c;
	}
	tc_layout_init(&tc_full, false);
	tc_layout_init(&tc_light, true);
	return 0;
}

static void *kmalloc_from(size_t size, const void *caller)
{
	if (size <= 8) {
		ss_init();
		note_caller(caller);
		void *p = cache_alloc_one(&kmalloc_8);
		if (!p)
			errno = ENOMEM;
		return p;
	}
	return malloc(size);
}

void *ss_kmalloc(size_t size)
{
	return kmalloc_from(size, __builtin_return_address(0));
}

/* One node here (0): see slabscope.h. */
void *ss_kmalloc_node(size_t size, int node)
{
	if (!numa_node_exists(node)) {
		errno = EINVAL;
		return NULL;
	}
	return kmalloc_from(size, __builtin_return_address(0));
}

void ss_kfree(void *p)
{
	free(p);
}
