package dev.edgelog.sqllog.apply;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;

/**
 * The {@code _edgelog_state} table: one row saying which log the database holds and how far it is.
 * Written by the applier in the same transaction as each batch; read by anyone.
 */
final class StateTable implements AutoCloseable {

    static final String TABLE = "_edgelog_state";

    static final String CREATE = "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
            + "log_id TEXT NOT NULL, "
            + "applied_index INTEGER NOT NULL, "
            + "applied_term INTEGER NOT NULL, "
            + "applied_raft_index INTEGER NOT NULL DEFAULT 0, "
            + "last_commit_time INTEGER NOT NULL, "
            + "updated_at INTEGER NOT NULL, "
            + "upstream TEXT NULL, "
            + "upstream_commit_index INTEGER NULL, "
            + "last_contact INTEGER NULL)";

    private static final String SELECT = "SELECT log_id, applied_index, applied_term, applied_raft_index, "
            + "last_commit_time, updated_at, upstream, upstream_commit_index, last_contact FROM " + TABLE;

    private final PreparedStatement update;
    private final PreparedStatement updateWithContact;

    StateTable(Connection c) throws SQLException {
        update = c.prepareStatement("UPDATE " + TABLE
                + " SET applied_index = ?, applied_term = ?, applied_raft_index = ?, last_commit_time = ?,"
                + " updated_at = ?");
        updateWithContact = c.prepareStatement("UPDATE " + TABLE
                + " SET applied_index = ?, applied_term = ?, applied_raft_index = ?, last_commit_time = ?,"
                + " updated_at = ?, upstream = ?, upstream_commit_index = ?, last_contact = ?");
    }

    /**
     * Creates the table and its row for {@code logId} when missing, and returns the row. Runs in the
     * caller's transaction.
     *
     * @throws LogIdMismatchException when the row names another log
     */
    static ApplierState ensure(Connection c, String database, String logId, long nowMillis) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(CREATE);
            if (!hasColumn(c, "applied_raft_index")) {
                // databases written before the column existed
                s.execute("ALTER TABLE " + TABLE + " ADD COLUMN applied_raft_index INTEGER NOT NULL DEFAULT 0");
            }
        }
        ApplierState state = read(c, database);
        if (state == null) {
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO " + TABLE
                    + " (log_id, applied_index, applied_term, last_commit_time, updated_at) VALUES (?, 0, 0, 0, ?)")) {
                ins.setString(1, logId);
                ins.setLong(2, nowMillis);
                ins.executeUpdate();
            }
            return new ApplierState(logId, 0, 0, 0, 0, nowMillis, null, null, null);
        }
        if (!state.logId().equals(logId)) {
            throw new LogIdMismatchException(database, logId, state.logId());
        }
        return state;
    }

    /**
     * The row, or null when the table is empty.
     *
     * @throws ApplyException when the table holds more than one row
     */
    static ApplierState read(Connection c, String database) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(SELECT)) {
            if (!rs.next()) {
                return null;
            }
            ApplierState state = new ApplierState(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4),
                    rs.getLong(5), rs.getLong(6), rs.getString(7), nullableLong(rs, 8), nullableLong(rs, 9));
            if (rs.next()) {
                throw new ApplyException(database + ": " + TABLE + " holds more than one row; refusing to guess");
            }
            return state;
        }
    }

    private static boolean hasColumn(Connection c, String column) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT 1 FROM pragma_table_info('" + TABLE + "') WHERE name = '" + column + "'")) {
            return rs.next();
        }
    }

    private static Long nullableLong(ResultSet rs, int column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : v;
    }

    /** Writes the batch's position (and the upstream contact when given) in the current transaction. */
    void write(long index, long term, long raftIndex, long commitTimeMillis, long nowMillis, UpstreamContact contact)
            throws SQLException {
        PreparedStatement ps = contact == null ? update : updateWithContact;
        ps.setLong(1, index);
        ps.setLong(2, term);
        ps.setLong(3, raftIndex);
        ps.setLong(4, commitTimeMillis);
        ps.setLong(5, nowMillis);
        if (contact != null) {
            setNullable(ps, 6, contact.upstream());
            setNullable(ps, 7, contact.commitIndex());
            setNullable(ps, 8, contact.lastContactMillis());
        }
        int rows = ps.executeUpdate();
        if (rows != 1) {
            throw new ApplyException(TABLE + " lost its row (updated " + rows + " rows)");
        }
    }

    private static void setNullable(PreparedStatement ps, int i, Object value) throws SQLException {
        if (value == null) {
            ps.setNull(i, Types.NULL);
        } else if (value instanceof Long l) {
            ps.setLong(i, l);
        } else {
            ps.setString(i, value.toString());
        }
    }

    @Override
    public void close() throws SQLException {
        update.close();
        updateWithContact.close();
    }
}
