package dev.edgelog.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An ad server usually runs as another user than the edge agent and cannot write the database's
 * directory. SQLite ≥ 3.22 reads a WAL database read-only when its {@code -wal} and {@code -shm}
 * files exist (the agent keeps them while it runs); without them it cannot. Both halves are tested,
 * so the first cannot pass by accident.
 */
class ReadOnlyDirectoryTest {

    private static final long T0 = 1_700_000_000_000L;

    private Unprivileged unprivileged;
    private Path dbDir;
    private Path db;

    @BeforeEach
    void setUp() throws Exception {
        assumeTrue(!Unprivileged.isRoot() || Unprivileged.setpriv() != null,
                "running as root without setpriv (util-linux): cannot read as an unprivileged user");
        unprivileged = Unprivileged.create();
        dbDir = Files.createDirectory(unprivileged.base().resolve("db"));
        Unprivileged.chmod(dbDir, "rwxr-xr-x");
        db = dbDir.resolve("edge.db");
    }

    @AfterEach
    void tearDown() throws Exception {
        if (unprivileged != null) {
            unprivileged.close();
        }
    }

    /** Directory 0555, every file in it 0444: nothing there is writable but by root. */
    private void makeReadOnly() throws Exception {
        try (var files = Files.list(dbDir)) {
            for (Path f : files.toList()) {
                Unprivileged.chmod(f, "r--r--r--");
            }
        }
        Unprivileged.chmod(dbDir, "r-xr-xr-x");
    }

    private static String value(List<String> lines, String key) {
        return lines.stream().filter(l -> l.startsWith(key + "=")).map(l -> l.substring(key.length() + 1))
                .findFirst().orElseThrow(() -> new AssertionError("no " + key + " in " + lines));
    }

    @Test
    void when_readerCannotWriteTheDirectory_then_itReadsTheWalDatabaseWhileTheAgentRuns() throws Exception {
        try (FakeAgent agent = new FakeAgent(db).bootstrap(T0)) {
            for (long i = 1; i <= 3; i++) {
                agent.apply(i, T0);
            }
            assertTrue(Files.exists(Path.of(db + "-shm")) && Files.exists(Path.of(db + "-wal")));
            makeReadOnly();

            List<String> out = unprivileged.probe(db);

            assertEquals("false", value(out, "dir_writable"), "the probe must lack write permission: " + out);
            assertFalse(out.stream().anyMatch(l -> l.startsWith("error=")), out.toString());
            assertEquals("3", value(out, "applied_index"), out.toString());
            assertEquals("3", value(out, "rows"), out.toString());
        }
    }

    @Test
    void when_walFilesAreMissingAndTheDirectoryIsReadOnly_then_readingFailsNamingTheCause() throws Exception {
        try (FakeAgent agent = new FakeAgent(db).bootstrap(T0)) {
            agent.apply(1, T0);
        }
        // the agent's connection was the last one: SQLite checkpointed and deleted -wal and -shm
        assertFalse(Files.exists(Path.of(db + "-shm")));
        makeReadOnly();

        List<String> out = unprivileged.probe(db);

        assertEquals("false", value(out, "dir_writable"), out.toString());
        String error = value(out, "error");
        assertTrue(error.contains("edge.db-wal and edge.db-shm are missing"), error);
        assertFalse(out.stream().anyMatch(l -> l.startsWith("rows=")), out.toString());
    }
}
