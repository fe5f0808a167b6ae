package io.slabscope.shim;

/** How a command is run: plain (the system allocator) or with the shim preloaded. */
enum Mode {
    BASELINE,
    SHIM
}
