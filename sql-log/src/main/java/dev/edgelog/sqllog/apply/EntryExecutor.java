package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.sql.ReplayFunctions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConnection;
import org.sqlite.core.Codes;
import org.sqlite.core.CoreStatement;
import org.sqlite.core.DB;

/**
 * Runs the statements of one entry inside the batch's transaction, with rqlite's semantics, and
 * computes (primary) or verifies (follower) their outcomes.
 *
 * <p>Savepoints only where a rollback may be needed: a {@code transaction} entry of two or more
 * statements runs inside {@code SAVEPOINT edgelog_entry}; a single statement is atomic on its own.
 * A savepoint open across the whole batch would cost about a quarter of the throughput of random
 * updates (SQLite copies every page first touched under a savepoint into its sub-journal), so the
 * batch proves its transaction is still open another way: it starts by writing a fresh value into a
 * per-connection TEMP table (the canary), and after any failing statement that had no entry
 * savepoint the value is read back. A conflict clause such as {@code OR ROLLBACK} ends the
 * transaction silently, and the canary's value goes with it.
 *
 * <p>Rows affected: {@code executeUpdate} returns SQLite's {@code changes()}, which is the
 * statement's own count for INSERT/UPDATE/DELETE/REPLACE and a stale one otherwise (DDL leaves it
 * alone), so it is taken for DML only, known per SQL text. Statements that return rows (RETURNING)
 * compare {@code total_changes()} around the run instead.
 */
final class EntryExecutor implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EntryExecutor.class);

    /** What running one entry gave. */
    record Run(List<Outcome> outcomes, Divergence divergence) {
    }

    private final DB db;
    private final StatementCache cache;
    private final ReplayFunctions replay;
    private final boolean verifyLastInsertId;
    private final PreparedStatement lastInsertRowid;
    private final PreparedStatement rowidReset;
    private final PreparedStatement entrySavepoint;
    private final PreparedStatement entryRollback;
    private final PreparedStatement entryRelease;
    private final java.sql.Statement oneShot;
    private final PreparedStatement canaryWrite;
    private final PreparedStatement canaryRead;
    private long canary;
    private boolean warnedErrorText;

    /** Set by {@link #execute}: the last statement's rows affected and last insert id. */
    private long rows;
    private long insertId;
    /** Who gets the rows of statements that return rows in this batch, or null; and where they are. */
    private RowSink rowSink;
    private long entryIndex;
    private int position;

    EntryExecutor(Connection c, StatementCache cache, ReplayFunctions replay, boolean verifyLastInsertId)
            throws SQLException {
        this.db = c.unwrap(SQLiteConnection.class).getDatabase();
        this.cache = cache;
        this.replay = replay;
        this.verifyLastInsertId = verifyLastInsertId;
        this.lastInsertRowid = c.prepareStatement("SELECT last_insert_rowid()");
        this.entrySavepoint = c.prepareStatement("SAVEPOINT edgelog_entry");
        this.entryRollback = c.prepareStatement("ROLLBACK TO edgelog_entry");
        this.entryRelease = c.prepareStatement("RELEASE edgelog_entry");
        try (java.sql.Statement s = c.createStatement()) {
            s.execute("CREATE TEMP TABLE IF NOT EXISTS _edgelog_canary(n INTEGER NOT NULL)");
            s.execute("CREATE TEMP TABLE IF NOT EXISTS _edgelog_rowid(id INTEGER PRIMARY KEY)");
            s.execute("DELETE FROM temp._edgelog_canary");
            s.execute("INSERT INTO temp._edgelog_canary VALUES(0)");
        }
        c.commit();
        this.oneShot = c.createStatement();
        this.canaryWrite = c.prepareStatement("UPDATE temp._edgelog_canary SET n = ?");
        this.canaryRead = c.prepareStatement("SELECT n FROM temp._edgelog_canary");
        this.rowidReset = c.prepareStatement("INSERT OR REPLACE INTO temp._edgelog_rowid(id) VALUES(0)");
    }

    /**
     * Marks the batch's transaction with a fresh canary value; the first thing of every batch.
     *
     * @param sink receives the rows of the batch's statements that return rows; null for none
     */
    void beginBatch(RowSink sink) throws SQLException {
        rowSink = sink;
        canaryWrite.setLong(1, ++canary);
        canaryWrite.executeUpdate();
    }

    /** Whether the batch's transaction still holds this batch's canary value. */
    private boolean transactionAlive() throws SQLException {
        try (ResultSet rs = canaryRead.executeQuery()) {
            return rs.next() && rs.getLong(1) == canary;
        }
    }

    /**
     * Runs {@code e}. Verifies against its recorded outcomes when it has them ({@code outcomes} of
     * the result is then null unless it diverged), computes them otherwise.
     *
     * @throws SQLException   on an error that is not the statement's (the batch must roll back)
     * @throws ApplyException when SQLite ended the transaction on its own
     */
    Run run(Entry e) throws SQLException {
        boolean verify = e.hasOutcomes();
        List<Statement> statements = e.statements();
        int n = statements.size();
        replay.enterEntry(e.index(), e.commitTimeMillis());
        boolean savepoint = e.transaction() && n > 1;
        if (savepoint) {
            entrySavepoint.execute();
        }
        List<Outcome> computed = verify ? null : new ArrayList<>(n);
        Divergence divergence = null;
        int ran = 0;
        boolean failed = false;
        while (ran < n && !failed) {
            Statement s = statements.get(ran);
            replay.enterStatement(ran);
            entryIndex = e.index();
            position = ran;
            String error = execute(s, !verify || verifyLastInsertId);
            if (computed != null) {
                computed.add(error == null ? Outcome.executed(rows, insertId) : Outcome.failed(error));
            } else if (divergence == null) {
                divergence = compare(e, ran, s, error);
            }
            ran++;
            if (error != null) {
                failed = e.transaction();
                undoFailure(savepoint && failed, e.index());
            }
        }
        if (savepoint && !failed) {
            entryRelease.execute();
        }
        if (verify && divergence == null && ran != e.outcomes().size()) {
            divergence = countMismatch(e, ran);
        }
        return new Run(computed, divergence);
    }

    /**
     * Executes one statement; sets {@link #rows} and {@link #insertId}.
     *
     * @return null when it ran, else its error message
     */
    private String execute(Statement s, boolean wantInsertId) throws SQLException {
        StatementCache.Cached c;
        try {
            c = cache.get(s.sql(), !s.parameters().isEmpty());
        } catch (SQLException ex) {
            return statementError(ex);
        }
        if (c.refusal != null) {
            return c.refusal;
        }
        boolean trackInsertId = wantInsertId && c.insert();
        if (trackInsertId) {
            resetLastInsertRowid();
        }
        if (c.isOneShot()) {
            try {
                oneShot.executeUpdate(c.sql);
            } catch (SQLException ex) {
                return statementError(ex);
            }
            // not executeUpdate's count: sqlite-jdbc returns a total_changes() delta there, which
            // counts trigger changes too; changes() is what the prepared path reports
            rows = c.dml ? db.changes() : 0;
            insertId = trackInsertId && rows > 0 ? lastInsertRowid() : 0;
            return null;
        }
        String bindError = ParameterBinder.bind(c, s.parameters());
        if (bindError != null) {
            return bindError;
        }
        try {
            rows = c.returnsRows ? executeReturningRows(c) : executeUpdate(c);
        } catch (SQLException ex) {
            return statementError(ex);
        }
        insertId = trackInsertId && rows > 0 ? lastInsertRowid() : 0;
        return null;
    }

    /**
     * Sets {@code last_insert_rowid()} to 0 (an insert with rowid 0 into a TEMP table), so that after
     * the statement it holds a rowid this statement inserted, or 0. Without it, an INSERT that
     * inserts no rowid row (an upsert that updated, a WITHOUT ROWID table) would report whatever
     * the connection inserted before — different on a replica that restarted.
     */
    private void resetLastInsertRowid() throws SQLException {
        rowidReset.executeUpdate();
    }

    private static long executeUpdate(StatementCache.Cached c) throws SQLException {
        long changes = c.statement.executeLargeUpdate();
        return c.dml ? changes : 0;
    }

    /**
     * A SELECT, or DML with RETURNING: its changes are done at the first step, which
     * {@code execute} takes; the rest of the rows go to the row sink, if any, and are not read
     * otherwise.
     */
    private long executeReturningRows(StatementCache.Cached c) throws SQLException {
        long before = db.total_changes();
        if (c.statement.execute()) {
            try (ResultSet rs = c.statement.getResultSet()) {
                if (rowSink != null) {
                    try {
                        rowSink.rows(entryIndex, position, rs);
                    } catch (RuntimeException e) {
                        LOG.warn("the row sink failed on entry {} statement {}; ignored: {}", entryIndex, position,
                                e.toString());
                    }
                }
            }
        }
        // changes() keeps the count of the last INSERT/UPDATE/DELETE: it is this statement's only if it changed rows
        return db.total_changes() != before ? db.changes() : 0;
    }

    private static String statementError(SQLException ex) throws SQLException {
        if (SqliteErrors.isStatementError(ex)) {
            return SqliteErrors.message(ex);
        }
        throw ex;
    }

    /** {@code SELECT last_insert_rowid()} stepped on its native handle: no ResultSet per insert. */
    private long lastInsertRowid() throws SQLException {
        return ((CoreStatement) lastInsertRowid).pointer.safeRunLong((nativeDb, stmt) -> {
            try {
                if (nativeDb.step(stmt) != Codes.SQLITE_ROW) {
                    throw new SQLException("SELECT last_insert_rowid() returned no row");
                }
                return nativeDb.column_long(stmt, 0);
            } finally {
                nativeDb.reset(stmt);
            }
        });
    }

    /**
     * After a failing statement: rolls the entry back to its savepoint, or proves the batch
     * transaction survived the failure.
     */
    private void undoFailure(boolean rollbackEntry, long index) throws SQLException {
        if (rollbackEntry) {
            try {
                entryRollback.execute();
            } catch (SQLException ex) {
                throw transactionEnded(index, ": " + SqliteErrors.message(ex), ex);
            }
            entryRelease.execute();
        } else if (!transactionAlive()) {
            throw transactionEnded(index, "", null);
        }
    }

    private static ApplyException transactionEnded(long index, String detail, SQLException cause) {
        return new ApplyException("entry " + index + ": SQLite ended the batch transaction on its own after a "
                + "failing statement (a conflict clause such as OR ROLLBACK?)" + detail, cause);
    }

    private Divergence compare(Entry e, int position, Statement s, String error) {
        List<Outcome> recorded = e.outcomes();
        Outcome expected = position < recorded.size() ? recorded.get(position) : null;
        if (expected instanceof Outcome.Executed x) {
            boolean same = error == null && x.rowsAffected() == rows
                    && (!verifyLastInsertId || x.lastInsertId() == 0 || insertId == 0
                        || x.lastInsertId() == insertId);
            if (same) {
                return null;
            }
        } else if (expected instanceof Outcome.Failed f && error != null) {
            if (!f.error().equals(error)) {
                noteErrorText(e.index(), position, f.error(), error);
            }
            return null;
        }
        if (expected == null) {
            return null; // counted by countMismatch
        }
        Outcome actual = error == null ? Outcome.executed(rows, insertId) : Outcome.failed(error);
        return new Divergence(e.index(), position, s.sql(), expected, actual);
    }

    private static Divergence countMismatch(Entry e, int ran) {
        List<Outcome> recorded = e.outcomes();
        int position = Math.min(ran, recorded.size());
        String sql = position < e.statements().size() ? e.statements().get(position).sql() : null;
        Outcome expected = position < recorded.size() ? recorded.get(position) : null;
        return new Divergence(e.index(), position, sql, expected, null);
    }

    private void noteErrorText(long index, int position, String expected, String actual) {
        if (!warnedErrorText) {
            warnedErrorText = true;
            LOG.warn("entry {} statement {}: the primary's error text '{}' differs from this replica's '{}'; error "
                    + "texts are not compared (SQLite versions word them differently); further ones at DEBUG",
                    index, position, expected, actual);
        } else {
            LOG.debug("entry {} statement {}: error text '{}' here vs '{}' recorded", index, position, actual,
                    expected);
        }
    }

    @Override
    public void close() throws SQLException {
        lastInsertRowid.close();
        rowidReset.close();
        entrySavepoint.close();
        entryRollback.close();
        entryRelease.close();
        oneShot.close();
        canaryWrite.close();
        canaryRead.close();
    }
}
