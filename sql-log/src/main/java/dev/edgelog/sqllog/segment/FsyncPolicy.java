package dev.edgelog.sqllog.segment;

import java.time.Duration;
import java.util.Objects;

/**
 * When appended bytes are forced to disk ({@code fsync}).
 *
 * <ul>
 *   <li>{@link Mode#EVERY_BATCH}: before {@code append} returns (the default); an acknowledged entry
 *       survives a crash of the machine.</li>
 *   <li>{@link Mode#INTERVAL}: by the first append that comes at least {@code intervalMillis} after
 *       the previous fsync, and by {@link SegmentStore#sync()} and {@link SegmentStore#close()}.
 *       There is no background thread: with no further appends, call {@code sync()}.</li>
 *   <li>{@link Mode#NEVER}: only by {@code sync()}, {@code close()} and when a segment is sealed;
 *       otherwise the operating system decides.</li>
 * </ul>
 *
 * A sealed segment is always forced when the store rolls to the next one, whatever the policy, so
 * only the active segment can ever hold a torn tail.
 *
 * @param mode           the policy
 * @param intervalMillis for {@link Mode#INTERVAL} the least time between two fsyncs, in ms; else 0
 */
public record FsyncPolicy(Mode mode, long intervalMillis) {

    /** The kinds of policy. */
    public enum Mode {
        /** fsync before every append returns. */
        EVERY_BATCH,
        /** fsync at most every {@code intervalMillis}. */
        INTERVAL,
        /** Leave it to the operating system. */
        NEVER
    }

    public FsyncPolicy {
        Objects.requireNonNull(mode, "mode");
        if (mode == Mode.INTERVAL && intervalMillis < 1) {
            throw new IllegalArgumentException("fsync intervalMillis must be at least 1, was " + intervalMillis);
        }
        if (mode != Mode.INTERVAL && intervalMillis != 0) {
            throw new IllegalArgumentException("fsync intervalMillis applies to INTERVAL only, was " + intervalMillis);
        }
    }

    /** fsync before every append returns. */
    public static FsyncPolicy everyBatch() {
        return new FsyncPolicy(Mode.EVERY_BATCH, 0);
    }

    /** fsync at most once per {@code interval}. */
    public static FsyncPolicy interval(Duration interval) {
        return new FsyncPolicy(Mode.INTERVAL, interval.toMillis());
    }

    /** Never fsync on append; leave it to the operating system. */
    public static FsyncPolicy never() {
        return new FsyncPolicy(Mode.NEVER, 0);
    }
}
