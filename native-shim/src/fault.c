/*
 * fault.c — fault injection for the page sources, so that the paths taken when the kernel
 * refuses memory can be tested (t_faults.c) and fuzzed (tests/fuzz) without exhausting a
 * real machine.
 *
 * Every place that asks the kernel for memory for the heap asks fault_fail() first: the
 * brk growth in zone.c (SS_FAULT_SBRK), the mmap of zones and of their descriptors, of large
 * blocks, their mremap and the large-block table, and the event buffers (SS_FAULT_MMAP).
 * An injected failure takes exactly the path of a real one (errno ENOMEM, the same
 * fallbacks), so what a test sees is what a program out of memory sees. The tables mapped
 * at initialisation are not covered: without them there is no allocator, only ss_fatal().
 *
 * ss_fault_inject(sources, skip, count) lets `skip` more calls to the chosen sources
 * succeed, then fails `count` of them (UINT64_MAX: until turned off). Calls are numbered
 * with one atomic counter, so threads never take a lock here: the calls numbered
 * [skip, skip + count) fail. Reconfiguring while other threads are inside a page-source
 * call may shift the window by those calls, which tests do not rely on.
 *
 * When injection is off, the only cost is the inline test of fault_armed in fault_fail(),
 * one load and a predicted branch beside a system call. The word also carries a generation
 * (bits 8 and up), so that the call that exhausts the window can turn injection off with a
 * compare-and-swap that cannot undo a newer ss_fault_inject().
 */
#include <errno.h>
#include "internal.h"

#define EXPORT __attribute__((visibility("default")))
#define FAULT_SOURCES (SS_FAULT_SBRK | SS_FAULT_MMAP)
#define FAULT_GEN_ONE 0x100u

unsigned fault_armed;                  /* generation << 8 | SS_FAULT_* sources; 0 = off */
static unsigned fault_gen;             /* last generation handed out (in FAULT_GEN_ONE steps) */
static uint64_t fault_calls;           /* calls to the armed sources since arming */
static uint64_t fault_first, fault_end;   /* calls [first, end) fail */
static uint64_t faults_injected;

bool fault_hit(unsigned source)
{
	unsigned armed = __atomic_load_n(&fault_armed, __ATOMIC_ACQUIRE);
	if (!(armed & source))
		return false;
	uint64_t n = __atomic_fetch_add(&fault_calls, 1, __ATOMIC_RELAXED);
	uint64_t first = __atomic_load_n(&fault_first, __ATOMIC_RELAXED);
	uint64_t end = __atomic_load_n(&fault_end, __ATOMIC_RELAXED);
	if (n < first)
		return false;
	if (n >= end) {                        /* window used up: back to the free path */
		__atomic_compare_exchange_n(&fault_armed, &armed, 0, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
		return false;
	}
	__atomic_fetch_add(&faults_injected, 1, __ATOMIC_RELAXED);
	errno = ENOMEM;
	return true;
}

/* ss_fault_inject without ss_init(): init.c arms from the environment while it runs. */
static void fault_arm(unsigned sources, uint64_t skip, uint64_t count)
{
	__atomic_store_n(&fault_armed, 0, __ATOMIC_RELEASE);
	sources &= FAULT_SOURCES;
	if (!sources || !count)
		return;
	uint64_t end = count > UINT64_MAX - skip ? UINT64_MAX : skip + count;
	__atomic_store_n(&fault_calls, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_first, skip, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_end, end, __ATOMIC_RELAXED);
	unsigned gen = __atomic_add_fetch(&fault_gen, FAULT_GEN_ONE, __ATOMIC_RELAXED);
	if (!gen)                              /* wrapped: the generation must not make 0 */
		gen = __atomic_add_fetch(&fault_gen, FAULT_GEN_ONE, __ATOMIC_RELAXED);
	__atomic_store_n(&fault_armed, gen | sources, __ATOMIC_RELEASE);
}

EXPORT void ss_fault_inject(unsigned sources, uint64_t skip, uint64_t count)
{
	ss_init();                             /* the tables first: they are not covered */
	fault_arm(sources, skip, count);
}

EXPORT uint64_t ss_faults_injected(void)
{
	return __atomic_load_n(&faults_injected, __ATOMIC_RELAXED);
}

/* Decimal digits at *s, advancing it; false when there are none or they overflow. */
static bool parse_u64(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - (unsigned)(*p - '0')) / 10)
			return false;
		v = v * 10 + (unsigned)(*p - '0');
	}
	*s = p;
	*out = v;
	return true;
}

static bool word_is(const char *s, size_t n, const char *word)
{
	size_t i = 0;
	for (; i < n && word[i]; i++)
		if (s[i] != word[i])
			return false;
	return i == n && !word[i];
}

/*
 * SLABSCOPE_FAULT="sbrk,mmap[:skip[:count]]" (init.c, once the tables are mapped); skip
 * defaults to 0 and count to "until turned off". Anything malformed leaves injection off:
 * a typo must not make a program fail in a way nobody asked for.
 */
void fault_from_env(const char *spec)
{
	if (!spec || !*spec)
		return;
	unsigned sources = 0;
	const char *s = spec;
	while (*s && *s != ':') {
		size_t n = 0;
		while (s[n] && s[n] != ',' && s[n] != ':')
			n++;
		if (word_is(s, n, "sbrk"))
			sources |= SS_FAULT_SBRK;
		else if (word_is(s, n, "mmap"))
			sources |= SS_FAULT_MMAP;
		else
			return;
		s += n;
		if (*s == ',')
			s++;
	}
	uint64_t skip = 0, count = UINT64_MAX;
	if (*s == ':') {
		s++;
		if (!parse_u64(&s, &skip))
			return;
		if (*s == ':') {
			s++;
			if (!parse_u64(&s, &count))
				return;
		}
	}
	if (*s)
		return;
	fault_arm(sources, skip, count);
}
