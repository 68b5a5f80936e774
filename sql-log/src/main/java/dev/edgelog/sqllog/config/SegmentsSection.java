package dev.edgelog.sqllog.config;

import dev.edgelog.sqllog.segment.FsyncPolicy;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code segments:} key of a role that keeps the SQL log (primary nodes, mirrors):
 * {@code {segment_bytes: 67108864, retention_bytes: 0, retention_ms: 0, fsync: every_batch}}.
 * Absent keys keep the role's defaults.
 */
public record SegmentsSection(Integer segmentBytes, Long retentionBytes, Long retentionMs, String fsync) {

    /** The store settings: {@code defaults} with what {@code section} sets ({@code section} may be null). */
    public static SegmentStoreConfig toConfig(SegmentsSection section, SegmentStoreConfig defaults) {
        SegmentStoreConfig c = defaults;
        if (section == null) {
            return c;
        }
        if (section.segmentBytes() != null) {
            c = c.withSegmentBytes(section.segmentBytes());
        }
        if (section.retentionBytes() != null) {
            c = c.withRetentionBytes(section.retentionBytes());
        }
        if (section.retentionMs() != null) {
            c = c.withRetentionMillis(section.retentionMs());
        }
        if (section.fsync() != null) {
            c = c.withFsyncPolicy(fsync(section.fsync()));
        }
        return c;
    }

    /** {@code every_batch}, {@code never} or {@code interval:<ms>}. */
    public static FsyncPolicy fsync(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("every_batch")) {
            return FsyncPolicy.everyBatch();
        } else if (v.equals("never")) {
            return FsyncPolicy.never();
        } else if (v.startsWith("interval:")) {
            try {
                return FsyncPolicy.interval(Duration.ofMillis(Long.parseLong(v.substring("interval:".length()))));
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
        }
        throw new IllegalArgumentException("segments.fsync must be every_batch, never or interval:<ms>, was " + value);
    }
}
