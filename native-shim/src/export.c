/*
 * export.c — the allocator's state in the binary format of slabscope_shm.h, for the process
 * itself (ss_snapshot, ss_layout: the Java agent calls them through JNA) and for other
 * processes of the same user (/dev/shm/slabscope.<pid>, mode 0600).
 *
 * No thread is added to the process. The segment is rewritten from allocation slow paths
 * (thread cache refill/flush, medium and large frees) at most every SS_PUBLISH_INTERVAL_MS,
 * when ss_publish() is called, and at exit, after which it is removed. A process that
 * lives less than one interval never creates a segment. The segment is a copy, never the
 * allocator's own state: after fork() the child simply makes its own.
 *
 * A layout (one entry per page) costs a walk over the heap, so it is written only when a
 * reader asks (layout_request), to a temporary file renamed over the layout path: readers
 * always open a complete file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>               /* rename() only: no stdio streams */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include "slabscope_shm.h"

#define EXPORT __attribute__((visibility("default")))
#define RESIDENT_INTERVAL_MS 1000
#define SEGMENT_SIZE align_up(sizeof(struct ss_shm_header) + sizeof(struct ss_shm_global) + \
			      SS_SHM_MAX_CACHES * sizeof(struct ss_shm_cache) + \
			      SS_SHM_MAX_ZONES * sizeof(struct ss_shm_zone), PAGE_SIZE)

ss_lock_t publish_lock = SS_LOCK_INIT;

static struct {
	struct ss_shm_header *seg;       /* mapped segment, NULL until first publication */
	pid_t    owner;                  /* pid that created it (fork: the child makes its own) */
	bool     failed;                 /* could not create it: stop trying */
	uint64_t last_ms;
	uint64_t resident_ms, heap_resident, mmap_resident;
	uint64_t publish_count;
} shm;

static bool shm_enabled(void)
{
	static int enabled = -1;
	if (enabled < 0) {
		const char *e = ss_getenv("SLABSCOPE_SHM");
		enabled = !(e && e[0] == '0');
	}
	return enabled;
}

static void shm_path(char *buf, pid_t pid, const char *suffix)
{
	struct outbuf o = { .fd = -1 };
	out_str(&o, SS_SHM_PREFIX);
	out_u64(&o, (uint64_t)pid);
	out_str(&o, suffix);
	memcpy(buf, o.buf, o.len);
	buf[o.len] = 0;
}

/* ---- resident bytes (mincore), at most once a second ---------------------- */
static uint64_t resident_of(uintptr_t addr, size_t len)
{
	unsigned char vec[1024];
	uint64_t pages = 0;
	for (size_t off = 0; off < len; off += sizeof vec * PAGE_SIZE) {
		size_t chunk = len - off < sizeof vec * PAGE_SIZE ? len - off : sizeof vec * PAGE_SIZE;
		if (sys_mincore((void *)(addr + off), chunk, vec) < 0)
			continue;
		for (size_t i = 0; i < (chunk + PAGE_SIZE - 1) / PAGE_SIZE; i++)
			pages += vec[i] & 1;
	}
	return pages << PAGE_SHIFT;
}

static void add_large_resident(uintptr_t addr, size_t map_len, size_t size, void *arg)
{
	(void)size;
	*(uint64_t *)arg += resident_of(addr, map_len);
}

/* Resident bytes per zone and of the mmap path; `forced` skips the once-a-second limit. */
static void measure_resident(bool forced)
{
	uint64_t now = clock_ms();
	if (!forced && shm.resident_ms && now - shm.resident_ms < RESIDENT_INTERVAL_MS)
		return;
	shm.resident_ms = now;
	uint64_t heap = 0, large = 0;
	lock(&page_lock);
	for (unsigned i = 1; i <= nr_zones; i++) {
		uint64_t r = resident_of(zones[i]->base, zones[i]->top - zones[i]->base);
		zones[i]->resident_pages = r >> PAGE_SHIFT;
		heap += r;
	}
	unlock(&page_lock);
	lock(&large_lock);
	large_for_each(add_large_resident, &large);
	unlock(&large_lock);
	shm.heap_resident = heap;
	shm.mmap_resident = large;
}

/* ---- the snapshot --------------------------------------------------------- */
void export_fill_cache(struct ss_shm_cache *r, struct kmem_cache *c)
{
	memset(r, 0, sizeof *r);
	memcpy(r->name, c->name, sizeof r->name);
	r->object_size = c->object_size;
	r->size = c->size;
	r->align = c->align;
	r->objperslab = c->num;
	r->pagesperslab = cache_pages_per_slab(c);
	r->colour_num = c->colour_num;
	r->colour_off = c->colour_off;
	r->kmalloc_class = c->tc_class;
	r->flags = cache_public_flags(c) | c->debug << 8;
	r->id = c->id;
	lock(&c->lock);
	r->full_slabs = c->nr_slabs[SL_FULL];
	r->partial_slabs = c->nr_slabs[SL_PARTIAL];
	r->free_slabs = c->nr_slabs[SL_FREE];
	r->active_objs = c->active_objs;
	r->allocs = c->allocs;
	r->frees = c->frees;
	r->grows = c->grows;
	r->reaps = c->reaps;
	unlock(&c->lock);
	r->active_slabs = r->full_slabs + r->partial_slabs;
	r->num_slabs = r->active_slabs + r->free_slabs;
	r->num_objs = cache_num_objs(c, r->num_slabs);
}

void export_fill_zone(struct ss_shm_zone *r, const struct zone *z)
{
	memset(r, 0, sizeof *r);
	r->id = z->id;
	r->kind = z->kind;
	r->base = z->base;
	r->top = z->top;
	r->free_pages = z->free_pages;
	r->dirty_pages = z->dirty_pages;
	r->resident_pages = z->resident_pages;
	for (unsigned o = 0; o < MAX_ORDER && o < SS_SHM_ORDERS; o++)
		r->nr_free[o] = z->nr_free[o];
}

static unsigned count_caches(void)
{
	unsigned n = 0;
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache)
		n++;
	return n;
}

/*
 * Write the snapshot into buf if it fits in len, limiting the record counts to
 * max_caches/max_zones; returns the bytes it needs. Locks are taken one domain at a time.
 */
static size_t snapshot_write(void *buf, size_t len, unsigned max_caches, unsigned max_zones)
{
	lock(&cache_list_lock);
	unsigned ncaches = count_caches();
	unlock(&cache_list_lock);
	unsigned nzones = nr_zones;
	if (ncaches > max_caches)
		ncaches = max_caches;
	if (nzones > max_zones)
		nzones = max_zones;
	size_t global_off = sizeof(struct ss_shm_header);
	size_t caches_off = global_off + sizeof(struct ss_shm_global);
	size_t zones_off = caches_off + ncaches * sizeof(struct ss_shm_cache);
	size_t total = zones_off + nzones * sizeof(struct ss_shm_zone);
	if (!buf || len < total)
		return total;

	char *base = buf;
	struct ss_shm_header *h = buf;
	struct ss_shm_global *g = (struct ss_shm_global *)(base + global_off);
	struct ss_shm_cache *cr = (struct ss_shm_cache *)(base + caches_off);
	struct ss_shm_zone *zr = (struct ss_shm_zone *)(base + zones_off);

	/* caches: the list may have changed since counting; fill what fits */
	unsigned ci = 0;
	uint64_t slab_bytes = 0, slab_active = 0;
	lock(&cache_list_lock);
	for (struct kmem_cache *c = cache_list; c && ci < ncaches; c = c->next_cache, ci++) {
		export_fill_cache(&cr[ci], c);
		slab_bytes += cr[ci].num_objs * cr[ci].size;
		slab_active += cr[ci].active_objs * cr[ci].size;
	}
	unlock(&cache_list_lock);

	memset(g, 0, sizeof *g);
	lock(&page_lock);
	nzones = nzones < nr_zones ? nzones : nr_zones;
	for (unsigned i = 0; i < nzones; i++)
		export_fill_zone(&zr[i], zones[i + 1]);
	struct heap_figures hf;
	heap_figures_locked(&hf);
	unlock(&page_lock);
	g->heap_bytes = hf.heap_bytes;
	g->heap_free_bytes = hf.free_bytes;
	g->heap_dirty_bytes = hf.dirty_bytes;
	g->brk_base = hf.brk_base;
	g->brk_top = hf.brk_top;
	g->brk_bytes = hf.brk_bytes;
	g->top_free_bytes = hf.top_free_bytes;

	struct thread_stats t;
	struct tcache_figures tf;
	stats_sum_threads(&t, &tf);

	g->malloc_calls = t.malloc_calls;
	g->free_calls = t.free_calls;
	g->calloc_calls = t.calloc_calls;
	g->realloc_calls = t.realloc_calls;
	g->memalign_calls = t.memalign_calls;
	g->trim_calls = gstats.trim_calls;
	g->bytes_requested = t.bytes_requested;
	g->bytes_allocated = t.bytes_allocated;
	g->slab_allocs = t.slab_allocs;
	g->slab_frees = t.slab_frees;
	g->medium_allocs = gstats.medium_allocs;
	g->medium_frees = gstats.medium_frees;
	g->medium_bytes = gstats.medium_bytes;
	g->mmap_allocs = gstats.mmap_allocs;
	g->mmap_frees = gstats.mmap_frees;
	g->mmap_blocks = gstats.mmap_blocks;
	g->mmap_bytes = gstats.mmap_bytes;
	g->mmap_peak_bytes = gstats.mmap_peak_bytes;
	g->brk_grows = gstats.brk_grows;
	g->brk_trims = gstats.brk_trims;
	g->brk_failures = gstats.brk_failures;
	g->bytes_trimmed = gstats.bytes_trimmed;
	g->heap_peak_bytes = gstats.heap_peak_bytes;
	g->pages_released = gstats.pages_released;
	g->mmap_zones = gstats.mmap_zones;
	g->live_allocs = live_allocs(&t);
	g->alloc_failures = gstats.alloc_failures;
	g->invalid_frees = gstats.invalid_frees;
	g->corruptions = gstats.corruptions;
	g->mmap_threshold = settings.mmap_threshold;
	g->trim_threshold = settings.trim_threshold;
	g->top_pad = settings.top_pad;
	g->dirty_max = settings.dirty_max;
	g->decay_ms = settings.decay_ms;
	g->slab_bytes = slab_bytes;
	g->slab_active_bytes = slab_active;
	g->heap_resident_bytes = shm.heap_resident;
	g->mmap_resident_bytes = shm.mmap_resident;
	g->threads = tf.threads;
	g->faults_injected = ss_faults_injected();
	g->reap_bytes = settings.reap_bytes;
	g->reaped_objects = t.reaped_objects;
	g->thread_cache_bytes = tf.cached_bytes;
	g->full_thread_caches = tf.full;

	/* Field by field: seq belongs to the publisher, layout_request to the readers (a
	 * read-and-write-back here could lose a reader's bump), layout_seq to layout_publish. */
	h->magic = SS_SHM_MAGIC;
	h->version = SS_SHM_VERSION;
	h->header_size = sizeof *h;
	h->pid = sys_getpid();
	h->page_size = PAGE_SIZE;
	h->start_time_ns = settings.start_time_ns;
	h->publish_time_ns = clock_ns(CLOCK_REALTIME);
	h->publish_count = shm.publish_count;
	h->total_size = total;
	h->nr_caches = ci;
	h->cache_record_size = sizeof(struct ss_shm_cache);
	h->caches_offset = caches_off;
	h->nr_zones = nzones;
	h->zone_record_size = sizeof(struct ss_shm_zone);
	h->zones_offset = zones_off;
	h->nr_orders = MAX_ORDER;
	h->global_size = sizeof(struct ss_shm_global);
	h->global_offset = global_off;
	long n = sys_readlinkat(AT_FDCWD, "/proc/self/exe", h->exe, sizeof h->exe - 1);
	h->exe[n > 0 ? n : 0] = 0;
	return total;
}

EXPORT size_t ss_snapshot(void *buf, size_t len)
{
	ss_init();
	if (buf && len >= sizeof(struct ss_shm_header))
		memset(buf, 0, sizeof(struct ss_shm_header));
	if (buf)
		measure_resident(true);                  /* not for a size query (len 0) */
	return snapshot_write(buf, len, UINT32_MAX, UINT32_MAX);
}

/* ---- the layout ----------------------------------------------------------- */
static uint32_t page_entry(const struct zone *z, size_t i)
{
	const struct page *p = &z->pages[i];
	switch (p->kind) {
	case PG_FREE: {
		/* find the free block holding page i, to report its order */
		for (unsigned o = 0; o < MAX_ORDER; o++) {
			const struct page *h = &z->pages[i & ~(((size_t)1 << o) - 1)];
			if (h->kind == PG_FREE && (h->flags & PGF_HEAD) && h->order == o)
				return 1u | (o < 16 ? o : 15) << 4 | (uint32_t)!(h->flags & PGF_CLEAN) << 20;
		}
		return 1u;
	}
	case PG_SLAB: {
		const struct slab *s = p->slab;
		if (!s)
			return 2u;
		const struct kmem_cache *c = s->cache;
		uint32_t id = c->id < 0xfff ? c->id : 0xfff;
		uint32_t inuse = s->inuse < 0xfff ? s->inuse : 0xfff;
		return 2u | c->order << 4 | id << 8 | inuse << 20;
	}
	case PG_MEDIUM: return 3u;
	case PG_TAIL:   return 4u;
	case PG_META:   return 5u;
	default:        return 0u;
	}
}

struct sink {                               /* writes into a buffer or a file */
	char *buf;
	size_t len, pos;
	int fd;
	char chunk[16384];
	size_t fill;
};

static void sink_put(struct sink *s, const void *data, size_t n)
{
	if (s->fd < 0) {
		if (s->buf && s->pos + n <= s->len)
			memcpy(s->buf + s->pos, data, n);
		s->pos += n;
		return;
	}
	const char *d = data;
	while (n) {
		size_t k = sizeof s->chunk - s->fill < n ? sizeof s->chunk - s->fill : n;
		memcpy(s->chunk + s->fill, d, k);
		s->fill += k, d += k, n -= k, s->pos += k;
		if (s->fill == sizeof s->chunk) {
			if (sys_write(s->fd, s->chunk, s->fill) < 0)
				s->fd = -2;
			s->fill = 0;
		}
	}
}

static void count_large(uintptr_t a, size_t l, size_t sz, void *arg) { (void)a, (void)l, (void)sz; ++*(uint32_t *)arg; }
static void put_large(uintptr_t a, size_t l, size_t sz, void *arg)
{
	struct ss_layout_large r = { a, l, sz };
	sink_put(arg, &r, sizeof r);
}

/* Emit the layout; page_lock and large_lock held (pages cannot be freed meanwhile). */
static void layout_emit(struct sink *s, uint64_t request)
{
	uint32_t nlarge = 0;
	large_for_each(count_large, &nlarge);
	size_t zones_off = sizeof(struct ss_layout_header);
	size_t pages_off = zones_off + nr_zones * sizeof(struct ss_layout_zone);
	size_t total_pages = 0;
	for (unsigned i = 1; i <= nr_zones; i++)
		total_pages += zone_npages(zones[i]);
	size_t large_off = pages_off + total_pages * sizeof(uint32_t);
	struct ss_layout_header h = {
		.magic = SS_LAYOUT_MAGIC, .version = SS_SHM_VERSION, .header_size = sizeof h,
		.request = request, .time_ns = clock_ns(CLOCK_REALTIME),
		.total_size = large_off + nlarge * sizeof(struct ss_layout_large),
		.nr_zones = nr_zones, .nr_large = nlarge,
		.zones_offset = zones_off, .large_offset = large_off,
	};
	sink_put(s, &h, sizeof h);
	size_t off = pages_off;
	for (unsigned i = 1; i <= nr_zones; i++) {
		struct ss_layout_zone zr = { zones[i]->id, zones[i]->kind, zones[i]->base,
					     zone_npages(zones[i]), off };
		sink_put(s, &zr, sizeof zr);
		off += zr.npages * sizeof(uint32_t);
	}
	for (unsigned i = 1; i <= nr_zones; i++) {
		uint32_t entries[256];
		size_t n = zone_npages(zones[i]);
		for (size_t p = 0; p < n; p += 256) {
			size_t k = n - p < 256 ? n - p : 256;
			for (size_t j = 0; j < k; j++)
				entries[j] = page_entry(zones[i], p + j);
			sink_put(s, entries, k * sizeof(uint32_t));
		}
	}
	large_for_each(put_large, s);
}

static struct sink layout_sink;             /* 16 KiB: static, guarded by publish_lock */

EXPORT size_t ss_layout(void *buf, size_t len)
{
	ss_init();
	lock(&publish_lock);
	struct sink *s = &layout_sink;
	s->buf = buf, s->len = len, s->pos = 0, s->fd = -1, s->fill = 0;
	lock(&page_lock);
	lock(&large_lock);
	layout_emit(s, 0);
	unlock(&large_lock);
	unlock(&page_lock);
	size_t need = s->pos;
	unlock(&publish_lock);
	return need;
}

/* Write the layout file: to a temporary name, then renamed over the real one. */
static void layout_publish(uint64_t request)
{
	char path[64], tmp[72];
	shm_path(path, shm.owner, ".layout");
	shm_path(tmp, shm.owner, ".layout.tmp");
	int fd = (int)sys_openat(AT_FDCWD, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return;
	struct sink *s = &layout_sink;
	s->buf = NULL, s->len = 0, s->pos = 0, s->fd = fd, s->fill = 0;
	lock(&page_lock);
	lock(&large_lock);
	layout_emit(s, request);
	unlock(&large_lock);
	unlock(&page_lock);
	bool ok = s->fd >= 0 && (!s->fill || sys_write(fd, s->chunk, s->fill) == (long)s->fill);
	sys_close(fd);
	if (ok)
		sys_renameat(AT_FDCWD, tmp, AT_FDCWD, path);
	else
		sys_unlinkat(AT_FDCWD, tmp, 0);
}

/* ---- the segment ---------------------------------------------------------- */
static bool segment_open(void)
{
	char path[64];
	pid_t pid = sys_getpid();
	shm_path(path, pid, "");
	int fd = (int)sys_openat(AT_FDCWD, path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	struct stat st;
	if (fd < 0)
		return false;
	/* a leftover of an earlier image of this pid (exec) is reused, anything else refused */
	if (sys_fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != sys_geteuid() ||
	    sys_fchmod(fd, 0600) < 0 || sys_ftruncate(fd, (long)SEGMENT_SIZE) < 0) {
		sys_close(fd);
		return false;
	}
	void *m = sys_mmap(NULL, SEGMENT_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	sys_close(fd);
	if (!m)
		return false;
	memset(m, 0, sizeof(struct ss_shm_header));
	shm.seg = m;
	shm.owner = pid;
	return true;
}

/* Publish, publish_lock held. */
static void publish_locked(void)
{
	if (!shm.seg && !shm.failed && !segment_open())
		shm.failed = true;                     /* e.g. no /dev/shm: stay silent, stop trying */
	if (!shm.seg)
		return;
	struct ss_shm_header *h = shm.seg;
	measure_resident(false);
	shm.publish_count++;
	__atomic_store_n(&h->seq, h->seq + 1, __ATOMIC_RELEASE);      /* odd: being written */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	snapshot_write(h, SEGMENT_SIZE, SS_SHM_MAX_CACHES, SS_SHM_MAX_ZONES);
	__atomic_store_n(&h->seq, h->seq + 1, __ATOMIC_RELEASE);      /* even: consistent */
	uint64_t req = __atomic_load_n(&h->layout_request, __ATOMIC_ACQUIRE);
	if (req != h->layout_seq) {
		layout_publish(req);
		__atomic_store_n(&h->layout_seq, req, __ATOMIC_RELEASE);
	}
}

EXPORT void ss_publish(void)
{
	ss_init();
	if (!shm_enabled())
		return;
	lock(&publish_lock);
	publish_locked();
	shm.last_ms = clock_ms();
	unlock(&publish_lock);
}

/* Called on every refill and flush: a clock read, and rarely a publication. */
void export_maybe_publish(void)
{
	if (!shm_enabled() || shm.failed)
		return;
	uint64_t now = clock_ms();
	if (!shm.last_ms) {                       /* the clock starts at the first slow path */
		shm.last_ms = now;
		return;
	}
	if (now - shm.last_ms < SS_PUBLISH_INTERVAL_MS || !trylock(&publish_lock))
		return;
	if (now - shm.last_ms >= SS_PUBLISH_INTERVAL_MS) {
		shm.last_ms = now;
		publish_locked();
	}
	unlock(&publish_lock);
}

void export_at_exit(void)
{
	if (!shm.seg || shm.owner != sys_getpid())
		return;
	char path[64];
	shm_path(path, shm.owner, "");
	sys_unlinkat(AT_FDCWD, path, 0);
	shm_path(path, shm.owner, ".layout");
	sys_unlinkat(AT_FDCWD, path, 0);
}

/* fork child: the inherited mapping is the parent's; drop it, publish our own later. */
void export_fork_child(void)
{
	lock_init(&publish_lock);
	if (shm.seg)
		sys_munmap(shm.seg, SEGMENT_SIZE);
	shm.seg = NULL;
	shm.failed = false;
	shm.last_ms = 0;
	shm.resident_ms = 0;
	shm.publish_count = 0;
}

EXPORT const char *ss_version(void)
{
	return "slabscope 0.1.0 shm 1";
}
