package dev.edgelog.sqllog.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SqlReplayFunctionsTest {

    private static final String SHUFFLE_DELETE =
            "DELETE FROM t WHERE id IN (SELECT id FROM t ORDER BY RANDOM() LIMIT 3)";

    private static Connection table(int rows) throws SQLException {
        Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
        exec(c, "CREATE TABLE t(id INTEGER PRIMARY KEY, r INTEGER DEFAULT (random()),"
                + " b BLOB DEFAULT (randomblob(8)), ts TEXT DEFAULT (datetime(edgelog_now())))");
        return c;
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (var st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (var st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.append(rs.getString(i)).append('|');
                }
                out.add(row.toString());
            }
        }
        return out;
    }

    private static void fill(Connection c) throws SQLException {
        for (int i = 1; i <= 20; i++) {
            exec(c, "INSERT INTO t(id, r) VALUES (" + i + ", 0)");
        }
    }

    @Test
    void when_sameEntryRunsAfterDifferentHistories_then_replicasEndIdentical() throws SQLException {
        try (Connection a = table(0); Connection b = table(0)) {
            ReplayFunctions fa = ReplayFunctions.install(a);
            ReplayFunctions fb = ReplayFunctions.install(b);
            fa.enterEntry(1, 5);
            fill(a);
            fb.enterEntry(1, 5);
            fill(b);
            fb.enterEntry(2, 9);
            rows(b, "SELECT random(), randomblob(100) FROM t"); // b has drawn values a never drew
            fa.enterEntry(7, 1_700_000_000_123L);
            fb.enterEntry(7, 1_700_000_000_123L);
            exec(a, SHUFFLE_DELETE);
            exec(b, SHUFFLE_DELETE);
            exec(a, "INSERT INTO t(id) VALUES (100)");
            exec(b, "INSERT INTO t(id) VALUES (100)");
            String all = "SELECT id, r, hex(b), ts FROM t ORDER BY id";
            assertEquals(18, rows(a, all).size());
            assertEquals(rows(a, all), rows(b, all));
            assertEquals(List.of("100|2023-11-14 22:13:20|"), rows(a, "SELECT id, ts FROM t WHERE id = 100"));
        }
    }

    @Test
    void when_entriesDiffer_then_sequencesDiffer() throws SQLException {
        try (Connection c = table(0)) {
            ReplayFunctions f = ReplayFunctions.install(c);
            String draw = "SELECT random(), random(), hex(randomblob(16))";
            f.enterEntry(1, 1000);
            List<String> first = rows(c, draw);
            f.enterEntry(2, 1000);
            List<String> otherIndex = rows(c, draw);
            f.enterEntry(1, 1001);
            List<String> otherTime = rows(c, draw);
            f.enterEntry(1, 1000);
            List<String> again = rows(c, draw);
            assertEquals(first, again);
            assertNotEquals(first, otherIndex);
            assertNotEquals(first, otherTime);
        }
    }

    @Test
    void when_statementIsEntered_then_itsValuesDoNotDependOnEarlierStatements() throws SQLException {
        try (Connection c = table(0)) {
            ReplayFunctions f = ReplayFunctions.install(c);
            f.enterEntry(3, 1000);
            f.enterStatement(0);
            rows(c, "SELECT random()");
            f.enterStatement(1);
            List<String> afterOne = rows(c, "SELECT random()");
            f.enterEntry(3, 1000);
            f.enterStatement(0);
            rows(c, "SELECT random(), random(), random()");
            f.enterStatement(1);
            assertEquals(afterOne, rows(c, "SELECT random()"));
        }
    }

    @Test
    void when_noEntryWasEntered_then_functionsFail() throws SQLException {
        try (Connection c = table(0)) {
            ReplayFunctions.install(c);
            SQLException e = assertThrows(SQLException.class, () -> rows(c, "SELECT random()"));
            assertEquals(true, e.getMessage().contains("outside an entry"), e.getMessage());
        }
    }

    @Test
    void when_trustedSchemaIsOff_then_schemaDefaultsMayStillCallTheFunctions() throws SQLException {
        try (Connection c = table(0)) {
            exec(c, "PRAGMA trusted_schema = OFF");
            ReplayFunctions.install(c).enterEntry(1, 0);
            exec(c, "INSERT INTO t(id) VALUES (1)");
            assertEquals(List.of("1|1970-01-01 00:00:00|8|"), rows(c, "SELECT id, ts, length(b) FROM t"));
        }
    }
}
