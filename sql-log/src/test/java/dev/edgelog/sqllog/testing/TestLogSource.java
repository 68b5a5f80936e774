package dev.edgelog.sqllog.testing;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.SqliteApplier;
import dev.edgelog.sqllog.pull.LogSource;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import dev.edgelog.sqllog.snapshot.Snapshots;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;

/**
 * A {@link LogSource} shaped like a primary node's state machine: SQL-log segments in a directory
 * and a SQLite file applied by a {@link SqliteApplier}. {@link #append} applies a batch, writes it to
 * the segments inside the SQLite transaction (as the primary does), then advances the commit index
 * and tells the listeners. Safe to append from any thread, one batch at a time.
 */
public final class TestLogSource implements LogSource, AutoCloseable {

    public static final long COMMIT_TIME = 1_700_000_000_000L;

    private final String logId;
    private final Path dbFile;
    private final SegmentStore segments;
    private final SqliteApplier applier;
    private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();
    private volatile long commitIndex;

    private TestLogSource(String logId, Path dir, SegmentStoreConfig config) {
        this.logId = logId;
        this.dbFile = dir.resolve("db.sqlite");
        this.segments = SegmentStore.open(dir.resolve("segments"), config, Clock.systemUTC());
        this.applier = SqliteApplier.open(dbFile, ApplierConfig.forLog(logId));
        this.commitIndex = applier.appliedIndex();
    }

    /** An empty log {@code logId} with its files under {@code dir}. */
    public static TestLogSource open(Path dir, String logId) {
        return open(dir, logId, SegmentStoreConfig.defaults());
    }

    /** An empty log whose segments use {@code config} (small segments, retention). */
    public static TestLogSource open(Path dir, String logId, SegmentStoreConfig config) {
        return new TestLogSource(logId, dir, config);
    }

    /** A row insert; {@link #append} gives it its place in the log. */
    public static Entry insert(long id, String text) {
        return new Entry(1, 0, 0, COMMIT_TIME, false,
                List.of(Statement.of("INSERT INTO t(id, v) VALUES(?, ?)", SqlValue.of(id), SqlValue.of(text))), List.of());
    }

    /**
     * Places {@code entries} at the next indices (term 1, commit time {@code COMMIT_TIME + index}),
     * applies them, appends them with their outcomes to the segments before SQLite commits, then
     * advances the commit index and calls the listeners.
     *
     * @return the entries as stored
     */
    public synchronized List<Entry> append(List<Entry> entries) {
        return append(entries, () -> { });
    }

    /**
     * Like {@link #append(List)}, running {@code whileUncommitted} when the batch is in the segments
     * but neither SQLite nor the commit index has it yet (what a puller may meet on a primary).
     */
    public synchronized List<Entry> append(List<Entry> entries, Runnable whileUncommitted) {
        List<Entry> placed = new ArrayList<>(entries.size());
        long next = applier.appliedIndex() + 1;
        for (Entry e : entries) {
            placed.add(new Entry(next, 1, next + 10, COMMIT_TIME + next, e.transaction(), e.statements(), e.outcomes()));
            next++;
        }
        List<Entry> applied = applier.apply(placed, null, batch -> {
            segments.append(batch);
            whileUncommitted.run();
        }).applied();
        commitIndex = applier.appliedIndex();
        for (LongConsumer l : listeners) {
            l.accept(commitIndex);
        }
        return applied;
    }

    /**
     * Appends {@code count} entries, each inserting one row with some 40..400 bytes of text; the first
     * entry of an empty log creates the table.
     */
    public synchronized List<Entry> appendRows(int count) {
        List<Entry> batch = new ArrayList<>(count);
        long next = applier.appliedIndex() + 1;
        for (int i = 0; i < count; i++) {
            long index = next + i;
            batch.add(index == 1
                    ? new Entry(1, 0, 0, COMMIT_TIME, true, List.of(Statement.of("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)")), List.of())
                    : insert(index, "row " + index + " " + "x".repeat((int) (40 + index * 7919 % 360))));
        }
        return append(batch);
    }

    /**
     * Makes this a node that bootstrapped from a snapshot at {@code index}: the database holds the
     * rows up to {@code index}, the segments hold nothing and continue at {@code index + 1}.
     */
    public synchronized void startAt(long index) {
        appendRows(Math.toIntExact(index - commitIndex));
        segments.resetTo(index);
    }

    /** The rows of table {@code t} in {@code db} (a copy of this log), as {@code id|v}, by id. */
    public static List<String> rows(Path db) throws java.sql.SQLException {
        List<String> out = new ArrayList<>();
        try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT id, v FROM t ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getLong(1) + "|" + rs.getString(2));
            }
        }
        return out;
    }

    public Path databaseFile() {
        return dbFile;
    }

    @Override
    public String logId() {
        return logId;
    }

    @Override
    public SegmentStore segments() {
        return segments;
    }

    @Override
    public long commitIndex() {
        return commitIndex;
    }

    @Override
    public void onCommit(LongConsumer listener) {
        listeners.add(listener);
    }

    @Override
    public SnapshotInfo snapshot(Path target) {
        return Snapshots.create(dbFile, target);
    }

    @Override
    public synchronized void close() {
        applier.close();
        segments.close();
    }
}
