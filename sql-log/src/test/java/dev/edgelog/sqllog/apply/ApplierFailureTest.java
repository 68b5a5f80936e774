package dev.edgelog.sqllog.apply;

import static dev.edgelog.sqllog.apply.Entries.queryLong;
import static dev.edgelog.sqllog.apply.Entries.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteException;

/** Errors that are not a statement's result stop the batch: nothing applied, nothing recorded. */
class ApplierFailureTest {

    @TempDir
    Path dir;

    @Test
    void when_constraintOrSyntaxError_then_outcomeWithSqliteMessage() throws Exception {
        try (SqliteApplier a = SqliteApplier.open(dir.resolve("e.db"), ApplierConfig.forLog("L"))) {
            ApplyResult r = a.apply(List.of(sql(1, "CREATE TABLE t(id INTEGER PRIMARY KEY, n NOT NULL)",
                    "INSERT INTO t(n) VALUES(NULL)", "INSERT INTO t VALUES(", "INSERT INTO t(id, n) VALUES('x', 1)",
                    "SELECT abs(-9223372036854775808)")));

            assertEquals(List.of(
                    dev.edgelog.sqllog.Outcome.executed(0, 0),
                    dev.edgelog.sqllog.Outcome.failed("NOT NULL constraint failed: t.n"),
                    dev.edgelog.sqllog.Outcome.failed("incomplete input"),
                    dev.edgelog.sqllog.Outcome.failed("datatype mismatch"),
                    dev.edgelog.sqllog.Outcome.failed("integer overflow")), r.applied().get(0).outcomes());
        }
    }

    @Test
    void when_errorCodesClassified_then_onlyStatementLevelOnesAreOutcomes() {
        assertTrue(SqliteErrors.isStatementError(new SQLiteException("x", org.sqlite.SQLiteErrorCode.SQLITE_ERROR)));
        assertTrue(SqliteErrors.isStatementError(
                new SQLiteException("x", org.sqlite.SQLiteErrorCode.SQLITE_CONSTRAINT_FOREIGNKEY)));
        assertTrue(SqliteErrors.isStatementError(new SQLiteException("x", org.sqlite.SQLiteErrorCode.SQLITE_TOOBIG)));
        assertTrue(SqliteErrors.isStatementError(new SQLiteException("x", org.sqlite.SQLiteErrorCode.SQLITE_RANGE)));
        for (org.sqlite.SQLiteErrorCode c : List.of(org.sqlite.SQLiteErrorCode.SQLITE_BUSY,
                org.sqlite.SQLiteErrorCode.SQLITE_LOCKED, org.sqlite.SQLiteErrorCode.SQLITE_IOERR_WRITE,
                org.sqlite.SQLiteErrorCode.SQLITE_CORRUPT, org.sqlite.SQLiteErrorCode.SQLITE_FULL,
                org.sqlite.SQLiteErrorCode.SQLITE_READONLY, org.sqlite.SQLiteErrorCode.SQLITE_INTERRUPT,
                org.sqlite.SQLiteErrorCode.SQLITE_NOTADB, org.sqlite.SQLiteErrorCode.SQLITE_MISUSE,
                org.sqlite.SQLiteErrorCode.SQLITE_CANTOPEN, org.sqlite.SQLiteErrorCode.SQLITE_NOMEM)) {
            assertFalse(SqliteErrors.isStatementError(new SQLiteException("x", c)), c.name());
        }
        assertFalse(SqliteErrors.isStatementError(new SQLException("driver")));
    }

    @Test
    void when_databaseLockedByAnotherWriter_then_exceptionAndNothingApplied_thenRetrySucceeds() throws Exception {
        Path db = dir.resolve("e.db");
        try (SqliteApplier a = SqliteApplier.open(db, ApplierConfig.forLog("L").withBusyTimeout(Duration.ofMillis(50)))) {
            a.apply(List.of(sql(1, "CREATE TABLE t(v)")));
            try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + db);
                 Statement s = other.createStatement()) {
                s.execute("BEGIN IMMEDIATE");

                ApplyException e = assertThrows(ApplyException.class,
                        () -> a.apply(List.of(sql(2, "INSERT INTO t VALUES(1)"), sql(3, "INSERT INTO t VALUES(2)"))));

                assertTrue(e.getMessage().contains("SQLITE_BUSY"), e.getMessage());
                assertEquals(1, a.appliedIndex());
                s.execute("ROLLBACK");
            }
            assertEquals(0, queryLong(db, "SELECT count(*) FROM t"));

            ApplyResult r = a.apply(List.of(sql(2, "INSERT INTO t VALUES(1)"), sql(3, "INSERT INTO t VALUES(2)")));

            assertEquals(3, r.appliedIndex());
            assertEquals(2, queryLong(db, "SELECT count(*) FROM t"));
        }
    }

    @Test
    void when_databaseIsReadOnly_then_exceptionAndNothingRecorded() throws Exception {
        Path db = dir.resolve("e.db");
        try (SqliteApplier a = SqliteApplier.open(db, ApplierConfig.forLog("L"))) {
            a.apply(List.of(sql(1, "CREATE TABLE t(v)")));
        }
        SQLiteConfig ro = new SQLiteConfig();
        ro.setReadOnly(true);
        Connection c = ro.createConnection("jdbc:sqlite:" + db);
        try (SqliteApplier a = SqliteApplier.open(c, db.toString(), ApplierConfig.forLog("L"))) {
            ApplyException e = assertThrows(ApplyException.class,
                    () -> a.apply(List.of(sql(2, "INSERT INTO t VALUES(1)"))));

            assertTrue(e.getMessage().contains("SQLITE_READONLY"), e.getMessage());
            assertEquals(1, a.appliedIndex());
        }
        assertEquals(0, queryLong(db, "SELECT count(*) FROM t"));
        assertEquals(1, queryLong(db, "SELECT applied_index FROM _edgelog_state"));
    }

    @Test
    void when_conflictClauseEndsTheTransaction_then_exceptionAndNothingApplied() throws Exception {
        Path db = dir.resolve("e.db");
        try (SqliteApplier a = SqliteApplier.open(db, ApplierConfig.forLog("L"))) {
            a.apply(List.of(sql(1, "CREATE TABLE t(v UNIQUE)", "INSERT INTO t VALUES(1)")));

            for (boolean transaction : new boolean[] {false, true}) {
                ApplyException e = assertThrows(ApplyException.class, () -> a.apply(List.of(
                        sql(2, "INSERT INTO t VALUES(2)"),
                        Entries.entry(3, transaction, dev.edgelog.sqllog.Statement.of("INSERT INTO t VALUES(3)"),
                                dev.edgelog.sqllog.Statement.of("INSERT OR ROLLBACK INTO t VALUES(1)")))));

                assertTrue(e.getMessage().contains("ended the batch transaction"), e.getMessage());
                assertEquals(1, a.appliedIndex());
                assertEquals(1, queryLong(db, "SELECT count(*) FROM t"));
            }
            assertEquals(2, a.apply(List.of(sql(2, "INSERT INTO t VALUES(2)"))).appliedIndex());
        }
        assertEquals(2, queryLong(db, "SELECT count(*) FROM t"));
    }
}
