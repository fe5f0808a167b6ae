/*
 * malloc_info.c — glibc's malloc_info(3): the heap as XML, in glibc's own layout, so that
 * what reads glibc's (`jcmd PID System.native_heap_info`, scripts) reads ours.
 *
 *   <malloc version="1">
 *   <heap nr="0">            one per zone: 0 the brk heap, then the mmap zones
 *   <sizes>                  free buddy blocks of each order (glibc: free chunks per bin)
 *   <total type="fast" .../> 0 (slab objects are not a zone's)
 *   <total type="rest" .../> free pages of the zone
 *   <system type="current"/> bytes of the zone; "max" the most it had
 *   </heap>
 *   <slabs>                  ours: each cache, as a line of /proc/slabinfo
 *   <thread-caches .../>     ours: threads with a cache, how many full, the bytes they keep
 *   <total type="fast" .../> free slab objects (glibc: fastbin chunks; small and quick)
 *   <total type="rest" .../> free pages of all zones
 *   <total type="mmap" .../> blocks of the mmap path
 *   ...
 *
 * The one file that uses stdio: the caller hands us a FILE. Nothing is printed while an
 * allocator lock is held (stdio allocates): the figures are copied out under the locks,
 * then written.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "slabscope_shm.h"

#define EXPORT __attribute__((visibility("default")))
#define ROWS 32                                 /* zones or caches copied per round */

/* Records of up to ROWS zones, skipping the first `from`, as the snapshot has them. */
static unsigned copy_zones(struct ss_shm_zone *rows, unsigned from)
{
	unsigned n = 0;
	lock(&page_lock);
	for (unsigned i = 1 + from; i <= nr_zones && n < ROWS; i++)
		export_fill_zone(&rows[n++], zones[i]);
	unlock(&page_lock);
	return n;
}

/* Records of up to ROWS caches, skipping the first `from`, as the snapshot has them. */
static unsigned copy_caches(struct ss_shm_cache *rows, unsigned from)
{
	unsigned i = 0, n = 0;
	lock(&cache_list_lock);
	for (struct kmem_cache *c = cache_list; c && n < ROWS; c = c->next_cache, i++)
		if (i >= from)
			export_fill_cache(&rows[n++], c);
	unlock(&cache_list_lock);
	return n;
}

/* A cache name as an XML attribute value. */
static void put_name(FILE *fp, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '"': fputs("&quot;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		default:
			if ((unsigned char)*s < 0x20)
				fprintf(fp, "&#%d;", *s);
			else
				fputc(*s, fp);
		}
	}
}

EXPORT int malloc_info(int options, FILE *fp)
{
	if (options != 0)
		return EINVAL;                          /* as glibc: returned, not set in errno */
	ss_init();

	size_t heap_peak = gstats.heap_peak_bytes;
	size_t rest_count = 0, rest_bytes = 0, system = 0;
	struct ss_shm_zone zr[ROWS];
	fputs("<malloc version=\"1\">\n", fp);
	for (unsigned from = 0, n; (n = copy_zones(zr, from)) > 0; from += n) {
		for (unsigned i = 0; i < n; i++) {
			const struct ss_shm_zone *r = &zr[i];
			size_t bytes = r->top - r->base, free_blocks = 0;
			fprintf(fp, "<heap nr=\"%u\">\n<sizes>\n", from + i);
			for (unsigned o = 0; o < SS_SHM_ORDERS; o++) {
				free_blocks += r->nr_free[o];
				if (r->nr_free[o])
					fprintf(fp, "  <size from=\"%zu\" to=\"%zu\" total=\"%zu\" count=\"%zu\"/>\n",
						(size_t)PAGE_SIZE << o, (size_t)PAGE_SIZE << o,
						(size_t)r->nr_free[o] * ((size_t)PAGE_SIZE << o), (size_t)r->nr_free[o]);
			}
			size_t max = r->kind == ZONE_BRK && heap_peak > bytes ? heap_peak : bytes;
			fprintf(fp, "</sizes>\n<total type=\"fast\" count=\"0\" size=\"0\"/>\n"
				"<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n"
				"<system type=\"current\" size=\"%zu\"/>\n<system type=\"max\" size=\"%zu\"/>\n"
				"<aspace type=\"total\" size=\"%zu\"/>\n<aspace type=\"mprotect\" size=\"%zu\"/>\n</heap>\n",
				free_blocks, (size_t)r->free_pages << PAGE_SHIFT, bytes, max, bytes, bytes);
			rest_count += free_blocks;
			rest_bytes += (size_t)r->free_pages << PAGE_SHIFT;
			system += bytes;
		}
		if (n < ROWS)
			break;
	}

	size_t fast_count = 0, fast_bytes = 0;
	struct ss_shm_cache rows[ROWS];
	fputs("<slabs>\n", fp);
	for (unsigned from = 0, n; (n = copy_caches(rows, from)) > 0; from += n) {
		for (unsigned i = 0; i < n; i++) {
			const struct ss_shm_cache *r = &rows[i];
			fputs("  <cache name=\"", fp);
			put_name(fp, r->name);
			fprintf(fp, "\" objsize=\"%u\" active=\"%zu\" total=\"%zu\" objperslab=\"%u\" "
				"pagesperslab=\"%u\" slabs=\"%zu\"/>\n",
				r->size, (size_t)r->active_objs, (size_t)r->num_objs, r->objperslab, r->pagesperslab,
				(size_t)r->num_slabs);
			fast_count += r->num_objs - r->active_objs;
			fast_bytes += (r->num_objs - r->active_objs) * r->size;
		}
		if (n < ROWS)
			break;
	}
	fputs("</slabs>\n", fp);
	struct thread_stats t;
	struct tcache_figures tf;
	stats_sum_threads(&t, &tf);
	fprintf(fp, "<thread-caches count=\"%llu\" full=\"%llu\" size=\"%llu\"/>\n", (unsigned long long)tf.threads,
		(unsigned long long)tf.full, (unsigned long long)tf.cached_bytes);
	size_t peak = heap_peak > system ? heap_peak : system;
	fprintf(fp, "<total type=\"fast\" count=\"%zu\" size=\"%zu\"/>\n"
		"<total type=\"rest\" count=\"%zu\" size=\"%zu\"/>\n"
		"<total type=\"mmap\" count=\"%zu\" size=\"%zu\"/>\n"
		"<system type=\"current\" size=\"%zu\"/>\n<system type=\"max\" size=\"%zu\"/>\n"
		"<aspace type=\"total\" size=\"%zu\"/>\n<aspace type=\"mprotect\" size=\"%zu\"/>\n</malloc>\n",
		fast_count, fast_bytes, rest_count, rest_bytes, (size_t)gstats.mmap_blocks, (size_t)gstats.mmap_bytes,
		system, peak, system, system);
	return 0;
}
