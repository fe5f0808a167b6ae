package io.slabscope.agent.jmx;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.NotificationEmitter;
import javax.management.StandardEmitterMBean;

/** {@link DescribedMBean} that also sends notifications. */
public class DescribedEmitterMBean<T> extends StandardEmitterMBean {
    private final Class<T> type;

    public DescribedEmitterMBean(T impl, Class<T> type, NotificationEmitter emitter) {
        super(impl, type, true, emitter);
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
