/* snap.h — records of this process's own snapshot (ss_snapshot), for the C tests. */
#ifndef SNAP_H
#define SNAP_H
#include <pthread.h>
#include <string.h>
#include "check.h"
#include "slabscope.h"
#include "slabscope_shm.h"

/*
 * Threads may call these at once (t_slub's two churners do): the snapshot buffer is shared
 * and guarded, and what the caller gets is a copy of its own, valid until its next call.
 */
static char snap_buf[1 << 20];
static pthread_mutex_t snap_lock = PTHREAD_MUTEX_INITIALIZER;

/* Takes snap_lock and a snapshot into snap_buf; the caller unlocks. */
static inline const struct ss_shm_header *snap_take(void)
{
	pthread_mutex_lock(&snap_lock);
	CHECK(ss_snapshot(snap_buf, sizeof snap_buf) <= sizeof snap_buf);
	return (const void *)snap_buf;
}

/* The record of the cache named `name` in a snapshot taken now, or NULL. */
static inline const struct ss_shm_cache *snap_cache(const char *name)
{
	static __thread struct ss_shm_cache record;
	const struct ss_shm_cache *found = NULL;
	const struct ss_shm_header *h = snap_take();
	for (uint32_t i = 0; i < h->nr_caches && !found; i++) {
		const struct ss_shm_cache *c = (const void *)(snap_buf + h->caches_offset + i * h->cache_record_size);
		if (!strcmp(c->name, name)) {
			memcpy(&record, c, sizeof record);
			found = &record;
		}
	}
	pthread_mutex_unlock(&snap_lock);
	return found;
}

/* The global record of a snapshot taken now. */
static inline const struct ss_shm_global *snap_global(void)
{
	static __thread struct ss_shm_global record;
	const struct ss_shm_header *h = snap_take();
	CHECK(h->global_size >= sizeof record);
	memcpy(&record, snap_buf + h->global_offset, sizeof record);
	pthread_mutex_unlock(&snap_lock);
	return &record;
}
#endif
