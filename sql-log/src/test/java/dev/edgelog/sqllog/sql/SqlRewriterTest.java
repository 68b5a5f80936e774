package dev.edgelog.sqllog.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SqlRewriterTest {

    private static final long T = 1_706_933_106_789L; // 2024-02-03 04:05:06.789 UTC
    private static final DateTimeFormatter F = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss");

    private Connection db;

    @BeforeEach
    void open() throws SQLException {
        db = DriverManager.getConnection("jdbc:sqlite::memory:");
    }

    @AfterEach
    void close() throws SQLException {
        db.close();
    }

    private static RewriteContext ctx(long ms) {
        return RewriteContext.of(ms, new SplittableRandom(1));
    }

    private static String rewrite(String sql) {
        return SqlRewriter.rewrite(sql, ctx(T)).sql();
    }

    private String one(String sql) throws SQLException {
        try (var st = db.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    private void exec(String sql) throws SQLException {
        try (var st = db.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    @Test
    void when_randomIsInsideAStringIdentifierOrComment_then_itIsLeftAlone() {
        String sql = "SELECT 'random() datetime(''now'')', \"random()\", [CURRENT_TIMESTAMP], `date('now')`"
                + " -- random()\n /* randomblob(4) CURRENT_DATE */";
        RewriteResult r = SqlRewriter.rewrite(sql, ctx(T));
        assertFalse(r.rewritten());
        assertEquals(sql, r.sql());
    }

    @Test
    void when_namesDifferInCaseOrHaveCommentsBeforeTheParenthesis_then_theyAreRewritten() {
        String out = rewrite("select RaNdOm ( ), random/* c */\n(), RANDOMBLOB( 2 ), DateTime ( 'NOW' )");
        assertTrue(out.matches("select \\(?-?[0-9]+\\)?, \\(?-?[0-9]+\\)?, x'[0-9a-f]{4}', DateTime \\( "
                + "'2024-02-03 04:05:06.789Z' \\)"), out);
    }

    @Test
    void when_randomIsNegative_then_theLiteralIsParenthesised() {
        RandomGenerator minusFive = () -> -5L;
        RewriteContext negative = RewriteContext.of(T, minusFive);
        // SQLite's random() maps a negative r to -(r & Long.MAX_VALUE); the rewriter does the same
        assertEquals("SELECT 1 -(-9223372036854775803)", SqlRewriter.rewrite("SELECT 1 -random()", negative).sql());
    }

    @Test
    void when_randomIsInOrderBy_then_itIsLeftForReplay() {
        String sql = "DELETE FROM t WHERE id IN (SELECT id FROM t ORDER BY abs(RANDOM()) LIMIT 3)";
        RewriteResult r = SqlRewriter.rewrite(sql, ctx(T));
        assertEquals(sql, r.sql());
        assertEquals(List.of("ORDER BY RANDOM()"), r.replayed());
        String mixed = rewrite("SELECT random() FROM t ORDER BY random() LIMIT random() % 5");
        assertTrue(mixed.matches("SELECT \\(?-?\\d+\\)? FROM t ORDER BY random\\(\\) LIMIT \\(?-?\\d+\\)? % 5"), mixed);
    }

    @Test
    void when_randomblobIsNotALiteralOrTooLarge_then_itIsLeftForReplay() {
        assertEquals("SELECT randomblob(n), randomblob(100000)", rewrite("SELECT randomblob(n), randomblob(100000)"));
        assertTrue(rewrite("SELECT randomblob(0)").matches("SELECT x'[0-9a-f]{2}'"));
    }

    @Test
    void when_timeFunctionsUseNow_then_sqliteGivesTheCommitTimeExactly() throws SQLException {
        Random random = new Random(11);
        for (int n = 0; n < 200; n++) {
            long ms = 946_684_800_000L + (long) (random.nextDouble() * 3_000_000_000_000L);
            ZonedDateTime z = Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
            RewriteContext c = ctx(ms);
            String f = SqlRewriter.rewrite("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')", c).sql();
            assertEquals(DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS").format(z), one(f));
            assertEquals(Long.toString(ms), one(SqlRewriter.rewrite(
                    "SELECT CAST(round(unixepoch('now', 'subsec') * 1000) AS INTEGER)", c).sql()));
            assertEquals(Long.toString(ms), one(SqlRewriter.rewrite(
                    "SELECT CAST(round((julianday('now') - 2440587.5) * 86400000) AS INTEGER)", c).sql()));
            assertEquals(F.format(z), one(SqlRewriter.rewrite("SELECT datetime('now')", c).sql()));
            assertEquals(F.format(z), one(SqlRewriter.rewrite("SELECT CURRENT_TIMESTAMP", c).sql()));
            assertEquals(F.format(z), one(SqlRewriter.rewrite("SELECT datetime()", c).sql()));
            assertEquals(F.format(z), one(SqlRewriter.rewrite("SELECT datetime('now', 'utc')", c).sql()));
            assertEquals(F.format(z.plusDays(1)), one(SqlRewriter.rewrite(
                    "SELECT datetime(datetime('now'), '+1 day')", c).sql()));
            assertEquals(z.toLocalDate().withDayOfMonth(1).toString(), one(SqlRewriter.rewrite(
                    "SELECT date('now', 'start of month')", c).sql()));
            assertEquals(z.toLocalDate().toString(), one(SqlRewriter.rewrite("SELECT CURRENT_DATE", c).sql()));
            assertEquals(F.format(z).substring(11), one(SqlRewriter.rewrite("SELECT time('now')", c).sql()));
            assertEquals(F.format(z).substring(11), one(SqlRewriter.rewrite("SELECT CURRENT_TIME", c).sql()));
            assertEquals(Long.toString(Math.floorDiv(ms, 1000)), one(SqlRewriter.rewrite("SELECT strftime('%s')", c).sql()));
            assertEquals(Long.toString(Math.floorDiv(ms, 1000)), one(SqlRewriter.rewrite("SELECT unixepoch()", c).sql()));
            assertEquals(DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSS").format(z),
                    one(SqlRewriter.rewrite("SELECT datetime('subsec')", c).sql()));
            assertEquals("+0000-00-00 00:00:00.000", one(SqlRewriter.rewrite("SELECT timediff('now', 'now')", c).sql()));
        }
    }

    @Test
    void when_julianDayLiteralReplacesNow_then_itKeepsTheMillisecondButModifiersReadItAsANumber()
            throws SQLException {
        double jd = T / 86_400_000.0 + 2440587.5;
        assertEquals("2024-02-03 04:05:06.789", one("SELECT strftime('%Y-%m-%d %H:%M:%f', " + jd + ")"));
        assertEquals("1706933106.789", one("SELECT unixepoch(" + jd + ", 'subsec')"));
        // 'unixepoch' reads a number as seconds, so a jd literal is not equivalent to 'now':
        assertEquals("1970-01-29 11:25:43", one("SELECT datetime(" + jd + ", 'unixepoch')"));
        assertEquals(null, one(rewrite("SELECT datetime('now', 'unixepoch')")));
    }

    @Test
    void when_defaultUsesCurrentTimestamp_then_insertsGetTheirOwnEntrysCommitTime() throws SQLException {
        String ddl = SqlRewriter.rewrite("CREATE TABLE t(id INTEGER PRIMARY KEY, a DEFAULT CURRENT_TIMESTAMP,"
                + " b DEFAULT (datetime('now', '+1 day')), c DEFAULT (random()), d DEFAULT 'now')", ctx(T)).sql();
        assertEquals("CREATE TABLE t(id INTEGER PRIMARY KEY, a DEFAULT (datetime(edgelog_now())),"
                + " b DEFAULT (datetime(edgelog_now(), '+1 day')), c DEFAULT (random()), d DEFAULT 'now')", ddl);
        ReplayFunctions f = ReplayFunctions.install(db);
        f.enterEntry(1, T);
        exec(ddl);
        f.enterEntry(2, T + 86_400_000L);
        exec(SqlRewriter.rewrite("INSERT INTO t(id) VALUES (1)", ctx(T + 86_400_000L)).sql());
        assertEquals("2024-02-04 04:05:06|2024-02-05 04:05:06|now",
                one("SELECT a || '|' || b || '|' || d FROM t"));
    }

    @Test
    void when_triggerOrViewUsesNow_then_triggerDefersAndViewIsLeft() {
        String trigger = "CREATE TRIGGER tr AFTER INSERT ON t BEGIN"
                + " UPDATE t SET ts = datetime('now'), at = CURRENT_TIME, r = random() WHERE id = new.id; END";
        assertEquals("CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET ts = datetime(edgelog_now()),"
                + " at = (time(edgelog_now())), r = random() WHERE id = new.id; END", rewrite(trigger));
        String view = "CREATE VIEW live AS SELECT * FROM ads WHERE ends > datetime('now')";
        assertEquals(view, rewrite(view));
        assertEquals("CREATE TABLE c AS SELECT '2024-02-03 04:05:06' AS at",
                rewrite("CREATE TABLE c AS SELECT CURRENT_TIMESTAMP AS at"));
    }

    @Test
    void when_strict_then_constructsThatCannotBeMadeDeterministicAreRefusedByName() {
        for (String[] c : new String[][] {
            {"UPDATE t SET d = datetime('now', 'localtime')", "'localtime'"},
            {"UPDATE t SET d = datetime(d, 'utc')", "'utc'"},
            {"INSERT INTO t VALUES (last_insert_rowid())", "last_insert_rowid()"},
            {"INSERT INTO t VALUES (changes())", "changes()"},
            {"INSERT INTO t VALUES (total_changes())", "total_changes()"},
            {"INSERT INTO t VALUES (sqlite_version())", "sqlite_version()"}}) {
            RewriteResult lenient = SqlRewriter.rewrite(c[0], ctx(T));
            assertFalse(lenient.deterministic(), c[0]);
            RejectedSqlException e = assertThrows(RejectedSqlException.class,
                    () -> SqlRewriter.rewrite(c[0], ctx(T).strictly()));
            assertEquals(RejectedSqlException.Reason.NON_DETERMINISTIC, e.reason());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        assertTrue(SqlRewriter.rewrite("DELETE FROM t WHERE id IN (SELECT id FROM t ORDER BY random() LIMIT 1)",
                ctx(T).strictly()).deterministic());
        assertTrue(SqlRewriter.rewrite("SELECT datetime('now', 'utc')", ctx(T).strictly()).deterministic());
    }

    @Test
    void when_currentTimeKeywordsAreColumnNames_then_onlyTheKeywordsAreRewritten() throws SQLException {
        String[][] cases = {
            {"CREATE TABLE t(id INTEGER PRIMARY KEY, current_date TEXT, current_time TEXT, current_timestamp TEXT)",
                null},
            {"INSERT INTO t(id, current_date) VALUES(1, 'x')", null},
            {"INSERT INTO main.t AS a (id, current_time, current_timestamp) VALUES(2, 'y', CURRENT_TIMESTAMP)",
                "INSERT INTO main.t AS a (id, current_time, current_timestamp) VALUES(2, 'y', '2024-02-03 04:05:06')"},
            {"UPDATE t SET current_date = 'y' WHERE id = 1", null},
            {"UPDATE t SET (current_time, current_timestamp) = ('a', CURRENT_TIME), current_date = CASE WHEN 1"
                    + " THEN current_date END WHERE id = 2 AND t.current_date IS NULL",
                "UPDATE t SET (current_time, current_timestamp) = ('a', '04:05:06'), current_date = CASE WHEN 1"
                    + " THEN '2024-02-03' END WHERE id = 2 AND t.current_date IS NULL"},
            {"INSERT INTO t(id, current_date) VALUES(1, 'z') ON CONFLICT(id) DO UPDATE SET current_date ="
                    + " excluded.current_date || '!'", null},
            {"CREATE TABLE u(current_date TEXT DEFAULT CURRENT_DATE, n INT)",
                "CREATE TABLE u(current_date TEXT DEFAULT (date(edgelog_now())), n INT)"},
            {"ALTER TABLE u ADD COLUMN current_time TEXT", null},
            {"CREATE TRIGGER tr AFTER UPDATE OF current_date ON u BEGIN UPDATE u SET current_time = CURRENT_TIME"
                    + " WHERE n = new.n; END",
                "CREATE TRIGGER tr AFTER UPDATE OF current_date ON u BEGIN UPDATE u SET current_time ="
                    + " (time(edgelog_now())) WHERE n = new.n; END"},
            {"INSERT INTO u(n) VALUES(1)", null},
            {"UPDATE u SET current_date = 'set'", null},
            {"CREATE TABLE current_date(a)", null},
            {"INSERT INTO current_date SELECT t.current_date FROM t JOIN t AS v USING(current_date)", null},
            {"CREATE TABLE w AS SELECT current_date AS current_date FROM current_date",
                "CREATE TABLE w AS SELECT '2024-02-03' AS current_date FROM current_date"}};
        ReplayFunctions f = ReplayFunctions.install(db);
        f.enterEntry(1, T);
        for (String[] c : cases) {
            String out = rewrite(c[0]);
            assertEquals(c[1] == null ? c[0] : c[1], out);
            exec(out);
        }
        assertEquals("z!", one("SELECT t.current_date FROM t WHERE id = 1"));
        assertEquals("a|04:05:06", one("SELECT t.current_time || '|' || t.current_timestamp FROM t WHERE id = 2"));
        assertEquals("2024-02-03", one("SELECT t.current_date FROM t WHERE id = 2"));
        assertEquals("set|04:05:06", one("SELECT u.current_date || '|' || u.current_time FROM u"));
        assertEquals("z!", one("SELECT a FROM current_date"));
        assertEquals("2024-02-03", one("SELECT w.current_date FROM w"));
    }

    @Test
    void when_currentTimeKeywordIsAnExpression_then_sqliteReadsTheKeywordEvenWithSuchAColumn() throws SQLException {
        exec("CREATE TABLE t(current_date TEXT)");
        exec("INSERT INTO t VALUES ('stored')");
        assertEquals(one("SELECT date('now')"), one("SELECT current_date FROM t"));
        assertEquals("0", one("SELECT count(*) FROM t WHERE current_date = 'stored'"));
        assertEquals("stored", one("SELECT t.current_date FROM t"));
        assertEquals("SELECT count(*) FROM t WHERE '2024-02-03' = 'stored'",
                rewrite("SELECT count(*) FROM t WHERE current_date = 'stored'"));
        assertEquals("WITH c(current_date) AS (SELECT 1) SELECT '2024-02-03', c.current_date FROM c",
                rewrite("WITH c(current_date) AS (SELECT 1) SELECT current_date, c.current_date FROM c"));
        assertEquals("2024-02-03|1", one("WITH c(current_date) AS (SELECT 1) SELECT '2024-02-03' || '|' ||"
                + " c.current_date FROM c"));
        // followed by ( the bare keyword is a syntax error in SQLite, and is left so
        assertThrows(SQLException.class, () -> one("SELECT current_date()"));
        assertEquals("SELECT current_date()", rewrite("SELECT current_date()"));
    }

    @Test
    void when_functionNameIsQuoted_then_itIsRewrittenLikeTheBareName() throws SQLException {
        String out = rewrite("SELECT \"datetime\"('now'), [date](), `current_timestamp`(), \"random\"()");
        assertTrue(out.matches("SELECT \"datetime\"\\('2024-02-03 04:05:06.789Z'\\), \\[date\\]\\("
                + "'2024-02-03 04:05:06.789Z'\\), '2024-02-03 04:05:06', \\(?-?[0-9]+\\)?"), out);
        // SQLite calls the function for a quoted name, "current_timestamp"() included
        assertEquals(one("SELECT datetime('now')"), one("SELECT \"current_timestamp\"()"));
        assertEquals("2024-02-03 04:05:06|2024-02-03", one(rewrite("SELECT \"datetime\"('now') || '|' || [date]()")));
        assertEquals("SELECT \"current_date\", t.\"datetime\"(1)", rewrite("SELECT \"current_date\", t.\"datetime\"(1)"));
        RejectedSqlException e = assertThrows(RejectedSqlException.class,
                () -> SqlRewriter.rewrite("INSERT INTO t VALUES (\"changes\"())", ctx(T).strictly()));
        assertTrue(e.getMessage().contains("changes()"), e.getMessage());
    }
}
