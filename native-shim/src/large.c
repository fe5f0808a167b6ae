/*
 * large.c — the mmap path: a request at or above the mmap threshold gets a mapping of its
 * own, and free() unmaps it, so the memory goes back to the kernel at once and leaves no
 * hole in the brk heap (the seed's "malloc > 128K").
 *
 * No header precedes the block: the user pointer is the mapping's start (page aligned),
 * and a hash table of live blocks (open addressing, keyed by address) gives the length.
 * The table is what lets free() tell a large block from a pointer we never returned.
 *
 * As in glibc, freeing a mapped block larger than the current threshold raises the
 * threshold to its size (up to the largest buddy block, 32 MiB), unless the user fixed it,
 * so programs that churn big buffers stop paying an mmap/munmap pair for each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "internal.h"
#include "slabscope_shm.h"

struct large_block {
	uintptr_t addr;       /* 0 = empty slot, 1 = deleted */
	size_t    map_len;
	size_t    size;       /* as requested */
};

ss_lock_t large_lock = SS_LOCK_INIT;
static struct large_block *table;
static size_t table_cap, table_used, table_tombs;

#define SLOT_EMPTY   ((uintptr_t)0)
#define SLOT_DELETED ((uintptr_t)1)

static size_t slot_hash(uintptr_t a, size_t cap)
{
	return (size_t)(((a >> PAGE_SHIFT) * 0x9E3779B97F4A7C15ull) >> 17) & (cap - 1);
}

static struct large_block *table_find(uintptr_t a)
{
	if (!table)
		return NULL;
	for (size_t i = slot_hash(a, table_cap);; i = (i + 1) & (table_cap - 1)) {
		if (table[i].addr == a)
			return &table[i];
		if (table[i].addr == SLOT_EMPTY)
			return NULL;
	}
}

static void table_put(struct large_block *t, size_t cap, const struct large_block *b)
{
	size_t i = slot_hash(b->addr, cap);
	while (t[i].addr > SLOT_DELETED)
		i = (i + 1) & (cap - 1);
	if (t[i].addr == SLOT_DELETED)
		table_tombs--;
	t[i] = *b;
}

/* Make room for one more block, keeping the load (live + deleted) under one half. */
static int table_reserve(void)
{
	if ((table_used + table_tombs + 1) * 2 <= table_cap)
		return 0;
	size_t cap = 256;
	while ((table_used + 1) * 4 > cap)
		cap *= 2;                          /* rebuilt tables start at most a quarter full */
	struct large_block *t = map_anon(cap * sizeof *t, 0);
	if (!t)
		return -1;
	for (size_t i = 0; i < table_cap; i++)
		if (table[i].addr > SLOT_DELETED)
			table_put(t, cap, &table[i]);
	if (table)
		sys_munmap(table, table_cap * sizeof *table);
	table = t;
	table_cap = cap;
	table_tombs = 0;
	return 0;
}

/* Lock held, table_reserve() done: remember a block. */
static void table_insert(uintptr_t addr, size_t len, size_t size)
{
	struct large_block b = { addr, len, size };
	table_put(table, table_cap, &b);
	table_used++;
	gstats.mmap_blocks++;
	gstats.mmap_bytes += len;
	if (gstats.mmap_bytes > gstats.mmap_peak_bytes)
		gstats.mmap_peak_bytes = gstats.mmap_bytes;
}

void *large_alloc(size_t size, size_t align)
{
	size_t len = align_up(size, PAGE_SIZE);
	size_t extra = align > PAGE_SIZE ? align - PAGE_SIZE : 0;
	if (len < size || len + extra < len) {       /* would wrap: no such mapping exists */
		errno = ENOMEM;
		return NULL;
	}
	char *map = map_anon(len + extra, 0);
	if (!map) {
		STAT_ADD(alloc_failures, 1);
		event_record(SS_EV_FAIL, SS_TIER_MMAP, 0, NULL, size);
		errno = ENOMEM;
		return NULL;
	}
	char *p = map;
	if (extra) {                               /* cut the mapping down to an aligned one */
		p = (char *)align_up((uintptr_t)map, align);
		if (p > map)
			sys_munmap(map, (size_t)(p - map));
		if (map + len + extra > p + len)
			sys_munmap(p + len, (size_t)(map + len + extra - (p + len)));
	}
	lock(&large_lock);
	if (table_reserve() < 0) {
		unlock(&large_lock);
		sys_munmap(p, len);
		STAT_ADD(alloc_failures, 1);
		errno = ENOMEM;
		return NULL;
	}
	table_insert((uintptr_t)p, len, size);
	gstats.mmap_allocs++;
	STAT_ADD(dead_threads.bytes_allocated, len);
	unlock(&large_lock);
	event_record(SS_EV_MMAP, SS_TIER_MMAP, 0, p, len);
	export_maybe_publish();
	return p;
}

/* Lock held: forget the block and return its mapping length. */
static size_t table_remove(struct large_block *b)
{
	size_t len = b->map_len;
	b->addr = SLOT_DELETED;
	table_used--;
	table_tombs++;
	gstats.mmap_blocks--;
	gstats.mmap_bytes -= len;
	return len;
}

bool large_free(void *p)
{
	lock(&large_lock);
	struct large_block *b = table_find((uintptr_t)p);
	if (!b) {
		unlock(&large_lock);
		return false;
	}
	size_t len = table_remove(b);
	gstats.mmap_frees++;
	if (!settings.mmap_threshold_fixed && len >= settings.mmap_threshold &&
	    len < (MAX_ORDER_PAGES << PAGE_SHIFT)) {
		/* glibc's dynamic threshold: just above the freed block, so that the same
		 * request comes from the heap next time (glibc counts the chunk header) */
		settings.mmap_threshold = len + 1;
		settings.trim_threshold = 2 * len;
		settings_update_limits();
	}
	unlock(&large_lock);
	sys_munmap(p, len);
	event_record(SS_EV_MUNMAP, SS_TIER_MMAP, 0, p, len);
	export_maybe_publish();
	return true;
}

size_t large_usable(const void *p)
{
	lock(&large_lock);
	struct large_block *b = table_find((uintptr_t)p);
	size_t n = b ? b->map_len : 0;
	unlock(&large_lock);
	return n;
}

/* Grow or shrink a large block in place or by moving its pages (mremap), no copying. */
void *large_realloc(void *p, size_t size)
{
	size_t len = align_up(size, PAGE_SIZE);
	lock(&large_lock);
	size_t old_len = table_find((uintptr_t)p)->map_len;   /* before table_reserve moves it */
	void *q = table_reserve() < 0 || fault_fail(SS_FAULT_MMAP) ? NULL :
		sys_mremap(p, old_len, len, MREMAP_MAYMOVE);
	if (!q) {
		unlock(&large_lock);
		errno = ENOMEM;
		return NULL;
	}
	struct large_block *b = table_find((uintptr_t)p);   /* in the table as it is now */
	table_remove(b);
	table_insert((uintptr_t)q, len, size);
	unlock(&large_lock);
	return q;
}

/* Visit every live large block (for statistics); large_lock held by the caller. */
void large_for_each(void (*fn)(uintptr_t addr, size_t map_len, size_t size, void *arg), void *arg)
{
	for (size_t i = 0; i < table_cap; i++)
		if (table[i].addr > SLOT_DELETED)
			fn(table[i].addr, table[i].map_len, table[i].size, arg);
}
