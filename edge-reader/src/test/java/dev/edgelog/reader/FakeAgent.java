package dev.edgelog.reader;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Stands in for the edge agent: plain sqlite-jdbc on a read-write connection in WAL mode
 * ({@code synchronous=NORMAL}, as the agent opens it), applying "entries" that insert into {@code ads}
 * and updating {@code _edgelog_state} in the same transaction. Deliberately not sql-log's applier:
 * the reader's contract is the file, and this module must not depend on sql-log.
 */
final class FakeAgent implements AutoCloseable {

    static final String CREATE_STATE = "CREATE TABLE _edgelog_state (log_id TEXT NOT NULL,"
            + " applied_index INTEGER NOT NULL, applied_term INTEGER NOT NULL,"
            + " applied_raft_index INTEGER NOT NULL DEFAULT 0, last_commit_time INTEGER NOT NULL,"
            + " updated_at INTEGER NOT NULL, upstream TEXT NULL, upstream_commit_index INTEGER NULL,"
            + " last_contact INTEGER NULL)";

    private final Connection c;

    /** Opens (and creates) {@code db} in WAL mode; creates the application table, not the state. */
    FakeAgent(Path db) throws SQLException {
        c = DriverManager.getConnection("jdbc:sqlite:" + db);
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = WAL");
            s.execute("PRAGMA synchronous = NORMAL");
            s.execute("CREATE TABLE IF NOT EXISTS ads (id INTEGER PRIMARY KEY, name TEXT NOT NULL)");
        }
        c.setAutoCommit(false);
        c.commit();
    }

    /** Creates {@code _edgelog_state} with its row at index 0, as the agent's bootstrap does. */
    FakeAgent bootstrap(long nowMillis) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(CREATE_STATE);
            s.execute("INSERT INTO _edgelog_state (log_id, applied_index, applied_term, last_commit_time,"
                    + " updated_at) VALUES ('0b9a6c1e-log', 0, 0, 0, " + nowMillis + ")");
        }
        c.commit();
        return this;
    }

    /** Applies entry {@code index}: one ad row and the state, in one transaction. */
    void apply(long index, long commitTimeMillis) throws SQLException {
        try (PreparedStatement ins = c.prepareStatement("INSERT INTO ads (name) VALUES (?)");
             PreparedStatement st = c.prepareStatement("UPDATE _edgelog_state SET applied_index = ?,"
                     + " applied_term = 1, applied_raft_index = ?, last_commit_time = ?, updated_at = ?")) {
            ins.setString(1, "ad " + index);
            ins.executeUpdate();
            st.setLong(1, index);
            st.setLong(2, index + 2);
            st.setLong(3, commitTimeMillis);
            st.setLong(4, commitTimeMillis);
            st.executeUpdate();
        }
        c.commit();
    }

    /** Records an upstream contact (also when nothing was new). {@code commitIndex} may be null. */
    void contact(Long commitIndex, long lastContactMillis) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("UPDATE _edgelog_state SET upstream = ?,"
                + " upstream_commit_index = ?, last_contact = ?")) {
            st.setString(1, "https://mirror-1.example:4002");
            st.setObject(2, commitIndex);
            st.setLong(3, lastContactMillis);
            st.executeUpdate();
        }
        c.commit();
    }

    /** {@code PRAGMA wal_checkpoint(TRUNCATE)}; true when no reader held it back. */
    boolean checkpointTruncate() throws SQLException {
        c.commit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            rs.next();
            return rs.getInt(1) == 0;
        } finally {
            c.setAutoCommit(false);
        }
    }

    Connection connection() {
        return c;
    }

    @Override
    public void close() throws SQLException {
        c.close();
    }
}
