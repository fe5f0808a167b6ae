/*
 * slab.c — object caches (Linux mm/slab.c, the SLAB policy).
 *
 * A kmem_cache hands out objects of one size. Its objects live in slabs: runs of 2^order
 * pages from the buddy allocator, cut into `num` objects. Every slab is on one of three
 * lists — full, partial, free — and keeps a bitmap of its free objects, so a double free
 * or a free of a pointer never handed out is caught when the object comes back.
 *
 * Slab header: on the slab itself for small objects; for objects of 512 B and more it would
 * waste too much of the slab, so it comes from the "kmem_slab" cache (off-slab), as SLAB did.
 *
 * Colouring: a slab rarely divides exactly into objects. The leftover bytes are used to
 * shift the first object of successive slabs by 0, 64, 128, ... bytes, so that objects at
 * the same index of different slabs do not all fall on the same cache sets.
 *
 * An empty slab goes back to the buddy allocator at once unless it is the cache's only
 * spare: one empty slab is kept, and only while the cache has no partial slab (the next
 * refill takes a partial one first, so a kept empty slab would sit idle, its pages unusable
 * by any other class or medium block; peak RSS, bench: realloc -0.7 MiB, frag -0.6 MiB,
 * gcc -0.2 MiB, python -0.2 MiB). Shrink gives back the last one too.
 */
#include <errno.h>
#include <string.h>
#include "internal.h"

#define OFFSLAB_MIN_SIZE 512
#define OFFSLAB_MAX_OBJS 64            /* one bitmap word in an off-slab header */
#define SLAB_MAX_ORDER_PREF 3          /* like slub_max_order: prefer slabs up to 32 KiB */
#define SLAB_MAX_ORDER_DENSE 4         /* SLAB_DENSE caches: slabs up to 64 KiB */

ss_lock_t cache_list_lock = SS_LOCK_INIT;
struct kmem_cache *cache_list;
static struct kmem_cache kmem_slab;    /* off-slab headers: struct slab + one bitmap word */
static struct kmem_cache cache_cache;  /* the cache of struct kmem_cache, as in the kernel */

static size_t header_bytes(unsigned num, unsigned align)
{
	return align_up(sizeof(struct slab) + 8 * ((num + 63) / 64), align);
}

/* How many objects fit a slab of `order`, and the bytes left over. */
static unsigned objs_per_slab(const struct kmem_cache *c, unsigned order, bool offslab, size_t *left)
{
	size_t bytes = PAGE_SIZE << order;
	size_t num = bytes / c->size;
	if (offslab) {
		if (num > OFFSLAB_MAX_OBJS)
			num = OFFSLAB_MAX_OBJS;
	} else {
		while (num && header_bytes((unsigned)num, c->align) + num * c->size > bytes)
			num--;
	}
	size_t used = num * c->size + (offslab ? 0 : header_bytes((unsigned)num, c->align));
	*left = bytes - used;
	return (unsigned)num;
}

/*
 * The smallest order whose waste is at most 1/64 of the slab (on-slab headers: small
 * objects, where a bigger slab costs little; the header counts as waste: kmalloc-256's,
 * aligned to 256 B, took 6.2% of a one-page slab) or 1/8 (off-slab: objects of 512 B and
 * more, where it would hold many more objects); else the least wasteful. Bigger slabs would
 * leave less over, but a class that holds a handful of objects keeps a whole slab: with
 * slabs of up to 64 KiB for all classes of 512 B and more, eight classes held 360 KB for
 * 25 objects at the bench sqlite peak.
 *
 * SLAB_DENSE caches (kmalloc.c's classes for hot sizes, made because thousands of objects
 * of that size are live) take the order that leaves the least over, up to 64 KiB, a bigger
 * slab only when it saves more than 1/128 of it: 15 x 4368 B and 63 x 1040 B in 64 KiB
 * leave 16 bytes, where 32 KiB would leave 6.7% and 1.6%.
 */
static void choose_order(struct kmem_cache *c, bool offslab)
{
	unsigned best = 0, best_num = 0;
	size_t best_left = SIZE_MAX, left;
	bool dense = c->flags & SLAB_DENSE;
	unsigned min_order = order_for_pages(align_up(c->size, PAGE_SIZE) >> PAGE_SHIFT);
	unsigned pref = dense ? SLAB_MAX_ORDER_DENSE : SLAB_MAX_ORDER_PREF;
	unsigned max_order = min_order + 2 > pref ? min_order + 2 : pref;
	if (max_order > MAX_ORDER - 1)
		max_order = MAX_ORDER - 1;             /* the buddy allocator's largest block */
	for (unsigned o = min_order; o <= max_order; o++) {
		unsigned num = objs_per_slab(c, o, offslab, &left);
		if (!num)
			continue;
		size_t bytes = PAGE_SIZE << o;
		if (dense) {
			/* left/bytes + 1/128 < best_left/best_bytes, in integers */
			if (!best_num || (left * 128 + bytes) << best < best_left * 128 << o)
				best = o, best_num = num, best_left = left;
			continue;
		}
		size_t waste = left + (offslab ? 0 : header_bytes(num, c->align));
		if (waste * (offslab ? 8 : 64) <= bytes) {
			best = o, best_num = num, best_left = left;
			break;
		}
		if (left * best_num < best_left * num || !best_num)   /* waste per object */
			best = o, best_num = num, best_left = left;
	}
	c->order = best;
	c->num = best_num;
	c->hdr_size = offslab ? 0 : (uint32_t)header_bytes(best_num, c->align);
	c->colour_off = c->align > CACHE_LINE ? c->align : CACHE_LINE;
	c->colour_num = (c->flags & SS_SLAB_NO_COLOUR) ? 0 : (uint32_t)(best_left / c->colour_off);
}

COLD int kmem_cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align,
		     unsigned flags, void (*ctor)(void *))
{
	if (!align)
		align = 8;
	if (flags & SS_SLAB_HWCACHE_ALIGN && align < CACHE_LINE)
		align = CACHE_LINE;
	if (!size || size > ((size_t)PAGE_SIZE << (MAX_ORDER - 1)) || (align & (align - 1)) || align > PAGE_SIZE)
		return -1;
	size_t n = strlen(name);
	if (n >= SS_CACHE_NAME_MAX)
		n = SS_CACHE_NAME_MAX - 1;
	memcpy(c->name, name, n);
	c->name[n] = 0;
	c->object_size = (uint32_t)size;
	c->align = (uint32_t)align;
	c->size = (uint32_t)align_up(size < 8 ? 8 : size, align);
	c->flags = flags;
	c->ctor = ctor;
	c->policy = flags & SLAB_SLOB_PAGES ? &slab_policy_slob_pages
		: (flags & SS_SLAB_SLOB) && slob_fits(c->size, align) ? &slab_policy_slob
		: (flags & SS_SLAB_SLUB) && slub_fits(c->size, ctor) ? &slab_policy_slub : &slab_policy_slab;
	c->tc_class = -1;
	static uint32_t next_id;
	c->id = __atomic_fetch_add(&next_id, 1, __ATOMIC_RELAXED);
	/* the allocator's own caches are never debugged: their objects are its metadata; nor
	 * are SLOB and SLUB caches (debug.c knows SLAB's slots only) */
	c->debug = c == &kmem_slab || c == &cache_cache || c->policy != &slab_policy_slab ? 0
		: debug_flags_for(c->name);
	if (c->debug) {
		debug_layout(c);                     /* red zones and owner records widen the stride */
		debug_on = true;
	}
	c->recip = (uint32_t)((((uint64_t)1 << 32) + c->size - 1) / c->size);
	lock_init(&c->lock);
	for (int l = 0; l < NR_SLAB_LISTS; l++) {
		c->lists[l] = NULL;
		c->nr_slabs[l] = 0;
	}
	for (int i = 0; i < SLAB_SHARDS; i++)
		c->partial[i] = NULL;
	if (c->policy->setup(c) < 0)
		return -1;
	lock(&cache_list_lock);
	c->next_cache = cache_list;              /* kmem_slab, set up first, stays last: */
	cache_list = c;                          /* fork locks it after the caches using it */
	unlock(&cache_list_lock);
	return 0;
}

/* ---- slab lists ---------------------------------------------------------- */
static struct slab **list_head(struct kmem_cache *c, const struct slab *s, enum slab_list l)
{
	return l == SL_PARTIAL ? &c->partial[s->shard] : &c->lists[l];
}

static void slab_list_add(struct kmem_cache *c, struct slab *s, enum slab_list l)
{
	slabs_push(list_head(c, s, l), &c->nr_slabs[l], s, l);
}

static void slab_list_del(struct kmem_cache *c, struct slab *s)
{
	slabs_unlink(list_head(c, s, s->list), &c->nr_slabs[s->list], s);
}

static void slab_list_move(struct kmem_cache *c, struct slab *s, enum slab_list l)
{
	if (s->list != l) {
		slab_list_del(c, s);
		slab_list_add(c, s, l);
	}
}

static char *slab_mem(const struct kmem_cache *c, const struct slab *s)
{
	return s->s_mem - s->colour - c->hdr_size;
}

/* ---- growing and destroying slabs (cache lock held) ----------------------- */
static struct slab *cache_grow(struct kmem_cache *c)
{
	size_t npages = (size_t)1 << c->order;
	char *mem = pages_alloc(npages, 0, PG_SLAB);
	if (!mem)
		return NULL;
	struct slab *s = c->hdr_size ? (struct slab *)mem : cache_alloc_one(&kmem_slab);
	if (!s) {
		pages_free(mem, npages);
		return NULL;
	}
	s->cache = c;
	s->inuse = 0;
	s->hint = 0;
	s->offslab = c->hdr_size == 0;
	s->colour = (uint16_t)(c->colour_next * c->colour_off);
	if (++c->colour_next > c->colour_num)
		c->colour_next = 0;
	s->s_mem = mem + c->hdr_size + s->colour;
	unsigned words = (c->num + 63) / 64;
	for (unsigned w = 0; w < words; w++)
		s->freemap[w] = ~(uint64_t)0;
	if (c->num & 63)
		s->freemap[words - 1] = ((uint64_t)1 << (c->num & 63)) - 1;
	struct zone *z = zone_of(mem);
	struct page *pg = page_of(z, mem);
	for (size_t i = 0; i < npages; i++) {      /* what free() needs, without the header */
		pg[i].slab = s;
		pg[i].slab_class = c->tc_class >= 0 && !c->debug ? (uint8_t)c->tc_class : NO_CLASS;
		pg[i].obj_delta = (int32_t)(s->s_mem - (mem + (i << PAGE_SHIFT)));
	}
	if (c->ctor)
		for (unsigned i = 0; i < c->num; i++)
			c->ctor(s->s_mem + (size_t)i * c->size + c->dbg_left);
	if (c->debug)
		debug_init_slab(c, s);
	slab_list_add(c, s, SL_FREE);
	c->grows++;
	return s;
}

static void slab_destroy(struct kmem_cache *c, struct slab *s)
{
	char *mem = slab_mem(c, s);
	slab_list_del(c, s);
	if (s->offslab)
		cache_free_one(&kmem_slab, s);
	pages_free(mem, (size_t)1 << c->order);
	c->reaps++;
}

/* ---- objects -------------------------------------------------------------- */

/* Index of object p in slab s, or -1 when p is not the start of one of its objects. */
int slab_obj_index(const struct kmem_cache *c, const struct slab *s, const void *p)
{
	uintptr_t off = (uintptr_t)p - (uintptr_t)s->s_mem;
	if ((intptr_t)off < 0 || off >= (uintptr_t)c->num * c->size)
		return -1;
	uint32_t idx = (uint32_t)(((uint64_t)off * c->recip) >> 32);
	if ((uintptr_t)idx * c->size != off) {
		idx = (uint32_t)(off / c->size);       /* reciprocal off by one, or misaligned */
		if ((uintptr_t)idx * c->size != off)
			return -1;
	}
	return (int)idx;
}

bool slab_obj_is_free(const struct slab *s, unsigned idx)
{
	return (s->freemap[idx / 64] >> (idx % 64)) & 1;
}

static void *slab_take_obj(struct kmem_cache *c, struct slab *s)
{
	unsigned words = (c->num + 63) / 64;
	for (unsigned w = s->hint; w < words; w++) {
		if (s->freemap[w]) {
			unsigned bit = (unsigned)__builtin_ctzl(s->freemap[w]);
			s->freemap[w] &= s->freemap[w] - 1;
			s->hint = w;
			s->inuse++;
			return s->s_mem + (size_t)(w * 64 + bit) * c->size;
		}
	}
	return NULL;                                /* not reached: inuse < num */
}

/* A partial slab of another shard, if `min` or more are waiting there. */
static struct slab *steal_partial(struct kmem_cache *c, unsigned shard, size_t min)
{
	for (unsigned i = 1; i < SLAB_SHARDS; i++) {
		struct slab *s = c->partial[(shard + i) % SLAB_SHARDS];
		size_t n = 0;
		for (struct slab *t = s; t && n < min; t = t->next)
			n++;
		if (s && n >= min)
			return s;
	}
	return NULL;
}

/*
 * Where a refill takes objects from: this shard's partial slabs, an empty slab, a partial
 * slab of a shard that has several (memory beats locality), a new slab, any partial slab.
 */
static struct slab *slab_for_alloc(struct kmem_cache *c, unsigned shard)
{
	struct slab *s = c->partial[shard];
	if (!s && (s = c->lists[SL_FREE]))
		s->shard = (uint8_t)shard;
	if (!s)
		s = steal_partial(c, shard, 2);
	if (!s && (s = cache_grow(c)))
		s->shard = (uint8_t)shard;
	if (!s)
		s = steal_partial(c, shard, 1);
	return s;
}

/* Up to n objects into objs (cache lock held); returns how many. */
static int slab_alloc_locked(struct kmem_cache *c, void **objs, int n, unsigned shard)
{
	int got = 0;
	shard %= SLAB_SHARDS;
	while (got < n) {
		struct slab *s = slab_for_alloc(c, shard);
		if (!s)
			break;
		while (got < n && s->inuse < c->num)
			objs[got++] = slab_take_obj(c, s);
		slab_list_move(c, s, s->inuse == c->num ? SL_FULL : SL_PARTIAL);
	}
	c->allocs += (uint64_t)got;
	c->active_objs += (size_t)got;
	return got;
}

static int slab_alloc_bulk(struct kmem_cache *c, void **objs, int n, unsigned shard)
{
	lock(&c->lock);
	int got = slab_alloc_locked(c, objs, n, shard);
	unlock(&c->lock);
	return got;
}

void *slab_alloc_one_locked(struct kmem_cache *c)
{
	void *p;
	return slab_alloc_locked(c, &p, 1, 0) == 1 ? p : NULL;
}

/* The slab of a pointer that lies inside some slab page, NULL otherwise. */
struct slab *slab_of(const void *p)
{
	struct zone *z = zone_of(p);
	if (!z)
		return NULL;
	struct page *pg = page_of(z, p);
	return pg->kind == PG_SLAB ? pg->slab : NULL;
}

/* Object idx of slab s goes back to the free map; the slab changes list (cache lock held). */
void slab_put_obj(struct kmem_cache *c, struct slab *s, unsigned idx)
{
	s->freemap[idx / 64] |= (uint64_t)1 << (idx % 64);
	if (idx / 64 < s->hint)
		s->hint = idx / 64;
	s->inuse--;
	c->frees++;
	c->active_objs--;
	if (s->inuse)
		slab_list_move(c, s, SL_PARTIAL);
	else if (!keep_empty_slab(c, s))
		slab_destroy(c, s);
	else
		slab_list_move(c, s, SL_FREE);
}

/* A bad object is reported (fatal unless SLABSCOPE_ABORT=0) and left alone. */
static void slab_free_bulk(struct kmem_cache *c, void **objs, int n)
{
	lock(&c->lock);
	for (int i = 0; i < n; i++) {
		void *p = objs[i];
		struct slab *s = slab_of(p);
		int idx = s ? slab_obj_index(c, s, p) : -1;
		const char *bad = (!s || s->cache != c || idx < 0) ? "kmem_cache_free(): object not from this cache"
				: slab_obj_is_free(s, (unsigned)idx) ? "double free" : NULL;
		if (bad) {
			unlock(&c->lock);
			ss_bad_pointer(bad, p, c->name);
			lock(&c->lock);
			continue;
		}
		slab_put_obj(c, s, (unsigned)idx);
	}
	unlock(&c->lock);
}

COLD static size_t slab_shrink(struct kmem_cache *c)
{
	size_t pages = 0;
	lock(&c->lock);
	while (c->lists[SL_FREE]) {
		slab_destroy(c, c->lists[SL_FREE]);
		pages += (size_t)1 << c->order;
	}
	unlock(&c->lock);
	return pages;
}

/*
 * Release the empty slabs of every cache that has not taken an object from its slabs since
 * the last visit: an empty slab is kept as a spare for the next refill (keep_empty_slab),
 * and a spare that a whole reap interval did not need is only memory no other size can
 * use. Called from a thread's reap (tcache.c).
 */
void cache_reap(void)
{
	lock(&cache_list_lock);
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache) {
		uint64_t allocs = __atomic_load_n(&c->allocs, __ATOMIC_RELAXED);
		if (allocs == c->reap_allocs && __atomic_load_n(&c->nr_slabs[SL_FREE], __ATOMIC_RELAXED))
			c->policy->shrink(c);
		c->reap_allocs = allocs;
	}
	unlock(&cache_list_lock);
}

COLD static int slab_destroy_cache(struct kmem_cache *c)
{
	if (c->active_objs) {
		errno = EBUSY;
		return -1;
	}
	slab_shrink(c);
	return 0;
}

/* The SLAB policy's geometry: slab order, objects per slab, header, colours. */
COLD static int slab_setup(struct kmem_cache *c)
{
	choose_order(c, c->size >= OFFSLAB_MIN_SIZE && c != &kmem_slab);
	return c->num ? 0 : -1;
}

const struct slab_policy slab_policy_slab = {
	.name = "slab",
	.setup = slab_setup,
	.alloc_bulk = slab_alloc_bulk,
	.free_bulk = slab_free_bulk,
	.shrink = slab_shrink,
	.destroy = slab_destroy_cache,
};

void *cache_alloc_one(struct kmem_cache *c)
{
	if (unlikely(c->debug))
		return debug_alloc(c, c->object_size);
	void *p;
	return c->policy->alloc_bulk(c, &p, 1, 0) == 1 ? p : NULL;
}

void cache_free_one(struct kmem_cache *c, void *p)
{
	if (unlikely(c->debug))
		debug_free(c, p, "kmem_cache_free(): invalid object");
	else
		c->policy->free_bulk(c, &p, 1);
}

/* ---- named caches: the public kmem_cache interface ------------------------ */

COLD int slab_init(void)
{
	if (kmem_cache_setup(&kmem_slab, "kmem_slab", sizeof(struct slab) + 8, 8, 0, NULL) < 0)
		return -1;
	return kmem_cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), CACHE_LINE, 0, NULL);
}

/*
 * A slab of npages pages for the SLOB and SLUB policies: its struct slab off the slab (from
 * kmem_slab), every page's descriptor pointing at it, so that free() finds the cache. NULL
 * when out of memory. The policy fills in the rest (s_mem is the first page).
 */
struct slab *slab_offslab_new(struct kmem_cache *c, size_t npages)
{
	char *mem = pages_alloc(npages, 0, PG_SLAB);
	if (!mem)
		return NULL;
	struct slab *s = cache_alloc_one(&kmem_slab);
	if (!s) {
		pages_free(mem, npages);
		return NULL;
	}
	memset(s, 0, sizeof *s);
	s->cache = c;
	s->s_mem = mem;
	s->offslab = 1;
	struct page *pg = page_of(zone_of(mem), mem);
	for (size_t i = 0; i < npages; i++) {
		pg[i].slab = s;
		pg[i].slab_class = NO_CLASS;              /* not the kmalloc fast path's */
	}
	return s;
}

/* The slab_offslab_new slab s of npages pages back to kmem_slab and the buddy tier. */
void slab_offslab_free(struct slab *s, size_t npages)
{
	char *mem = s->s_mem;
	cache_free_one(&kmem_slab, s);
	pages_free(mem, npages);
}

static struct kmem_cache *cache_find(const char *name)
{
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache)
		if (!strncmp(c->name, name, SS_CACHE_NAME_MAX - 1))
			return c;
	return NULL;
}

COLD struct kmem_cache *ss_kmem_cache_create(const char *name, size_t size, size_t align,
					unsigned flags, void (*ctor)(void *))
{
	ss_init();
	if (!name || !*name) {
		errno = EINVAL;
		goto fail;
	}
	lock(&cache_list_lock);
	struct kmem_cache *dup = cache_find(name);
	unlock(&cache_list_lock);
	if (dup || !strcmp(name, "slob")) {          /* "slob" is the SLOB pages' (slob.c) */
		errno = EINVAL;
		goto fail;
	}
	struct kmem_cache *c = cache_alloc_one(&cache_cache);
	if (!c)
		goto fail;
	memset(c, 0, sizeof *c);
	if (kmem_cache_setup(c, name, size, align, flags, ctor) < 0) {
		cache_free_one(&cache_cache, c);
		errno = EINVAL;
		goto fail;
	}
	return c;
fail:
	if (flags & SS_SLAB_PANIC)
		ss_fatal("kmem_cache_create failed", name ? name : "(null)");
	return NULL;
}

static inline void *kmem_cache_alloc_from(struct kmem_cache *c, const void *caller)
{
	note_caller(caller);
	void *p = cache_alloc_one(c);
	if (!p)
		errno = ENOMEM;
	return p;
}

void *ss_kmem_cache_alloc(struct kmem_cache *c)
{
	return kmem_cache_alloc_from(c, __builtin_return_address(0));
}

/* One node here (0): see slabscope.h. */
void *ss_kmem_cache_alloc_node(struct kmem_cache *c, int node)
{
	if (!numa_node_exists(node)) {
		errno = EINVAL;
		return NULL;
	}
	return kmem_cache_alloc_from(c, __builtin_return_address(0));
}

void ss_kmem_cache_free(struct kmem_cache *c, void *p)
{
	if (p) {
		note_caller(__builtin_return_address(0));
		cache_free_one(c, p);
	}
}

COLD size_t ss_kmem_cache_shrink(struct kmem_cache *c)
{
	return c->policy->shrink(c);
}

COLD int ss_kmem_cache_destroy(struct kmem_cache *c)
{
	if (!c)
		return 0;
	if (c->tc_class >= 0 || c == &kmalloc_8 || c == &cache_cache || c == &kmem_slab) {
		errno = EINVAL;                        /* built-in caches live for the process */
		return -1;
	}
	if (c->policy->destroy(c) < 0)
		return -1;
	lock(&cache_list_lock);
	for (struct kmem_cache **pp = &cache_list; *pp; pp = &(*pp)->next_cache)
		if (*pp == c) {
			*pp = c->next_cache;
			break;
		}
	unlock(&cache_list_lock);
	cache_free_one(&cache_cache, c);
	return 0;
}

const char *ss_kmem_cache_name(const struct kmem_cache *c)
{
	return c->name;
}

unsigned ss_kmem_cache_debug(const struct kmem_cache *c)
{
	return c ? c->debug : 0;
}

/* Used by free(): the slab and index of p, or NULL when p is no slab object's start. */
struct slab *slab_lookup(const void *p, int *idx)
{
	struct slab *s = slab_of(p);
	if (!s)
		return NULL;
	*idx = slab_obj_index(s->cache, s, p);
	return *idx < 0 ? NULL : s;
}
