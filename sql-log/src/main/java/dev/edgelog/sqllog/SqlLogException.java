package dev.edgelog.sqllog;

/**
 * The root of every error the SQL log raises. Unchecked: callers at a role's edge decide what a
 * failure means (stop the applier, answer 4xx, back off and retry).
 *
 * <p>Retrying an operation that threw this is safe where the operation is idempotent by index:
 * appending or applying an entry whose index is already stored or applied is skipped, never done
 * twice.
 */
public class SqlLogException extends RuntimeException {

    public SqlLogException(String message) {
        super(message);
    }

    public SqlLogException(String message, Throwable cause) {
        super(message, cause);
    }
}
