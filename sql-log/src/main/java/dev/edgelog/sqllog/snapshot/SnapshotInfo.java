package dev.edgelog.sqllog.snapshot;

import java.nio.file.Path;

/**
 * A snapshot file and what it holds.
 *
 * @param file      where it is
 * @param logId     the log id recorded inside it
 * @param index     the {@code applied_index} recorded inside it: its content is exactly the log up
 *                  to this index
 * @param sha256    the file's SHA-256, lower-case hex
 * @param sizeBytes the file's size
 */
public record SnapshotInfo(Path file, String logId, long index, String sha256, long sizeBytes) {
}
