package dev.edgelog.sqllog.pull;

import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

/** What a node serving the pull API holds: a primary node's state machine, or a mirror's store. */
public interface LogSource {

    /** The log's id; null while not known yet (the server answers 503). */
    String logId();

    /** The SQL-log segments; entries up to {@link #commitIndex()} are readable. */
    SegmentStore segments();

    /** The highest index a puller may be sent. */
    long commitIndex();

    /**
     * Calls {@code listener} with the new commit index after each advance, from whichever thread
     * advanced it; the listener must be quick.
     */
    void onCommit(LongConsumer listener);

    /**
     * Writes a consistent SQLite snapshot into {@code target} without blocking writers.
     *
     * @return the snapshot, with its index and SHA-256
     */
    SnapshotInfo snapshot(Path target);

    /**
     * The nodes this one follows, from the primary node down to its direct upstream (a mirror
     * learns it from its upstream's {@link PullProtocol#PATH_HEADER}); empty on a primary node.
     */
    default List<String> upstreamPath() {
        return List.of();
    }
}
