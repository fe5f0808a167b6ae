package io.slabscope.cli;

import io.slabscope.agent.Attach;
import java.util.List;

/** {@code slabscope attach PID [OPTIONS]}: loads the Java agent into a running JVM (io.slabscope.agent.Attach). */
final class AttachCommand implements Command {

    @Override
    public String name() {
        return "attach";
    }

    @Override
    public String summary() {
        return "load the Java agent into a running JVM (JFR events, MBeans)";
    }

    @Override
    public String help() {
        return Attach.HELP;
    }

    @Override
    public int run(List<String> args, Io io) {
        return Attach.run(args, io.out(), io.err());
    }
}
