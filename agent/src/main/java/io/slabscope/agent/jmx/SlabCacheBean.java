package io.slabscope.agent.jmx;

import io.slabscope.model.SlabCache;
import io.slabscope.model.Snapshot;
import java.io.IOException;
import java.util.Optional;

/** io.slabscope:type=SlabCache,name="...": reads its cache from the current snapshot, by name. */
final class SlabCacheBean implements SlabCacheMXBean {
    private final AgentView view;
    private final String name;
    private volatile SlabCache last;

    SlabCacheBean(AgentView view, SlabCache initial) {
        this.view = view;
        this.name = initial.name();
        this.last = initial;
    }

    /** The cache in the current snapshot; the last one seen if it is gone (or the read failed). */
    private SlabCache c() {
        try {
            Snapshot s = view.snapshot();
            Optional<SlabCache> c = s.cache(name);
            if (c.isPresent()) {
                last = c.get();
                return last;
            }
        } catch (IOException e) {
            // the last values
        }
        return last;
    }

    @Override
    public boolean isPresent() {
        try {
            return view.snapshot().cache(name).isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public long getActiveObjects() {
        return c().activeObjs();
    }

    @Override
    public long getObjects() {
        return c().numObjs();
    }

    @Override
    public int getObjectSize() {
        return c().size();
    }

    @Override
    public int getRequestedObjectSize() {
        return c().objectSize();
    }

    @Override
    public int getAlign() {
        return c().align();
    }

    @Override
    public int getObjectsPerSlab() {
        return c().objPerSlab();
    }

    @Override
    public int getPagesPerSlab() {
        return c().pagesPerSlab();
    }

    @Override
    public long getActiveSlabs() {
        return c().activeSlabs();
    }

    @Override
    public long getSlabs() {
        return c().numSlabs();
    }

    @Override
    public long getFullSlabs() {
        return c().fullSlabs();
    }

    @Override
    public long getPartialSlabs() {
        return c().partialSlabs();
    }

    @Override
    public long getFreeSlabs() {
        return c().freeSlabs();
    }

    @Override
    public double getUsagePercent() {
        return c().usagePercent();
    }

    @Override
    public long getCacheSize() {
        return c().cacheSizeBytes();
    }

    @Override
    public long getActiveBytes() {
        return c().activeBytes();
    }

    @Override
    public long getAllocations() {
        return c().allocs();
    }

    @Override
    public long getFrees() {
        return c().frees();
    }

    @Override
    public long getGrows() {
        return c().grows();
    }

    @Override
    public long getReaps() {
        return c().reaps();
    }

    @Override
    public int getColourCount() {
        return c().colourNum();
    }

    @Override
    public int getColourOffset() {
        return c().colourOff();
    }

    @Override
    public boolean isKmalloc() {
        return c().isKmalloc();
    }

    @Override
    public int getCacheId() {
        return c().id();
    }

    @Override
    public String getPolicy() {
        return c().policy();
    }
}
