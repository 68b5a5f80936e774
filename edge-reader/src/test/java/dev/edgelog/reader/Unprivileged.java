package dev.edgelog.reader;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs {@link ReadProbe} as a user without write permission, for {@link ReadOnlyDirectoryTest}.
 *
 * <p>Root ignores file permissions, and CI runs tests as root. So as root the probe runs in a child
 * JVM under uid/gid 65534 ({@code setpriv}); that user cannot read the test class path under
 * {@code /root}, so the class path is copied into a world-readable directory first. Not as root, the
 * permissions already bind this process, and the probe runs in it. The child is always killed.
 */
final class Unprivileged implements AutoCloseable {

    static final String NOBODY = "65534";

    private final Path base;
    private final String classPath;

    private Unprivileged(Path base, String classPath) {
        this.base = base;
        this.classPath = classPath;
    }

    /** Effective uid 0: /proc/self belongs to the process's user (Linux); else the user name. */
    static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static Path setpriv() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "setpriv");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** A world-traversable working directory under /tmp (not @TempDir, which may sit under a 0700 one). */
    static Unprivileged create() throws IOException {
        Path base = Files.createTempDirectory(Path.of("/tmp"), "edge-reader-ro-");
        chmod(base, "rwxr-xr-x");
        String cp = isRoot() ? copyClassPath(base.resolve("cp")) : System.getProperty("java.class.path");
        Path tmp = Files.createDirectory(base.resolve("tmp"));
        chmod(tmp, "rwxrwxrwx");
        return new Unprivileged(base, cp);
    }

    Path base() {
        return base;
    }

    /** The probe's output lines, read as a user that cannot write {@code db}'s directory. */
    List<String> probe(Path db) throws IOException, InterruptedException {
        if (!isRoot()) {
            return ReadProbe.probe(db);
        }
        String java = ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = List.of(setpriv().toString(), "--reuid=" + NOBODY, "--regid=" + NOBODY,
                "--clear-groups", java, "-Xmx128m", "-XX:-UsePerfData",
                "-Djava.io.tmpdir=" + base.resolve("tmp"), "-cp", classPath, ReadProbe.class.getName(),
                db.toString());
        Path out = base.resolve("probe.out");
        Process p = new ProcessBuilder(cmd).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new AssertionError("probe did not finish within 120 s: " + Files.readString(out));
            }
        } finally {
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        return Files.readAllLines(out, StandardCharsets.UTF_8);
    }

    private static String copyClassPath(Path target) throws IOException {
        Files.createDirectory(target);
        chmod(target, "rwxr-xr-x");
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path from = Path.of(entry);
            if (!Files.exists(from)) {
                continue;
            }
            Path to = target.resolve(n++ + (Files.isDirectory(from) ? "" : ".jar"));
            copyReadable(from, to);
            entries.add(to.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void copyReadable(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            tree.forEach(p -> {
                Path dest = to.resolve(from.relativize(p).toString());
                try {
                    Files.copy(p, dest);
                    chmod(dest, Files.isDirectory(dest) ? "rwxr-xr-x" : "rw-r--r--");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    static void chmod(Path p, String perms) throws IOException {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
    }

    /** Makes everything writable again and deletes the working directory. */
    @Override
    public void close() throws IOException {
        try (Stream<Path> tree = Files.walk(base)) {
            for (Path p : tree.filter(Files::isDirectory).toList()) {
                chmod(p, "rwxr-xr-x");
            }
        }
        try (Stream<Path> tree = Files.walk(base)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
