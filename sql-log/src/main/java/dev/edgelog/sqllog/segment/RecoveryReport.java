package dev.edgelog.sqllog.segment;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link SegmentStore#open} found and repaired.
 *
 * @param created         the directory held no segment; an empty store was created
 * @param firstIndex      the first stored index after recovery
 * @param lastIndex       the last stored index after recovery ({@code firstIndex - 1} when empty)
 * @param segmentCount    how many segment files the store holds
 * @param scannedBytes    bytes whose frames were checked one by one
 * @param tornTail        the torn tail that was cut, or null when there was none
 * @param rebuiltIndexes  {@code .idx} files that were missing or unusable and were rebuilt
 */
public record RecoveryReport(
        boolean created,
        long firstIndex,
        long lastIndex,
        int segmentCount,
        long scannedBytes,
        TornTail tornTail,
        List<Path> rebuiltIndexes) {

    public RecoveryReport {
        rebuiltIndexes = List.copyOf(rebuiltIndexes);
    }

    /**
     * A torn tail: bytes after the recovery point that did not hold a whole, valid, consecutive frame,
     * cut from the file.
     *
     * @param file     the segment file that was truncated
     * @param offset   where it was cut (its new size)
     * @param bytesCut how many bytes were removed
     * @param reason   what was wrong with the first bad frame
     */
    public record TornTail(Path file, long offset, long bytesCut, String reason) {
    }

    /** Bytes cut from a torn tail; 0 when none. */
    public long bytesCut() {
        return tornTail == null ? 0 : tornTail.bytesCut();
    }
}
