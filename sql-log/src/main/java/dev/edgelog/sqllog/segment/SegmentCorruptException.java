package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.SqlLogException;
import java.nio.file.Path;

/**
 * A segment file holds bad bytes where data is known to have been durable (a sealed segment, or the
 * active segment before its recovery point), or segments do not follow each other. The store refuses
 * to open rather than drop data; an operator decides (restore, or bootstrap from a snapshot).
 */
public final class SegmentCorruptException extends SqlLogException {

    private final Path file;
    private final long offset;

    public SegmentCorruptException(Path file, long offset, String message) {
        super(file + " at offset " + offset + ": " + message);
        this.file = file;
        this.offset = offset;
    }

    public SegmentCorruptException(Path file, long offset, String message, Throwable cause) {
        super(file + " at offset " + offset + ": " + message, cause);
        this.file = file;
        this.offset = offset;
    }

    /** The file that holds the bad bytes. */
    public Path file() {
        return file;
    }

    /** The byte offset in {@link #file()} where the problem starts. */
    public long offset() {
        return offset;
    }
}
