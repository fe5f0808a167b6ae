package io.slabscope.agent;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import javax.management.MBeanRegistrationException;
import javax.management.MBeanServer;
import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;
import javax.management.ObjectName;

/**
 * A platform MBean server that exists but refuses every io.slabscope MBean (as a locked-down
 * application server might): for the agent's "registering the MXBeans" failure. Selected in a
 * child JVM with {@code -Djavax.management.builder.initial=io.slabscope.agent.RefusingMBeanServerBuilder}.
 */
public final class RefusingMBeanServerBuilder extends MBeanServerBuilder {
    @Override
    public MBeanServer newMBeanServer(String defaultDomain, MBeanServer outer, MBeanServerDelegate delegate) {
        MBeanServer[] inner = new MBeanServer[1];
        MBeanServer refusing = (MBeanServer) Proxy.newProxyInstance(MBeanServer.class.getClassLoader(),
                new Class<?>[] {MBeanServer.class}, (proxy, method, args) -> {
                    if (method.getName().equals("registerMBean") && args[1] instanceof ObjectName name
                            && name.getDomain().equals("io.slabscope")) {
                        throw new MBeanRegistrationException(new SecurityException("not here"),
                                "io.slabscope MBeans are refused");
                    }
                    try {
                        return method.invoke(inner[0], args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        inner[0] = super.newMBeanServer(defaultDomain, outer == null ? refusing : outer, delegate);
        return refusing;
    }
}
