package dev.edgelog.sqllog;

import java.util.Objects;

/**
 * What executing one statement gave on the primary: either it ran ({@link Executed}) or SQLite
 * refused it with a statement-level error ({@link Failed}, e.g. a constraint or a syntax error).
 * I/O, busy and driver errors are never outcomes: they stop the applier instead.
 */
public sealed interface Outcome {

    static Outcome executed(long rowsAffected, long lastInsertId) {
        return new Executed(rowsAffected, lastInsertId);
    }

    static Outcome failed(String error) {
        return new Failed(error);
    }

    /**
     * The statement ran. {@code lastInsertId} is the rowid of the last row inserted by this
     * statement, and 0 when it inserted none (unlike SQLite's connection-wide
     * {@code last_insert_rowid()}, which would differ between replicas).
     */
    record Executed(long rowsAffected, long lastInsertId) implements Outcome {
    }

    /** SQLite refused the statement; {@code error} is its message. */
    record Failed(String error) implements Outcome {
        public Failed {
            Objects.requireNonNull(error, "error");
        }
    }
}
