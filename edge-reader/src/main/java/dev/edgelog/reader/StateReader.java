package dev.edgelog.reader;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * Reads {@code _edgelog_state} on a connection of its own, outside the pool, so that lag, health
 * checks and {@link EdgeReader#awaitIndex} keep working when the application has every pooled
 * connection busy. One short autocommit query per call: each is its own WAL read transaction, so it
 * sees the agent's latest commit and never holds back a checkpoint between calls.
 *
 * <p>Not bootstrapped (no file, no table or no row yet) is an answer, not an error: empty. The connection is
 * opened on first need, after the file exists, and reopened after any failure.
 */
final class StateReader implements AutoCloseable {

    static final String TABLE = "_edgelog_state";

    private static final String SELECT = "SELECT log_id, applied_index, applied_term, applied_raft_index, "
            + "last_commit_time, updated_at, upstream, upstream_commit_index, last_contact FROM " + TABLE;
    private static final String HAS_TABLE = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '"
            + TABLE + "'";

    private final ReadOnlySqlite sqlite;
    private Connection connection;
    private PreparedStatement select;
    private boolean closed;

    StateReader(ReadOnlySqlite sqlite) {
        this.sqlite = sqlite;
    }

    /**
     * The row as last committed; empty when the agent has not bootstrapped the database yet.
     *
     * @throws EdgeReaderException when the file exists but cannot be read, or the table holds more
     *                             than one row
     */
    synchronized Optional<EdgeState> read() {
        if (closed) {
            throw new IllegalStateException(sqlite.database() + ": edge reader is closed");
        }
        try {
            if (connection == null) {
                if (!sqlite.exists()) {
                    return Optional.empty();
                }
                connection = sqlite.open();
            }
            if (select == null) {
                if (!hasTable()) {
                    return Optional.empty();
                }
                select = connection.prepareStatement(SELECT);
            }
            return query();
        } catch (SQLException e) {
            closeConnection();
            throw new EdgeReaderException(sqlite.describe("cannot read " + TABLE, e), e);
        }
    }

    private boolean hasTable() throws SQLException {
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery(HAS_TABLE)) {
            return rs.next();
        }
    }

    private Optional<EdgeState> query() throws SQLException {
        // closing the result set resets the statement, which ends the read transaction
        try (ResultSet rs = select.executeQuery()) {
            if (!rs.next()) {
                // the agent writes table and row in one transaction, so this is not its doing;
                // either way nothing has been applied here
                return Optional.empty();
            }
            EdgeState state = new EdgeState(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                    rs.getLong(5), rs.getLong(6), rs.getString(7), nullableLong(rs, 8), nullableLong(rs, 9));
            if (rs.next()) {
                throw new SQLException(TABLE + " holds more than one row; refusing to guess");
            }
            return Optional.of(state);
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    private void closeConnection() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException | RuntimeException ignored) {
            // replaced by a new connection on the next read
        }
        connection = null;
        select = null;
    }

    @Override
    public synchronized void close() {
        closed = true;
        closeConnection();
    }
}
