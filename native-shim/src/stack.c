/*
 * stack.c — the caller's stack, as return addresses, without the allocator's own frames.
 *
 * Sampled allocations (events.c) and owner tracking (debug.c) want the program's frames:
 * where malloc was called from, not the inside of malloc. How many of our frames sit on
 * top depends on the path taken and on inlining, so instead of skipping a fixed count we
 * drop the leading frames whose address lies in this library's executable segment. That
 * segment is found once from our own ELF program headers (__ehdr_start, set by the
 * linker): no dladdr, no allocation.
 *
 * backtrace() loads the unwinder (libgcc_s) with dlopen on its first use, and dlopen
 * calls malloc: a thread already inside stack_capture gets an empty stack instead of
 * recursing.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <execinfo.h>
#include <link.h>
#include "internal.h"
#include "slabscope_shm.h"

extern const ElfW(Ehdr) __ehdr_start __attribute__((visibility("hidden")));

/* Our own frames on top of a capture (malloc entry, slow path, tier, debug or sampler,
 * stack_capture, backtrace): unwinding costs per frame, so ask for no more than needed. */
#define OWN_FRAMES 8

static uintptr_t self_lo, self_hi;   /* our executable segment: [self_lo, self_hi) */
static __thread bool in_capture;

static void find_self_text(void)
{
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	uintptr_t base = (uintptr_t)eh, lo = UINTPTR_MAX, hi = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X))
			continue;
		uintptr_t start = base + ph[i].p_vaddr, end = start + ph[i].p_memsz;
		lo = start < lo ? start : lo;
		hi = end > hi ? end : hi;
	}
	__atomic_store_n(&self_hi, hi, __ATOMIC_RELAXED);
	__atomic_store_n(&self_lo, lo, __ATOMIC_RELEASE);
}

static bool in_self(uintptr_t a) { return a >= self_lo && a < self_hi; }

int stack_capture(uint64_t *frames, int max)
{
	if (in_capture || max <= 0)
		return 0;
	in_capture = true;
	if (!__atomic_load_n(&self_lo, __ATOMIC_ACQUIRE))
		find_self_text();
	void *raw[SS_EVENT_MAX_FRAMES + OWN_FRAMES];
	int want = max + OWN_FRAMES < (int)(sizeof raw / sizeof raw[0]) ? max + OWN_FRAMES : (int)(sizeof raw / sizeof raw[0]);
	int n = backtrace(raw, want), first = 0;
	while (first < n && in_self((uintptr_t)raw[first]))
		first++;
	int out = 0;
	for (int i = first; i < n && out < max; i++)
		frames[out++] = (uintptr_t)raw[i];
	in_capture = false;
	return out;
}
