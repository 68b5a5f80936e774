package dev.edgelog.sqllog.segment;

/**
 * What {@link SegmentStore#verify} found: every frame of every segment checked and decoded.
 *
 * @param firstIndex   the first stored index
 * @param lastIndex    the last stored index ({@code firstIndex - 1} when empty)
 * @param segmentCount how many segment files there are
 * @param totalBytes   their total size
 */
public record VerifyResult(long firstIndex, long lastIndex, int segmentCount, long totalBytes) {
}
