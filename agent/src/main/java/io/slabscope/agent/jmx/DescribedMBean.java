package io.slabscope.agent.jmx;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.StandardMBean;

/**
 * An MXBean whose MBeanInfo carries the {@link Doc} descriptions of its interface (the
 * {@link Units} reach the descriptors by themselves, through {@code @DescriptorKey}).
 *
 * <p>Beans of one interface and implementation share one MBeanInfo (it is immutable and says
 * nothing of the instance). StandardMBean would keep a copy per bean: with a bean per slab cache
 * that was about 14 attribute infos and their descriptors times 130 caches, live heap that every
 * full GC of the program marks and moves (measured in bench/jvm).
 */
public class DescribedMBean<T> extends StandardMBean {
    private static final Map<String, MBeanInfo> SHARED = new ConcurrentHashMap<>();
    private final Class<T> type;
    private final String key;

    public DescribedMBean(T impl, Class<T> type) {
        super(impl, type, true);
        this.type = type;
        this.key = type.getName() + " " + impl.getClass().getName();
    }

    @Override
    protected MBeanInfo getCachedMBeanInfo() {
        return SHARED.get(key);
    }

    @Override
    protected void cacheMBeanInfo(MBeanInfo info) {
        if (info != null) {
            SHARED.putIfAbsent(key, info);
        }
    }

    @Override
    protected String getDescription(MBeanInfo info) {
        String d = Docs.of(type);
        return d != null ? d : super.getDescription(info);
    }

    @Override
    protected String getDescription(MBeanAttributeInfo info) {
        String d = Docs.of(type, info);
        return d != null ? d : super.getDescription(info);
    }

    @Override
    protected String getDescription(MBeanOperationInfo info) {
        String d = Docs.of(type, info);
        return d != null ? d : super.getDescription(info);
    }
}
