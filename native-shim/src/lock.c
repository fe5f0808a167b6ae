/*
 * lock.c — the contended half of the allocator's locks (internal.h has the fast half).
 *
 * A waiter spins briefly first: the critical sections are short (a refill moves at most
 * a few dozen objects; a page-tier call a few list operations), so on a multi-core
 * machine the holder is likely gone before a futex sleep and wake-up would be over (not
 * measured one way or the other). Then it marks the lock contended (2) and sleeps on the word;
 * unlock() sees the 2 and wakes one sleeper, which takes the lock as contended again
 * (it cannot know whether others still sleep).
 */
#include "internal.h"

#define LOCK_SPINS 100

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

void lock_wait(ss_lock_t *l)
{
	for (int i = 0; i < LOCK_SPINS; i++) {
		cpu_relax();
		if (__atomic_load_n(&l->state, __ATOMIC_RELAXED) == 0 && trylock(l))
			return;
	}
	while (__atomic_exchange_n(&l->state, 2, __ATOMIC_ACQUIRE) != 0)
		sys_futex(&l->state, SS_FUTEX_WAIT, 2);
}

void lock_wake(ss_lock_t *l)
{
	sys_futex(&l->state, SS_FUTEX_WAKE, 1);
}
