package io.slabscope.agent.jmx;

import io.slabscope.model.Fragmentation;
import io.slabscope.model.GlobalStats;
import io.slabscope.model.Snapshot;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.MBeanNotificationInfo;
import javax.management.Notification;
import javax.management.NotificationBroadcasterSupport;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.CompositeDataSupport;
import javax.management.openmbean.CompositeType;
import javax.management.openmbean.OpenDataException;
import javax.management.openmbean.OpenType;
import javax.management.openmbean.SimpleType;

/**
 * The Allocator MBean's notifications: fragmentation index and internal fragmentation crossing
 * their thresholds upwards (sent once per crossing: the alert re-arms when the value is back at or
 * below the threshold), allocation failures, and corruptions debug mode found (one per damaged
 * object, with its details; corruptions the counter shows but no record reported are notified
 * without them a period later). User data is CompositeData (open types).
 */
public final class Alerts extends NotificationBroadcasterSupport {
    public static final String FRAGMENTATION = "io.slabscope.fragmentation";
    public static final String INTERNAL_FRAGMENTATION = "io.slabscope.internal-fragmentation";
    public static final String ALLOCATION_FAILURE = "io.slabscope.allocation-failure";
    public static final String CORRUPTION = "io.slabscope.corruption";

    private static final MBeanNotificationInfo[] INFO = {
        new MBeanNotificationInfo(new String[] {FRAGMENTATION}, Notification.class.getName(),
                "The fragmentation index of all zones at the watched order rose above FragmentationThreshold; "
                        + "user data: order, index, threshold"),
        new MBeanNotificationInfo(new String[] {INTERNAL_FRAGMENTATION}, Notification.class.getName(),
                "Internal fragmentation (percent of handed-out bytes nobody asked for) rose above "
                        + "InternalFragmentationThreshold; user data: percent, threshold"),
        new MBeanNotificationInfo(new String[] {ALLOCATION_FAILURE}, Notification.class.getName(),
                "Allocations failed (NULL returned); user data: failures (new), total, size of the last one seen "
                        + "(0 if unknown)"),
        new MBeanNotificationInfo(new String[] {CORRUPTION}, Notification.class.getName(),
                "Debug mode (SLABSCOPE_DEBUG) found a damaged object; user data: cache, address, objectSize, "
                        + "badAddress, kind, ownerThreadId, count (1, or the corruptions found without details)"),
    };

    private static final CompositeType FRAG_TYPE;
    private static final CompositeType WASTE_TYPE;
    private static final CompositeType FAIL_TYPE;
    private static final CompositeType CORRUPTION_TYPE;
    private static final String[] CORRUPTION_ITEMS = {"cache", "address", "objectSize", "badAddress", "kind",
        "ownerThreadId", "count"};

    static {
        try {
            FRAG_TYPE = new CompositeType("io.slabscope.Fragmentation", "fragmentation index above threshold",
                    new String[] {"order", "index", "threshold"},
                    new String[] {"request order", "fragmentation index", "threshold"},
                    new OpenType<?>[] {SimpleType.INTEGER, SimpleType.DOUBLE, SimpleType.DOUBLE});
            WASTE_TYPE = new CompositeType("io.slabscope.InternalFragmentation",
                    "internal fragmentation above threshold", new String[] {"percent", "threshold"},
                    new String[] {"internal fragmentation, percent", "threshold, percent"},
                    new OpenType<?>[] {SimpleType.DOUBLE, SimpleType.DOUBLE});
            FAIL_TYPE = new CompositeType("io.slabscope.AllocationFailure", "allocation failures",
                    new String[] {"failures", "total", "lastSize"},
                    new String[] {"failures since the last notification", "failures so far",
                        "bytes asked by the last failure seen in the event stream (0 if unknown)"},
                    new OpenType<?>[] {SimpleType.LONG, SimpleType.LONG, SimpleType.LONG});
            CORRUPTION_TYPE = new CompositeType("io.slabscope.Corruption", "a damaged object", CORRUPTION_ITEMS,
                    new String[] {"slab cache of the object", "address of the object", "size of the object",
                        "address of the first damaged byte",
                        "left red zone (underflow), right red zone (overflow), poison (use after free), free list "
                                + "(slab metadata) or double free",
                        "kernel thread id of the last owner (0: not tracked)",
                        "corruptions this notification stands for"},
                    new OpenType<?>[] {SimpleType.STRING, SimpleType.LONG, SimpleType.LONG, SimpleType.LONG,
                        SimpleType.STRING, SimpleType.INTEGER, SimpleType.LONG});
        } catch (OpenDataException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final AtomicLong sequence = new AtomicLong();
    private volatile Object source = "io.slabscope:type=Allocator";
    private volatile double fragThreshold;
    private volatile int fragOrder;
    private volatile double wasteThreshold;
    private boolean fragArmed = true;
    private boolean wasteArmed = true;
    private long failuresSeen = -1;
    private volatile long lastFailureSize;
    /** Corruptions notified, with details or without. */
    private long corruptionsNotified;
    private boolean corruptionsChecked;
    private long unexplainedBefore;

    public Alerts(double fragThreshold, int fragOrder, double wasteThreshold) {
        super(INFO);
        this.fragThreshold = fragThreshold;
        this.fragOrder = fragOrder;
        this.wasteThreshold = wasteThreshold;
    }

    void setSource(Object source) {
        this.source = source;
    }

    public double fragThreshold() {
        return fragThreshold;
    }

    public void setFragThreshold(double t) {
        if (!(t >= 0 && t <= 1)) {
            throw new IllegalArgumentException("FragmentationThreshold is between 0 and 1, not " + t);
        }
        fragThreshold = t;
        synchronized (this) {
            fragArmed = true;
        }
    }

    public int fragOrder() {
        return fragOrder;
    }

    public void setFragOrder(int order) {
        if (order < 0 || order > 13) {
            throw new IllegalArgumentException("FragmentationOrder is between 0 and 13, not " + order);
        }
        fragOrder = order;
        synchronized (this) {
            fragArmed = true;
        }
    }

    public double wasteThreshold() {
        return wasteThreshold;
    }

    public void setWasteThreshold(double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("InternalFragmentationThreshold is between 0 and 100, not " + percent);
        }
        wasteThreshold = percent;
        synchronized (this) {
            wasteArmed = true;
        }
    }

    /** Internal fragmentation in percent: 100 * (1 - requested / allocated), cumulative. */
    public static double wastePercent(GlobalStats g) {
        return g.bytesAllocated() <= 0 ? 0.0
                : Math.max(0.0, 100.0 * (1.0 - (double) g.bytesRequested() / (double) g.bytesAllocated()));
    }

    /** A failure seen in the event stream (its size goes into the next failure notification). */
    public void failureSeen(long size) {
        lastFailureSize = size;
    }

    /** A corruption reported in the event stream: one notification, with its details. */
    public synchronized void corruption(CorruptionReport c) {
        corruptionsNotified++;
        send(CORRUPTION, c.describe(), data(CORRUPTION_TYPE, CORRUPTION_ITEMS, new Object[] {c.cache(), c.address(),
            c.objectSize(), c.badAddress(), c.kind(), c.ownerThreadId(), 1L}));
    }

    /**
     * The corruptions counter against the reports: corruptions the counter showed at the last check
     * too but no report explains (events off, or dropped) are notified without details.
     */
    private void corruptionsCounted(long total) {
        if (!corruptionsChecked) {
            corruptionsChecked = true;
            corruptionsNotified = Math.max(total, corruptionsNotified);     // what happened before the agent came
            return;
        }
        long unexplained = total - corruptionsNotified;
        if (unexplained > 0 && unexplainedBefore > 0) {
            long n = Math.min(unexplained, unexplainedBefore);
            send(CORRUPTION, n + " corruption" + (n == 1 ? "" : "s") + " found (" + total + " so far) without details: "
                    + "allocator events were off or dropped", data(CORRUPTION_TYPE, CORRUPTION_ITEMS,
                            new Object[] {"", 0L, 0L, 0L, "", 0, n}));
            corruptionsNotified += n;
            unexplained -= n;
        }
        unexplainedBefore = Math.max(0, unexplained);
    }

    /** Compares a new snapshot with the thresholds; sends what crossed. Called once per period. */
    public synchronized void check(Snapshot s) {
        corruptionsCounted(s.global().corruptions());
        Fragmentation all = s.buddyInfo().all();
        int order = fragOrder;
        if (order < all.orders()) {
            double index = all.fragmentationIndex(order);
            if (index > fragThreshold) {
                if (fragArmed) {
                    fragArmed = false;
                    send(FRAGMENTATION, String.format(java.util.Locale.ROOT,
                            "fragmentation index %.3f at order %d is above %.3f", index, order, fragThreshold),
                            data(FRAG_TYPE, new String[] {"order", "index", "threshold"},
                                    new Object[] {order, index, fragThreshold}));
                }
            } else {
                fragArmed = true;
            }
        }
        double waste = wastePercent(s.global());
        if (waste > wasteThreshold) {
            if (wasteArmed) {
                wasteArmed = false;
                send(INTERNAL_FRAGMENTATION, String.format(java.util.Locale.ROOT,
                        "internal fragmentation %.2f%% is above %.2f%%", waste, wasteThreshold),
                        data(WASTE_TYPE, new String[] {"percent", "threshold"}, new Object[] {waste, wasteThreshold}));
            }
        } else {
            wasteArmed = true;
        }
        long failures = s.global().allocFailures();
        if (failuresSeen >= 0 && failures > failuresSeen) {
            long n = failures - failuresSeen;
            long size = lastFailureSize;
            send(ALLOCATION_FAILURE, n + " allocation failure" + (n == 1 ? "" : "s") + " (" + failures + " so far)"
                    + (size > 0 ? ", last asked " + size + " bytes" : ""),
                    data(FAIL_TYPE, new String[] {"failures", "total", "lastSize"}, new Object[] {n, failures, size}));
        }
        failuresSeen = failures;
    }

    private static CompositeData data(CompositeType t, String[] names, Object[] values) {
        try {
            return new CompositeDataSupport(t, names, values);
        } catch (OpenDataException e) {
            throw new IllegalStateException(e);
        }
    }

    private void send(String type, String message, CompositeData data) {
        Notification n = new Notification(type, source, sequence.incrementAndGet(), System.currentTimeMillis(),
                message);
        n.setUserData(data);
        sendNotification(n);
    }
}
