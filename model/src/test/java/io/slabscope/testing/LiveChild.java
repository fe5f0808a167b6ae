package io.slabscope.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * native-shim/target/test-bin/ground_truth running under the shim: it allocates known counts
 * of known sizes, prints "ready pid=... small=... mid=... medium=... large=... named=...",
 * republishes on each "p" line (answering "published") and exits on any other line.
 */
public final class LiveChild implements AutoCloseable {
    public static final Path LIBRARY = Path.of(System.getProperty("slabscope.library",
            "../native-shim/target/libslabscope.so")).toAbsolutePath().normalize();
    public static final Path TEST_BIN = Path.of(System.getProperty("slabscope.testBin",
            "../native-shim/target/test-bin")).toAbsolutePath().normalize();
    public static final Path GROUND_TRUTH = TEST_BIN.resolve("ground_truth");
    private static final Pattern READY = Pattern.compile(
            "ready pid=(\\d+) small=(\\d+) mid=(\\d+) medium=(\\d+) large=(\\d+) named=(\\d+)");

    public final Process process;
    public final int pid;
    public final int small, mid, medium, large, named;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final OutputStream stdin;

    /** Skips the test unless the shim exports the snapshot functions and ground_truth is built. */
    public static void assumeAvailable() {
        assumeTrue(Files.isRegularFile(LIBRARY), "no " + LIBRARY + " (make -C native-shim)");
        assumeTrue(exportsSnapshot(LIBRARY), LIBRARY + " does not export ss_snapshot yet");
        assumeTrue(Files.isExecutable(GROUND_TRUTH), "no " + GROUND_TRUTH + " yet");
    }

    /** Whether the library's dynamic symbol names include ss_snapshot. */
    public static boolean exportsSnapshot(Path lib) {
        try {
            byte[] b = Files.readAllBytes(lib);
            byte[] name = "\0ss_snapshot\0".getBytes(StandardCharsets.US_ASCII);
            outer:
            for (int i = 0; i + name.length <= b.length; i++) {
                for (int j = 0; j < name.length; j++) {
                    if (b[i + j] != name[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    public LiveChild() throws Exception {
        this(List.of());
    }

    /** ground_truth started through {@code wrapper} (e.g. setpriv to run it as another user). */
    public LiveChild(List<String> wrapper) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(wrapper);
        cmd.add(GROUND_TRUTH.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("LD_PRELOAD", LIBRARY.toString());
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        process = pb.start();
        stdin = process.getOutputStream();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l; (l = r.readLine()) != null;) {
                    lines.add(l);
                }
            } catch (IOException e) {
                // the child is gone
            }
        }, "ground_truth-stdout");
        reader.setDaemon(true);
        reader.start();
        String ready = lines.poll(20, TimeUnit.SECONDS);
        if (ready == null) {
            process.destroyForcibly();
            throw new IllegalStateException("ground_truth said nothing within 20 s");
        }
        Matcher m = READY.matcher(ready);
        if (!m.find()) {
            process.destroyForcibly();
            throw new IllegalStateException("unexpected first line of ground_truth: " + ready);
        }
        pid = Integer.parseInt(m.group(1));
        small = Integer.parseInt(m.group(2));
        mid = Integer.parseInt(m.group(3));
        medium = Integer.parseInt(m.group(4));
        large = Integer.parseInt(m.group(5));
        named = Integer.parseInt(m.group(6));
        if (pid != process.pid()) {                 // a wrapper must exec ground_truth, as setpriv does
            throw new IllegalStateException("ground_truth says pid " + pid + ", started " + process.pid());
        }
    }

    public Path segment() {
        return Path.of("/dev/shm/slabscope." + pid);
    }

    /** Asks the child to publish (serving any layout request) and waits for its answer. */
    public void publish() throws Exception {
        send("p\n");
        String l = lines.poll(10, TimeUnit.SECONDS);
        if (!"published".equals(l)) {
            throw new IllegalStateException("ground_truth answered " + l);
        }
    }

    /** Publishes every {@code periodMs} from a daemon thread until the returned handle is closed. */
    public AutoCloseable publishing(long periodMs) {
        Thread t = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    publish();
                    Thread.sleep(periodMs);
                }
            } catch (Exception e) {
                // stopped, or the child exited
            }
        }, "ground_truth-publisher");
        t.setDaemon(true);
        t.start();
        return () -> {
            t.interrupt();
            t.join(5000);
        };
    }

    private synchronized void send(String s) throws IOException {
        stdin.write(s.getBytes(StandardCharsets.US_ASCII));
        stdin.flush();
    }

    /** Lets the child free everything and exit; returns its exit code. */
    public int finish() throws Exception {
        try {
            send("q\n");
            stdin.close();
        } catch (IOException e) {
            // already gone
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException("ground_truth did not exit");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            try {
                finish();
            } finally {
                process.destroyForcibly();
            }
        }
    }
}
