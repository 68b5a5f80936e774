package dev.edgelog.sqllog.sql;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.sql.RejectedSqlException.Reason;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlValidatorTest {

    private static void assertRejected(String sql, Reason reason, String messagePart) {
        RejectedSqlException e = assertThrows(RejectedSqlException.class, () -> SqlValidator.validate(sql), sql);
        assertEquals(reason, e.reason(), sql);
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    @Test
    void when_statementIsHarmful_then_itIsRefusedWithItsReason() {
        assertRejected("   -- nothing\n ;", Reason.EMPTY, "empty");
        assertRejected("", Reason.EMPTY, "empty");
        assertRejected("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)", Reason.MULTIPLE_STATEMENTS,
                "send them as separate statements");
        assertRejected("ATTACH DATABASE '/etc/x.db' AS x", Reason.ATTACH, "ATTACH");
        assertRejected("detach x", Reason.ATTACH, "DETACH");
        assertRejected("SELECT load_extension('/tmp/evil.so')", Reason.LOAD_EXTENSION, "load_extension");
        assertRejected("INSERT INTO t VALUES (LOAD_EXTENSION /* x */ ('e'))", Reason.LOAD_EXTENSION, "load_extension");
        for (String verb : List.of("BEGIN", "begin immediate", "COMMIT", "END", "ROLLBACK", "SAVEPOINT a", "RELEASE a")) {
            assertRejected(verb, Reason.TRANSACTION_CONTROL, "the log controls transactions");
        }
        assertRejected("VACUUM", Reason.VACUUM, "VACUUM");
        assertRejected("PRAGMA journal_mode = DELETE", Reason.PRAGMA, "journal_mode with a value");
        assertRejected("PRAGMA main.user_version = 3", Reason.PRAGMA, "user_version");
        assertRejected("PRAGMA foreign_keys(OFF)", Reason.PRAGMA, "foreign_keys");
        assertRejected("PRAGMA wal_checkpoint", Reason.PRAGMA, "wal_checkpoint");
        assertRejected("PRAGMA writable_schema", Reason.PRAGMA, "writable_schema");
        assertRejected("INSERT OR ROLLBACK INTO t VALUES (1)", Reason.ROLLBACK_CONFLICT, "OR ROLLBACK");
        assertRejected("UPDATE OR ROLLBACK t SET a = 1", Reason.ROLLBACK_CONFLICT, "OR ROLLBACK");
        assertRejected("CREATE TABLE t(id INTEGER PRIMARY KEY ON CONFLICT ROLLBACK)", Reason.ROLLBACK_CONFLICT,
                "ON CONFLICT ROLLBACK");
        assertRejected("CREATE TRIGGER tr BEFORE INSERT ON t BEGIN SELECT RAISE ( ROLLBACK, 'no'); END",
                Reason.ROLLBACK_CONFLICT, "RAISE(ROLLBACK");
    }

    @Test
    void when_statementIsLegitimate_then_itIsAccepted() {
        for (String sql : List.of(
                "INSERT INTO t(\"begin\", [commit], `end`) VALUES ('attach', 'load_extension(x)', 'BEGIN')",
                "SELECT 1;",
                "UPDATE t SET a = 1 -- ; BEGIN; ATTACH\n",
                "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = 1; SELECT RAISE(ABORT, 'x'); END;",
                "WITH n(x) AS (SELECT 1) INSERT INTO t SELECT x FROM n",
                "INSERT INTO t(id, a) VALUES (1, 2) ON CONFLICT(id) DO UPDATE SET a = excluded.a",
                "INSERT OR REPLACE INTO t VALUES (1)",
                "CREATE TABLE t(id INTEGER PRIMARY KEY ON CONFLICT REPLACE, a TEXT DEFAULT CURRENT_TIMESTAMP)",
                "REINDEX",
                "PRAGMA table_info(t)",
                "PRAGMA main.index_list('t')",
                "PRAGMA user_version",
                "PRAGMA foreign_key_check",
                "SELECT CASE WHEN a THEN 1 END FROM t",
                "DELETE FROM t WHERE id IN (SELECT id FROM t ORDER BY random() LIMIT 3)")) {
            assertDoesNotThrow(() -> SqlValidator.validate(sql), sql);
        }
    }

    // --- real SQLite helpers -------------------------------------------------------------------

    private static String one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static void exec(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String sqliteError(Connection c, String sql) {
        return assertThrows(SQLException.class, () -> exec(c, sql), sql).getMessage();
    }

    // --- TEMP objects and the temp schema ------------------------------------------------------

    @Test
    void when_tempTableIsCreated_then_itIsRefused() {
        for (String sql : List.of("CREATE TEMP TABLE tmp(x)", "create temporary table tmp(x)",
                "CREATE TEMP VIEW v AS SELECT 1", "CREATE TEMPORARY TRIGGER tr AFTER INSERT ON main.t"
                        + " BEGIN INSERT INTO main.t SELECT -new.x WHERE new.x > 0; END",
                "CREATE TEMP TRIGGER tr AFTER INSERT ON main.t BEGIN INSERT INTO main.t SELECT -new.x"
                        + " WHERE new.x > 0; END",
                "CREATE TEMP TABLE IF NOT EXISTS tmp AS SELECT 1")) {
            assertRejected(sql, Reason.TEMP_OBJECT, "live only as long as one connection");
        }
        assertRejected("CREATE TEMP TABLE tmp(x)", Reason.TEMP_OBJECT, "CREATE TEMP TABLE");
    }

    @Test
    void when_tempSchemaIsReferencedInAnySpelling_then_itIsRefused() {
        for (String sql : List.of("CREATE TABLE temp.x(a)", "CREATE INDEX temp.i ON t(a)",
                "CREATE VIEW TEMP.v AS SELECT 1", "INSERT INTO \"temp\".x VALUES (1)", "DELETE FROM [temp].x",
                "UPDATE `Temp`.x SET a = 1", "SELECT * FROM 'temp'.x", "INSERT INTO t SELECT * FROM temp . x",
                "INSERT INTO t SELECT name FROM sqlite_temp_master", "SELECT * FROM \"sqlite_temp_schema\"",
                "PRAGMA temp.table_info(x)", "UPDATE temp.edgelog_canary SET n = -1")) {
            assertRejected(sql, Reason.TEMP_OBJECT, "temp schema");
        }
        for (String sql : List.of("INSERT INTO t(temp) VALUES ('temp')", "SELECT temp FROM t",
                "UPDATE t SET temp = 'temp.x'", "CREATE TABLE temps(temp TEXT)", "SELECT main.t.temp FROM t")) {
            assertDoesNotThrow(() -> SqlValidator.validate(sql), sql);
        }
    }

    @Test
    void when_tempObjectsAreUsed_then_sqliteKeepsThemOnlyOnTheConnectionAndResolvesQuotedTemp(@TempDir Path dir)
            throws SQLException {
        String url = "jdbc:sqlite:" + dir.resolve("db");
        try (Connection c = DriverManager.getConnection(url)) {
            exec(c, "CREATE TABLE t(x)");
            exec(c, "CREATE TEMP TABLE tmp(x)");
            exec(c, "CREATE TEMP TRIGGER tr AFTER INSERT ON main.t BEGIN INSERT INTO main.t SELECT -new.x"
                    + " WHERE new.x > 0; END");
            exec(c, "INSERT INTO t VALUES (5)");
            assertEquals("2", one(c, "SELECT count(*) FROM t"));
            // every spelling of the schema name reaches it
            exec(c, "INSERT INTO 'temp'.tmp VALUES (1)");
            exec(c, "INSERT INTO [temp].tmp VALUES (2)");
            exec(c, "INSERT INTO \"TEMP\".tmp VALUES (3)");
            assertEquals("3", one(c, "SELECT count(*) FROM temp.tmp"));
        }
        try (Connection restarted = DriverManager.getConnection(url)) {
            assertTrue(sqliteError(restarted, "INSERT INTO tmp VALUES (1)").contains("no such table: tmp"));
            exec(restarted, "INSERT INTO t VALUES (5)"); // the trigger is gone: one row, not two
            assertEquals("3", one(restarted, "SELECT count(*) FROM t"));
        }
    }

    // --- edgelog's own bookkeeping -------------------------------------------------------------

    @Test
    void when_statementUsesEdgelogBookkeeping_then_itIsRefused() {
        for (String sql : List.of("DELETE FROM _edgelog_state", "UPDATE \"_edgelog_state\" SET applied_index = 0",
                "INSERT INTO r SELECT updated_at FROM [_EDGELOG_STATE]", "DELETE FROM '_edgelog_state'",
                "DROP TABLE main._edgelog_state", "CREATE TABLE _edgelog_mine(x)",
                "UPDATE edgelog_canary SET n = -1", "INSERT INTO r SELECT name FROM pragma_table_info('edgelog_canary')")) {
            assertRejected(sql, Reason.INTERNAL_TABLE, "edgelog's own bookkeeping");
        }
        assertDoesNotThrow(() -> SqlValidator.validate("INSERT INTO t VALUES ('edgelog state', '_edgelog_ is a prefix')"));
    }

    @Test
    void when_stringNamesATable_then_sqliteResolvesIt() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            exec(c, "CREATE TABLE _edgelog_state(applied_index INTEGER)");
            exec(c, "INSERT INTO _edgelog_state VALUES (7)");
            exec(c, "DELETE FROM '_edgelog_state'"); // a string literal as the table name
            assertEquals("0", one(c, "SELECT count(*) FROM _edgelog_state"));
        }
    }

    @Test
    void when_nameStartsWithSqlite_then_sqliteItselfRefusesIt() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            exec(c, "CREATE TABLE t(x)");
            for (String sql : List.of("CREATE TABLE sqlite_x(a)", "CREATE TABLE \"SQLITE_x\"(a)",
                    "CREATE VIEW sqlite_v AS SELECT 1", "CREATE INDEX sqlite_i ON t(x)",
                    "CREATE TRIGGER sqlite_tr AFTER INSERT ON t BEGIN SELECT 1; END", "ALTER TABLE t RENAME TO sqlite_t")) {
                assertTrue(sqliteError(c, sql).contains("reserved for internal use"), sql);
            }
        }
    }

    // --- views using the current time ----------------------------------------------------------

    @Test
    void when_viewUsesTheCurrentTime_then_itIsRefused() {
        for (String[] c : new String[][] {
            {"CREATE VIEW v AS SELECT strftime('%Y-%m-%d %H:%M:%f','now') AS ts", "'now'"},
            {"CREATE VIEW live AS SELECT * FROM ads WHERE ends > datetime('NOW')", "'NOW'"},
            {"CREATE VIEW v AS SELECT datetime(x) FROM (SELECT 'now' AS x)", "'now'"},
            {"CREATE VIEW v AS SELECT CURRENT_TIMESTAMP AS at", "CURRENT_TIMESTAMP"},
            {"CREATE VIEW IF NOT EXISTS main.v(a, b) AS SELECT current_date, 1", "current_date"},
            {"CREATE VIEW v AS SELECT * FROM t WHERE at < CURRENT_TIME", "CURRENT_TIME"},
            {"CREATE VIEW v AS SELECT date() AS d", "date() without a time value"},
            {"CREATE VIEW v AS SELECT strftime('%s') AS d", "strftime() without a time value"},
            {"CREATE VIEW v AS SELECT datetime('subsec') AS d", "'subsec'"},
            {"CREATE VIEW v AS SELECT \"datetime\"() AS d", "datetime()"},
            {"CREATE VIEW v AS SELECT \"current_date\"() AS d", "\"current_date\""}}) {
            assertRejected(c[0], Reason.VIEW_USES_NOW, c[1]);
            assertRejected(c[0], Reason.VIEW_USES_NOW, "compute the time in the writing statement");
        }
    }

    @Test
    void when_viewUsesColumnsNamedLikeTimeKeywordsOrFixedDates_then_itIsAccepted() throws SQLException {
        List<String> views = List.of(
                "CREATE VIEW v1(current_date) AS SELECT t.current_date FROM t",
                "CREATE VIEW v2 AS SELECT current_date AS x, 'snow' AS y FROM t", // the keyword: refused
                "CREATE VIEW v3 AS SELECT date(d, '+1 day') AS next, t.current_date AS current_date FROM t");
        assertRejected(views.get(1), Reason.VIEW_USES_NOW, "current_date");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            exec(c, "CREATE TABLE t(d TEXT, current_date TEXT)");
            exec(c, "INSERT INTO t VALUES ('2024-01-01', 'stored')");
            for (String view : List.of(views.get(0), views.get(2))) {
                assertDoesNotThrow(() -> SqlValidator.validate(view), view);
                exec(c, view);
            }
            assertEquals("stored", one(c, "SELECT v1.current_date FROM v1"));
            // unqualified it is the keyword again, even though v1 has such a column
            assertEquals(one(c, "SELECT date('now')"), one(c, "SELECT current_date FROM v1"));
            assertEquals("2024-01-02|stored", one(c, "SELECT next || '|' || v3.current_date FROM v3"));
            // ... and a bare current_date in a view is SQLite's keyword, read on the reader's clock
            exec(c, views.get(1));
            assertEquals(one(c, "SELECT date('now')"), one(c, "SELECT x FROM v2"));
            exec(c, "CREATE VIEW v4 AS SELECT date() AS d");
            assertEquals(one(c, "SELECT date('now')"), one(c, "SELECT d FROM v4"));
        }
    }

    // --- layout-dependent functions ------------------------------------------------------------

    @Test
    void when_pragmaFunctionIsNotSchemaIntrospection_then_itIsRefused() {
        for (String sql : List.of("INSERT INTO r SELECT freelist_count FROM pragma_freelist_count()",
                "INSERT INTO r SELECT * FROM pragma_page_count", "INSERT INTO r SELECT * FROM \"pragma_page_count\"()",
                "INSERT INTO r SELECT * FROM 'pragma_page_count'", "INSERT INTO r SELECT * FROM main.pragma_page_count",
                "INSERT INTO r SELECT * FROM PRAGMA_COMPILE_OPTIONS", "INSERT INTO r SELECT name FROM pragma_function_list",
                "INSERT INTO r SELECT name FROM pragma_table_list", "INSERT INTO r SELECT file FROM pragma_database_list")) {
            assertRejected(sql, Reason.PRAGMA, "only the schema-introspection pragma functions");
        }
        for (String sql : List.of("INSERT INTO cols SELECT name FROM pragma_table_info('t')",
                "INSERT INTO cols SELECT * FROM \"pragma_index_list\"('t')",
                "INSERT INTO cols SELECT * FROM t, pragma_foreign_key_list(t.name)",
                "SELECT * FROM pragma_table_xinfo('t') JOIN pragma_index_xinfo('i') JOIN pragma_index_info('i')",
                "PRAGMA pragma_list", "PRAGMA freelist_count")) {
            assertDoesNotThrow(() -> SqlValidator.validate(sql), sql);
        }
    }

    @Test
    void when_dbstatIsUsed_then_itIsRefused() {
        for (String sql : List.of("INSERT INTO r SELECT count(*) FROM dbstat", "INSERT INTO r SELECT * FROM \"DBSTAT\"",
                "INSERT INTO r SELECT * FROM 'dbstat'", "INSERT INTO r SELECT * FROM [dbstat]('main')",
                "INSERT INTO r SELECT pgsize FROM main.dbstat WHERE name = 't'")) {
            assertRejected(sql, Reason.FILE_LAYOUT, "page layout");
        }
    }

    @Test
    void when_replicaIsRestoredFromVacuumInto_then_layoutFunctionsDifferButIntrospectionDoesNot(@TempDir Path dir)
            throws SQLException {
        Path live = dir.resolve("live");
        Path copy = dir.resolve("copy");
        String introspection = "SELECT group_concat(name || type) FROM pragma_table_info('t')";
        String liveFreelist;
        String liveIntrospection;
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live)) {
            exec(c, "CREATE TABLE t(b)");
            exec(c, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)"
                    + " INSERT INTO t SELECT randomblob(3000) FROM n");
            exec(c, "DELETE FROM t");
            liveFreelist = one(c, "SELECT freelist_count FROM pragma_freelist_count()");
            liveIntrospection = one(c, introspection);
            assertTrue(Integer.parseInt(one(c, "SELECT count(*) FROM dbstat")) > 0);
            exec(c, "VACUUM INTO '" + copy + "'");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy)) {
            assertTrue(Integer.parseInt(liveFreelist) > 0, liveFreelist);
            assertEquals("0", one(c, "SELECT freelist_count FROM pragma_freelist_count()"));
            assertEquals("0", one(c, "SELECT count(*) FROM 'dbstat' WHERE name = 't' AND pagetype = 'overflow'"));
            assertEquals(liveIntrospection, one(c, introspection));
            assertEquals(one(c, "SELECT page_count FROM pragma_page_count"), one(c, "SELECT * FROM 'pragma_page_count'"));
        }
    }

    // --- quoted names --------------------------------------------------------------------------

    @Test
    void when_loadExtensionIsQuoted_then_itIsStillRefused() {
        for (String sql : List.of("SELECT \"load_extension\"('/tmp/x.so')", "SELECT [load_extension]('/tmp/x.so')",
                "SELECT `load_extension`('/tmp/x.so')", "SELECT \"LOAD_EXTENSION\" /* c */ ('/tmp/x.so', 'init')")) {
            assertRejected(sql, Reason.LOAD_EXTENSION, "load_extension");
        }
        assertRejected("PRAGMA \"journal_mode\" = OFF", Reason.PRAGMA, "journal_mode");
        assertRejected("PRAGMA 'wal_checkpoint'", Reason.PRAGMA, "wal_checkpoint");
        assertRejected("PRAGMA [main].[writable_schema]", Reason.PRAGMA, "writable_schema");
        for (String sql : List.of("PRAGMA \"table_info\"(t)", "PRAGMA [index_list]('t')", "PRAGMA 'user_version'",
                // a quoted word is never a keyword in SQLite: here "rollback" is a column
                "INSERT INTO r SELECT 1 OR \"rollback\" FROM (SELECT 0 AS \"rollback\")",
                "INSERT INTO t VALUES ('load_extension')")) {
            assertDoesNotThrow(() -> SqlValidator.validate(sql), sql);
        }
    }

    @Test
    void when_functionNameIsQuoted_then_sqliteCallsTheFunctionButNotForAString() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            assertEquals("A|B|C", one(c, "SELECT \"upper\"('a') || '|' || [upper]('b') || '|' || `upper`('c')"));
            // the function exists and is refused by SQLite's own setting, not unknown:
            assertTrue(sqliteError(c, "SELECT \"load_extension\"('/tmp/x.so')").contains("not authorized"));
            assertTrue(sqliteError(c, "SELECT 'upper'('a')").contains("syntax error"));
            assertTrue(sqliteError(c, "SELECT 'load_extension'('/tmp/x.so')").contains("syntax error"));
            assertTrue(sqliteError(c, "\"ATTACH\" ':memory:' AS x").contains("syntax error"));
            assertEquals("1", one(c, "SELECT 1 OR \"rollback\" FROM (SELECT 0 AS \"rollback\")"));
            exec(c, "PRAGMA 'user_version' = 3"); // a string names a pragma
            assertEquals("3", one(c, "PRAGMA user_version"));
        }
    }
}
