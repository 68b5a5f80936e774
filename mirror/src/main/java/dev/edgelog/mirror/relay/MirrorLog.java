package dev.edgelog.mirror.relay;

import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.follow.FrameSink;
import dev.edgelog.sqllog.pull.LogSource;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import dev.edgelog.sqllog.snapshot.Snapshots;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mirror's copy of the log: the frames its follower applies, appended byte for byte to its own
 * segment store inside the SQLite transaction that applies them (so the segments are never behind
 * the replica), and served downstream up to the replica's applied index. Snapshots for downstream
 * bootstraps come from the replica on their own connection. Retention is the mirror's own.
 */
public final class MirrorLog implements LogSource, FrameSink {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorLog.class);

    private final String node;
    private final SegmentStore segments;
    private final Path database;
    private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();
    private volatile Follower follower;
    private volatile long served;
    private long lastRetentionNanos;

    public MirrorLog(String node, SegmentStore segments, Path database) {
        this.node = node;
        this.segments = segments;
        this.database = database;
    }

    /** The follower that feeds this log (for the log id and the upstream path). */
    public void attach(Follower f) {
        this.follower = f;
        f.onApplied(this::applied);
    }

    // ---- FrameSink: called on the follower's thread ----

    @Override
    public void append(List<FrameReader.Frame> frames) {
        long first = frames.get(0).entry().index();
        if (segments.lastIndex() != first - 1) {
            realign(first - 1); // a retry after a commit that failed once the frames were written
        }
        List<byte[]> bytes = new ArrayList<>(frames.size());
        for (FrameReader.Frame f : frames) {
            bytes.add(f.bytes());
        }
        segments.appendFrames(bytes);
        long now = System.nanoTime();
        if (now - lastRetentionNanos >= 1_000_000_000L) {
            lastRetentionNanos = now;
            segments.applyRetention();
        }
    }

    @Override
    public void continueAfter(long appliedIndex) {
        realign(appliedIndex);
        applied(appliedIndex);
    }

    /** Makes the segments end at {@code index}: cut a longer tail, or restart after a snapshot. */
    private void realign(long index) {
        long last = segments.lastIndex();
        if (last == index) {
            return;
        }
        if (last > index && index >= segments.firstIndex() - 1) {
            LOG.warn("{}: segments end at {}, the replica at {}; cutting the segments back", node, last, index);
            segments.truncateAfter(index);
        } else {
            LOG.info("{}: segments hold {}..{}, the replica is at {}; restarting the segments after it (followers"
                    + " behind it bootstrap from this mirror's snapshot)", node, segments.firstIndex(), last, index);
            segments.resetTo(index);
        }
    }

    private void applied(long index) {
        served = index;
        for (LongConsumer l : listeners) {
            l.accept(index);
        }
    }

    // ---- LogSource: called by the pull service ----

    @Override
    public String logId() {
        Follower f = follower;
        return f == null || f.status() == null ? null : f.status().logId();
    }

    @Override
    public SegmentStore segments() {
        return segments;
    }

    @Override
    public long commitIndex() {
        return Math.min(served, segments.lastIndex());
    }

    @Override
    public void onCommit(LongConsumer listener) {
        listeners.add(listener);
    }

    @Override
    public SnapshotInfo snapshot(Path target) {
        return Snapshots.create(database, target);
    }

    @Override
    public List<String> upstreamPath() {
        Follower f = follower;
        return f == null ? List.of() : f.upstreamPath();
    }
}
