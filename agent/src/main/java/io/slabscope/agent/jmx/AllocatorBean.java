package io.slabscope.agent.jmx;

import io.slabscope.model.GlobalStats;
import io.slabscope.model.Snapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** io.slabscope:type=Allocator. */
final class AllocatorBean implements AllocatorMXBean {
    static final int M_TRIM_THRESHOLD = -1;
    static final int M_MMAP_THRESHOLD = -3;
    static final long MAX_MMAP_THRESHOLD = 32L << 20;

    private final AgentView view;
    private final Alerts alerts;

    AllocatorBean(AgentView view, Alerts alerts) {
        this.view = view;
        this.alerts = alerts;
    }

    private Snapshot s() {
        try {
            return view.snapshot();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the allocator: " + e.getMessage(), e);
        }
    }

    private GlobalStats g() {
        return s().global();
    }

    @Override
    public String getVersion() {
        return view.version();
    }

    @Override
    public String getAgentOptions() {
        return view.optionsText();
    }

    @Override
    public long getPid() {
        return s().pid();
    }

    @Override
    public String getExecutable() {
        return s().exe();
    }

    @Override
    public long getSnapshotTime() {
        return s().publishTimeNs() / 1_000_000L;
    }

    @Override
    public Map<String, Long> getCounters() {
        return g().asMap();
    }

    @Override
    public long getMallocCalls() {
        return g().mallocCalls();
    }

    @Override
    public long getFreeCalls() {
        return g().freeCalls();
    }

    @Override
    public long getCallocCalls() {
        return g().callocCalls();
    }

    @Override
    public long getReallocCalls() {
        return g().reallocCalls();
    }

    @Override
    public long getMemalignCalls() {
        return g().memalignCalls();
    }

    @Override
    public long getTrimCalls() {
        return g().trimCalls();
    }

    @Override
    public long getBytesRequested() {
        return g().bytesRequested();
    }

    @Override
    public long getBytesAllocated() {
        return g().bytesAllocated();
    }

    @Override
    public double getInternalFragmentationPercent() {
        return Alerts.wastePercent(g());
    }

    @Override
    public long getLiveAllocations() {
        return g().liveAllocs();
    }

    @Override
    public long getSlabAllocations() {
        return g().slabAllocs();
    }

    @Override
    public long getMediumAllocations() {
        return g().mediumAllocs();
    }

    @Override
    public long getMmapAllocations() {
        return g().mmapAllocs();
    }

    @Override
    public long getMmapFrees() {
        return g().mmapFrees();
    }

    @Override
    public long getAllocationFailures() {
        return g().allocFailures();
    }

    @Override
    public long getInvalidFrees() {
        return g().invalidFrees();
    }

    @Override
    public long getCorruptions() {
        return g().corruptions();
    }

    @Override
    public long getFaultsInjected() {
        return g().faultsInjected();
    }

    @Override
    public long getReapedObjects() {
        return g().reapedObjects();
    }

    @Override
    public long getThreads() {
        return g().threads();
    }

    @Override
    public long getFullThreadCaches() {
        return g().fullThreadCaches();
    }

    @Override
    public long getThreadCacheBytes() {
        return g().threadCacheBytes();
    }

    @Override
    public long validate() {
        return view.validate();
    }

    @Override
    public int getSlabCacheCount() {
        return s().caches().size();
    }

    @Override
    public long getMmapThreshold() {
        return g().mmapThreshold();
    }

    @Override
    public void setMmapThreshold(long bytes) {
        if (bytes < 0 || bytes > MAX_MMAP_THRESHOLD) {
            throw new IllegalArgumentException("MmapThreshold is between 0 and " + MAX_MMAP_THRESHOLD + ", not "
                    + bytes);
        }
        if (!view.mallopt(M_MMAP_THRESHOLD, (int) bytes)) {
            throw new IllegalArgumentException("mallopt(M_MMAP_THRESHOLD, " + bytes + ") was refused");
        }
    }

    @Override
    public long getTrimThreshold() {
        return g().trimThreshold();
    }

    @Override
    public void setTrimThreshold(long bytes) {
        if (bytes < -1 || bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("TrimThreshold is -1 (never trim) or between 0 and "
                    + Integer.MAX_VALUE + ", not " + bytes);
        }
        if (!view.mallopt(M_TRIM_THRESHOLD, (int) bytes)) {
            throw new IllegalArgumentException("mallopt(M_TRIM_THRESHOLD, " + bytes + ") was refused");
        }
    }

    @Override
    public long getSamplingInterval() {
        return view.samplingInterval();
    }

    @Override
    public void setSamplingInterval(long bytes) {
        if (bytes < 0 || bytes > (1L << 40)) {
            throw new IllegalArgumentException("SamplingInterval is between 0 (off) and 2^40, not " + bytes);
        }
        view.setSamplingInterval(bytes);
    }

    @Override
    public boolean isSamplingActive() {
        return view.samplingActive();
    }

    @Override
    public long getCurrentSamplingInterval() {
        return view.currentSamplingInterval();
    }

    @Override
    public double getFragmentationThreshold() {
        return alerts.fragThreshold();
    }

    @Override
    public void setFragmentationThreshold(double threshold) {
        alerts.setFragThreshold(threshold);
    }

    @Override
    public int getFragmentationOrder() {
        return alerts.fragOrder();
    }

    @Override
    public void setFragmentationOrder(int order) {
        alerts.setFragOrder(order);
    }

    @Override
    public double getInternalFragmentationThreshold() {
        return alerts.wasteThreshold();
    }

    @Override
    public void setInternalFragmentationThreshold(double percent) {
        alerts.setWasteThreshold(percent);
    }

    @Override
    public long getNativeEventsDropped() {
        return view.nativeEventsDropped();
    }

    @Override
    public long getAgentEventsDropped() {
        return view.agentEventsDropped();
    }

    @Override
    public long getEventsDrained() {
        return view.eventsDrained();
    }

    @Override
    public long getLiveSamples() {
        return view.liveSampleCount();
    }

    @Override
    public long getLiveSampledBytes() {
        return view.liveSampledBytes();
    }

    @Override
    public boolean trim() {
        return view.trim();
    }

    @Override
    public long shrinkCaches() {
        try {
            return view.shrinkCaches();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public String slabinfo() {
        try {
            return view.slabinfo();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    @Override
    public String buddyinfo() {
        try {
            return view.buddyinfo();
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
