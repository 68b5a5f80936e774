package dev.edgelog.reader;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * What {@link EdgeReader#dataSource()} returns: the read pool, with the staleness guard in front of
 * it when one is configured.
 *
 * <p>Why guard the {@code DataSource} itself rather than offer a separate {@code guardedConnection()}:
 * ad servers hand a {@code DataSource} to their framework (JdbcTemplate, jOOQ, MyBatis) and never see
 * a connection being borrowed. Guarding the borrow protects every read without touching their code;
 * the state methods of {@link EdgeReader} stay unguarded for health checks. The check runs when a
 * connection is borrowed, so keep borrows short (one request), as pools expect anyway.
 */
final class EdgeDataSource implements DataSource {

    private final ReadPool pool;
    /** Null: no guard. */
    private final FreshnessGuard guard;
    private volatile PrintWriter logWriter;

    EdgeDataSource(ReadPool pool, FreshnessGuard guard) {
        this.pool = pool;
        this.guard = guard;
    }

    /**
     * A pooled read-only connection; close it to return it.
     *
     * @throws StaleDataException when the staleness guard refuses
     * @throws SQLException       when the database does not exist yet, or cannot be opened
     */
    @Override
    public Connection getConnection() throws SQLException {
        if (guard != null) {
            guard.check();
        }
        return pool.getConnection();
    }

    /** Refused: a local file has no users; use {@link #getConnection()}. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the edge database is a local file without users;"
                + " use getConnection()");
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    /** Ignored: opening a local file does not wait on a login (see the connection timeout). */
    @Override
    public void setLoginTimeout(int seconds) {
        // nothing to wait for
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("edge-reader logs through SLF4J");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper for " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }
}
