/*
 * slub.c — the SLUB policy: the seed's allocator "for large systems, where SLAB's own data
 * structures cost a lot of memory" (Linux mm/slub.c), behind the same struct slab_policy as
 * SLAB (slab.c) and SLOB (slob.c).
 *
 * A slab keeps no free bitmap and no colouring: each free object holds the address of the
 * next free object of its slab, and the slab only the first (its freelist). The link is
 * stored as the kernel's CONFIG_SLAB_FREELIST_HARDENED stores it, xor the process secret
 * and the address where it is kept, so a stray write into a free object does not steer the
 * next allocations: a link that does not decode to an object of the slab is reported. The
 * link sits at the object's start, or after the object for caches with a constructor (the
 * kernel's s->offset), whose objects must keep their constructed state while free.
 *
 * Allocation takes from the first partial slab, else the kept empty one, else a new slab;
 * a slab whose objects are all free goes back to the buddy tier unless it is the only slab
 * with room. A freed object whose link already decodes to a place in its slab is looked for
 * on the freelist first: a double free is reported, never linked twice. Named caches only
 * (SS_SLAB_SLUB), of objects up to 16 KiB (two to a slab of SLUB_MAX_ORDER; bigger ones get
 * SLAB); no per-thread cache, no debug mode.
 */
#include <errno.h>
#include <string.h>
#include "internal.h"

#define SLUB_MAX_ORDER 3                            /* slabs up to 32 KiB, as slub_max_order */

/* ---- the hardened link -------------------------------------------------------- */
static uintptr_t *link_of(const struct kmem_cache *c, char *obj) { return (uintptr_t *)(obj + c->fp_offset); }

static void set_link(const struct kmem_cache *c, char *obj, char *next)
{
	uintptr_t *at = link_of(c, obj);
	*at = (uintptr_t)next ^ settings.free_secret ^ (uintptr_t)at;
}

static char *get_link(const struct kmem_cache *c, char *obj)
{
	uintptr_t *at = link_of(c, obj);
	return (char *)(*at ^ settings.free_secret ^ (uintptr_t)at);
}

static char **freelist(struct slab *s) { return (char **)&s->freemap[0]; }

/* Is p NULL or an object start of s? */
static bool in_slab(const struct kmem_cache *c, const struct slab *s, const char *p)
{
	return !p || slab_obj_index(c, s, p) >= 0;
}

/* ---- slabs (cache lock held) -------------------------------------------------- */
static void list_add(struct kmem_cache *c, struct slab *s, enum slab_list l)
{
	slabs_push(&c->lists[l], &c->nr_slabs[l], s, l);
}

static void list_del(struct kmem_cache *c, struct slab *s)
{
	slabs_unlink(&c->lists[s->list], &c->nr_slabs[s->list], s);
}

static void list_move(struct kmem_cache *c, struct slab *s, enum slab_list l)
{
	if (s->list != l) {
		list_del(c, s);
		list_add(c, s, l);
	}
}

static struct slab *slab_new(struct kmem_cache *c)
{
	struct slab *s = slab_offslab_new(c, (size_t)1 << c->order);
	if (!s)
		return NULL;
	char *mem = s->s_mem, *next = NULL;                              /* the freelist in address order */
	for (unsigned i = c->num; i-- > 0;) {
		char *obj = mem + (size_t)i * c->size;
		if (c->ctor)
			c->ctor(obj);
		set_link(c, obj, next);
		next = obj;
	}
	*freelist(s) = next;
	list_add(c, s, SL_FREE);
	c->grows++;
	return s;
}

static void slab_release(struct kmem_cache *c, struct slab *s)
{
	list_del(c, s);
	slab_offslab_free(s, (size_t)1 << c->order);
	c->reaps++;
}

/* ---- the policy ------------------------------------------------------------------ */
static int slub_alloc_bulk(struct kmem_cache *c, void **objs, int n, unsigned shard)
{
	(void)shard;
	int got = 0;
	lock(&c->lock);
	while (got < n) {
		struct slab *s = c->lists[SL_PARTIAL] ? c->lists[SL_PARTIAL] : c->lists[SL_FREE];
		if (!s && !(s = slab_new(c)))
			break;
		char *obj = *freelist(s);
		char *next = get_link(c, obj);
		if (!in_slab(c, s, next)) {                 /* a free object was written to */
			unlock(&c->lock);
			ss_bad_pointer("kmem_cache_alloc(): freelist link overwritten (write after free?)", obj, c->name);
			lock(&c->lock);
			size_t lost = c->num - 1 - s->inuse;     /* the rest of the list: not followed, */
			s->inuse += (uint32_t)lost;              /* counted as in use for ever */
			c->active_objs += lost;
			next = NULL;
		}
		*freelist(s) = next;
		s->inuse++;
		list_move(c, s, next ? SL_PARTIAL : SL_FULL);
		objs[got++] = obj;
	}
	c->allocs += (uint64_t)got;
	c->active_objs += (size_t)got;
	unlock(&c->lock);
	return got;
}

/* Is obj on s's freelist? (a walk of at most num links) */
static bool on_freelist(const struct kmem_cache *c, struct slab *s, const char *obj)
{
	unsigned steps = 0;
	for (char *p = *freelist(s); p && steps <= c->num; p = get_link(c, p), steps++) {
		if (p == obj)
			return true;
		if (!in_slab(c, s, p))
			return false;
	}
	return false;
}

/* A bad object is reported (fatal unless SLABSCOPE_ABORT=0) and left alone. */
static void slub_free_bulk(struct kmem_cache *c, void **objs, int n)
{
	lock(&c->lock);
	for (int i = 0; i < n; i++) {
		char *obj = objs[i];
		struct slab *s = slab_of(obj);
		const char *bad = !s || s->cache != c || slab_obj_index(c, s, obj) < 0
			? "kmem_cache_free(): object not from this cache" : NULL;
		if (!bad && in_slab(c, s, get_link(c, obj)) && on_freelist(c, s, obj))
			bad = "double free";
		if (bad) {
			unlock(&c->lock);
			ss_bad_pointer(bad, obj, c->name);
			lock(&c->lock);
			continue;
		}
		set_link(c, obj, *freelist(s));
		*freelist(s) = obj;
		s->inuse--;
		c->frees++;
		c->active_objs--;
		if (s->inuse)
			list_move(c, s, SL_PARTIAL);
		else if (!keep_empty_slab(c, s))
			slab_release(c, s);
		else
			list_move(c, s, SL_FREE);
	}
	unlock(&c->lock);
}

static size_t slub_shrink(struct kmem_cache *c)
{
	size_t pages = 0;
	lock(&c->lock);
	while (c->lists[SL_FREE]) {
		slab_release(c, c->lists[SL_FREE]);
		pages += (size_t)1 << c->order;
	}
	unlock(&c->lock);
	return pages;
}

static int slub_destroy(struct kmem_cache *c)
{
	if (c->active_objs) {
		errno = EBUSY;
		return -1;
	}
	slub_shrink(c);
	return 0;
}

/*
 * Where the link goes and how big a slab is: the smallest order whose leftover is at most
 * 1/16 of it, up to SLUB_MAX_ORDER (else the least leftover per object).
 */
static int slub_setup(struct kmem_cache *c)
{
	if (c->ctor) {                                   /* keep constructed objects whole */
		c->fp_offset = (uint32_t)align_up(c->object_size, sizeof(void *));
		c->size = (uint32_t)align_up(c->fp_offset + sizeof(void *), c->align);
	} else {
		c->fp_offset = 0;
	}
	c->recip = (uint32_t)((((uint64_t)1 << 32) + c->size - 1) / c->size);
	unsigned min_order = order_for_pages(align_up(c->size, PAGE_SIZE) >> PAGE_SHIFT);
	unsigned best = min_order;                       /* slub_fits: min_order < SLUB_MAX_ORDER */
	size_t best_left = SIZE_MAX, best_num = 0;
	for (unsigned o = min_order; o <= SLUB_MAX_ORDER; o++) {
		size_t bytes = PAGE_SIZE << o, num = bytes / c->size, left = bytes - num * c->size;
		if (!num)
			continue;
		if (left * 16 <= bytes) {
			best = o, best_num = num;
			break;
		}
		if (!best_num || left * best_num < best_left * num)
			best = o, best_num = num, best_left = left;
	}
	if (!best_num)
		return -1;
	c->order = best;
	c->num = (uint32_t)best_num;
	c->hdr_size = 0;
	c->colour_num = 0;
	return 0;
}

/* SS_SLAB_SLUB is honoured for objects whose slot fits a slab of SLUB_MAX_ORDER. */
bool slub_fits(size_t size, bool has_ctor)
{
	return size + (has_ctor ? sizeof(void *) : 0) <= ((size_t)PAGE_SIZE << SLUB_MAX_ORDER) / 2;
}

const struct slab_policy slab_policy_slub = {
	.name = "slub",
	.setup = slub_setup,
	.alloc_bulk = slub_alloc_bulk,
	.free_bulk = slub_free_bulk,
	.shrink = slub_shrink,
	.destroy = slub_destroy,
};

/*
 * A SLUB cache as it must be (its lock held, or the process stopped; for the fuzzer's
 * invariants): NULL, or what is wrong. Every slab on the list its use says, its freelist
 * inside it, without a loop, as long as its free objects; the lists as long as their
 * counters; the objects in use those of active_objs.
 */
COLD const char *slub_check(struct kmem_cache *c)
{
	size_t used = 0;
	for (int l = SL_FULL; l < NR_SLAB_LISTS; l++) {
		size_t n = 0;
		for (struct slab *s = c->lists[l]; s; s = s->next, n++) {
			if (s->cache != c || s->list != l)
				return "slub slab: wrong cache or list";
			unsigned free_objs = 0;
			for (char *p = *freelist(s); p; p = get_link(c, p)) {
				if (!in_slab(c, s, p) || ++free_objs > c->num)
					return "slub slab: freelist leaves its slab or loops";
			}
			if (free_objs + s->inuse != c->num)
				return "slub slab: free and used objects do not add up";
			bool ok = l == SL_FULL ? s->inuse == c->num : l == SL_FREE ? s->inuse == 0 : s->inuse < c->num;
			if (!ok)
				return "slub slab: on the wrong list";
			struct page *pg = page_of(zone_of(s->s_mem), s->s_mem);
			for (size_t i = 0; i < ((size_t)1 << c->order); i++)
				if (pg[i].kind != PG_SLAB || pg[i].slab != s)
					return "slub slab: a page descriptor does not point at its slab";
			used += s->inuse;
		}
		if (n != c->nr_slabs[l])
			return "slub slabs: list length and counter differ";
	}
	return used == c->active_objs ? NULL : "slub slabs: objects in use differ from active_objs";
}
