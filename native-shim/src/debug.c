/*
 * debug.c — slab debugging, as the kernel's slub_debug (SLABSCOPE_DEBUG), and the same red
 * zones for medium and mmap blocks (at their end; see "medium and mmap blocks" below).
 *
 * A debugging cache gives every object a wider slot:
 *
 *   | left red zone | object (object_size)        | right red zone | struct debug_meta |
 *   ^ slot          ^ slot + dbg_left (handed out) ^ + object_size  ^ slot + dbg_meta
 *
 *   F  checks:   the free map, the slab header and the object's own state agree, on every
 *                allocation and free (a double free names who freed the object before);
 *   Z  red zones: 0xcc around live objects, from the last byte asked for (malloc(50) from
 *                kmalloc-64 has 14 more bytes of red zone) to the metadata; 0xbb around
 *                free ones. An overflow or underflow is found when the object is freed;
 *   P  poison:   free objects hold 0x6b with a last byte 0xa5 (the kernel's POISON_FREE and
 *                POISON_END), so a write after free is found when the object is handed out
 *                again; fresh objects come filled with 0x5a (reads of uninitialised memory
 *                show). Caches with a constructor are not poisoned, as in the kernel;
 *   U  owners:   call site, thread and time of the last allocation and the last free;
 *   S  stacks:   with U, the whole call stack instead of the call site (8 frames). Unwinding
 *                costs ~15,000 instructions a call, so this is not part of "FZPU".
 *
 * Debugging caches bypass the per-thread caches: every allocation and free happens under
 * the cache lock, so what a slot says is always the truth and ss_validate() can walk every
 * slab. Debug kmalloc caches align objects to 16 bytes only; aligned requests above that
 * are served by pages (malloc.c). Medium and mmap blocks get a right red zone, a checked
 * trailer and an owner at their end ("medium and mmap blocks" below).
 *
 * A corruption is reported on stderr (cache, object, address, the bytes found, the last
 * owner), counted, and sent to the agent as an SS_EV_CORRUPTION event; then the program
 * aborts, or with SLABSCOPE_ABORT=0 the damaged bytes are set right and it goes on.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "slabscope_shm.h"

#define EXPORT __attribute__((visibility("default")))
#define SS_DEBUG_ALL (SS_DEBUG_CHECKS | SS_DEBUG_REDZONE | SS_DEBUG_POISON | SS_DEBUG_TRACK)   /* no S */

#define RED_ACTIVE   0xcc
#define RED_INACTIVE 0xbb
#define POISON_INUSE 0x5a
#define POISON_FREE  0x6b
#define POISON_END   0xa5
#define STATE_FREE   0x65657266u   /* "free" */
#define STATE_LIVE   0x6576696cu   /* "live" */
#define DEBUG_FRAMES 8
#define RIGHT_ZONE_MIN 16

bool debug_on;

struct debug_track {
	uint64_t when_ns;                 /* CLOCK_MONOTONIC; 0: never */
	int32_t  tid;
	uint32_t nframes;
	uint64_t frames[DEBUG_FRAMES];
};

struct debug_meta {
	uint32_t state;                   /* STATE_FREE or STATE_LIVE */
	uint32_t req;                     /* live: bytes asked for */
	struct debug_track alloc, free;   /* only with SS_DEBUG_TRACK */
};

/* ---- SLABSCOPE_DEBUG ------------------------------------------------------- */

static unsigned flag_bit(char ch)
{
	switch (ch) {
	case 'F': case 'f': return SS_DEBUG_CHECKS;
	case 'Z': case 'z': return SS_DEBUG_REDZONE;
	case 'P': case 'p': return SS_DEBUG_POISON;
	case 'U': case 'u': return SS_DEBUG_TRACK;
	case 'S': case 's': return SS_DEBUG_STACKS;
	default: return 0;
	}
}

/* Flags of one block's options, up to ',' or ';': "FZPU", "-" (none), "1" or "all". */
static unsigned parse_flags(const char **sp)
{
	const char *s = *sp;
	unsigned flags = 0;
	if (!strncmp(s, "all", 3) && (s[3] == ',' || s[3] == ';' || !s[3]))
		flags = SS_DEBUG_ALL, s += 3;
	for (; *s && *s != ',' && *s != ';'; s++)
		flags |= *s == '1' ? SS_DEBUG_ALL : flag_bit(*s);
	*sp = s;
	return flags;
}

/* Does `name` match the pattern [p, end)? A trailing '*' matches any rest. */
static bool name_matches(const char *p, const char *end, const char *name)
{
	size_t n = (size_t)(end - p);
	if (n && p[n - 1] == '*')
		return !strncmp(name, p, n - 1);
	return strlen(name) == n && !strncmp(name, p, n);
}

/*
 * As slub_debug: blocks separated by ';', each "FLAGS[,cache[,cache...]]". A block naming
 * caches applies to those; a block without names to all the others.
 */
unsigned debug_flags_for(const char *name)
{
	const char *s = settings.debug_spec;
	if (!*s)
		return 0;
	unsigned global = 0, named = 0;
	bool listed = false;
	while (*s) {
		unsigned flags = parse_flags(&s);
		bool has_names = false, match = false;
		while (*s == ',') {
			const char *p = ++s;
			while (*s && *s != ',' && *s != ';')
				s++;
			if (s > p) {
				has_names = true;
				match |= name_matches(p, s, name);
			}
		}
		if (!has_names)
			global = flags;
		else if (match)
			named = flags, listed = true;
		if (*s == ';')
			s++;
	}
	return listed ? named : global;
}

/* Called at start: say once which letters were not understood. */
void debug_check_spec(void)
{
	for (const char *s = settings.debug_spec; *s; s++) {
		if (*s == ',') {                         /* skip cache names */
			while (*s && *s != ';')
				s++;
			if (!*s)
				break;
			continue;
		}
		if (*s == ';' || *s == '-' || *s == '1' || flag_bit(*s))
			continue;
		if (!strncmp(s, "all", 3)) {
			s += 2;
			continue;
		}
		struct outbuf o = { .fd = 2 };
		out_str(&o, "slabscope: SLABSCOPE_DEBUG: unknown flag '");
		char bad[2] = { *s, 0 };
		out_str(&o, bad);
		out_str(&o, "' ignored (flags: F checks, Z red zones, P poison, U owners, S stacks)\n");
		out_flush(&o);
	}
}

/* ---- the slot ------------------------------------------------------------ */

void debug_layout(struct kmem_cache *c)
{
	size_t left = 0, right = 0;
	if (c->debug & SS_DEBUG_REDZONE) {
		left = c->align > MIN_ALIGN ? c->align : MIN_ALIGN;   /* keeps the object aligned */
		right = RIGHT_ZONE_MIN;
	}
	size_t meta = align_up(left + c->object_size, 8) + right;
	size_t meta_size = (c->debug & SS_DEBUG_TRACK) ? sizeof(struct debug_meta)
							: offsetof(struct debug_meta, alloc);
	c->dbg_left = (uint32_t)left;
	c->dbg_meta = (uint32_t)meta;
	c->size = (uint32_t)align_up(meta + meta_size, c->align);
}

static struct debug_meta *meta_of(const struct kmem_cache *c, char *slot)
{
	return (struct debug_meta *)(slot + c->dbg_meta);
}

static bool poisoned(const struct kmem_cache *c)
{
	return (c->debug & SS_DEBUG_POISON) && !c->ctor;
}

/* A free slot: zones 0xbb, object poisoned, state free (cache lock held). */
static void make_free(struct kmem_cache *c, char *slot)
{
	char *obj = slot + c->dbg_left;
	if (c->debug & SS_DEBUG_REDZONE) {
		memset(slot, RED_INACTIVE, c->dbg_left);
		memset(obj + c->object_size, RED_INACTIVE, c->dbg_meta - c->dbg_left - c->object_size);
	}
	if (poisoned(c)) {
		memset(obj, POISON_FREE, c->object_size - 1);
		obj[c->object_size - 1] = (char)POISON_END;
	}
	meta_of(c, slot)->state = STATE_FREE;
}

void debug_init_slab(struct kmem_cache *c, struct slab *s)
{
	for (unsigned i = 0; i < c->num; i++) {
		char *slot = s->s_mem + (size_t)i * c->size;
		if (c->debug & SS_DEBUG_TRACK)
			memset(&meta_of(c, slot)->alloc, 0, 2 * sizeof(struct debug_track));
		make_free(c, slot);
	}
}

void note_caller_slow(const void *ra)
{
	struct tcache *tc = tc_self;
	if (!tc)
		tc = tcache_create();                   /* a thread's first call: the cache comes now */
	if ((uintptr_t)tc > (uintptr_t)TC_DEAD)
		tc->caller = ra;
}

/* Record who is calling now, as `flags` (SS_DEBUG_TRACK, SS_DEBUG_STACKS) ask. */
static void track_take(unsigned flags, struct debug_track *t)
{
	if (!(flags & SS_DEBUG_TRACK))
		return;
	t->when_ns = clock_ns(CLOCK_MONOTONIC);
	t->tid = sys_gettid();
	if (flags & SS_DEBUG_STACKS) {               /* the whole stack: thousands of instructions */
		t->nframes = (uint32_t)stack_capture(t->frames, DEBUG_FRAMES);
		return;
	}
	struct tcache *tc = tc_self;                 /* the call site, as the entry point noted it */
	t->frames[0] = (uintptr_t)tc > (uintptr_t)TC_DEAD ? (uintptr_t)tc->caller : 0;
	t->nframes = t->frames[0] != 0;
}

/* ---- reporting ------------------------------------------------------------ */

static const char *kind_text(enum ss_corruption kind)
{
	switch (kind) {
	case SS_CORRUPT_REDZONE_LEFT:  return "left red zone overwritten (write before the object)";
	case SS_CORRUPT_REDZONE_RIGHT: return "right red zone overwritten (write past the end of the object)";
	case SS_CORRUPT_POISON:        return "poison overwritten (write to a freed object)";
	case SS_CORRUPT_FREELIST:      return "slab metadata inconsistent (free map and object state disagree)";
	case SS_CORRUPT_DOUBLE_FREE:   return "double free";
	}
	return "corruption";
}

static void print_track(struct outbuf *o, const char *what, const struct debug_track *t)
{
	if (!t->when_ns || t->nframes > DEBUG_FRAMES)
		return;                                 /* never, or the record itself is damaged */
	out_str(o, "slabscope:   last ");
	out_str(o, what);
	out_str(o, " by thread ");
	out_u64(o, (uint64_t)t->tid);
	out_str(o, ", ");
	out_u64(o, (clock_ns(CLOCK_MONOTONIC) - t->when_ns) / 1000000);
	out_str(o, " ms ago, at:\n");
	for (uint32_t i = 0; i < t->nframes; i++) {
		Dl_info info;
		out_str(o, "slabscope:     #");
		out_u64(o, i);
		out_str(o, " ");
		out_hex(o, t->frames[i]);
		if (dladdr((void *)(uintptr_t)t->frames[i], &info)) {
			if (info.dli_sname) {
				out_str(o, " ");
				out_str(o, info.dli_sname);
				out_str(o, "+");
				out_hex(o, t->frames[i] - (uintptr_t)info.dli_saddr);
			}
			if (info.dli_fname) {               /* module+offset: for addr2line */
				out_str(o, " (");
				out_str(o, info.dli_fname);
				out_str(o, "+");
				out_hex(o, t->frames[i] - (uintptr_t)info.dli_fbase);
				out_str(o, ")");
			}
		}
		out_str(o, "\n");
	}
	if (t->nframes == 1)
		out_str(o, "slabscope:     (the call site only: SLABSCOPE_DEBUG flag S records whole stacks)\n");
}

static void out_byte(struct outbuf *o, uint8_t b)
{
	static const char hex[] = "0123456789abcdef";
	char s[4] = { ' ', hex[b >> 4], hex[b & 15], 0 };
	out_str(o, s);
}

/* What was damaged: a slab object (its cache) or a medium or mmap block. */
struct damaged {
	const char *name;                       /* the cache's name, or "medium" / "mmap" */
	uint8_t tier;                           /* SS_TIER_* */
	uint16_t cache_id;                      /* slab objects */
	size_t room;                            /* the cache's object size; a block's bytes */
	const struct debug_track *alloc, *free; /* NULL: owners not tracked */
};

/*
 * Report a damaged object or block (its lock held). `bad`..`end` is the damaged range as
 * found; `expect` the byte that belongs there (-1: not a byte pattern). Aborts unless
 * SLABSCOPE_ABORT=0.
 */
static void report_damage(const struct damaged *d, char *obj, size_t size, enum ss_corruption kind,
			  const char *bad, const char *end, int expect)
{
	STAT_ADD(corruptions, 1);
	struct outbuf o = { .fd = 2 };
	out_str(&o, "slabscope: BUG ");
	out_str(&o, d->name);
	out_str(&o, ": ");
	out_str(&o, kind_text(kind));
	out_str(&o, d->tier == SS_TIER_SLAB ? "\nslabscope:   object " : "\nslabscope:   block ");
	out_hex(&o, (uintptr_t)obj);
	out_str(&o, " size ");
	out_u64(&o, size);
	out_str(&o, d->tier == SS_TIER_SLAB ? " (cache object size " : " (bytes of the block ");
	out_u64(&o, d->room);
	out_str(&o, ")");
	if (bad) {
		out_str(&o, ", first bad byte at ");
		out_hex(&o, (uintptr_t)bad);
		out_str(&o, d->tier == SS_TIER_SLAB ? " = object" : " = block");
		out_str(&o, bad >= obj ? "+" : "-");
		out_u64(&o, bad >= obj ? (uint64_t)(bad - obj) : (uint64_t)(obj - bad));
		out_str(&o, "\nslabscope:   found");
		for (const char *b = bad; b < end && b < bad + 16; b++)
			out_byte(&o, (uint8_t)*b);
		if (expect >= 0) {
			out_str(&o, ", expected");
			out_byte(&o, (uint8_t)expect);
		}
	}
	out_str(&o, "\n");
	if (d->alloc)
		print_track(&o, "allocated", d->alloc);
	if (d->free)
		print_track(&o, "freed", d->free);
	out_str(&o, settings.abort_on_error ? "slabscope: aborting (SLABSCOPE_ABORT=0 reports and goes on)\n"
		    : kind == SS_CORRUPT_DOUBLE_FREE ? "slabscope: second free ignored, going on (SLABSCOPE_ABORT=0)\n"
		    : "slabscope: repaired, going on (SLABSCOPE_ABORT=0)\n");
	out_flush(&o);

	/* the owner: whoever touched the object last */
	const struct debug_track *owner = !d->alloc ? NULL
		: d->free && d->free->when_ns > d->alloc->when_ns ? d->free : d->alloc;
	if (owner && owner->nframes > DEBUG_FRAMES)
		owner = NULL;
	struct ss_event ev = { .type = SS_EV_CORRUPTION, .tier = d->tier, .cache_id = d->cache_id,
			       .tid = owner ? owner->tid : 0, .reserved = (uint32_t)kind,
			       .time_ns = clock_ns(CLOCK_REALTIME), .addr = (uintptr_t)obj, .size = size,
			       .weight = (uintptr_t)bad, .nframes = owner ? (uint16_t)owner->nframes : 0 };
	event_push(&ev, owner ? owner->frames : NULL);
	if (settings.abort_on_error)
		abort();
}

/* A slab object of cache c with metadata m, as report_damage describes it. */
static struct damaged slab_damaged(const struct kmem_cache *c, const struct debug_meta *m)
{
	bool track = c->debug & SS_DEBUG_TRACK;
	return (struct damaged){ .name = c->name, .tier = SS_TIER_SLAB, .cache_id = (uint16_t)c->id,
				 .room = c->object_size, .alloc = track ? &m->alloc : NULL,
				 .free = track ? &m->free : NULL };
}

/* Report a damaged slab object (cache lock held). */
static void report(struct kmem_cache *c, char *obj, struct debug_meta *m, size_t size,
		   enum ss_corruption kind, const char *bad, const char *end, int expect)
{
	struct damaged d = slab_damaged(c, m);
	report_damage(&d, obj, size, kind, bad, end, expect);
}

/* First byte of [p, p + n) that is not v, or NULL. */
static const char *first_not(const char *p, size_t n, uint8_t v)
{
	uint64_t word = 0x0101010101010101ull * v;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if (w != word)
			break;
	}
	for (; i < n; i++)
		if ((uint8_t)p[i] != v)
			return p + i;
	return NULL;
}

/* Check that [p, p + n) of what d describes holds v; report and repair it if not. Returns 1
 * if damaged. */
static int check_pattern(const struct damaged *d, char *obj, size_t size, enum ss_corruption kind,
			 char *p, size_t n, uint8_t v)
{
	const char *bad = first_not(p, n, v);
	if (!bad)
		return 0;
	report_damage(d, obj, size, kind, bad, p + n, v);
	memset(p, v, n);
	return 1;
}

/* check_pattern for a slab object (cache lock held). */
static int check_fill(struct kmem_cache *c, char *obj, struct debug_meta *m, size_t size,
		      enum ss_corruption kind, char *p, size_t n, uint8_t v)
{
	struct damaged d = slab_damaged(c, m);
	return check_pattern(&d, obj, size, kind, p, n, v);
}

/* A free slot as make_free left it? (cache lock held) Returns the damage found. */
static int check_free_slot(struct kmem_cache *c, char *slot)
{
	char *obj = slot + c->dbg_left;
	struct debug_meta *m = meta_of(c, slot);
	size_t right = c->dbg_meta - c->dbg_left - c->object_size;
	int bad = 0;
	if ((c->debug & SS_DEBUG_CHECKS) && m->state != STATE_FREE) {
		report(c, obj, m, c->object_size, SS_CORRUPT_FREELIST, NULL, NULL, -1);
		m->state = STATE_FREE;
		bad++;
	}
	if (c->debug & SS_DEBUG_REDZONE) {
		bad += check_fill(c, obj, m, c->object_size, SS_CORRUPT_REDZONE_LEFT, slot, c->dbg_left, RED_INACTIVE);
		bad += check_fill(c, obj, m, c->object_size, SS_CORRUPT_REDZONE_RIGHT, obj + c->object_size, right, RED_INACTIVE);
	}
	if (poisoned(c)) {
		bad += check_fill(c, obj, m, c->object_size, SS_CORRUPT_POISON, obj, c->object_size - 1, POISON_FREE);
		bad += check_fill(c, obj, m, c->object_size, SS_CORRUPT_POISON, obj + c->object_size - 1, 1, POISON_END);
	}
	return bad;
}

/* A live slot: red zones intact around the bytes asked for? (cache lock held) */
static int check_live_slot(struct kmem_cache *c, char *slot)
{
	char *obj = slot + c->dbg_left;
	struct debug_meta *m = meta_of(c, slot);
	int bad = 0;
	if ((c->debug & SS_DEBUG_CHECKS) && (m->state != STATE_LIVE || m->req > c->object_size)) {
		report(c, obj, m, c->object_size, SS_CORRUPT_FREELIST, NULL, NULL, -1);
		m->state = STATE_LIVE;
		m->req = c->object_size;
		bad++;
	}
	if (c->debug & SS_DEBUG_REDZONE) {
		bad += check_fill(c, obj, m, m->req, SS_CORRUPT_REDZONE_LEFT, slot, c->dbg_left, RED_ACTIVE);
		bad += check_fill(c, obj, m, m->req, SS_CORRUPT_REDZONE_RIGHT, obj + m->req,
				  c->dbg_meta - c->dbg_left - m->req, RED_ACTIVE);
	}
	return bad;
}

/* The slab header agrees with its free map? (F; cache lock held) */
static int check_slab(struct kmem_cache *c, struct slab *s, char *obj)
{
	if (!(c->debug & SS_DEBUG_CHECKS))
		return 0;
	unsigned free_objs = 0;
	if (s->cache == c)
		for (unsigned w = 0; w < (c->num + 63) / 64; w++)
			free_objs += (unsigned)__builtin_popcountll(s->freemap[w]);
	if (s->cache == c && s->inuse <= c->num && free_objs + s->inuse == c->num)
		return 0;
	report(c, obj, meta_of(c, obj - c->dbg_left), c->object_size, SS_CORRUPT_FREELIST, NULL, NULL, -1);
	return 1;
}

/* ---- allocation and free --------------------------------------------------- */

void *debug_alloc(struct kmem_cache *c, size_t req)
{
	struct debug_track t;
	track_take(c->debug, &t);                   /* before the lock: it may allocate */
	if (req > c->object_size)
		req = c->object_size;
	lock(&c->lock);
	char *slot = slab_alloc_one_locked(c);
	if (!slot) {
		unlock(&c->lock);
		return NULL;
	}
	char *obj = slot + c->dbg_left;
	struct debug_meta *m = meta_of(c, slot);
	check_slab(c, slab_of(slot), obj);
	check_free_slot(c, slot);
	if (c->debug & SS_DEBUG_REDZONE) {
		memset(slot, RED_ACTIVE, c->dbg_left);
		memset(obj + req, RED_ACTIVE, c->dbg_meta - c->dbg_left - req);
	}
	if (poisoned(c))
		memset(obj, POISON_INUSE, req);
	m->state = STATE_LIVE;
	m->req = (uint32_t)req;
	if (c->debug & SS_DEBUG_TRACK)
		m->alloc = t;
	unlock(&c->lock);
	return obj;
}

bool debug_free(struct kmem_cache *c, void *p, const char *who)
{
	struct debug_track t;
	track_take(c->debug, &t);
	struct slab *s = slab_of(p);
	char *slot = (char *)p - c->dbg_left;
	lock(&c->lock);
	int idx = s && s->cache == c ? slab_obj_index(c, s, slot) : -1;
	if (idx < 0) {
		unlock(&c->lock);
		ss_bad_pointer(who, p, c->name);
		return false;
	}
	struct debug_meta *m = meta_of(c, slot);
	if (slab_obj_is_free(s, (unsigned)idx)) {
		report(c, p, m, c->object_size, SS_CORRUPT_DOUBLE_FREE, NULL, NULL, -1);
		unlock(&c->lock);
		return false;                           /* reported: the object stays free */
	}
	check_slab(c, s, p);
	check_live_slot(c, slot);
	if (c->debug & SS_DEBUG_TRACK)
		m->free = t;
	make_free(c, slot);
	slab_put_obj(c, s, (unsigned)idx);
	unlock(&c->lock);
	return true;
}

size_t debug_usable(struct kmem_cache *c, const void *p)
{
	struct slab *s = slab_of(p);
	char *slot = (char *)p - c->dbg_left;
	if (!s || slab_obj_index(c, s, slot) < 0)
		return 0;
	struct debug_meta *m = meta_of(c, slot);
	return m->state == STATE_LIVE ? (m->req ? m->req : 1) : 0;
}

/* ---- medium and mmap blocks ------------------------------------------------ */
/*
 * A block of pages has no slot to widen, so a debugged block is DEBUG_BLOCK_PAD bytes
 * bigger than asked for, and its last bytes hold a trailer:
 *
 *   | bytes asked for (req)  | right red zone 0xcc ...  | struct block_trailer |
 *   ^ p (starts its page)    ^ p + req                  ^ p + room - sizeof(trailer)
 *
 * The red zone runs from the last byte asked for to the trailer: 16 bytes at least, up to
 * the rest of the last page. The trailer holds the size asked for, a check word (the
 * process secret mixed with the address and the size, so that an overflow running past
 * the red zone, or a wild write, is found too) and with U the allocation's owner. Only
 * the right side is guarded: a block must start its page, which is how free() knows it.
 * Checked on free, on realloc (a debugged block always moves: the old one is freed) and
 * by ss_validate(). "medium" and "mmap" name these blocks in SLABSCOPE_DEBUG.
 */
struct block_trailer {
	uint64_t req;
	uint64_t check;
	struct debug_track alloc;         /* with SS_DEBUG_TRACK */
};
_Static_assert(DEBUG_BLOCK_PAD == RIGHT_ZONE_MIN + sizeof(struct block_trailer), "DEBUG_BLOCK_PAD");

unsigned debug_medium, debug_mmap;

void debug_blocks_init(void)
{
	debug_medium = debug_flags_for("medium");
	debug_mmap = debug_flags_for("mmap");
	if (debug_medium | debug_mmap)
		debug_on = true;                        /* entry points note their callers */
}

static unsigned block_flags(uint8_t tier) { return tier == SS_TIER_MMAP ? debug_mmap : debug_medium; }

static struct block_trailer *trailer_of(void *p, size_t room)
{
	return (struct block_trailer *)((char *)p + room - sizeof(struct block_trailer));
}

static uint64_t trailer_check(const void *p, uint64_t req)
{
	return settings.free_secret ^ ((uintptr_t)p * 0x9E3779B97F4A7C15ull) ^ (req * 0xff51afd7ed558ccdull);
}

/* Lay out a block of `room` bytes just handed out for `req`. Poisoning clears *zeroed. */
void debug_block_arm(void *p, size_t req, size_t room, uint8_t tier, bool *zeroed)
{
	unsigned f = block_flags(tier);
	if (!f)
		return;
	struct block_trailer *t = trailer_of(p, room);
	t->req = req;
	t->check = trailer_check(p, req);
	t->alloc.when_ns = 0;
	track_take(f, &t->alloc);
	if (f & SS_DEBUG_REDZONE)
		memset((char *)p + req, RED_ACTIVE, (size_t)((char *)t - ((char *)p + req)));
	if (f & SS_DEBUG_POISON) {
		memset(p, POISON_INUSE, req);
		*zeroed = false;
	}
}

/* The size asked for, from an intact trailer; else all the block but its pad. */
size_t debug_block_req(void *p, size_t room)
{
	struct block_trailer *t = trailer_of(p, room);
	return t->check == trailer_check(p, t->req) && t->req <= room - DEBUG_BLOCK_PAD ? t->req
		: room - DEBUG_BLOCK_PAD;
}

/*
 * Check a debugged block's trailer and red zone, report what is damaged and set it right.
 * Returns the number of damages found. `freeing`: the trailer is spent.
 */
int debug_block_check(void *p, size_t room, uint8_t tier, bool freeing)
{
	unsigned f = block_flags(tier);
	if (!f)
		return 0;
	struct block_trailer *t = trailer_of(p, room);
	struct damaged d = { .name = tier == SS_TIER_MMAP ? "mmap" : "medium", .tier = tier, .room = room };
	size_t req = t->req;
	int bad = 0;
	if (t->check != trailer_check(p, req) || req > room - DEBUG_BLOCK_PAD) {
		/* what the block asked for is lost with it: the zone is checked from the pad */
		req = room - DEBUG_BLOCK_PAD;
		report_damage(&d, p, req, SS_CORRUPT_REDZONE_RIGHT, (char *)t, (char *)(t + 1), -1);
		t->req = req;
		t->check = trailer_check(p, req);
		t->alloc.when_ns = 0;
		bad++;
	} else if (f & SS_DEBUG_REDZONE) {
		char *zone = (char *)p + req;
		d.alloc = (f & SS_DEBUG_TRACK) ? &t->alloc : NULL;
		bad += check_pattern(&d, p, req, SS_CORRUPT_REDZONE_RIGHT, zone, (size_t)((char *)t - zone), RED_ACTIVE);
	}
	if (freeing)
		t->check = 0;
	return bad;
}

static void validate_mmap_block(uintptr_t addr, size_t map_len, size_t size, void *arg)
{
	*(size_t *)arg += (size_t)debug_block_check((void *)addr, map_len, SS_TIER_MMAP, false);
}

/* Every live debugged medium and mmap block. */
static size_t validate_blocks(void)
{
	size_t bad = 0;
	if (debug_medium) {
		lock(&page_lock);                       /* no block is freed under our eyes */
		for (unsigned i = 1; i <= nr_zones; i++) {
			struct zone *z = zones[i];
			for (size_t idx = 0; idx < zone_npages(z); idx++)
				if (z->pages[idx].kind == PG_MEDIUM)
					bad += (size_t)debug_block_check(page_addr(z, idx),
									 (size_t)z->pages[idx].npages << PAGE_SHIFT,
									 SS_TIER_MEDIUM, false);
		}
		unlock(&page_lock);
	}
	if (debug_mmap) {
		lock(&large_lock);
		large_for_each(validate_mmap_block, &bad);
		unlock(&large_lock);
	}
	return bad;
}

/* ---- whole-cache validation ------------------------------------------------ */

static size_t validate_slab(struct kmem_cache *c, struct slab *s)
{
	size_t bad = (size_t)check_slab(c, s, s->s_mem + c->dbg_left);
	for (unsigned i = 0; i < c->num; i++) {
		char *slot = s->s_mem + (size_t)i * c->size;
		bad += (size_t)(slab_obj_is_free(s, i) ? check_free_slot(c, slot) : check_live_slot(c, slot));
	}
	return bad;
}

EXPORT size_t ss_validate(void)
{
	ss_init();
	size_t bad = 0;
	lock(&cache_list_lock);
	for (struct kmem_cache *c = cache_list; c; c = c->next_cache) {
		if (!c->debug)
			continue;
		lock(&c->lock);
		for (int l = 0; l < NR_SLAB_LISTS; l++)
			for (struct slab *s = c->lists[l]; s; s = s->next)
				bad += validate_slab(c, s);
		for (int i = 0; i < SLAB_SHARDS; i++)
			for (struct slab *s = c->partial[i]; s; s = s->next)
				bad += validate_slab(c, s);
		unlock(&c->lock);
	}
	unlock(&cache_list_lock);
	return bad + validate_blocks();
}

EXPORT uint64_t ss_corruptions(void)
{
	return __atomic_load_n(&gstats.corruptions, __ATOMIC_RELAXED);
}
