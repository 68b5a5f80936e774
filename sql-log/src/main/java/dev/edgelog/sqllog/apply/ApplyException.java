package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.SqlLogException;

/**
 * Applying a batch failed for a reason that is not a statement's result: an I/O, busy, corruption
 * or driver error, a transaction that SQLite ended on its own, an index gap. Nothing of the batch was
 * committed and the applied index is unchanged.
 *
 * <p>Retrying the same batch is safe (entries already applied are skipped); whether it can succeed
 * depends on the cause: a busy database may clear, a full disk or a gap will not.
 */
public class ApplyException extends SqlLogException {

    public ApplyException(String message) {
        super(message);
    }

    public ApplyException(String message, Throwable cause) {
        super(message, cause);
    }
}
