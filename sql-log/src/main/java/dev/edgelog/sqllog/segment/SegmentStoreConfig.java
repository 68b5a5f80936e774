package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.codec.EntryCodec;
import java.util.Objects;

/**
 * Settings of a {@link SegmentStore}; immutable, validated when built. Sizes are in bytes, times in
 * milliseconds. A retention limit of 0 or less means unlimited.
 *
 * @param segmentBytes             roll to a new segment before a batch would take the active one past
 *                                 this size (a single batch larger than this still goes into one segment)
 * @param indexIntervalBytes       bytes of log between two entries of the sparse index
 * @param fsyncPolicy              when appended bytes are forced to disk
 * @param maxFramePayloadBytes     the largest frame payload accepted on append and on read
 * @param retentionBytes           {@link SegmentStore#applyRetention()} drops the oldest sealed segments
 *                                 while the store holds more than this; 0 or less = unlimited
 * @param retentionMillis          {@link SegmentStore#applyRetention()} drops sealed segments whose last
 *                                 entry was committed more than this long ago; 0 or less = unlimited
 * @param checkpointIntervalMillis the least time between two writes of the recovery point after a sync
 *                                 (it is always written on roll and on close); 0 = after every sync
 */
public record SegmentStoreConfig(
        int segmentBytes,
        int indexIntervalBytes,
        FsyncPolicy fsyncPolicy,
        int maxFramePayloadBytes,
        long retentionBytes,
        long retentionMillis,
        long checkpointIntervalMillis) {

    /** Default {@code segmentBytes}: 64 MiB. */
    public static final int DEFAULT_SEGMENT_BYTES = 64 << 20;
    /** Smallest {@code segmentBytes}. */
    public static final int MIN_SEGMENT_BYTES = 4096;
    /** Largest {@code segmentBytes}: 1 GiB, so that positions in a segment fit an int. */
    public static final int MAX_SEGMENT_BYTES = 1 << 30;
    /** Default {@code indexIntervalBytes}: 4 KiB. */
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    /** Smallest {@code indexIntervalBytes}. */
    public static final int MIN_INDEX_INTERVAL_BYTES = 64;
    /** Default {@code fsyncPolicy}: every append batch. */
    public static final FsyncPolicy DEFAULT_FSYNC_POLICY = FsyncPolicy.everyBatch();
    /** Default {@code maxFramePayloadBytes}: the codec's default. */
    public static final int DEFAULT_MAX_FRAME_PAYLOAD_BYTES = EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES;
    /** Default retention by size: unlimited. */
    public static final long DEFAULT_RETENTION_BYTES = 0;
    /** Default retention by age: unlimited. */
    public static final long DEFAULT_RETENTION_MILLIS = 0;
    /** Default {@code checkpointIntervalMillis}: 1 s. */
    public static final long DEFAULT_CHECKPOINT_INTERVAL_MILLIS = 1000;

    public SegmentStoreConfig {
        Objects.requireNonNull(fsyncPolicy, "fsyncPolicy");
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be between " + MIN_SEGMENT_BYTES + " and "
                    + MAX_SEGMENT_BYTES + ", was " + segmentBytes);
        }
        if (indexIntervalBytes < MIN_INDEX_INTERVAL_BYTES) {
            throw new IllegalArgumentException("indexIntervalBytes must be at least " + MIN_INDEX_INTERVAL_BYTES
                    + ", was " + indexIntervalBytes);
        }
        if (maxFramePayloadBytes < 1) {
            throw new IllegalArgumentException("maxFramePayloadBytes must be at least 1, was " + maxFramePayloadBytes);
        }
        if (checkpointIntervalMillis < 0) {
            throw new IllegalArgumentException("checkpointIntervalMillis must not be negative, was "
                    + checkpointIntervalMillis);
        }
    }

    /** All defaults. */
    public static SegmentStoreConfig defaults() {
        return new SegmentStoreConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_INDEX_INTERVAL_BYTES, DEFAULT_FSYNC_POLICY,
                DEFAULT_MAX_FRAME_PAYLOAD_BYTES, DEFAULT_RETENTION_BYTES, DEFAULT_RETENTION_MILLIS,
                DEFAULT_CHECKPOINT_INTERVAL_MILLIS);
    }

    public SegmentStoreConfig withSegmentBytes(int v) {
        return new SegmentStoreConfig(v, indexIntervalBytes, fsyncPolicy, maxFramePayloadBytes, retentionBytes,
                retentionMillis, checkpointIntervalMillis);
    }

    public SegmentStoreConfig withIndexIntervalBytes(int v) {
        return new SegmentStoreConfig(segmentBytes, v, fsyncPolicy, maxFramePayloadBytes, retentionBytes,
                retentionMillis, checkpointIntervalMillis);
    }

    public SegmentStoreConfig withFsyncPolicy(FsyncPolicy v) {
        return new SegmentStoreConfig(segmentBytes, indexIntervalBytes, v, maxFramePayloadBytes, retentionBytes,
                retentionMillis, checkpointIntervalMillis);
    }

    public SegmentStoreConfig withMaxFramePayloadBytes(int v) {
        return new SegmentStoreConfig(segmentBytes, indexIntervalBytes, fsyncPolicy, v, retentionBytes,
                retentionMillis, checkpointIntervalMillis);
    }

    public SegmentStoreConfig withRetentionBytes(long v) {
        return new SegmentStoreConfig(segmentBytes, indexIntervalBytes, fsyncPolicy, maxFramePayloadBytes, v,
                retentionMillis, checkpointIntervalMillis);
    }

    public SegmentStoreConfig withRetentionMillis(long v) {
        return new SegmentStoreConfig(segmentBytes, indexIntervalBytes, fsyncPolicy, maxFramePayloadBytes,
                retentionBytes, v, checkpointIntervalMillis);
    }

    public SegmentStoreConfig withCheckpointIntervalMillis(long v) {
        return new SegmentStoreConfig(segmentBytes, indexIntervalBytes, fsyncPolicy, maxFramePayloadBytes,
                retentionBytes, retentionMillis, v);
    }
}
