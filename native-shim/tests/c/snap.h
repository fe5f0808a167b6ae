/* snap.h — a cache's record in this process's own snapshot (ss_snapshot), for the C tests. */
#ifndef SNAP_H
#define SNAP_H
#include <string.h>
#include "check.h"
#include "slabscope.h"
#include "slabscope_shm.h"

/* The record of the cache named `name` in a snapshot taken now, or NULL. Valid until the next call. */
static inline const struct ss_shm_cache *snap_cache(const char *name)
{
	static char buf[1 << 20];
	CHECK(ss_snapshot(buf, sizeof buf) <= sizeof buf);
	const struct ss_shm_header *h = (const void *)buf;
	for (uint32_t i = 0; i < h->nr_caches; i++) {
		const struct ss_shm_cache *c = (const void *)(buf + h->caches_offset + i * h->cache_record_size);
		if (!strcmp(c->name, name))
			return c;
	}
	return NULL;
}
#endif
