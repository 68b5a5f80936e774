package dev.edgelog.sqllog.testing;

import dev.edgelog.sqllog.config.RoleProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child JVM running a {@code main} class from the test class path, for crash tests: the child
 * prints progress lines on stdout, the test waits for one ({@link #awaitLine}) and kills the child
 * with SIGKILL ({@link #kill9}). Closing it always kills the child, so no process outlives a test.
 * The child's stderr goes to a file next to its data, for the test report.
 */
public final class ChildJvm implements AutoCloseable {

    private static final String EOF = "\u0000EOF";

    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    private ChildJvm(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the child died; EOF below tells the waiter
            } finally {
                lines.add(EOF);
            }
        }, "child-stdout-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code main} with {@code args} in a new JVM with this JVM's class path. */
    public static ChildJvm start(Class<?> main, Path stderrFile, String... args) throws IOException {
        return launch(List.of("-Xmx256m", "-cp", System.getProperty("java.class.path"), main.getName()), stderrFile,
                args);
    }

    /** Starts {@code java -jar jar args…} (a packaged role). */
    public static ChildJvm startJar(Path jar, Path stderrFile, String... args) throws IOException {
        return launch(List.of("-Xmx512m", "-jar", jar.toString()), stderrFile, args);
    }

    private static ChildJvm launch(List<String> jvmArgs, Path stderrFile, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        // role processes exit with the test JVM, even if it dies without running its cleanup
        pb.environment().put(RoleProcess.EXIT_WITH_PARENT_ENV, Long.toString(ProcessHandle.current().pid()));
        return new ChildJvm(pb.start());
    }

    /** Sends SIGTERM (an orderly stop) and waits for the process to exit. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            kill9();
            throw new AssertionError("child " + process.pid() + " ignored SIGTERM for " + timeout + "; killed");
        }
        return process.exitValue();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits for a stdout line matching {@code match} and returns it.
     *
     * @throws AssertionError when the child exits or the timeout passes first
     */
    public String awaitLine(Predicate<String> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError("child " + process.pid() + " printed no matching line within " + timeout
                        + "; last lines: " + tail());
            }
            if (line.equals(EOF)) {
                lines.add(EOF);
                throw new AssertionError("child " + process.pid() + " exited (" + exitCodeOrAlive()
                        + ") before a matching line; last lines: " + tail());
            }
            seen.add(line);
            if (match.test(line)) {
                return line;
            }
        }
    }

    /** Every stdout line read so far (by {@link #awaitLine} or {@link #drain}). */
    public List<String> seen() {
        return List.copyOf(seen);
    }

    /** Reads whatever stdout lines have arrived, without waiting. */
    public List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String l; (l = lines.poll()) != null; ) {
            if (l.equals(EOF)) {
                lines.add(EOF);
                break;
            }
            seen.add(l);
            out.add(l);
        }
        return out;
    }

    /** Sends SIGKILL and waits for the process to be gone. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("child " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    /** Waits for a normal exit and returns the exit code. */
    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("child " + process.pid() + " still running after " + timeout);
        }
        return process.exitValue();
    }

    public long pid() {
        return process.pid();
    }

    private String exitCodeOrAlive() {
        return process.isAlive() ? "alive" : "exit " + process.exitValue();
    }

    private String tail() {
        return seen.subList(Math.max(0, seen.size() - 5), seen.size()).toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
