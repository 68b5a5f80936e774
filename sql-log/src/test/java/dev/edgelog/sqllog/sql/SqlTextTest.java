package dev.edgelog.sqllog.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SqlTextTest {

    private Connection db;

    @BeforeEach
    void open() throws SQLException {
        db = DriverManager.getConnection("jdbc:sqlite::memory:");
        try (var st = db.createStatement()) {
            st.executeUpdate("CREATE TABLE t(id INTEGER PRIMARY KEY, a, b)");
        }
    }

    @AfterEach
    void close() throws SQLException {
        db.close();
    }

    /** Prepares {@code sql}, binds slot k to 's'+k, and checks each selected column against our numbering. */
    private void assertNumberingMatchesSqlite(String sql) throws SQLException {
        List<Integer> occurrences = new ArrayList<>();
        ParameterSlots slots = SqlText.parameters(sql, occurrences);
        try (PreparedStatement ps = db.prepareStatement(sql)) {
            assertEquals(ps.getParameterMetaData().getParameterCount(), slots.count(), sql);
            for (int k = 1; k <= slots.count(); k++) {
                ps.setString(k, "s" + k);
            }
            if (!sql.startsWith("SELECT ")) {
                return;
            }
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), sql);
                for (int col = 1; col <= occurrences.size(); col++) {
                    assertEquals("s" + occurrences.get(col - 1), rs.getString(col), sql + " column " + col);
                }
            }
        }
    }

    @Test
    void when_parametersAreMixed_then_numberingMatchesSqlite() throws SQLException {
        for (String sql : List.of(
                "SELECT ?, ?, ?",
                "SELECT ?3, ?, ?1",
                "SELECT :a, ?, :a, @a, $a, ?",
                "SELECT ?2, :x, ?1, :x",
                "SELECT :a, ?1, ?",
                "SELECT ?001, ?",
                "SELECT $a::b, $a::b(cd), $a(x), :a$b, #a",
                "SELECT ? -- ?\n, /* :b */ :c, ':a', \"?\"",
                "SELECT ?; SELECT ?, ?",
                "INSERT INTO t(a, b) VALUES (:a, ?)",
                "UPDATE t SET a = ? WHERE id = :id AND b = ?3",
                "WITH c(x) AS (SELECT ?) SELECT x FROM c LIMIT ? OFFSET ?",
                "INSERT INTO t(id, a) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET a = excluded.a + ? RETURNING ?")) {
            assertNumberingMatchesSqlite(sql);
        }
    }

    @Test
    void when_parametersAreRandom_then_numberingMatchesSqlite() throws SQLException {
        String[] forms = {"?", "?", "?1", "?2", "?7", ":a", ":b", "@a", "$a", "$b::c", "$a(1)", "#a", ":A"};
        Random random = new Random(20240501);
        for (int n = 0; n < 400; n++) {
            StringBuilder sql = new StringBuilder("SELECT ");
            int columns = 1 + random.nextInt(8);
            for (int c = 0; c < columns; c++) {
                sql.append(c == 0 ? "" : ", ").append(forms[random.nextInt(forms.length)]);
            }
            assertNumberingMatchesSqlite(sql.toString());
        }
    }

    @Test
    void when_nameIsGivenWithoutPrefix_then_allPrefixesMatch() {
        ParameterSlots slots = SqlText.parameters("SELECT :a, ?, @a, $a, :b, :a, :ab");
        assertEquals(6, slots.count());
        assertArrayEquals(new int[] {1, 3, 4}, slots.indicesOf("a"));
        assertArrayEquals(new int[] {5}, slots.indicesOf("b"));
        assertArrayEquals(new int[] {}, slots.indicesOf("c"));
        assertEquals(List.of(2), slots.positional());
        assertEquals(List.of("a", "b", "ab"), slots.parameterNames());
    }

    @Test
    void when_numberedParametersSkip_then_positionalValuesBindTheWrittenSlots() {
        assertEquals(List.of(1, 3, 4), SqlText.parameters("SELECT ?3, ?, ?1").positional()); // the ? is 4
        ParameterSlots gap = SqlText.parameters("SELECT ?3");
        assertEquals(3, gap.count());
        assertEquals(List.of(3), gap.positional());
        assertEquals(List.of("", "", "?3"), gap.names());
        assertEquals(0, SqlText.parameters("SELECT '?', \"?\", [?] -- ?").count());
        assertEquals(0, SqlText.parameters("SELECT ?0, ?99999").count());
    }

    @Test
    void when_statementStartsWithWith_then_isInsertLooksAtTheMainVerb() {
        assertTrue(SqlText.isInsert("INSERT INTO t VALUES (1)"));
        assertTrue(SqlText.isInsert("  replace into t values (1)"));
        assertTrue(SqlText.isInsert("/* c */ insert or replace into t values (1)"));
        assertTrue(SqlText.isInsert("WITH a(x) AS (SELECT (1)), b AS NOT MATERIALIZED (SELECT ((2)) FROM a) INSERT INTO t SELECT * FROM b"));
        assertTrue(SqlText.isInsert("WITH RECURSIVE \"select\" AS MATERIALIZED (SELECT ')') INSERT INTO t VALUES(1)"));
        assertFalse(SqlText.isInsert("WITH a AS (INSERT) SELECT 1"));
        assertFalse(SqlText.isInsert("UPDATE t SET a = 'insert'"));
        assertFalse(SqlText.isInsert("SELECT 1; INSERT INTO t VALUES (1)"));
        assertFalse(SqlText.isInsert(""));
        assertEquals("DELETE", SqlText.mainVerb("with x as (select 1) delete from t"));
    }

    @Test
    void when_textHoldsSeveralStatements_then_statementCountCountsNonEmptyOnes() {
        assertEquals(0, SqlText.statementCount(""));
        assertEquals(0, SqlText.statementCount(" ; ;-- only a comment\n/* and another */"));
        assertEquals(1, SqlText.statementCount("SELECT 1;"));
        assertEquals(1, SqlText.statementCount("SELECT ';'; -- done;"));
        assertEquals(2, SqlText.statementCount("SELECT 1; SELECT 2"));
        assertEquals(1, SqlText.statementCount(
                "CREATE TRIGGER tr AFTER INSERT ON t BEGIN UPDATE t SET a = CASE WHEN 1 THEN 2 END; DELETE FROM t; END;"));
        assertEquals(2, SqlText.statementCount(
                "CREATE TEMP TRIGGER tr AFTER INSERT ON t BEGIN SELECT 1; END; SELECT 2;"));
        assertEquals(2, SqlText.statementCount("CREATE TABLE [end](x); SELECT 1"));
    }
}
