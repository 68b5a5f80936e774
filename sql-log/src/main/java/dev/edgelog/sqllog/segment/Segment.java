package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlLogException;
import dev.edgelog.sqllog.codec.CorruptFrameException;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment: a {@code .log} file of consecutive frames starting at index {@link #base}, its
 * in-memory sparse index, and a reference count so that a reader's channel is closed only after
 * the last reader let go (retention may drop the segment meanwhile).
 *
 * <p>The appender (holding the store's lock) changes the fields below and then publishes an
 * immutable {@link State}; readers only ever look at a published state, so they never see a
 * half-written frame. Sparse-index arrays are append-only up to a published count and copied when
 * they grow or shrink, so a reader's arrays never change under it.
 */
final class Segment {

    private static final Logger log = LoggerFactory.getLogger(Segment.class);

    /** What readers see: the bytes [0, end) hold whole frames base..lastIndex. */
    record State(long end, long lastIndex, long lastCommitMillis, int[] rel, int[] pos, int count) {
    }

    final long base;
    final Path logFile;
    final Path idxFile;
    final FileChannel channel;
    private final int indexInterval;
    private final AtomicInteger refs = new AtomicInteger(1);
    private volatile State state;

    // appender-side, guarded by the store's lock
    private int[] rel;
    private int[] pos;
    private int count;
    private long nextIndexAt;
    private long end;
    private long lastIndex;
    private long lastCommitMillis;

    private Segment(long base, Path dir, FileChannel channel, int indexInterval) {
        this.base = base;
        this.logFile = dir.resolve(logName(base));
        this.idxFile = dir.resolve(idxName(base));
        this.channel = channel;
        this.indexInterval = indexInterval;
        this.rel = new int[16];
        this.pos = new int[16];
        this.lastIndex = base - 1;
        publish();
    }

    static String logName(long base) {
        return String.format("%020d.log", base);
    }

    static String idxName(long base) {
        return String.format("%020d.idx", base);
    }

    /** Opens (or creates) the segment file; the caller fills the index through {@link #indexFrame}. */
    static Segment open(Path dir, long base, int indexInterval, boolean create) throws IOException {
        Path file = dir.resolve(logName(base));
        FileChannel ch = create
                ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Segment(base, dir, ch, indexInterval);
    }

    State state() {
        return state;
    }

    // ---- reference counting ----

    /** Takes a reference; false when the segment is already closed (dropped): look again. */
    boolean acquire() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Gives a reference back; the last one closes the file. */
    void release() {
        if (refs.decrementAndGet() == 0) {
            try {
                channel.close();
            } catch (IOException e) {
                log.warn("{}: closing failed", logFile, e);
            }
        }
    }

    // ---- appender side ----

    long end() {
        return end;
    }

    long lastIndex() {
        return lastIndex;
    }

    /** Records a frame written (or found) at {@code position}; readers see it after {@link #publish}. */
    void indexFrame(long position, int frameLength, long index, long commitMillis) {
        if (count == 0 || position >= nextIndexAt) {
            if (count == rel.length) {
                rel = Arrays.copyOf(rel, count * 2);
                pos = Arrays.copyOf(pos, count * 2);
            }
            rel[count] = (int) (index - base);
            pos[count] = (int) position;
            count++;
            nextIndexAt = position + indexInterval;
        }
        end = position + frameLength;
        lastIndex = index;
        lastCommitMillis = commitMillis;
    }

    /** Replaces the sparse index with one loaded from the {@code .idx} file. */
    void loadIndex(int[] loadedRel, int[] loadedPos, int loadedCount) {
        rel = loadedRel;
        pos = loadedPos;
        count = loadedCount;
        nextIndexAt = count == 0 ? 0 : pos[count - 1] + (long) indexInterval;
    }

    /** The last sparse-index entry as {index, position}. */
    long[] lastIndexEntry() {
        return count == 0 ? new long[] {base, 0} : new long[] {base + rel[count - 1], pos[count - 1]};
    }

    void publish() {
        state = new State(end, lastIndex, lastCommitMillis, rel, pos, count);
    }

    void writeIndexFile() throws IOException {
        IndexFile.write(idxFile, end, rel, pos, count);
    }

    /**
     * Cuts the segment after {@code keepLast} (base - 1 keeps nothing): the file, the sparse index
     * and the published state. Arrays are copied so that readers holding the old state are unharmed.
     */
    void truncateAfter(long keepLast, int maxPayload) throws IOException {
        State s = state;
        long cut = keepLast < base ? 0 : locate(s, keepLast + 1, maxPayload);
        int keep = 0;
        while (keep < count && pos[keep] < cut) {
            keep++;
        }
        long commit = 0;
        if (keepLast >= base) {
            commit = readEntries(s, keepLast, 1, maxPayload).get(0).commitTimeMillis();
        }
        rel = Arrays.copyOf(rel, Math.max(16, keep));
        pos = Arrays.copyOf(pos, Math.max(16, keep));
        count = keep;
        nextIndexAt = keep == 0 ? 0 : pos[keep - 1] + (long) indexInterval;
        end = cut;
        lastIndex = keepLast;
        lastCommitMillis = commit;
        channel.truncate(cut);
        channel.force(true);
        publish();
    }

    // ---- reader side (any thread, on a published state) ----

    /**
     * The file position of the frame of {@code index}; {@code index} may be {@code lastIndex + 1},
     * which gives {@code end}.
     */
    long locate(State s, long index, int maxPayload) throws IOException {
        if (index == s.lastIndex + 1) {
            return s.end;
        }
        int k = floorEntry(s, index - base);
        long at = s.pos[k];
        long frames = index - (base + s.rel[k]);
        FrameScanner sc = new FrameScanner(channel, at, s.end, maxPayload, chunkBytes());
        for (long i = 0; i < frames; i++) {
            sc.advance(nextFrame(sc));
        }
        return sc.position();
    }

    /**
     * Whole frames from {@code fromIndex} (which must be in this segment) up to {@code maxBytes}, at
     * least one: returns {start, length, lastIndex}.
     */
    long[] range(State s, long fromIndex, int maxBytes, int maxPayload) throws IOException {
        long start = locate(s, fromIndex, maxPayload);
        long bound = start + maxBytes;
        if (s.end <= bound) {
            return new long[] {start, s.end - start, s.lastIndex};
        }
        int k = floorPosition(s, bound);
        long walkFrom = start;
        long walkIndex = fromIndex;
        if (k >= 0 && s.pos[k] > start) {
            walkFrom = s.pos[k];
            walkIndex = base + s.rel[k];
        }
        FrameScanner sc = new FrameScanner(channel, walkFrom, s.end, maxPayload, chunkBytes());
        long frames = 0;
        while (true) {
            int len = nextFrame(sc);
            if (sc.position() + len > bound) {
                break;
            }
            sc.advance(len);
            frames++;
        }
        if (sc.position() == start) {
            sc.advance(nextFrame(sc));
            frames = 1;
        }
        return new long[] {start, sc.position() - start, walkIndex + frames - 1};
    }

    /** Decodes up to {@code maxCount} entries from {@code fromIndex} (in this segment). */
    List<Entry> readEntries(State s, long fromIndex, int maxCount, int maxPayload) throws IOException {
        long start = locate(s, fromIndex, maxPayload);
        int n = (int) Math.min(maxCount, s.lastIndex - fromIndex + 1);
        Entry[] out = new Entry[Math.max(0, n)];
        FrameScanner sc = new FrameScanner(channel, start, s.end, maxPayload, 64 * 1024);
        for (int i = 0; i < n; i++) {
            int len = nextFrame(sc);
            try {
                out[i] = EntryCodec.decode(sc.buffer().position(sc.frameOffset()), maxPayload);
            } catch (CorruptFrameException e) {
                throw new SegmentCorruptException(logFile, sc.position(), "stored frame is corrupt: " + e.getMessage(), e);
            }
            if (out[i].index() != fromIndex + i) {
                throw new SegmentCorruptException(logFile, sc.position(),
                        "expected index " + (fromIndex + i) + ", the frame holds " + out[i].index());
            }
            sc.advance(len);
        }
        return Arrays.asList(out);
    }

    private int nextFrame(FrameScanner sc) throws IOException {
        try {
            int len = sc.next(false);
            if (len < 0) {
                throw new SqlLogException(logFile + ": frames end early at offset " + sc.position());
            }
            return len;
        } catch (CorruptFrameException e) {
            throw new SegmentCorruptException(logFile, sc.position(), "stored frame is corrupt: " + e.getMessage(), e);
        }
    }

    private int chunkBytes() {
        return (int) Math.min(1 << 20, Math.max(8192, indexInterval * 2L + 256));
    }

    /** The last sparse entry whose relative index is at most {@code relIndex}. */
    private static int floorEntry(State s, long relIndex) {
        int lo = 0;
        int hi = s.count - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (s.rel[mid] <= relIndex) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The last sparse entry whose position is at most {@code position}, or -1. */
    private static int floorPosition(State s, long position) {
        int lo = 0;
        int hi = s.count - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (s.pos[mid] <= position) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    @Override
    public String toString() {
        return logFile.getFileName().toString();
    }
}
