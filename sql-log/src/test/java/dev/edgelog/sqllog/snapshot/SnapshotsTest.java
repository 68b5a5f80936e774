package dev.edgelog.sqllog.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.SqliteApplier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

class SnapshotsTest {

    private static final String LOG = "log-s";

    @TempDir
    Path dir;

    /** Entry i inserts event i and bumps the counter, so content at index n is checkable. */
    static Entry event(long i) {
        return new Entry(i, 1, i, 1_000 + i, true, List.of(
                Statement.of("INSERT INTO events(entry_index, v) VALUES(?, ?)", SqlValue.of(i), SqlValue.of("v" + i)),
                Statement.of("UPDATE counter SET n = n + 1")), List.of());
    }

    static Entry schema() {
        return new Entry(1, 1, 1, 1_000, true, List.of(
                Statement.of("CREATE TABLE events(entry_index INTEGER PRIMARY KEY, v TEXT)"),
                Statement.of("CREATE TABLE counter(n INTEGER)"),
                Statement.of("INSERT INTO counter VALUES(1)")), List.of());
    }

    private static List<Entry> events(long from, long to) {
        List<Entry> out = new ArrayList<>();
        for (long i = from; i <= to; i++) {
            out.add(event(i));
        }
        return out;
    }

    static Connection reader(Path db) throws SQLException {
        SQLiteConfig cfg = new SQLiteConfig();
        cfg.setReadOnly(true);
        return cfg.createConnection("jdbc:sqlite:" + db);
    }

    static long query(Connection c, String sql) throws SQLException {
        try (java.sql.Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Asserts that a database's content is exactly entries 1..applied_index. */
    static long assertConsistent(Path db) throws SQLException {
        try (Connection c = reader(db)) {
            long index = query(c, "SELECT applied_index FROM _edgelog_state");
            assertEquals(index, query(c, "SELECT n FROM counter"), "counter at index " + index);
            assertEquals(index - 1, query(c, "SELECT count(*) FROM events"), "events at index " + index);
            assertEquals(index - 1 == 0 ? 0 : index, query(c, "SELECT ifnull(max(entry_index), 0) FROM events"));
            return index;
        }
    }

    @Test
    void when_snapshotTaken_then_indexAndChecksumDescribeTheFile() throws Exception {
        Path live = dir.resolve("live.db");
        try (SqliteApplier a = SqliteApplier.open(live, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));
            a.apply(events(2, 10));
            SnapshotInfo info = Snapshots.create(live, dir.resolve("snap.db"));

            assertEquals(LOG, info.logId());
            assertEquals(10, info.index());
            assertEquals(Snapshots.sha256(info.file()), info.sha256());
            assertEquals(Files.size(info.file()), info.sizeBytes());
            assertEquals(info, Snapshots.inspect(info.file()));
        }
        assertEquals(10, assertConsistent(dir.resolve("snap.db")));
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains(".tmp-")));
        }
    }

    @Test
    void when_writesContinueDuringSnapshots_then_eachSnapshotMatchesItsIndex() throws Exception {
        Path live = dir.resolve("live.db");
        AtomicLong applied = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try (SqliteApplier a = SqliteApplier.open(live, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));
            Future<?> writing = writer.submit(() -> {
                long next = 2;
                while (!stop.get()) {
                    a.apply(events(next, next + 4));
                    next += 5;
                    applied.set(next - 1);
                }
                return null;
            });
            long last = 0;
            for (int i = 0; i < 8; i++) {
                while (applied.get() < last + 20 && !writing.isDone()) {
                    Thread.onSpinWait();
                }
                SnapshotInfo info = Snapshots.create(live, dir.resolve("snap-" + i + ".db"));
                assertEquals(info.index(), assertConsistent(info.file()));
                assertTrue(info.index() > last, "snapshots advance");
                last = info.index();
            }
            stop.set(true);
            writing.get();
        } finally {
            writer.shutdownNow();
        }
    }

    @Test
    void when_restoredWhileReadersOpen_then_readersKeepWorkingAndSeeSnapshotData() throws Exception {
        Path source = dir.resolve("source.db");
        Path live = dir.resolve("live.db");
        SnapshotInfo snap;
        try (SqliteApplier a = SqliteApplier.open(source, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));
            a.apply(events(2, 50));
            snap = Snapshots.create(source, dir.resolve("snap.db"));
        }
        try (SqliteApplier a = SqliteApplier.open(live, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));
            a.apply(events(2, 5));
        }
        try (Connection idle = reader(live); Connection inTransaction = reader(live)) {
            assertEquals(5, query(idle, "SELECT applied_index FROM _edgelog_state"));
            inTransaction.setAutoCommit(false);
            assertEquals(4, query(inTransaction, "SELECT count(*) FROM events"));

            SnapshotInfo restored = Snapshots.restore(snap.file(), snap.sha256(), live);

            assertEquals(50, restored.index());
            assertEquals(4, query(inTransaction, "SELECT count(*) FROM events"), "a reader keeps its transaction");
            inTransaction.commit();
            assertEquals(49, query(inTransaction, "SELECT count(*) FROM events"));
            assertEquals(50, query(idle, "SELECT applied_index FROM _edgelog_state"));
            assertEquals(49, query(idle, "SELECT count(*) FROM events"));
        }
        assertEquals(50, assertConsistent(live));
    }

    @Test
    void when_checksumDiffers_then_liveDatabaseUntouched() throws Exception {
        Path live = dir.resolve("live.db");
        SnapshotInfo snap;
        try (SqliteApplier a = SqliteApplier.open(live, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));
            a.apply(events(2, 9));
            snap = Snapshots.create(live, dir.resolve("snap.db"));
            a.apply(events(10, 12));
        }
        String before = Snapshots.sha256(live);

        assertThrows(ChecksumMismatchException.class,
                () -> Snapshots.restore(snap.file(), "00" + snap.sha256().substring(2), live));

        assertEquals(before, Snapshots.sha256(live));
        assertEquals(12, assertConsistent(live));
    }

    @Test
    void when_snapshotHasOtherPageSize_then_restoreConvertsIt() throws Exception {
        Path source = dir.resolve("source.db");
        try (Connection c = new SQLiteConfig().createConnection("jdbc:sqlite:" + source);
             java.sql.Statement s = c.createStatement()) {
            s.execute("PRAGMA page_size = 8192");
            s.execute("PRAGMA journal_mode = WAL");
        }
        SnapshotInfo snap;
        try (SqliteApplier a = SqliteApplier.open(source, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));
            a.apply(events(2, 30));
            snap = Snapshots.create(source, dir.resolve("snap.db"));
        }
        Path live = dir.resolve("live.db");
        try (SqliteApplier a = SqliteApplier.open(live, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));

            a.restoreSnapshot(snap.file(), snap.sha256());

            assertEquals(30, a.appliedIndex());
            a.apply(events(31, 32));
        }
        assertEquals(32, assertConsistent(live));
    }

    @Test
    void when_liveDatabaseMissing_then_createdFromSnapshotInWalMode() throws Exception {
        Path source = dir.resolve("source.db");
        SnapshotInfo snap;
        try (SqliteApplier a = SqliteApplier.open(source, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));
            a.apply(events(2, 7));
            snap = Snapshots.create(source, dir.resolve("snap.db"));
        }
        Path live = dir.resolve("new.db");

        assertEquals(7, Snapshots.restore(snap.file(), snap.sha256(), live).index());

        try (Connection c = reader(live); java.sql.Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("PRAGMA journal_mode")) {
            rs.next();
            assertEquals("wal", rs.getString(1));
        }
        try (SqliteApplier a = SqliteApplier.open(live, ApplierConfig.forLog(LOG))) {
            assertEquals(8, a.apply(events(8, 8)).appliedIndex());
        }
    }

    @Test
    void when_snapshotOfAnotherLog_then_applierRestoreRefusedAndNothingChanged() throws Exception {
        Path source = dir.resolve("source.db");
        SnapshotInfo snap;
        try (SqliteApplier a = SqliteApplier.open(source, ApplierConfig.forLog("other"))) {
            a.apply(List.of(schema()));
            snap = Snapshots.create(source, dir.resolve("snap.db"));
        }
        Path live = dir.resolve("live.db");
        try (SqliteApplier a = SqliteApplier.open(live, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));
            a.apply(events(2, 3));

            SnapshotException e = assertThrows(SnapshotException.class,
                    () -> a.restoreSnapshot(snap.file(), snap.sha256()));

            assertTrue(e.getMessage().contains("other"), e.getMessage());
            assertEquals(3, a.appliedIndex());
            assertEquals(4, a.apply(events(4, 4)).appliedIndex());
        }
    }

    @Test
    void when_applierRestoresSnapshot_then_itContinuesFromSnapshotIndex() throws Exception {
        Path source = dir.resolve("source.db");
        SnapshotInfo snap;
        try (SqliteApplier a = SqliteApplier.open(source, ApplierConfig.forLog(LOG))) {
            a.apply(List.of(schema()));
            a.apply(events(2, 40));
            snap = Snapshots.create(source, dir.resolve("snap.db"));
        }
        Path live = dir.resolve("live.db");
        try (SqliteApplier a = SqliteApplier.open(live, ApplierConfig.forLog(LOG));
             Connection r = reader(live)) {
            a.apply(List.of(schema()));
            a.apply(events(2, 3));
            assertEquals(2, query(r, "SELECT count(*) FROM events"));

            assertEquals(40, a.restoreSnapshot(snap.file(), snap.sha256()).appliedIndex());

            assertEquals(41, a.apply(events(2, 41)).appliedIndex());
            assertEquals(40, query(r, "SELECT count(*) FROM events"));
        }
        assertEquals(41, assertConsistent(live));
    }
}
