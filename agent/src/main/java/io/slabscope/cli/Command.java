package io.slabscope.cli;

import java.util.List;

/** A subcommand of slabscope. */
interface Command {
    /** Its name on the command line. */
    String name();

    /** One line for the command list. */
    String summary();

    /** The --help text. */
    String help();

    /** Runs it; returns the exit code. Usage errors are thrown, source errors too (Main maps them). */
    int run(List<String> args, Io io) throws Exception;
}
