package io.slabscope.ui.data;

import java.util.ArrayList;
import java.util.List;

/**
 * The frames seen so far, oldest first, at most {@link #capacity()} (older ones are dropped). A
 * live session adds one per poll (an idle process gives the same snapshot at a later time).
 */
public final class History {
    private final int capacity;
    private final ArrayList<Frame> items = new ArrayList<>();

    public History(int capacity) {
        this.capacity = capacity;
    }

    /** A fixed history (a recording up to a moment). */
    public History(List<Frame> all) {
        this.capacity = Math.max(1, all.size());
        items.addAll(all);
    }

    public synchronized void add(Frame f) {
        items.add(new Frame(f.snapshot(), null, null, f.timeNanos()));
        if (items.size() > capacity) {
            items.subList(0, items.size() - capacity).clear();
        }
    }

    public synchronized void clear() {
        items.clear();
    }

    /** A copy of the frames (without layouts), oldest first. */
    public synchronized List<Frame> frames() {
        return List.copyOf(items);
    }

    public synchronized int size() {
        return items.size();
    }

    public int capacity() {
        return capacity;
    }
}
