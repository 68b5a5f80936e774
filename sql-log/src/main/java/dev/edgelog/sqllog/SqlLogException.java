package dev.edgelog.sqllog;

/**
 * The root of every error the SQL log raises. Unchecked: callers at a role's edge decide what a
 * failure means (stop the applier, answer 4xx, back off and retry).
 *
 * <p>Retrying is safe where an operation is idempotent by index: applying an entry whose index is
 * already applied is skipped, never done twice; appending refuses any index but the next one, so a
 * retried append fails loudly rather than storing an entry twice.
 */
public class SqlLogException extends RuntimeException {

    public SqlLogException(String message) {
        super(message);
    }

    public SqlLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
