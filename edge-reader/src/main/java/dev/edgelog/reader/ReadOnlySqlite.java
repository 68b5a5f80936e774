package dev.edgelog.reader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * How this library opens the edge database: always {@code SQLITE_OPEN_READONLY} (so an open never
 * creates the file, and no statement can write it) plus {@code PRAGMA query_only} on every
 * connection, the second lock on the same door. The agent owns the file and its WAL; a reader only
 * reads, so even a bug in the ad server cannot damage the replica.
 */
final class ReadOnlySqlite {

    /** Run on every new connection (HikariCP's {@code connectionInitSql} for the pool). */
    static final String QUERY_ONLY = "PRAGMA query_only = 1";

    private final Path database;
    private final SQLiteDataSource dataSource;

    ReadOnlySqlite(Path database, Duration busyTimeout) {
        this.database = database;
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setBusyTimeout((int) busyTimeout.toMillis());
        this.dataSource = new SQLiteDataSource(config);
        // a plain path, not a file: URI, so no character of it needs escaping ('?' is refused at open)
        this.dataSource.setUrl("jdbc:sqlite:" + database);
    }

    Path database() {
        return database;
    }

    /** False until the agent has created the file. Checked before any open: SQLite would fail anyway. */
    boolean exists() {
        return Files.exists(database);
    }

    /** The driver-level data source for the pool; the pool adds {@link #QUERY_ONLY}. */
    DataSource driverDataSource() {
        return dataSource;
    }

    /** A new read-only, query-only connection. */
    Connection open() throws SQLException {
        Connection c = dataSource.getConnection();
        try (Statement s = c.createStatement()) {
            s.execute(QUERY_ONLY);
        } catch (SQLException e) {
            c.close();
            throw e;
        }
        return c;
    }

    /**
     * {@code what} and the driver's message, plus the likely cause when SQLite refused a WAL database
     * for want of its {@code -shm} file. SQLite says "attempt to write a readonly database" or "unable
     * to open database file" there, which sends people looking in the wrong place.
     */
    String describe(String what, SQLException e) {
        String message = database + ": " + what + ": " + e.getMessage();
        if (!isReadOnlyOrCantOpen(e) || !exists()) {
            return message;
        }
        String name = database.getFileName().toString();
        boolean wal = Files.exists(Path.of(database + "-wal"));
        boolean shm = Files.exists(Path.of(database + "-shm"));
        if (wal && shm) {
            return message;
        }
        String missing = !wal && !shm ? name + "-wal and " + name + "-shm are" : name + (wal ? "-shm" : "-wal") + " is";
        return message + " (" + missing + " missing: a reader that cannot create them in " + database.getParent()
                + " cannot read a WAL database; the edge agent keeps them while it runs. See the README,"
                + " \"Reading the edge database\")";
    }

    private static boolean isReadOnlyOrCantOpen(SQLException e) {
        if (!(e instanceof SQLiteException se)) {
            return false;
        }
        int primary = se.getResultCode().code & 0xff;
        return primary == SQLiteErrorCode.SQLITE_READONLY.code || primary == SQLiteErrorCode.SQLITE_CANTOPEN.code;
    }
}
