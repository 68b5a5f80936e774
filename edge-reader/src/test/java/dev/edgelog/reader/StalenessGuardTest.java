package dev.edgelog.reader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StalenessGuardTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final Duration LIMIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final TestClock clock = new TestClock(T0);

    private Path db() {
        return dir.resolve("edge.db");
    }

    /** A guarded reader that re-reads the state row on every borrow, so each step is deterministic. */
    private EdgeReader guarded() {
        return EdgeReader.open(db(), ReaderConfig.defaults().withMaxStaleness(LIMIT).withClock(clock), 0);
    }

    private static void borrow(EdgeReader reader) throws Exception {
        try (Connection c = reader.dataSource().getConnection()) {
            assertTrue(c.isValid(1));
        }
    }

    @Test
    void when_lastContactIsRecent_then_connectionsAreServed() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = guarded()) {
            agent.apply(1, T0);
            agent.contact(1L, T0 - 5_000);
            borrow(reader);
        }
    }

    @Test
    void when_lastContactIsOld_then_guardThrowsWithStalenessAndLimit() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = guarded()) {
            agent.apply(1, T0 - 100_000);
            agent.contact(1L, T0 - 45_000);
            StaleDataException e = assertThrows(StaleDataException.class, () -> reader.dataSource().getConnection());
            assertEquals(Optional.of(Duration.ofSeconds(45)), e.staleness());
            assertEquals(LIMIT, e.limit());
            assertTrue(e.getMessage().contains("45.0 s old, over the max staleness of 30.0 s"), e.getMessage());
            assertTrue(e.getMessage().contains("last upstream contact 45.0 s ago"), e.getMessage());
        }
    }

    @Test
    void when_contactResumes_then_guardServesAgain() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = guarded()) {
            agent.apply(1, T0);
            agent.contact(1L, T0 - 45_000);
            assertThrows(StaleDataException.class, () -> reader.dataSource().getConnection());
            agent.contact(1L, T0);
            borrow(reader);
        }
    }

    @Test
    void when_catchingUpFarBehind_then_guardThrowsEvenThoughContactIsFresh() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = guarded()) {
            agent.apply(1, T0 - 600_000);
            agent.contact(5_000L, T0 - 1_000);
            StaleDataException e = assertThrows(StaleDataException.class, () -> reader.dataSource().getConnection());
            assertEquals(Optional.of(Duration.ofMinutes(10)), e.staleness());
            assertTrue(e.getMessage().contains("4999 entries behind"), e.getMessage());
        }
    }

    @Test
    void when_noContactRecordedYet_then_guardThrows() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = guarded()) {
            agent.apply(1, T0);
            StaleDataException e = assertThrows(StaleDataException.class, () -> reader.dataSource().getConnection());
            assertTrue(e.staleness().isEmpty());
            assertTrue(e.getMessage().contains("no upstream contact"), e.getMessage());
        }
    }

    @Test
    void when_notBootstrapped_then_guardThrows() throws Exception {
        try (EdgeReader reader = guarded()) {
            StaleDataException noFile = assertThrows(StaleDataException.class,
                    () -> reader.dataSource().getConnection());
            assertTrue(noFile.getMessage().contains("not bootstrapped"), noFile.getMessage());
            try (FakeAgent agent = new FakeAgent(db())) {
                StaleDataException noTable = assertThrows(StaleDataException.class,
                        () -> reader.dataSource().getConnection());
                assertTrue(noTable.getMessage().contains("not bootstrapped"), noTable.getMessage());
                agent.bootstrap(T0);
                agent.contact(0L, T0);
                borrow(reader);
            }
        }
    }

    @Test
    void when_timePassesWithoutContact_then_theCachedRowStopsServing() throws Exception {
        // the default guard re-reads the row at most every 100 ms; it must still refuse as time passes
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0);
             EdgeReader reader = EdgeReader.open(db(), ReaderConfig.defaults().withMaxStaleness(LIMIT).withClock(clock))) {
            agent.apply(1, T0);
            agent.contact(1L, T0);
            borrow(reader);
            clock.advance(Duration.ofSeconds(31));
            StaleDataException e = assertThrows(StaleDataException.class, () -> reader.dataSource().getConnection());
            assertEquals(Optional.of(Duration.ofSeconds(31)), e.staleness());
            agent.contact(1L, clock.millis());
            borrow(reader);
        }
    }

    @Test
    void when_readerIsClosed_then_guardedConnectionsFailWithAnSqlException() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0)) {
            EdgeReader reader = guarded();
            reader.close();
            assertThrows(java.sql.SQLException.class, () -> reader.dataSource().getConnection());
        }
    }

    @Test
    void when_guardRefuses_then_stateMethodsStillAnswer() throws Exception {
        try (FakeAgent agent = new FakeAgent(db()).bootstrap(T0); EdgeReader reader = guarded()) {
            agent.apply(7, T0);
            assertThrows(StaleDataException.class, () -> reader.dataSource().getConnection());
            assertEquals(7, reader.appliedIndex());
            assertTrue(reader.lag().bootstrapped());
        }
    }
}
