package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlLogException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SQL log on disk: append-only segment files of frames, each {@code <firstIndex>.log} (20
 * digits) with a sparse {@code <firstIndex>.idx} written when it is sealed, and a
 * {@code recovery-point} file. Frames are the wire bytes, so a range can be sent straight from
 * the file ({@link FrameRange#transferTo}).
 *
 * <p><b>Threads.</b> Writes ({@code append*}, {@link #sync}, {@link #truncateAfter}, {@link #resetTo},
 * {@link #applyRetention}, {@link #close}) are serialised by one lock; meant for one appender thread.
 * Reads take no lock and may run on any number of threads: a reader sees only whole frames whose
 * end was published after the write (and after the fsync, when the policy fsyncs that batch), and a
 * segment's file stays open until its last reader lets go. Reads racing {@link #truncateAfter} or
 * {@link #resetTo} of the entries they read may fail; those are meant for start-up.
 *
 * <p><b>Recovery.</b> {@link #open} scans the active segment and cuts a torn tail after the recovery
 * point (WARN, and {@link #recoveryReport()}); bad bytes before it fail the open with
 * {@link SegmentCorruptException}. See {@link SegmentLoader}.
 */
public final class SegmentStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SegmentStore.class);

    private final Path dir;
    private final SegmentStoreConfig config;
    private final Clock clock;
    private final RecoveryReport report;
    private final ReentrantLock lock = new ReentrantLock();
    private volatile SegmentView view;
    private volatile boolean closed;
    // guarded by lock
    private ByteBuffer staging;
    private long lastSyncMillis;
    private long lastCheckpointMillis;
    private boolean failed;

    private SegmentStore(Path dir, SegmentStoreConfig config, Clock clock, SegmentLoader.Loaded loaded) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.report = loaded.report();
        this.view = new SegmentView(loaded.segments().toArray(new Segment[0]));
        this.lastSyncMillis = clock.millis();
        this.lastCheckpointMillis = lastSyncMillis;
    }

    /**
     * Opens the store in {@code dir} (created if missing; an empty store starts at index 1) and
     * recovers it.
     *
     * @throws SegmentCorruptException when data before the recovery point is bad or segments do not follow
     */
    public static SegmentStore open(Path dir, SegmentStoreConfig config, Clock clock) {
        try {
            return new SegmentStore(dir, config, clock, SegmentLoader.load(dir, config));
        } catch (IOException e) {
            throw new SqlLogException("opening the segment store in " + dir + " failed", e);
        }
    }

    /** Checks and decodes every frame in {@code dir} without changing anything (for tools and tests). */
    public static VerifyResult verify(Path dir, int maxFramePayloadBytes) {
        try {
            return SegmentLoader.verify(dir, maxFramePayloadBytes);
        } catch (IOException e) {
            throw new SqlLogException("verifying the segment store in " + dir + " failed", e);
        }
    }

    /** What recovery found and cut when this store was opened. */
    public RecoveryReport recoveryReport() {
        return report;
    }

    public SegmentStoreConfig config() {
        return config;
    }

    public Path directory() {
        return dir;
    }

    /** The first stored index; {@code lastIndex() + 1} when the store is empty. */
    public long firstIndex() {
        return liveView().segments()[0].base;
    }

    /** The last stored index; the base (e.g. 0, or what {@link #resetTo} set) when empty. */
    public long lastIndex() {
        return liveView().active().state().lastIndex();
    }

    /** Bytes in all segment files. */
    public long totalBytes() {
        long total = 0;
        for (Segment s : liveView().segments()) {
            total += s.state().end();
        }
        return total;
    }

    public int segmentCount() {
        return liveView().segments().length;
    }

    // ---- appends ----

    /**
     * Appends entries whose indices are {@code lastIndex()+1, +2, …}, in one write, then fsyncs as
     * the policy says. Nothing of a refused batch is written.
     *
     * @throws NonConsecutiveIndexException when an index is not the next one
     */
    public void append(List<Entry> entries) {
        appendBatch(next -> AppendBatch.ofEntries(entries, next, config.maxFramePayloadBytes()));
    }

    /**
     * Appends frames as received from upstream, each a whole frame; checksums and indices are checked
     * first, and nothing of a refused batch is written.
     */
    public void appendFrames(List<byte[]> frames) {
        appendBatch(next -> AppendBatch.ofFrames(frames, next, config.maxFramePayloadBytes()));
    }

    /** Appends the concatenated frames between the buffer's position and limit (which do not move). */
    public void appendFrames(ByteBuffer frames) {
        appendBatch(next -> AppendBatch.ofBuffer(frames, next, config.maxFramePayloadBytes()));
    }

    private void appendBatch(LongFunction<AppendBatch> prepare) {
        lock.lock();
        try {
            checkWritable();
            Segment active = view.active();
            AppendBatch batch = prepare.apply(active.lastIndex() + 1);
            if (batch.size() == 0) {
                return;
            }
            if (batch.bytes > Integer.MAX_VALUE) {
                throw new SqlLogException("append refused: a batch of " + batch.bytes + " bytes is above 2 GiB");
            }
            if (active.end() > 0 && active.end() + batch.bytes > config.segmentBytes()) {
                active = roll(active);
            }
            long start = active.end();
            try {
                staging = batch.writeTo(active.channel, start, staging);
            } catch (IOException e) {
                undo(active, start, e);
            }
            long at = start;
            long index = batch.firstIndex;
            for (int len : batch.lengths) {
                active.indexFrame(at, len, index, index == batch.lastIndex ? batch.lastCommitMillis : 0);
                at += len;
                index++;
            }
            boolean synced = syncPerPolicy(active);
            active.publish();
            if (synced) {
                maybeCheckpoint(active, false);
            }
        } catch (IOException e) {
            failed = true;
            throw new SqlLogException("fsync of " + dir + " failed; the store refuses further writes", e);
        } finally {
            lock.unlock();
        }
    }

    private void undo(Segment active, long start, IOException cause) {
        try {
            active.channel.truncate(start);
        } catch (IOException e) {
            failed = true;
            cause.addSuppressed(e);
        }
        throw new SqlLogException("writing to " + active.logFile + " failed; nothing of the batch is stored", cause);
    }

    private boolean syncPerPolicy(Segment active) throws IOException {
        FsyncPolicy p = config.fsyncPolicy();
        boolean due = switch (p.mode()) {
            case EVERY_BATCH -> true;
            case INTERVAL -> clock.millis() - lastSyncMillis >= p.intervalMillis();
            case NEVER -> false;
        };
        if (due) {
            active.channel.force(false);
            lastSyncMillis = clock.millis();
        }
        return due;
    }

    private void maybeCheckpoint(Segment active, boolean always) throws IOException {
        long now = clock.millis();
        if (always || now - lastCheckpointMillis >= config.checkpointIntervalMillis()) {
            new RecoveryPoint(active.base, active.end()).write(dir);
            lastCheckpointMillis = now;
        }
    }

    /** Seals {@code active} (fsync, {@code .idx}) and starts the next segment. */
    private Segment roll(Segment active) throws IOException {
        active.channel.force(true);
        active.writeIndexFile();
        Segment next = Segment.open(dir, active.lastIndex() + 1, config.indexIntervalBytes(), true);
        RecoveryPoint.syncDirectory(dir);
        Segment[] old = view.segments();
        Segment[] segs = Arrays.copyOf(old, old.length + 1);
        segs[old.length] = next;
        view = new SegmentView(segs);
        maybeCheckpoint(next, true);
        log.debug("{}: sealed {} ({} bytes, last index {}), rolled to {}", dir, active, active.end(),
                active.lastIndex(), next);
        return next;
    }

    /** Forces appended bytes to disk now and records the recovery point. */
    public void sync() {
        lock.lock();
        try {
            checkWritable();
            Segment active = view.active();
            active.channel.force(false);
            lastSyncMillis = clock.millis();
            maybeCheckpoint(active, true);
        } catch (IOException e) {
            failed = true;
            throw new SqlLogException("fsync of " + dir + " failed; the store refuses further writes", e);
        } finally {
            lock.unlock();
        }
    }

    // ---- reads ----

    /**
     * Whole frames from {@code fromIndex}, consecutive, together at most {@code maxBytes} — but
     * always at least one frame when {@code fromIndex <= lastIndex()}, however large. A range never
     * crosses a segment boundary, so it may hold fewer bytes than asked; read again from
     * {@code lastIndex() + 1}. Empty when {@code fromIndex > lastIndex()}. Close it when done.
     *
     * @throws IndexGoneException when {@code fromIndex < firstIndex()}
     */
    public FrameRange readRange(long fromIndex, int maxBytes) {
        return SegmentReads.readRange(this::liveView, fromIndex, maxBytes, config.maxFramePayloadBytes());
    }

    /**
     * Decodes up to {@code maxCount} entries from {@code fromIndex}, across segments; empty when
     * {@code fromIndex > lastIndex()}.
     *
     * @throws IndexGoneException when {@code fromIndex < firstIndex()}
     */
    public List<Entry> readEntries(long fromIndex, int maxCount) {
        return SegmentReads.readEntries(this::liveView, fromIndex, maxCount, config.maxFramePayloadBytes());
    }

    private SegmentView liveView() {
        if (closed) {
            throw new SqlLogException("segment store " + dir + " is closed");
        }
        return view;
    }

    private void checkWritable() {
        if (closed) {
            throw new SqlLogException("segment store " + dir + " is closed");
        }
        if (failed) {
            throw new SqlLogException("segment store " + dir + " failed an earlier write or fsync; reopen it");
        }
    }

    // ---- truncation, reset, retention ----

    /**
     * Drops every entry after {@code index} (for a restart where SQLite's applied index is behind the
     * segments). A no-op when {@code index >= lastIndex()}; {@code firstIndex() - 1} empties the store
     * but keeps its base.
     */
    public void truncateAfter(long index) {
        lock.lock();
        try {
            checkWritable();
            SegmentView v = view;
            long first = v.segments()[0].base;
            if (index >= v.active().lastIndex()) {
                return;
            }
            if (index < first - 1) {
                throw new IllegalArgumentException("cannot truncate after index " + index
                        + ": the store starts at index " + first + "; use resetTo");
            }
            Segment keep = v.find(index + 1);
            long cut = keep.locate(keep.state(), index + 1, config.maxFramePayloadBytes());
            keep.channel.force(true);
            new RecoveryPoint(keep.base, cut).write(dir);
            int keepAt = Arrays.asList(v.segments()).indexOf(keep);
            view = new SegmentView(Arrays.copyOf(v.segments(), keepAt + 1));
            for (int i = v.segments().length - 1; i > keepAt; i--) {
                deleteFiles(v.segments()[i]);
            }
            long removed = v.active().lastIndex() - index;
            keep.truncateAfter(index, config.maxFramePayloadBytes());
            Files.deleteIfExists(keep.idxFile);
            RecoveryPoint.syncDirectory(dir);
            log.info("{}: truncated after index {}: dropped {} entries and {} later segment(s)", dir, index, removed,
                    v.segments().length - keepAt - 1);
        } catch (IOException e) {
            failed = true;
            throw new SqlLogException("truncating " + dir + " after index " + index + " failed", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops everything and continues with {@code lastIndex + 1} (after bootstrapping from a snapshot
     * at {@code lastIndex}). Durable: reopening gives the same base. A crash midway leaves a suffix of
     * the old log (or nothing) that opens cleanly; call it again.
     */
    public void resetTo(long lastIndex) {
        if (lastIndex < 0) {
            throw new IllegalArgumentException("lastIndex must not be negative, was " + lastIndex);
        }
        lock.lock();
        try {
            checkWritable();
            SegmentView v = view;
            Files.deleteIfExists(dir.resolve(RecoveryPoint.FILE_NAME));
            RecoveryPoint.syncDirectory(dir);
            for (Segment s : v.segments()) {
                Files.deleteIfExists(s.logFile);
                Files.deleteIfExists(s.idxFile);
            }
            Segment fresh = Segment.open(dir, lastIndex + 1, config.indexIntervalBytes(), true);
            RecoveryPoint.syncDirectory(dir);
            new RecoveryPoint(fresh.base, 0).write(dir);
            lastCheckpointMillis = clock.millis();
            view = new SegmentView(new Segment[] {fresh});
            for (Segment s : v.segments()) {
                s.release();
            }
            log.info("{}: reset: dropped {} segment(s) with entries {}..{}; the next index is {}", dir,
                    v.segments().length, v.segments()[0].base, v.active().lastIndex(), lastIndex + 1);
        } catch (IOException e) {
            failed = true;
            throw new SqlLogException("resetting " + dir + " to index " + lastIndex + " failed", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Drops the oldest sealed segments while the store holds more than {@code retentionBytes}, or
     * while their last entry was committed more than {@code retentionMillis} ago (by the clock). Never
     * drops the active segment. Returns what it dropped (also logged at INFO).
     */
    public List<DroppedSegment> applyRetention() {
        lock.lock();
        try {
            checkWritable();
            SegmentView v = view;
            long total = totalBytes();
            long now = clock.millis();
            List<DroppedSegment> dropped = new ArrayList<>();
            for (int i = 0; i < v.segments().length - 1; i++) {
                Segment.State st = v.segments()[i].state();
                String reason;
                if (config.retentionBytes() > 0 && total > config.retentionBytes()) {
                    reason = "size";
                } else if (config.retentionMillis() > 0 && now - st.lastCommitMillis() > config.retentionMillis()) {
                    reason = "age";
                } else {
                    break;
                }
                dropped.add(new DroppedSegment(v.segments()[i].logFile, v.segments()[i].base, st.lastIndex(), st.end(),
                        reason));
                total -= st.end();
            }
            if (dropped.isEmpty()) {
                return List.of();
            }
            view = new SegmentView(Arrays.copyOfRange(v.segments(), dropped.size(), v.segments().length));
            for (int i = 0; i < dropped.size(); i++) {
                DroppedSegment d = dropped.get(i);
                deleteFiles(v.segments()[i]);
                log.info("{}: retention ({}) dropped {}: entries {}..{}, {} bytes", dir, d.reason(),
                        d.file().getFileName(), d.firstIndex(), d.lastIndex(), d.bytes());
            }
            RecoveryPoint.syncDirectory(dir);
            return dropped;
        } catch (IOException e) {
            throw new SqlLogException("retention in " + dir + " failed", e);
        } finally {
            lock.unlock();
        }
    }

    /** Deletes a segment's files (already out of the view); its channel closes after its last reader. */
    private static void deleteFiles(Segment s) throws IOException {
        Files.deleteIfExists(s.logFile);
        Files.deleteIfExists(s.idxFile);
        s.release();
    }

    /** Forces the active segment, records the recovery point and closes the files. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            Segment active = view.active();
            if (!failed) {
                active.channel.force(true);
                maybeCheckpoint(active, true);
            }
        } catch (IOException e) {
            throw new SqlLogException("closing the segment store in " + dir + " failed", e);
        } finally {
            for (Segment s : view.segments()) {
                s.release();
            }
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "SegmentStore[" + dir + "]";
    }
}
