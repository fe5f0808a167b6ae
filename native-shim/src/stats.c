/*
 * stats.c — what the allocator tells about itself: glibc's mallinfo2() and malloc_stats(),
 * /proc/slabinfo and /proc/buddyinfo style text, and the exit report (SLABSCOPE_REPORT).
 *
 * Fast-path counters live in each thread's cache and are summed on read; the tiers'
 * counters in gstats are updated under their tier's lock (or atomically).
 */
#include <fcntl.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

#define EXPORT __attribute__((visibility("default")))

struct global_stats gstats;

void stats_add(struct thread_stats *out, const struct thread_stats *in)
{
	const uint64_t *src = (const uint64_t *)in;
	uint64_t *dst = (uint64_t *)out;
	for (size_t i = 0; i < sizeof *in / sizeof(uint64_t); i++)
		__atomic_fetch_add(&dst[i], __atomic_load_n(&src[i], __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

/* Every thread's counters summed into *out, and what their caches hold into *f. */
void stats_sum_threads(struct thread_stats *out, struct tcache_figures *f)
{
	memset(out, 0, sizeof *out);
	*f = (struct tcache_figures){ 0 };
	lock(&tcache_list_lock);
	for (struct tcache *tc = tcache_list; tc; tc = tc->next) {
		tcache_fold_stats(tc, out);
		tcache_count(tc, f);
	}
	stats_add(out, &gstats.dead_threads);
	unlock(&tcache_list_lock);
}

/* Heap-wide page figures; page_lock held (the snapshot reads them with its zone records). */
void heap_figures_locked(struct heap_figures *h)
{
	memset(h, 0, sizeof *h);
	for (unsigned i = 1; i <= nr_zones; i++) {
		struct zone *z = zones[i];
		h->heap_bytes += z->top - z->base;
		h->free_bytes += z->free_pages << PAGE_SHIFT;
		h->dirty_bytes += z->dirty_pages << PAGE_SHIFT;
		for (unsigned o = 0; o < MAX_ORDER; o++)
			h->free_blocks += z->nr_free[o];
	}
	if (zones[1]->kind != ZONE_BRK)
		return;                               /* the break never moved (zone.c) */
	h->brk_base = zones[1]->base;
	h->brk_top = zones[1]->top;
	h->brk_bytes = h->brk_top - h->brk_base;
	if (h->brk_bytes)
		h->top_free_bytes = zone_top_free_pages(zones[1]) << PAGE_SHIFT;
}

static void heap_figures(struct heap_figures *h)
{
	lock(&page_lock);
	heap_figures_locked(h);
	unlock(&page_lock);
}

/* Live allocations of the malloc family: slab objects, medium blocks, mmap blocks. */
uint64_t live_allocs(const struct thread_stats *t)
{
	return (t->slab_allocs - t->slab_frees) + (gstats.medium_allocs - gstats.medium_frees) + gstats.mmap_blocks;
}

/* Bytes of free objects sitting in slabs (not handed out). */
static size_t slab_free_bytes(void)
{
	size_t bytes = 0;
	lock(&cache_list_lock);
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache) {
		lock(&c->lock);
		size_t slabs = c->nr_slabs[SL_FULL] + c->nr_slabs[SL_PARTIAL] + c->nr_slabs[SL_FREE];
		bytes += (cache_num_objs(c, slabs) - c->active_objs) * c->size;
		unlock(&c->lock);
	}
	unlock(&cache_list_lock);
	return bytes;
}

EXPORT struct mallinfo2 mallinfo2(void)
{
	ss_init();
	struct heap_figures h;
	heap_figures(&h);
	struct mallinfo2 mi = { 0 };
	mi.arena = h.heap_bytes;
	mi.ordblks = h.free_blocks;
	mi.hblks = gstats.mmap_blocks;
	mi.hblkhd = gstats.mmap_bytes;
	mi.fsmblks = slab_free_bytes();
	mi.fordblks = h.free_bytes + mi.fsmblks;
	mi.uordblks = h.heap_bytes - mi.fordblks;
	mi.keepcost = h.top_free_bytes;
	return mi;
}

EXPORT struct mallinfo mallinfo(void)
{
	struct mallinfo2 m = mallinfo2();
	struct mallinfo r = {
		(int)m.arena, (int)m.ordblks, (int)m.smblks, (int)m.hblks, (int)m.hblkhd,
		(int)m.usmblks, (int)m.fsmblks, (int)m.uordblks, (int)m.fordblks, (int)m.keepcost,
	};
	return r;
}

static void line(struct outbuf *o, const char *key, uint64_t v)
{
	out_str(o, key);
	out_str(o, " ");
	out_u64(o, v);
	out_str(o, "\n");
}

/* Every figure as "key value" lines: the exit report, and the tail of malloc_stats(). */
static void write_figures(struct outbuf *o)
{
	struct thread_stats t;
	struct tcache_figures tf;
	struct heap_figures h;
	stats_sum_threads(&t, &tf);
	heap_figures(&h);
	uint64_t live = live_allocs(&t);
	line(o, "pid", (uint64_t)sys_getpid());
	line(o, "malloc_calls", t.malloc_calls);
	line(o, "free_calls", t.free_calls);
	line(o, "calloc_calls", t.calloc_calls);
	line(o, "realloc_calls", t.realloc_calls);
	line(o, "memalign_calls", t.memalign_calls);
	line(o, "trim_calls", gstats.trim_calls);
	line(o, "bytes_requested", t.bytes_requested);
	line(o, "bytes_allocated", t.bytes_allocated);
	line(o, "slab_allocs", t.slab_allocs);
	line(o, "slab_frees", t.slab_frees);
	line(o, "medium_allocs", gstats.medium_allocs);
	line(o, "medium_frees", gstats.medium_frees);
	line(o, "medium_bytes", gstats.medium_bytes);
	line(o, "mmap_allocs", gstats.mmap_allocs);
	line(o, "mmap_frees", gstats.mmap_frees);
	line(o, "mmap_blocks", gstats.mmap_blocks);
	line(o, "mmap_bytes", gstats.mmap_bytes);
	line(o, "mmap_peak_bytes", gstats.mmap_peak_bytes);
	line(o, "mmap_threshold", settings.mmap_threshold);
	line(o, "trim_threshold", settings.trim_threshold);
	line(o, "brk_grows", gstats.brk_grows);
	line(o, "brk_trims", gstats.brk_trims);
	line(o, "brk_failures", gstats.brk_failures);
	line(o, "heap_bytes", h.heap_bytes);
	line(o, "brk_bytes", h.brk_bytes);
	line(o, "heap_peak_bytes", gstats.heap_peak_bytes);
	line(o, "heap_free_bytes", h.free_bytes);
	line(o, "top_free_bytes", h.top_free_bytes);
	line(o, "bytes_trimmed", gstats.bytes_trimmed);
	line(o, "pages_released", gstats.pages_released);
	line(o, "mmap_zones", gstats.mmap_zones);
	line(o, "live_allocs", live);
	line(o, "alloc_failures", gstats.alloc_failures);
	line(o, "invalid_frees", gstats.invalid_frees);
	line(o, "corruptions", gstats.corruptions);
	line(o, "faults_injected", ss_faults_injected());
	line(o, "reap_bytes", settings.reap_bytes);
	line(o, "reaped_objects", t.reaped_objects);
	line(o, "threads", tf.threads);
	line(o, "full_thread_caches", tf.full);
	line(o, "thread_cache_bytes", tf.cached_bytes);
}

EXPORT void malloc_stats(void)
{
	ss_init();
	struct mallinfo2 m = mallinfo2();
	struct outbuf o = { .fd = 2 };
	out_str(&o, "Arena 0:\nsystem bytes     = ");
	out_u64w(&o, m.arena, 10);
	out_str(&o, "\nin use bytes     = ");
	out_u64w(&o, m.uordblks, 10);
	out_str(&o, "\nTotal (incl. mmap):\nsystem bytes     = ");
	out_u64w(&o, m.arena + m.hblkhd, 10);
	out_str(&o, "\nin use bytes     = ");
	out_u64w(&o, m.uordblks + m.hblkhd, 10);
	out_str(&o, "\nmax mmap regions = ");
	out_u64w(&o, m.hblks, 10);
	out_str(&o, "\nmax mmap bytes   = ");
	out_u64w(&o, gstats.mmap_peak_bytes, 10);
	out_str(&o, "\n--- slabscope ---\n");
	write_figures(&o);
	out_flush(&o);
}

/* /proc/slabinfo, version 2.1, SLUB-style zero tunables. */
EXPORT void ss_write_slabinfo(int fd)
{
	ss_init();
	struct outbuf o = { .fd = fd };
	out_str(&o, "slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> "
		    "<objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : "
		    "slabdata <active_slabs> <num_slabs> <sharedavail>\n");
	lock(&cache_list_lock);
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache) {
		lock(&c->lock);
		size_t active_slabs = c->nr_slabs[SL_FULL] + c->nr_slabs[SL_PARTIAL];
		size_t num_slabs = active_slabs + c->nr_slabs[SL_FREE];
		size_t active = c->active_objs, num = cache_num_objs(c, num_slabs);
		uint32_t size = c->size, per = c->num, pages = cache_pages_per_slab(c);
		char name[SS_CACHE_NAME_MAX];
		memcpy(name, c->name, sizeof name);
		unlock(&c->lock);
		/* the kernel's "%-17s %6lu %6lu %6u %4u %4d : tunables %4u %4u %4u : slabdata %6lu %6lu %6lu" */
		out_str(&o, name);
		for (size_t n = strlen(name); n < 17; n++)
			out_str(&o, " ");
		out_str(&o, " ");
		out_u64w(&o, active, 6);
		out_str(&o, " ");
		out_u64w(&o, num, 6);
		out_str(&o, " ");
		out_u64w(&o, size, 6);
		out_str(&o, " ");
		out_u64w(&o, per, 4);
		out_str(&o, " ");
		out_u64w(&o, pages, 4);
		out_str(&o, " : tunables    0    0    0 : slabdata ");
		out_u64w(&o, active_slabs, 6);
		out_str(&o, " ");
		out_u64w(&o, num_slabs, 6);
		out_str(&o, " ");
		out_u64w(&o, 0, 6);
		out_str(&o, "\n");
	}
	unlock(&cache_list_lock);
	out_flush(&o);
}

/* /proc/buddyinfo: one line per zone, free blocks of each order. */
EXPORT void ss_write_buddyinfo(int fd)
{
	ss_init();
	struct outbuf o = { .fd = fd };
	lock(&page_lock);
	for (unsigned i = 1; i <= nr_zones; i++) {
		struct zone *z = zones[i];
		out_str(&o, "Node 0, zone ");
		out_str(&o, z->kind == ZONE_BRK ? "     Brk" : "    Mmap");
		if (z->kind == ZONE_MMAP)
			out_u64(&o, z->id - 1);
		for (unsigned ord = 0; ord < MAX_ORDER; ord++)
			out_u64w(&o, z->nr_free[ord], 7);
		out_str(&o, "\n");
	}
	unlock(&page_lock);
	out_flush(&o);
}

/*
 * The kernel's external fragmentation measures (mm/vmstat.c), per zone and order, in
 * thousandths: the unusable free space index — the share of free memory that cannot serve
 * a request of that order — and the fragmentation index — for a request that would fail,
 * near 0 when memory is short, near 1 when it is fragmented; -1 when it would succeed.
 */
static void extfrag_line(struct outbuf *o, const struct zone *z, bool unusable)
{
	out_str(o, "Node 0, zone ");
	out_str(o, z->kind == ZONE_BRK ? "     Brk" : "    Mmap");
	if (z->kind == ZONE_MMAP)
		out_u64(o, z->id - 1);
	uint64_t free_blocks_total = 0;
	for (unsigned k = 0; k < MAX_ORDER; k++)
		free_blocks_total += z->nr_free[k];
	for (unsigned order = 0; order < MAX_ORDER; order++) {
		uint64_t suitable = 0;
		for (unsigned k = order; k < MAX_ORDER; k++)
			suitable += (uint64_t)z->nr_free[k] << (k - order);
		int64_t index;                       /* thousandths */
		if (unusable)
			index = !z->free_pages ? 1000
				: (int64_t)((z->free_pages - (suitable << order)) * 1000 / z->free_pages);
		else if (!free_blocks_total)
			index = 0;
		else if (suitable)
			index = -1000;
		else
			index = 1000 - (int64_t)((1000 + z->free_pages * 1000 / ((uint64_t)1 << order)) / free_blocks_total);
		out_str(o, index < 0 ? " -" : " ");
		uint64_t a = (uint64_t)(index < 0 ? -index : index);
		out_u64(o, a / 1000);
		out_str(o, ".");
		out_u64w(o, a % 1000 / 100, 1);
		out_u64w(o, a % 100 / 10, 1);
		out_u64w(o, a % 10, 1);
	}
	out_str(o, "\n");
}

EXPORT void ss_write_extfrag(int fd)
{
	ss_init();
	struct outbuf o = { .fd = fd };
	lock(&page_lock);
	out_str(&o, "unusable_index\n");
	for (unsigned i = 1; i <= nr_zones; i++)
		extfrag_line(&o, zones[i], true);
	out_str(&o, "extfrag_index\n");
	for (unsigned i = 1; i <= nr_zones; i++)
		extfrag_line(&o, zones[i], false);
	unlock(&page_lock);
	out_flush(&o);
}

/* At exit, SLABSCOPE_REPORT=path (%p = pid) receives the figures, mode 0600. */
void stats_write_report(void)
{
	const char *tmpl = ss_getenv("SLABSCOPE_REPORT");
	if (!tmpl || !*tmpl || !ss_initialized)
		return;
	char path[512];
	size_t n = 0;
	for (const char *s = tmpl; *s && n < sizeof path - 24; s++) {
		if (s[0] == '%' && s[1] == 'p') {
			char d[12];
			int k = 0;
			for (unsigned pid = (unsigned)sys_getpid(); pid; pid /= 10)
				d[k++] = (char)('0' + pid % 10);
			while (k)
				path[n++] = d[--k];
			s++;
		} else {
			path[n++] = *s;
		}
	}
	path[n] = 0;
	int fd = (int)sys_openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		struct outbuf o = { .fd = fd };
		write_figures(&o);
		out_flush(&o);
		sys_close(fd);
	}
}

__attribute__((destructor)) static void slabscope_destructor(void)
{
	stats_write_report();
	export_at_exit();
}
