package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlLogException;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.List;

/**
 * Consecutive whole frames read from a {@link SegmentStore}: exactly the bytes on disk and on the
 * wire, entries {@link #firstIndex()}..{@link #lastIndex()}. It holds the segment file open (even if
 * retention drops it meanwhile) until {@link #close()}: always use try-with-resources. Not
 * thread-safe; one consumer.
 */
public final class FrameRange implements AutoCloseable {

    private final Segment segment;
    private final long position;
    private final long length;
    private final long firstIndex;
    private final long lastIndex;
    private final int maxPayload;
    private boolean closed;

    FrameRange(Segment segment, long position, long length, long firstIndex, long lastIndex, int maxPayload) {
        this.maxPayload = maxPayload;
        this.segment = segment;
        this.position = position;
        this.length = length;
        this.firstIndex = firstIndex;
        this.lastIndex = lastIndex;
    }

    static FrameRange empty(long fromIndex) {
        return new FrameRange(null, 0, 0, fromIndex, fromIndex - 1, 1);
    }

    /** The index of the first frame; for an empty range the index that was asked for. */
    public long firstIndex() {
        return firstIndex;
    }

    /** The index of the last frame; {@code firstIndex() - 1} when empty. */
    public long lastIndex() {
        return lastIndex;
    }

    /** How many frames (entries) the range holds. */
    public long frameCount() {
        return lastIndex - firstIndex + 1;
    }

    /** The size in bytes, frame headers included. */
    public long byteCount() {
        return length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /**
     * Sends the bytes to {@code target} with {@link java.nio.channels.FileChannel#transferTo}
     * (zero-copy where the platform allows it) and returns how many were sent: all of them, unless
     * the target is non-blocking and full, in which case call {@link #transferTo(WritableByteChannel, long)}
     * again with the count sent so far.
     */
    public long transferTo(WritableByteChannel target) throws IOException {
        return transferTo(target, 0);
    }

    /** Like {@link #transferTo(WritableByteChannel)}, starting {@code skip} bytes into the range. */
    public long transferTo(WritableByteChannel target, long skip) throws IOException {
        checkOpen();
        long sent = skip;
        while (sent < length) {
            long n = segment.channel.transferTo(position + sent, length - sent, target);
            if (n <= 0) {
                break;
            }
            sent += n;
        }
        return sent - skip;
    }

    /** The bytes in a new heap buffer (position 0, limit {@link #byteCount()}). */
    public ByteBuffer toByteBuffer() {
        checkOpen();
        if (segment == null) {
            return ByteBuffer.allocate(0);
        }
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(length));
        try {
            long at = position;
            while (b.hasRemaining()) {
                int n = segment.channel.read(b, at);
                if (n < 0) {
                    throw new SqlLogException(segment.logFile + " ended at " + at + " inside a range read");
                }
                at += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + segment.logFile, e);
        }
        return b.flip();
    }

    /** The bytes in a new array. */
    public byte[] toBytes() {
        return toByteBuffer().array();
    }

    /** The frames decoded (checksums verified). */
    public List<Entry> decode() {
        return EntryCodec.decodeAll(toByteBuffer(), maxPayload);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("frame range " + firstIndex + ".." + lastIndex + " is closed");
        }
    }

    /** Lets go of the segment file. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (segment != null) {
                segment.release();
            }
        }
    }

    @Override
    public String toString() {
        return "FrameRange[" + firstIndex + ".." + lastIndex + ", " + length + " bytes]";
    }
}
