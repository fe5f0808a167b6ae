package io.slabscope.cli;

import io.slabscope.model.SnapshotFormatException;
import io.slabscope.model.source.NotOwnerException;
import io.slabscope.model.source.NotUnderShimException;
import io.slabscope.model.source.ProcessGoneException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The {@code slabscope} command: looks at processes running under libslabscope.so. */
public final class Main {
    static final List<Command> COMMANDS = List.of(
            new RunCommand(),
            new PsCommand(),
            new SlabinfoCommand(),
            new BuddyinfoCommand(),
            new TopCommand(),
            new LayoutCommand(),
            new AttachCommand());

    private Main() {
    }

    public static void main(String[] args) {
        Signals.enabled = true;
        int code = run(args, Io.system());
        System.out.flush();
        System.exit(code);
    }

    /** Runs a command line; returns the exit code. Errors are one line on stderr. */
    public static int run(String[] args, Io io) {
        if (args.length == 0 || args[0].equals("-h") || args[0].equals("--help") || args[0].equals("help")) {
            if (args.length > 1 && args[0].equals("help")) {
                return run(new String[] {args[1], "--help"}, io);
            }
            io.out().print(usage());
            return args.length == 0 ? ExitCodes.USAGE : ExitCodes.OK;
        }
        if (args[0].equals("--version") || args[0].equals("version")) {
            io.out().println("slabscope " + version());
            return ExitCodes.OK;
        }
        Optional<Command> cmd = COMMANDS.stream().filter(c -> c.name().equals(args[0])).findFirst();
        if (cmd.isEmpty()) {
            io.err().println("slabscope: unknown command '" + args[0] + "' (see slabscope --help)");
            return ExitCodes.USAGE;
        }
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        try {
            return cmd.get().run(rest, io);
        } catch (UsageException e) {
            io.err().println("slabscope " + cmd.get().name() + ": " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (NotUnderShimException e) {
            io.err().println("slabscope: " + e.getMessage());
            return ExitCodes.NOT_UNDER_SHIM;
        } catch (NotOwnerException e) {
            io.err().println("slabscope: " + e.getMessage());
            return ExitCodes.NOT_OWNER;
        } catch (ProcessGoneException e) {
            io.err().println("slabscope: " + e.getMessage());
            return ExitCodes.PROCESS_GONE;
        } catch (SnapshotFormatException e) {
            io.err().println("slabscope: unreadable snapshot: " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (IOException e) {
            io.err().println("slabscope: " + e.getMessage());
            return ExitCodes.ERROR;
        } catch (Exception e) {
            io.err().println("slabscope: " + e);
            return ExitCodes.ERROR;
        }
    }

    static String usage() {
        StringBuilder b = new StringBuilder();
        b.append("usage: slabscope COMMAND [ARGS]\n\n");
        b.append("Looks inside processes that run under libslabscope.so (LD_PRELOAD).\n\nCommands:\n");
        for (Command c : COMMANDS) {
            b.append(String.format("  %-10s %s%n", c.name(), c.summary()));
        }
        b.append("\nslabscope COMMAND --help describes a command.\n");
        b.append("\nExit codes: 0 ok, 1 error, 2 usage, 3 not under the shim, 4 another user's process,\n"
                + "5 process not running; run exits with its command's code (127: cannot run it).\n");
        return b.toString().replace(System.lineSeparator(), "\n");
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
