package dev.edgelog.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EdgeReaderTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final Duration GENEROUS = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final ExecutorService background = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopBackground() throws InterruptedException {
        background.shutdownNow();
        assertTrue(background.awaitTermination(30, TimeUnit.SECONDS));
    }

    private Path db() {
        return dir.resolve("edge.db");
    }

    private static long count(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM ads")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void when_agentCommits_then_pooledConnectionsSeeTheNewRows() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = EdgeReader.open(db())) {
            agent.apply(1, T0);
            agent.apply(2, T0);
            try (Connection held = reader.dataSource().getConnection()) {
                assertEquals(2, count(held));
                agent.apply(3, T0);
                assertEquals(3, count(held), "a held autocommit connection sees each new commit");
                try (Connection other = reader.dataSource().getConnection()) {
                    assertEquals(3, count(other));
                }
            }
            assertEquals(3, reader.appliedIndex());
        }
    }

    @Test
    void when_readingInATransaction_then_itSeesOneSnapshotUntilItEnds() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = EdgeReader.open(db())) {
            agent.apply(1, T0);
            try (Connection c = reader.dataSource().getConnection()) {
                c.setAutoCommit(false);
                assertEquals(1, count(c));
                agent.apply(2, T0);
                assertEquals(1, count(c), "WAL: a read transaction is a snapshot");
                c.commit();
                assertEquals(2, count(c));
                c.setAutoCommit(true);
            }
        }
    }

    @Test
    void when_writingThroughTheDataSource_then_everyWriteFails() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = EdgeReader.open(db())) {
            agent.apply(1, T0);
            try (Connection c = reader.dataSource().getConnection(); Statement s = c.createStatement()) {
                assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO ads (name) VALUES ('x')"));
                assertThrows(SQLException.class, () -> s.execute("CREATE TABLE t (x)"));
                assertThrows(SQLException.class, () -> s.executeUpdate("UPDATE _edgelog_state SET applied_index = 99"));
                // lifting query_only leaves the read-only open mode in force
                s.execute("PRAGMA query_only = 0");
                assertThrows(SQLException.class, () -> s.executeUpdate("INSERT INTO ads (name) VALUES ('x')"));
            }
            assertEquals(1, count(agent.connection()));
            assertEquals(1, reader.appliedIndex());
        }
    }

    @Test
    void when_databaseFileDoesNotExist_then_notBootstrappedAndTheFileIsNeverCreated() throws Exception {
        try (EdgeReader reader = EdgeReader.open(db())) {
            assertEquals(0, reader.appliedIndex());
            assertTrue(reader.state().isEmpty());
            assertEquals(Lag.notBootstrapped(), reader.lag());
            SQLTransientConnectionException e = assertThrows(SQLTransientConnectionException.class,
                    () -> reader.dataSource().getConnection());
            assertTrue(e.getMessage().contains("does not exist yet"), e.getMessage());
            assertFalse(reader.awaitIndex(1, Duration.ofMillis(30)));
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "a reader must not create the database or its WAL files");
            }

            // the agent bootstraps later: the same reader starts reading
            try (FakeAgent agent = new FakeAgent(db())) {
                assertEquals(0, reader.appliedIndex(), "file without _edgelog_state: still not bootstrapped");
                agent.bootstrap(T0);
                agent.apply(1, T0);
                assertEquals(1, reader.appliedIndex());
                try (Connection c = reader.dataSource().getConnection()) {
                    assertEquals(1, count(c));
                }
            }
        }
    }

    @Test
    void when_stateTableIsMissing_then_notBootstrapped() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()); EdgeReader reader = EdgeReader.open(db())) {
            assertEquals(0, reader.appliedIndex());
            assertFalse(reader.lag().bootstrapped());
            try (Connection c = reader.dataSource().getConnection()) {
                assertEquals(0, count(c), "without a guard the application may read what is there");
            }
            agent.bootstrap(T0);
            assertTrue(reader.state().isPresent());
            assertEquals(0, reader.appliedIndex());
        }
    }

    @Test
    void when_agentApplies_then_stateAndAppliedIndexFollow() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = EdgeReader.open(db())) {
            assertEquals(0, reader.appliedIndex());
            agent.apply(1, T0 + 1);
            agent.apply(2, T0 + 2);
            agent.contact(5L, T0 + 3);
            EdgeState s = reader.state().orElseThrow();
            assertEquals(new EdgeState("0b9a6c1e-log", 2, 1, 4, T0 + 2, T0 + 2, "https://mirror-1.example:4002",
                    5L, T0 + 3), s);
            assertEquals(2, reader.appliedIndex());
        }
    }

    @Test
    void when_readerMeasuresLag_then_itUsesTheStateRowAndItsClock() throws Exception {
        TestClock clock = new TestClock(T0 + 10_000);
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0);
             EdgeReader reader = EdgeReader.open(db(), ReaderConfig.defaults().withClock(clock))) {
            agent.apply(1, T0);
            Lag unknown = reader.lag();
            assertTrue(unknown.bootstrapped());
            assertTrue(unknown.entriesBehind().isEmpty());
            assertTrue(unknown.sinceLastContact().isEmpty());

            agent.contact(4L, T0 + 9_000);
            Lag lag = reader.lag();
            assertEquals(3, lag.entriesBehind().getAsLong());
            assertEquals(Duration.ofSeconds(10), lag.timeBehind().orElseThrow());
            assertEquals(Duration.ofSeconds(1), lag.sinceLastContact().orElseThrow());
        }
    }

    @Test
    void when_writerCommitsTheIndexLater_then_awaitIndexReturnsTrue() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = EdgeReader.open(db())) {
            CountDownLatch waiting = new CountDownLatch(1);
            Future<?> writer = background.submit(() -> {
                waiting.await();
                for (long i = 1; i <= 5; i++) {
                    agent.apply(i, T0);
                }
                return null;
            });
            waiting.countDown();
            assertTrue(reader.awaitIndex(5, GENEROUS));
            assertTrue(reader.appliedIndex() >= 5);
            writer.get(30, TimeUnit.SECONDS);
            assertTrue(reader.awaitIndex(3, Duration.ZERO), "an applied index returns at once");
        }
    }

    @Test
    void when_indexIsNeverApplied_then_awaitIndexReturnsFalse() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = EdgeReader.open(db())) {
            agent.apply(1, T0);
            assertFalse(reader.awaitIndex(2, Duration.ofMillis(50)));
            assertFalse(reader.awaitIndex(2, Duration.ZERO));
        }
    }

    @Test
    void when_waiterIsInterrupted_then_awaitIndexThrowsInterruptedException() throws Exception {
        new FakeAgent(db()).bootstrap(T0).close();
        try (EdgeReader reader = EdgeReader.open(db())) {
            Thread.currentThread().interrupt();
            try {
                assertThrows(InterruptedException.class, () -> reader.awaitIndex(1, GENEROUS));
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void when_readersAreIdle_then_theyDoNotHoldBackACheckpoint() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = EdgeReader.open(db())) {
            agent.apply(1, T0);
            assertEquals(1, reader.appliedIndex());
            try (Connection c = reader.dataSource().getConnection()) {
                assertEquals(1, count(c));
            }
            assertTrue(agent.checkpointTruncate(), "no read transaction may stay open between reads");
            assertEquals(0, Files.size(Path.of(db() + "-wal")));
            agent.apply(2, T0);
            assertEquals(2, reader.appliedIndex());
        }
    }

    @Test
    void when_closed_then_nothingMoreIsServed() throws Exception {
        new FakeAgent(db()).bootstrap(T0).close();
        EdgeReader reader = EdgeReader.open(db());
        assertEquals(0, reader.appliedIndex());
        reader.dataSource().getConnection().close();
        reader.close();
        assertThrows(SQLException.class, () -> reader.dataSource().getConnection());
        assertThrows(IllegalStateException.class, reader::appliedIndex);
    }

    @Test
    void when_pathIsUnusable_then_openRefusesIt() {
        assertThrows(IllegalArgumentException.class, () -> EdgeReader.open(dir));
        assertThrows(IllegalArgumentException.class, () -> EdgeReader.open(dir.resolve("edge?mode=rw.db")));
    }
}
