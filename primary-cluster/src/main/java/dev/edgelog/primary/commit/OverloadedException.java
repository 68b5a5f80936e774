package dev.edgelog.primary.commit;

import dev.edgelog.sqllog.SqlLogException;

/** The write queue is full: nothing of the request was taken; the HTTP layer answers 503 with Retry-After. */
public final class OverloadedException extends SqlLogException {

    public OverloadedException(String message) {
        super(message);
    }
}
