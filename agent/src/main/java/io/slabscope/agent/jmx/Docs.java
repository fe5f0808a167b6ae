package io.slabscope.agent.jmx;

import java.lang.reflect.Method;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanOperationInfo;

/** Reads the {@link Doc} annotations of an MXBean interface. */
final class Docs {
    private Docs() {
    }

    static String of(Class<?> type) {
        Doc d = type.getAnnotation(Doc.class);
        return d == null ? null : d.value();
    }

    static String of(Class<?> type, MBeanAttributeInfo info) {
        for (String prefix : new String[] {"get", "is"}) {
            Doc d = doc(type, prefix + info.getName(), 0);
            if (d != null) {
                return d.value();
            }
        }
        return null;
    }

    static String of(Class<?> type, MBeanOperationInfo info) {
        Doc d = doc(type, info.getName(), info.getSignature().length);
        return d == null ? null : d.value();
    }

    private static Doc doc(Class<?> type, String method, int params) {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(method) && m.getParameterCount() == params) {
                return m.getAnnotation(Doc.class);
            }
        }
        return null;
    }
}
