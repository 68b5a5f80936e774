package dev.edgelog.sqllog.segment;

import java.nio.file.Path;

/**
 * A segment that {@link SegmentStore#applyRetention()} dropped.
 *
 * @param file       its {@code .log} file (now deleted)
 * @param firstIndex its first entry
 * @param lastIndex  its last entry
 * @param bytes      its size
 * @param reason     {@code "size"} or {@code "age"}
 */
public record DroppedSegment(Path file, long firstIndex, long lastIndex, long bytes, String reason) {
}
