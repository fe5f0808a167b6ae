package io.slabscope.agent.jmx;

import io.slabscope.model.GlobalStats;
import java.io.IOException;
import java.io.UncheckedIOException;

/** io.slabscope:type=Heap. */
final class HeapBean implements HeapMXBean {
    private final AgentView view;

    HeapBean(AgentView view) {
        this.view = view;
    }

    private GlobalStats g() {
        try {
            return view.snapshot().global();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the allocator: " + e.getMessage(), e);
        }
    }

    @Override
    public long getBrkBase() {
        return g().brkBase();
    }

    @Override
    public long getBrkTop() {
        return g().brkTop();
    }

    @Override
    public long getBrkBytes() {
        return g().brkBytes();
    }

    @Override
    public long getHeapBytes() {
        return g().heapBytes();
    }

    @Override
    public long getHeapPeakBytes() {
        return g().heapPeakBytes();
    }

    @Override
    public long getHeapFreeBytes() {
        return g().heapFreeBytes();
    }

    @Override
    public long getHeapDirtyBytes() {
        return g().heapDirtyBytes();
    }

    @Override
    public long getTopFreeBytes() {
        return g().topFreeBytes();
    }

    @Override
    public long getHeapResidentBytes() {
        return g().heapResidentBytes();
    }

    @Override
    public long getMediumBytes() {
        return g().mediumBytes();
    }

    @Override
    public long getSlabBytes() {
        return g().slabBytes();
    }

    @Override
    public long getBrkGrows() {
        return g().brkGrows();
    }

    @Override
    public long getBrkTrims() {
        return g().brkTrims();
    }

    @Override
    public long getBrkFailures() {
        return g().brkFailures();
    }

    @Override
    public long getBytesTrimmed() {
        return g().bytesTrimmed();
    }

    @Override
    public long getPagesReleased() {
        return g().pagesReleased();
    }

    @Override
    public long getMmapZones() {
        return g().mmapZones();
    }

    @Override
    public long getMmapBlocks() {
        return g().mmapBlocks();
    }

    @Override
    public long getMmapBytes() {
        return g().mmapBytes();
    }

    @Override
    public long getMmapPeakBytes() {
        return g().mmapPeakBytes();
    }

    @Override
    public long getMmapResidentBytes() {
        return g().mmapResidentBytes();
    }

    @Override
    public long getTrimThreshold() {
        return g().trimThreshold();
    }

    @Override
    public long getTopPad() {
        return g().topPad();
    }

    @Override
    public long getDirtyMax() {
        return g().dirtyMax();
    }

    @Override
    public long getDecayMillis() {
        return g().decayMs();
    }

    @Override
    public long getReapBytes() {
        return g().reapBytes();
    }

    @Override
    public byte[] layout() {
        try {
            return view.layout();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the page layout: " + e.getMessage(), e);
        }
    }
}
