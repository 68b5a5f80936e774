package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Statement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builders and probes shared by the applier tests. */
final class Entries {

    static final long COMMIT_TIME = 1_700_000_000_000L;

    private Entries() {
    }

    /** An entry without outcomes (primary mode). */
    static Entry entry(long index, boolean transaction, Statement... statements) {
        return new Entry(index, 1, index + 10, COMMIT_TIME + index, transaction, List.of(statements), List.of());
    }

    /** An entry with recorded outcomes (verify mode). */
    static Entry recorded(long index, boolean transaction, List<Outcome> outcomes, Statement... statements) {
        return new Entry(index, 1, index + 10, COMMIT_TIME + index, transaction, List.of(statements), outcomes);
    }

    static Entry sql(long index, String... sql) {
        List<Statement> s = new ArrayList<>();
        for (String q : sql) {
            s.add(Statement.of(q));
        }
        return new Entry(index, 1, index + 10, COMMIT_TIME + index, false, s, List.of());
    }

    static long queryLong(Path db, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static List<String> column(Path db, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
