package dev.edgelog.sqllog.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Keeps the child processes' logs of a failed test, which otherwise go with its temporary
 * directory: every {@code *.stderr} file there is copied to
 * {@code target/failed-logs/<class>/<test>/} and its last lines are printed, so a failure on CI,
 * where only the console survives, still shows what each process said. Runs before
 * {@code @AfterEach}, while the files are still there.
 *
 * <pre>{@code @RegisterExtension final KeepLogsOnFailure keep = new KeepLogsOnFailure(() -> dir);}</pre>
 */
public final class KeepLogsOnFailure implements AfterTestExecutionCallback {

    private static final int TAIL_LINES = 60;

    private final Supplier<Path> dir;

    /** @param dir the directory the test's children write their {@code *.stderr} files to */
    public KeepLogsOnFailure(Supplier<Path> dir) {
        this.dir = dir;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) throws IOException {
        Path from = dir.get();
        if (context.getExecutionException().isEmpty() || from == null || !Files.isDirectory(from)) {
            return;
        }
        Path to = Path.of("target", "failed-logs", context.getRequiredTestClass().getSimpleName(),
                context.getDisplayName().replaceAll("[^A-Za-z0-9._-]+", "_"));
        Files.createDirectories(to);
        List<Path> logs;
        try (Stream<Path> files = Files.walk(from)) {
            logs = files.filter(p -> p.getFileName().toString().endsWith(".stderr")).sorted().toList();
        }
        for (Path log : logs) {
            Files.copy(log, to.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            System.out.println("---- last " + TAIL_LINES + " lines of " + log.getFileName() + " (whole file in "
                    + to.toAbsolutePath() + ")");
            tail(log).forEach(System.out::println);
        }
    }

    private static List<String> tail(Path log) {
        try {
            List<String> lines = List.of(new String(Files.readAllBytes(log), StandardCharsets.UTF_8).split("\n"));
            return lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
