package dev.edgelog.sqllog.sql;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.sql.RejectedSqlException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

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
}
