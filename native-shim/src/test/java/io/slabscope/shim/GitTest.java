package io.slabscope.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * git under the shim: init, add and commit a few hundred generated files, change some,
 * commit again, {@code log --stat}, {@code gc}, {@code fsck}. With fixed identities and dates
 * both repositories must end up with the same commits and the same output.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class GitTest {

    private static final int FILES = 400;

    @TempDir
    Path work;

    @Test
    void gitHistoryIsIdenticalUnderTheShim() throws Exception {
        Path git = Programs.require("git");
        ShimRunner runner = new ShimRunner(work);
        Path home = Files.createDirectories(work.resolve("home"));

        List<RunResult> baseline = scenario(runner, Mode.BASELINE, git, home,
                Files.createDirectories(work.resolve("repo-baseline")));
        List<RunResult> shim = scenario(runner, Mode.SHIM, git, home,
                Files.createDirectories(work.resolve("repo-shim")));

        assertEquals(baseline.size(), shim.size());
        for (int i = 0; i < baseline.size(); i++) {
            new Comparison(baseline.get(i), shim.get(i)).assertSameStdout();
        }
        for (RunResult step : shim) {
            step.reports().assertAtLeast(1).assertNoInvalidFrees();
            step.mainReport().assertAtLeast("malloc_calls", 10);
        }
        RunResult add = shim.get(1);
        add.mainReport().assertAtLeast("malloc_calls", FILES).assertAtLeast("slab_allocs", FILES);
        RunResult gc = step(shim, "gc");
        gc.reports().assertAtLeast(2); // git gc runs pack-objects & co. as child processes
    }

    /** Runs the whole scenario in {@code repo}; returns the git invocations in order. */
    private List<RunResult> scenario(ShimRunner runner, Mode mode, Path git, Path home, Path repo)
            throws IOException, InterruptedException {
        List<RunResult> steps = new ArrayList<>();
        steps.add(git(runner, mode, git, home, repo, "init", "-q", "-b", "main"));
        writeFiles(repo, 0);
        steps.add(git(runner, mode, git, home, repo, "add", "-A"));
        steps.add(git(runner, mode, git, home, repo, "commit", "-q", "-m", "Import generated sources"));
        writeFiles(repo, 1);
        steps.add(git(runner, mode, git, home, repo, "add", "-A"));
        steps.add(git(runner, mode, git, home, repo, "commit", "-q", "-m", "Rework every seventh module"));
        steps.add(git(runner, mode, git, home, repo, "log", "--stat"));
        steps.add(git(runner, mode, git, home, repo, "diff", "--stat", "HEAD~1", "HEAD"));
        steps.add(git(runner, mode, git, home, repo, "grep", "-c", "value 7"));
        steps.add(git(runner, mode, git, home, repo, "gc", "--quiet"));
        steps.add(git(runner, mode, git, home, repo, "fsck", "--full", "--strict", "--no-progress"));
        steps.add(git(runner, mode, git, home, repo, "count-objects", "-v"));
        steps.add(git(runner, mode, git, home, repo, "ls-tree", "-r", "HEAD"));
        steps.add(git(runner, mode, git, home, repo, "rev-parse", "HEAD", "HEAD~1"));
        return steps.stream().map(GitTest::withoutVolatileLines).collect(Collectors.toList());
    }

    private static RunResult git(ShimRunner runner, Mode mode, Path git, Path home, Path repo, String... args)
            throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(git.toString(), "-c", "gc.auto=0", "-c", "core.pager=cat"));
        argv.addAll(List.of(args));
        RunResult result = runner.run(mode, Command.of(argv).in(repo).withEnv(environment(home)));
        Comparison.assertExit(result, 0);
        return result;
    }

    private static Map<String, String> environment(Path home) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", home.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_AUTHOR_NAME", "Slab Scope");
        env.put("GIT_AUTHOR_EMAIL", "tests@slabscope.invalid");
        env.put("GIT_AUTHOR_DATE", "2024-01-02T03:04:05Z");
        env.put("GIT_COMMITTER_NAME", "Slab Scope");
        env.put("GIT_COMMITTER_EMAIL", "tests@slabscope.invalid");
        env.put("GIT_COMMITTER_DATE", "2024-01-02T03:04:05Z");
        env.put("GIT_PAGER", "cat");
        return env;
    }

    /** count-objects' sizes depend on delta search order (threads); keep only the object counts. */
    private static RunResult withoutVolatileLines(RunResult result) {
        if (!result.command().argv().contains("count-objects")) {
            return result;
        }
        String kept = result.stdoutText().lines()
                .filter(line -> line.startsWith("count:") || line.startsWith("in-pack:") || line.startsWith("packs:"))
                .collect(Collectors.joining("\n", "", "\n"));
        return new RunResult(result.command(), result.mode(), result.pid(), result.exitCode(),
                kept.getBytes(StandardCharsets.UTF_8), result.stderr(), result.elapsed(),
                result.reportDir());
    }

    private static RunResult step(List<RunResult> steps, String subcommand) {
        return steps.stream().filter(s -> s.command().argv().contains(subcommand)).findFirst().orElseThrow();
    }

    /** Generation 0 creates FILES files in 20 modules; generation 1 edits, deletes and adds some. */
    private static void writeFiles(Path repo, int generation) throws IOException {
        for (int i = 0; i < FILES; i++) {
            int module = i % 20;
            Path file = repo.resolve("src").resolve("module" + module).resolve("file" + i + ".txt");
            if (generation == 1 && module % 7 == 0) {
                if (i % 3 == 0) {
                    Files.delete(file);
                    continue;
                }
                Files.writeString(file, content(i, 1));
            } else if (generation == 0) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, content(i, 0));
            }
        }
        if (generation == 1) {
            for (int i = 0; i < 25; i++) {
                Path file = repo.resolve("docs").resolve("note" + i + ".md");
                Files.createDirectories(file.getParent());
                Files.writeString(file, "# Note " + i + "\n\n" + content(i * 31, 2));
            }
        }
    }

    private static String content(int seed, int generation) {
        StringBuilder text = new StringBuilder();
        int lines = 20 + seed % 40;
        for (int line = 0; line < lines; line++) {
            text.append("line ").append(line).append(" of file ").append(seed)
                    .append(": value ").append((seed * 31 + line * 17 + generation * 5) % 101).append('\n');
        }
        return text.toString();
    }
}
