package dev.edgelog.reader;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HikariCP pool of read-only connections, started on first use once the database file exists.
 *
 * <p>Why lazily: an ad server may start before its edge agent has bootstrapped the database. A pool
 * started then would retry opening a missing file in the background and make every
 * {@code getConnection()} wait its full timeout; instead the caller gets an immediate, clear error,
 * and the pool starts on the first call after the agent has created the file.
 *
 * <p>The pool is fixed-size (minimum idle = maximum). Open connections also keep the WAL files
 * alive: SQLite deletes {@code -wal} and {@code -shm} only when the last connection to the database
 * closes, so a reader that stays connected can go on reading across an agent restart even without
 * write access to the directory.
 */
final class ReadPool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReadPool.class);

    private final ReadOnlySqlite sqlite;
    private final ReaderConfig config;
    private volatile HikariDataSource pool;
    private boolean closed;

    ReadPool(ReadOnlySqlite sqlite, ReaderConfig config) {
        this.sqlite = sqlite;
        this.config = config;
    }

    Connection getConnection() throws SQLException {
        HikariDataSource p = pool;
        return (p != null ? p : start()).getConnection();
    }

    private synchronized HikariDataSource start() throws SQLException {
        if (closed) {
            throw new SQLException(sqlite.database() + ": edge reader is closed");
        }
        if (pool != null) {
            return pool;
        }
        if (!sqlite.exists()) {
            throw new SQLTransientConnectionException(sqlite.database()
                    + " does not exist yet: the edge agent has not bootstrapped it (a reader never creates it)");
        }
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("edge-reader " + sqlite.database().getFileName());
        hc.setDataSource(sqlite.driverDataSource());
        hc.setConnectionInitSql(ReadOnlySqlite.QUERY_ONLY);
        // HikariCP applies Connection.setReadOnly(readOnly) to each new connection, and sqlite-jdbc
        // refuses to change the flag after open: they must agree with the open mode
        hc.setReadOnly(true);
        hc.setMaximumPoolSize(config.poolSize());
        hc.setMinimumIdle(config.poolSize());
        hc.setConnectionTimeout(config.connectionTimeout().toMillis());
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            // HikariCP's PoolInitializationException: the first connection could not be opened
            throw new SQLException(sqlite.database() + ": cannot start the read pool: " + e.getMessage(), e);
        }
        LOG.info("{}: read pool started ({} read-only connections)", sqlite.database(), config.poolSize());
        return pool;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (pool != null) {
            pool.close();
        }
    }
}
