package dev.edgelog.sqllog.snapshot;

import java.nio.file.Path;

/** A snapshot file's SHA-256 is not the expected one; nothing was restored. */
public class ChecksumMismatchException extends SnapshotException {

    public ChecksumMismatchException(Path file, String expected, String actual) {
        super("snapshot " + file + " has SHA-256 " + actual + " but " + expected
                + " was expected; the live database is untouched (download the snapshot again)");
    }
}
