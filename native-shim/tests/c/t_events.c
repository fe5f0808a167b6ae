/* t_events.c — sampled allocations with stacks, matched frees, tier events, drops. */
#include <malloc.h>
#include <stdint.h>
#include <string.h>
#include "slabscope.h"
#include "slabscope_shm.h"
#include "check.h"

static char buf[1 << 22];

struct stats { int allocs, frees, mmaps, munmaps, grows, with_frames, unmatched_frees; uint64_t weight; };

static void drain(struct stats *st, uintptr_t *live, int *nlive)
{
	size_t n;
	while ((n = ss_events_drain(buf, sizeof buf)) > 0) {
		for (size_t off = 0; off < n;) {
			struct ss_event *e = (struct ss_event *)(buf + off);
			off += sizeof *e + e->nframes * sizeof(uint64_t);
			switch (e->type) {
			case SS_EV_ALLOC:
				st->allocs++;
				st->weight += e->weight;
				st->with_frames += e->nframes > 0;
				CHECK(e->tid > 0 && e->time_ns > 0 && e->addr && e->size);
				live[(*nlive)++] = e->addr;
				break;
			case SS_EV_FREE: {
				st->frees++;
				int found = 0;
				for (int i = 0; i < *nlive; i++)
					if (live[i] == e->addr) {
						live[i] = live[--*nlive];
						found = 1;
						break;
					}
				st->unmatched_frees += !found;
				break;
			}
			case SS_EV_MMAP: st->mmaps++; break;
			case SS_EV_MUNMAP: st->munmaps++; break;
			case SS_EV_BRK_GROW: st->grows++; break;
			}
		}
	}
}

int main(void)
{
	enum { N = 20000 };
	static void *keep[N];
	static uintptr_t live[100000];
	int nlive = 0;
	struct stats st = { 0 };
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);        /* fixed: every 1 MiB block is mapped */
	ss_set_sampling(64 * 1024);
	uint64_t total = 0;
	for (int i = 0; i < N; i++) {                 /* ~20 MB in 16 B .. 4 KB */
		size_t sz = 16 + (size_t)(i * 7919) % 2000;
		keep[i] = malloc(sz);
		memset(keep[i], 1, sz);
		total += sz;
	}
	for (int i = 0; i < 10; i++) {                /* mmap path */
		void *big = malloc(1 << 20);
		total += 1 << 20;
		free(big);
	}
	for (int i = 0; i < N; i += 2)                /* half freed: their samples are matched */
		free(keep[i]);
	drain(&st, live, &nlive);
	/* expected samples ~ total / 64 KiB; the exponential draw keeps it within a factor 2 */
	uint64_t expected = total / (64 * 1024);
	CHECK(st.allocs > (int)expected / 2 && st.allocs < (int)expected * 2);
	CHECK(st.weight >= total / 2 && st.weight <= total * 2);
	CHECK(st.with_frames == st.allocs);           /* every sample has a native stack */
	CHECK(st.frees > 0 && st.unmatched_frees == 0);
	CHECK(st.mmaps >= 10 && st.munmaps >= 10);
	CHECK(ss_events_dropped() == 0);
	for (int i = 1; i < N; i += 2)
		free(keep[i]);
	drain(&st, live, &nlive);
	CHECK(st.unmatched_frees == 0);
	CHECK(nlive <= 10);                           /* every sampled block was freed */
	ss_set_sampling(0);
	ss_set_events(0);
	printf("t_events: ok (%d samples, %d frees)\n", st.allocs, st.frees);
	return 0;
}
