package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.snapshot.SnapshotException;
import dev.edgelog.sqllog.snapshot.Snapshots;
import dev.edgelog.sqllog.sql.ReplayFunctions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;

/**
 * Applies batches of SQL-log entries to one SQLite file, one SQLite transaction per batch, through a
 * single writer connection (WAL mode).
 *
 * <p>Two uses, chosen per entry: an entry without outcomes (the primary's state machine) gets its
 * outcomes computed; an entry carrying the primary's outcomes (mirror, edge) has them verified, and
 * a mismatch is a {@link Divergence}.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>The batch and {@code _edgelog_state} (applied index, term, commit time, optional upstream
 *       contact) commit together: a crash at any instant loses nothing committed and applies
 *       nothing twice; entries at or below the applied index are skipped.</li>
 *   <li>The first new entry must be applied + 1 and the rest consecutive, else
 *       {@link IndexGapException} before anything runs.</li>
 *   <li>Statement-level SQL errors are outcomes; any other failure throws {@link ApplyException},
 *       rolls the whole batch back and records nothing.</li>
 *   <li>The database is bound to one log id; another is refused ({@link LogIdMismatchException}).</li>
 * </ul>
 *
 * <p>Durability follows {@link ApplierConfig#synchronous()}: with the default {@code NORMAL}, a
 * killed process loses nothing committed; a power cut may lose the last transactions (the applied
 * index goes back with them, and a follower re-pulls them).
 *
 * <p>Thread-confined: one thread calls every method (the connection and its statements are not
 * shared). Other connections may read the file at any time; snapshots use their own connection.
 */
public final class SqliteApplier implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqliteApplier.class);

    private final String database;
    /** The file, when opened from one (needed to restore a snapshot into it). */
    private final Path file;
    private final ApplierConfig config;
    private final Connection connection;
    private final StatementCache cache;
    private final StateTable stateTable;
    private final EntryExecutor executor;
    private ApplierState state;
    private boolean broken;
    private boolean closed;

    private SqliteApplier(String database, Path file, Connection connection, ApplierConfig config)
            throws SQLException {
        this.database = database;
        this.file = file;
        this.config = config;
        this.connection = connection;
        configure(connection, config);
        this.state = StateTable.ensure(connection, database, config.logId(), config.clock().millis());
        connection.commit();
        this.cache = new StatementCache(connection, config.statementCacheSize());
        this.stateTable = new StateTable(connection);
        ReplayFunctions replay = ReplayFunctions.install(connection);
        this.executor = new EntryExecutor(connection, cache, replay, config.verifyLastInsertId());
        LOG.info("{}: applier open for log {} at applied index {} (synchronous={})", database, config.logId(),
                state.appliedIndex(), config.synchronous());
    }

    /**
     * Opens (creating if missing) the SQLite file at {@code file} for the log {@code config.logId()}.
     *
     * @throws LogIdMismatchException when the file holds another log
     * @throws ApplyException         when it cannot be opened
     */
    public static SqliteApplier open(Path file, ApplierConfig config) {
        Objects.requireNonNull(file, "file");
        SQLiteConfig sc = new SQLiteConfig();
        sc.setJournalMode(SQLiteConfig.JournalMode.WAL);
        sc.setBusyTimeout((int) config.busyTimeout().toMillis());
        sc.setTransactionMode(SQLiteConfig.TransactionMode.DEFERRED);
        sc.setGetGeneratedKeys(false);
        Connection c;
        try {
            c = sc.createConnection("jdbc:sqlite:" + file);
        } catch (SQLException e) {
            throw new ApplyException("cannot open " + file + ": " + e.getMessage(), e);
        }
        return open(c, file.toString(), file, config);
    }

    /**
     * Removes a database file with its WAL, shared-memory and journal files (none may be open): before
     * a first bootstrap replaces a database that holds no log, or when a primary rebuilds its
     * database from the Raft log.
     */
    public static void deleteDatabase(Path file) {
        try {
            for (String suffix : new String[] {"", "-wal", "-shm", "-journal"}) {
                Files.deleteIfExists(file.resolveSibling(file.getFileName() + suffix));
            }
        } catch (IOException e) {
            throw new ApplyException("cannot delete " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Takes over {@code connection} (an sqlite-jdbc connection in auto-commit mode, used by nobody
     * else from now on; {@link #close()} closes it), sets WAL mode, {@code synchronous} and the busy
     * timeout on it.
     *
     * @param name the database's name in logs and messages (its path, usually)
     */
    public static SqliteApplier open(Connection connection, String name, ApplierConfig config) {
        return open(connection, name, null, config);
    }

    private static SqliteApplier open(Connection connection, String name, Path file, ApplierConfig config) {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(config, "config");
        try {
            return new SqliteApplier(name, file, connection, config);
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            if (e instanceof ApplyException ae) {
                throw ae;
            }
            throw new ApplyException(name + ": cannot open the applier: " + e.getMessage(), e);
        }
    }

    private static void configure(Connection c, ApplierConfig config) throws SQLException {
        if (!c.getAutoCommit()) {
            throw new ApplyException("the connection must be in auto-commit mode when handed to the applier");
        }
        // sqlite-jdbc would otherwise regex-match every statement and query last_insert_rowid() after inserts
        c.unwrap(SQLiteConnection.class).getConnectionConfig().setGetGeneratedKeys(false);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = " + config.synchronous().name());
            s.execute("PRAGMA busy_timeout = " + config.busyTimeout().toMillis());
        }
        c.setAutoCommit(false);
    }

    /** Applies {@code batch} (see the class comment); same as {@code apply(batch, null)}. */
    public ApplyResult apply(List<Entry> batch) {
        return apply(batch, null);
    }

    /**
     * Applies {@code batch} in one SQLite transaction and writes {@code contact} (when not null) into
     * {@code _edgelog_state} in the same transaction, even when every entry was skipped.
     *
     * @throws IndexGapException when the batch does not continue the applied index; nothing applied
     * @throws ApplyException    on any failure that is not a statement's result; nothing applied
     */
    public ApplyResult apply(List<Entry> batch, UpstreamContact contact) {
        return apply(batch, contact, BeforeCommit.NONE);
    }

    /**
     * Applies {@code batch} like {@link #apply(List, UpstreamContact)} and calls {@code beforeCommit}
     * with the entries as applied (with their outcomes) after they ran and before the SQLite
     * transaction commits. A primary node appends them to its SQL-log segments there, so that the
     * segments are never behind SQLite; if the hook throws, nothing is committed.
     *
     * @throws ApplyException when the hook fails (wrapping its exception); nothing applied
     */
    public ApplyResult apply(List<Entry> batch, UpstreamContact contact, BeforeCommit beforeCommit) {
        return apply(batch, contact, beforeCommit, null);
    }

    /**
     * Applies {@code batch} like {@link #apply(List, UpstreamContact, BeforeCommit)} and hands the
     * rows of its statements that return rows to {@code rowSink} (null: none) as they run. The
     * outcomes are the same with or without a sink.
     */
    public ApplyResult apply(List<Entry> batch, UpstreamContact contact, BeforeCommit beforeCommit, RowSink rowSink) {
        checkUsable();
        Objects.requireNonNull(beforeCommit, "beforeCommit");
        int skip = skipCount(batch);
        checkConsecutive(batch, skip);
        List<Entry> fresh = batch.subList(skip, batch.size());
        if (fresh.isEmpty() && contact == null) {
            return new ApplyResult(state.appliedIndex(), List.of(), skip, Optional.empty());
        }
        Attempt attempt = attempt(fresh, contact, beforeCommit, rowSink);
        if (attempt.divergence != null && config.divergencePolicy() == DivergencePolicy.STOP) {
            LOG.error("{}: DIVERGENCE, stopping: {}", database, attempt.divergence.describe());
            List<Entry> before = fresh.subList(0, attempt.appliedCount);
            Attempt prefix = attempt(before, contact, beforeCommit, rowSink);
            if (prefix.divergence != null) {
                LOG.error("{}: re-applying the entries before the divergence diverged again: {}", database,
                        prefix.divergence.describe());
                return new ApplyResult(state.appliedIndex(), prefix.applied, skip, Optional.of(prefix.divergence));
            }
            return new ApplyResult(state.appliedIndex(), prefix.applied, skip, Optional.of(attempt.divergence));
        }
        if (attempt.divergence != null) {
            LOG.error("{}: DIVERGENCE, continuing as configured: {}", database, attempt.divergence.describe());
        }
        return new ApplyResult(state.appliedIndex(), attempt.applied, skip, Optional.ofNullable(attempt.divergence));
    }

    /** The result of one transaction over a run of entries. */
    private static final class Attempt {
        final List<Entry> applied;
        int appliedCount;
        Divergence divergence;

        Attempt(int capacity) {
            applied = new ArrayList<>(capacity);
        }
    }

    /**
     * Runs {@code entries} in one transaction. With {@link DivergencePolicy#STOP}, a divergence rolls
     * the whole transaction back (the caller re-applies the entries before it): divergence is rare,
     * so the common path pays for no savepoint per entry.
     */
    private Attempt attempt(List<Entry> entries, UpstreamContact contact, BeforeCommit beforeCommit, RowSink rowSink) {
        Attempt a = new Attempt(entries.size());
        boolean stopOnDivergence = config.divergencePolicy() == DivergencePolicy.STOP;
        try {
            executor.beginBatch(rowSink);
            for (Entry e : entries) {
                EntryExecutor.Run run = executor.run(e);
                if (run.divergence() != null && a.divergence == null) {
                    a.divergence = run.divergence();
                    if (stopOnDivergence) {
                        rollback();
                        return a;
                    }
                }
                a.applied.add(run.outcomes() == null ? e : e.withOutcomes(run.outcomes()));
                a.appliedCount++;
            }
            if (!a.applied.isEmpty()) {
                runHook(beforeCommit, a.applied);
            }
            commit(entries, contact);
            return a;
        } catch (SQLException | RuntimeException e) {
            rollback();
            if (e instanceof ApplyException ae) {
                throw ae;
            }
            String code = e instanceof SQLException se ? SqliteErrors.codeName(se) : e.getClass().getSimpleName();
            throw new ApplyException(database + ": applying entries " + firstIndex(entries) + ".." + lastIndex(entries)
                    + " failed (" + code + "), nothing applied: " + e.getMessage(), e);
        }
    }

    private void runHook(BeforeCommit hook, List<Entry> applied) {
        try {
            hook.beforeCommit(Collections.unmodifiableList(applied));
        } catch (Exception e) {
            throw new ApplyException(database + ": the before-commit step failed for entries "
                    + firstIndex(applied) + ".." + lastIndex(applied) + ", nothing applied: " + e.getMessage(), e);
        }
    }

    private void commit(List<Entry> entries, UpstreamContact contact) throws SQLException {
        long now = config.clock().millis();
        long index = state.appliedIndex();
        long term = state.appliedTerm();
        long raftIndex = state.appliedRaftIndex();
        long commitTime = state.lastCommitTimeMillis();
        if (!entries.isEmpty()) {
            Entry last = entries.get(entries.size() - 1);
            index = last.index();
            term = last.term();
            raftIndex = last.raftIndex();
            commitTime = last.commitTimeMillis();
        }
        stateTable.write(index, term, raftIndex, commitTime, now, contact);
        connection.commit();
        ApplierState s = state;
        state = contact == null
                ? new ApplierState(s.logId(), index, term, raftIndex, commitTime, now, s.upstream(),
                        s.upstreamCommitIndex(), s.lastContactMillis())
                : new ApplierState(s.logId(), index, term, raftIndex, commitTime, now, contact.upstream(),
                        contact.commitIndex(), contact.lastContactMillis());
        LOG.debug("{}: applied up to {}", database, index);
    }

    /**
     * Rolls the batch transaction back and makes sure a (deferred) transaction is open again, as
     * sqlite-jdbc expects with auto-commit off. If SQLite already ended the transaction, the
     * rollback fails harmlessly. When even that cannot be done the applier refuses further work.
     */
    private void rollback() {
        try {
            connection.rollback();
        } catch (SQLException e) {
            LOG.debug("{}: rollback: {}", database, e.getMessage());
        }
        try (Statement s = connection.createStatement()) {
            s.execute("BEGIN");
        } catch (SQLException e) {
            if (!String.valueOf(e.getMessage()).contains("within a transaction")) {
                broken = true;
                LOG.error("{}: cannot reset the transaction after a failure; the applier must be reopened: {}",
                        database, e.getMessage());
            }
        }
    }

    private int skipCount(List<Entry> batch) {
        int skip = 0;
        long applied = state.appliedIndex();
        while (skip < batch.size() && batch.get(skip).index() <= applied) {
            skip++;
        }
        return skip;
    }

    private void checkConsecutive(List<Entry> batch, int from) {
        long expected = state.appliedIndex() + 1;
        for (int i = from; i < batch.size(); i++) {
            long found = batch.get(i).index();
            if (found != expected) {
                throw new IndexGapException(state.appliedIndex(), expected, found);
            }
            expected++;
        }
    }

    private static long firstIndex(List<Entry> entries) {
        return entries.isEmpty() ? 0 : entries.get(0).index();
    }

    private static long lastIndex(List<Entry> entries) {
        return entries.isEmpty() ? 0 : entries.get(entries.size() - 1).index();
    }

    /** The last applied (committed) index; 0 when nothing is applied. */
    public long appliedIndex() {
        return state.appliedIndex();
    }

    /** The {@code _edgelog_state} row as of the last commit. */
    public ApplierState state() {
        return state;
    }

    /**
     * Re-reads {@code _edgelog_state} after the file's content was replaced underneath (a snapshot
     * restored through another connection), and drops the prepared statements of the old schema.
     *
     * @throws LogIdMismatchException when the new content belongs to another log
     */
    public ApplierState reloadState() {
        checkUsable();
        try {
            connection.rollback();
            cache.close();
            ApplierState s = StateTable.read(connection, database);
            if (s == null) {
                throw new ApplyException(database + ": " + StateTable.TABLE + " is empty after the content changed");
            }
            if (!s.logId().equals(config.logId())) {
                throw new LogIdMismatchException(database, config.logId(), s.logId());
            }
            connection.rollback();
            state = s;
            LOG.info("{}: state reloaded, applied index {}", database, s.appliedIndex());
            return s;
        } catch (SQLException e) {
            throw new ApplyException(database + ": cannot reload " + StateTable.TABLE + ": " + e.getMessage(), e);
        }
    }

    /**
     * Replaces this database's content with a snapshot of the same log (checksum verified first;
     * readers keep working, see {@link Snapshots#restore(Path, String, Path)}) and continues from the
     * snapshot's index.
     *
     * @throws SnapshotException when the checksum or the log id differs (nothing changed) or the
     *                           restore fails
     * @throws ApplyException    when this applier was opened from a connection, not a file
     */
    public ApplierState restoreSnapshot(Path snapshotFile, String sha256) {
        checkUsable();
        if (file == null) {
            throw new ApplyException(database + ": opened from a connection; restore with Snapshots.restore and "
                    + "call reloadState()");
        }
        try {
            connection.rollback();
        } catch (SQLException e) {
            throw new ApplyException(database + ": cannot end the idle transaction before a restore", e);
        }
        cache.close();
        Snapshots.restore(snapshotFile, sha256, file, config.logId());
        return reloadState();
    }

    /** The config this applier was opened with. */
    public ApplierConfig config() {
        return config;
    }

    /** The database's name (its path when opened from a file). */
    public String database() {
        return database;
    }

    /**
     * Cache statistics for tests: hits, misses, evictions, size, and one-shots (first sightings of
     * parameterless text, run without being cached; also counted as misses).
     */
    long[] cacheStats() {
        return new long[] {cache.hits(), cache.misses(), cache.evictions(), cache.size(), cache.oneShots()};
    }

    private void checkUsable() {
        if (closed) {
            throw new ApplyException(database + ": the applier is closed");
        }
        if (broken) {
            throw new ApplyException(database + ": the applier failed to recover from an earlier error; reopen it");
        }
    }

    /** Rolls back anything open and closes the connection. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        cache.close();
        try {
            executor.close();
            stateTable.close();
            connection.rollback();
        } catch (SQLException e) {
            LOG.warn("{}: closing statements: {}", database, e.getMessage());
        }
        closeQuietly(connection);
        LOG.info("{}: applier closed at applied index {}", database, state.appliedIndex());
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.warn("closing the connection: {}", e.getMessage());
        }
    }
}
