package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlLogException;
import dev.edgelog.sqllog.codec.CorruptFrameException;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.List;

/**
 * A batch checked before anything of it is written: whole frames with valid checksums, indices
 * {@code expected, expected + 1, …}, payloads within the limit. Holds either separate frames
 * (copied into one staging buffer to write) or one buffer of concatenated frames (written as is).
 */
final class AppendBatch {

    private final byte[][] frames;
    private final ByteBuffer concatenated;
    final int[] lengths;
    final long firstIndex;
    final long lastIndex;
    final long lastCommitMillis;
    final long bytes;

    private AppendBatch(byte[][] frames, ByteBuffer concatenated, int[] lengths, long firstIndex, long lastIndex,
                        long lastCommitMillis, long bytes) {
        this.frames = frames;
        this.concatenated = concatenated;
        this.lengths = lengths;
        this.firstIndex = firstIndex;
        this.lastIndex = lastIndex;
        this.lastCommitMillis = lastCommitMillis;
        this.bytes = bytes;
    }

    int size() {
        return lengths.length;
    }

    static AppendBatch ofEntries(List<Entry> entries, long expected, int maxPayload) {
        byte[][] frames = new byte[entries.size()][];
        int[] lengths = new int[frames.length];
        long bytes = 0;
        for (int i = 0; i < frames.length; i++) {
            Entry e = entries.get(i);
            if (e.index() != expected + i) {
                throw new NonConsecutiveIndexException(expected + i, e.index());
            }
            frames[i] = EntryCodec.encode(e);
            if (frames[i].length - EntryCodec.HEADER_BYTES > maxPayload) {
                throw new SqlLogException("append refused: entry " + e.index() + " encodes to "
                        + (frames[i].length - EntryCodec.HEADER_BYTES) + " payload bytes, above maxFramePayloadBytes "
                        + maxPayload + "; nothing of the batch was written");
            }
            lengths[i] = frames[i].length;
            bytes += lengths[i];
        }
        long lastCommit = frames.length == 0 ? 0 : entries.get(frames.length - 1).commitTimeMillis();
        return new AppendBatch(frames, null, lengths, expected, expected + frames.length - 1, lastCommit, bytes);
    }

    static AppendBatch ofFrames(List<byte[]> list, long expected, int maxPayload) {
        byte[][] frames = list.toArray(new byte[0][]);
        int[] lengths = new int[frames.length];
        FrameMeta meta = new FrameMeta();
        long bytes = 0;
        for (int i = 0; i < frames.length; i++) {
            ByteBuffer b = ByteBuffer.wrap(frames[i]);
            int len = check(b, 0, meta, expected + i, maxPayload);
            if (len != frames[i].length) {
                throw refused(expected + i, "the array holds " + frames[i].length + " bytes, the frame " + len);
            }
            lengths[i] = len;
            bytes += len;
        }
        return new AppendBatch(frames, null, lengths, expected, expected + frames.length - 1,
                frames.length == 0 ? 0 : meta.commitTimeMillis, bytes);
    }

    static AppendBatch ofBuffer(ByteBuffer buf, long expected, int maxPayload) {
        ByteBuffer b = buf.slice();
        FrameMeta meta = new FrameMeta();
        int[] lengths = new int[16];
        int n = 0;
        int at = 0;
        while (at < b.limit()) {
            if (n == lengths.length) {
                lengths = java.util.Arrays.copyOf(lengths, n * 2);
            }
            lengths[n] = check(b, at, meta, expected + n, maxPayload);
            at += lengths[n++];
        }
        return new AppendBatch(null, b, java.util.Arrays.copyOf(lengths, n), expected, expected + n - 1,
                n == 0 ? 0 : meta.commitTimeMillis, b.limit());
    }

    private static int check(ByteBuffer b, int at, FrameMeta meta, long expected, int maxPayload) {
        int len;
        try {
            len = EntryCodec.checkFrame(b.position(at), maxPayload);
            meta.read(b, at, len);
        } catch (CorruptFrameException e) {
            throw refused(expected, e.getMessage());
        }
        if (meta.index != expected) {
            throw new NonConsecutiveIndexException(expected, meta.index);
        }
        return len;
    }

    private static SqlLogException refused(long index, String why) {
        return new SqlLogException("append refused: the frame for index " + index + " is bad (" + why
                + "); nothing of the batch was written");
    }

    /** Writes the batch at {@code position}, returning the staging buffer (possibly grown). */
    ByteBuffer writeTo(FileChannel ch, long position, ByteBuffer staging) throws IOException {
        if (concatenated != null) {
            ByteBuffer b = concatenated.duplicate().position(0);
            long at = position;
            while (b.hasRemaining()) {
                at += ch.write(b, at);
            }
            return staging;
        }
        ByteBuffer st = staging;
        if (st == null || (st.capacity() < bytes && st.capacity() < MAX_STAGING)) {
            st = ByteBuffer.allocateDirect((int) Math.min(MAX_STAGING, Math.max(bytes, 64 * 1024)));
        }
        long at = position;
        int i = 0;
        while (i < frames.length) {
            st.clear();
            while (i < frames.length && frames[i].length <= st.remaining()) {
                st.put(frames[i++]);
            }
            if (st.position() == 0) {
                at = writeFully(ch, ByteBuffer.wrap(frames[i++]), at);
                continue;
            }
            st.flip();
            at = writeFully(ch, st, at);
        }
        return st;
    }

    private static long writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            at += ch.write(b, at);
        }
        return at;
    }

    /** The largest staging buffer kept: a batch larger than this takes one write per this many bytes. */
    static final int MAX_STAGING = 8 << 20;
}
