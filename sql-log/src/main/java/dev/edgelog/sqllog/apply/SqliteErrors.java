package dev.edgelog.sqllog.apply;

import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Which SQLite errors are a statement's result and which stop the applier, and SQLite's own message
 * inside sqlite-jdbc's wrapping.
 *
 * <p>Statement-level (an {@link dev.edgelog.sqllog.Outcome.Failed}, identical on every replica):
 * {@code SQLITE_ERROR} (syntax, no such table …), {@code SQLITE_CONSTRAINT} with every extended
 * code, {@code SQLITE_MISMATCH}, {@code SQLITE_RANGE}, {@code SQLITE_TOOBIG}. Everything else (busy,
 * locked, I/O, corrupt, full, read-only, interrupt, misuse, a driver error without a SQLite code)
 * depends on this machine, not on the statement, and must never be recorded as a result.
 */
public final class SqliteErrors {

    private static final int SQLITE_ERROR = 1;
    private static final int SQLITE_TOOBIG = 18;
    private static final int SQLITE_CONSTRAINT = 19;
    private static final int SQLITE_MISMATCH = 20;
    private static final int SQLITE_RANGE = 25;

    private SqliteErrors() {
    }

    /** Whether {@code e} is a statement's own error (an outcome) rather than a failure of the applier. */
    static boolean isStatementError(SQLException e) {
        if (!(e instanceof SQLiteException se)) {
            return false;
        }
        SQLiteErrorCode code = se.getResultCode();
        if (code == null) {
            return false;
        }
        return switch (code.code & 0xFF) {
            case SQLITE_ERROR, SQLITE_CONSTRAINT, SQLITE_MISMATCH, SQLITE_RANGE, SQLITE_TOOBIG -> true;
            default -> false;
        };
    }

    /**
     * SQLite's message for {@code e}, as rqlite reports it: sqlite-jdbc's
     * {@code "[SQLITE_CONSTRAINT_UNIQUE] A UNIQUE constraint failed (UNIQUE constraint failed: t.id)"}
     * becomes {@code "UNIQUE constraint failed: t.id"}.
     */
    public static String message(SQLException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        if (e instanceof SQLiteException se && se.getResultCode() != null) {
            SQLiteErrorCode code = se.getResultCode();
            String prefix = "[" + code.name() + "] " + code.message + " (";
            if (m.startsWith(prefix) && m.endsWith(")")) {
                return m.substring(prefix.length(), m.length() - 1);
            }
        }
        return m;
    }

    /** The SQLite result code name for logs and exception messages, e.g. {@code SQLITE_IOERR_WRITE}. */
    static String codeName(SQLException e) {
        if (e instanceof SQLiteException se && se.getResultCode() != null) {
            return se.getResultCode().name();
        }
        return "driver error";
    }
}
