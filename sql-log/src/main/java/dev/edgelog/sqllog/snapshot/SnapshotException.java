package dev.edgelog.sqllog.snapshot;

import dev.edgelog.sqllog.SqlLogException;

/**
 * Creating, reading or restoring a snapshot failed. Creating again is always safe; a failed restore
 * left the live database as it was unless the message says otherwise.
 */
public class SnapshotException extends SqlLogException {

    public SnapshotException(String message) {
        super(message);
    }

    public SnapshotException(String message, Throwable cause) {
        super(message, cause);
    }
}
