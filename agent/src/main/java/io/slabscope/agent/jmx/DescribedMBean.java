package io.slabscope.agent.jmx;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.StandardMBean;

/**
 * An MXBean whose MBeanInfo carries the {@link Doc} descriptions of its interface (the
 * {@link Units} reach the descriptors by themselves, through {@code @DescriptorKey}).
 */
public class DescribedMBean<T> extends StandardMBean {
    private final Class<T> type;

    public DescribedMBean(T impl, Class<T> type) {
        super(impl, type, true);
        this.type = type;
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
