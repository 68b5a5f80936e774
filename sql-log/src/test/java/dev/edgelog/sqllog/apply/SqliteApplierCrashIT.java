package dev.edgelog.sqllog.apply;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.testing.ChildJvm;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kill -9 a child applying batches at seeded random moments: after each kill the database holds
 * exactly the entries up to its applied index, at least every one the child reported committed,
 * and a restarted child (feeding again from index 1) applies nothing twice.
 */
class SqliteApplierCrashIT {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteApplierCrashIT.class);
    private static final long LAST = 1_000_000;
    private static final int ROUNDS = 5;

    @TempDir
    Path dir;

    @Test
    void when_killedMidApply_then_reopenedDatabaseHasExactlyTheAppliedEntries() throws Exception {
        long seed = Long.getLong("crash.seed", System.nanoTime());
        LOG.info("crash test seed {} (rerun with -Dcrash.seed={})", seed, seed);
        Random random = new Random(seed);
        Path db = dir.resolve("crash.db");
        long applied = 0;
        for (int round = 0; round < ROUNDS; round++) {
            long target = applied + 200 + random.nextInt(3000);
            long printed;
            try (ChildJvm child = ChildJvm.start(CrashApplyChild.class, dir.resolve("child.err"),
                    db.toString(), Long.toString(LAST), Long.toString(random.nextLong()))) {
                child.awaitLine(l -> l.startsWith("APPLIED ") && index(l) >= target, Duration.ofSeconds(60));
                child.kill9();
                printed = child.drain().stream().filter(l -> l.startsWith("APPLIED "))
                        .mapToLong(SqliteApplierCrashIT::index).max().orElse(0);
                printed = Math.max(printed, child.seen().stream().filter(l -> l.startsWith("APPLIED "))
                        .mapToLong(SqliteApplierCrashIT::index).max().orElse(0));
            }
            long now = assertExactlyApplied(db);
            assertTrue(now >= printed, "round " + round + ": applied index " + now + " < last reported " + printed
                    + " (seed " + seed + ")");
            assertTrue(now >= applied, "applied index went back");
            LOG.info("round {}: killed after reporting {}, database at {}", round, printed, now);
            applied = now;
        }
    }

    private static long index(String line) {
        return Long.parseLong(line.substring("APPLIED ".length()).trim());
    }

    /** Checks counter == applied_index and one event per index 1..applied_index; returns the index. */
    private static long assertExactlyApplied(Path db) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            long index = query(c, "SELECT applied_index FROM _edgelog_state");
            assertEquals(index, query(c, "SELECT n FROM counter"), "counter");
            assertEquals(index, query(c, "SELECT count(*) FROM events"), "events");
            assertEquals(index, query(c, "SELECT count(DISTINCT entry_index) FROM events WHERE entry_index BETWEEN 1 AND "
                    + index), "one event per index");
            return index;
        }
    }

    private static long query(Connection c, String sql) throws SQLException {
        try (java.sql.Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
