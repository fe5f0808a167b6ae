package io.slabscope.agent.jmx;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Description of an MXBean, attribute (on its getter) or operation; {@link DescribedMBean} puts it
 * into the MBeanInfo, where JConsole and VisualVM show it.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Doc {
    String value();
}
