package dev.edgelog.sqllog.follow;

import dev.edgelog.sqllog.codec.FrameReader;
import java.util.List;

/**
 * Where a {@link Follower} also keeps the log it applies, byte for byte: a mirror's segment store,
 * which it serves to its own followers. Both calls come from the follower's thread.
 */
public interface FrameSink {

    /** Keeps nothing (an edge agent). */
    FrameSink NONE = new FrameSink() {
        @Override
        public void append(List<FrameReader.Frame> frames) {
        }

        @Override
        public void continueAfter(long appliedIndex) {
        }
    };

    /**
     * Called inside the SQLite transaction that applies {@code frames} (verified, consecutive),
     * before it commits: what this makes durable is durable before the database moves on. If it
     * throws, nothing is applied and the pull is retried. The frames may start at or below the
     * last index this sink holds (a retry after a failed commit): it must continue the log from
     * the first frame's index.
     */
    void append(List<FrameReader.Frame> frames) throws Exception;

    /**
     * The database holds exactly the entries up to {@code appliedIndex} (when the follower opens
     * it, and after a snapshot bootstrap): continue the log after it, dropping anything later.
     */
    void continueAfter(long appliedIndex);
}
