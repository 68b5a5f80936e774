package dev.edgelog.sqllog.sql;

import dev.edgelog.sqllog.SqlLogException;
import java.util.Objects;

/**
 * A write refused before it reaches the log (an HTTP endpoint answers 400 with the message).
 * Retrying the same SQL gets the same refusal; nothing was written.
 */
public class RejectedSqlException extends SqlLogException {

    /** Why a statement was refused. */
    public enum Reason {
        /** The text holds no statement. */
        EMPTY,
        /** The text holds more than one statement. */
        MULTIPLE_STATEMENTS,
        /** {@code ATTACH} or {@code DETACH}. */
        ATTACH,
        /** {@code load_extension(…)}. */
        LOAD_EXTENSION,
        /** {@code BEGIN}, {@code COMMIT}, {@code END}, {@code ROLLBACK}, {@code SAVEPOINT}, {@code RELEASE}. */
        TRANSACTION_CONTROL,
        /** {@code VACUUM}. */
        VACUUM,
        /**
         * A {@code PRAGMA} outside the read-only allowlist, or a table-valued {@code pragma_…}
         * function outside the schema-introspection allowlist.
         */
        PRAGMA,
        /**
         * A TEMP table, view, trigger or index ({@code CREATE TEMP …}) or any use of the
         * {@code temp} schema: it lives only as long as one connection.
         */
        TEMP_OBJECT,
        /** A use of edgelog's own bookkeeping ({@code _edgelog_state}, {@code edgelog_canary}). */
        INTERNAL_TABLE,
        /** A {@code CREATE VIEW} whose body uses the current time ({@code 'now'}, {@code CURRENT_DATE} …). */
        VIEW_USES_NOW,
        /** {@code dbstat}: reports the file's page layout, which differs on a replica restored from a snapshot. */
        FILE_LAYOUT,
        /** {@code OR ROLLBACK}, {@code ON CONFLICT ROLLBACK}, {@code RAISE(ROLLBACK, …)}. */
        ROLLBACK_CONFLICT,
        /** A construct that would give different results on different replicas (strict mode). */
        NON_DETERMINISTIC
    }

    private final Reason reason;

    public RejectedSqlException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Why the statement was refused. */
    public Reason reason() {
        return reason;
    }
}
