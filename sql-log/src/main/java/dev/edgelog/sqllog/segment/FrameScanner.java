package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.codec.CorruptFrameException;
import dev.edgelog.sqllog.codec.CorruptFrameException.Kind;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Walks the frames of one segment file from a frame boundary, reading the file in chunks (one
 * {@code pread} per chunk, not per frame). Not thread-safe; one per read or scan.
 */
final class FrameScanner {

    private final FileChannel channel;
    private final long end;
    private final int maxPayloadBytes;
    private ByteBuffer buf;
    private long bufStart;
    private long position;
    private int frameOffset;

    /**
     * @param start the file position of the first frame
     * @param end   the file position where the frames end (a frame crossing it is truncated)
     */
    FrameScanner(FileChannel channel, long start, long end, int maxPayloadBytes, int chunkBytes) {
        this.channel = channel;
        this.position = start;
        this.end = end;
        this.maxPayloadBytes = maxPayloadBytes;
        this.buf = ByteBuffer.allocate(chunkBytes).limit(0);
        this.bufStart = start;
    }

    /** The file position of the next frame (or of the frame {@link #next} just returned). */
    long position() {
        return position;
    }

    /** The buffer holding the frame {@link #next} returned, at {@link #frameOffset()}. */
    ByteBuffer buffer() {
        return buf;
    }

    /** Where in {@link #buffer()} the current frame starts. */
    int frameOffset() {
        return frameOffset;
    }

    /**
     * Makes the frame at {@link #position()} available in the buffer and returns its length, header
     * included; or -1 at the end. Does not advance: call {@link #advance(int)}.
     *
     * @param verify also check the frame's checksum
     * @throws CorruptFrameException when the frame is truncated, has a bad length or checksum
     */
    int next(boolean verify) throws IOException {
        if (position >= end) {
            return -1;
        }
        ensure(EntryCodec.HEADER_BYTES);
        int length = buf.getInt((int) (position - bufStart));
        if (length < 1 || length > maxPayloadBytes) {
            throw new CorruptFrameException(Kind.BAD_LENGTH, "frame length " + Integer.toUnsignedString(length)
                    + " is outside 1.." + maxPayloadBytes);
        }
        int frameLength = EntryCodec.HEADER_BYTES + length;
        ensure(frameLength);
        frameOffset = (int) (position - bufStart);
        if (verify) {
            EntryCodec.checkFrame(buf.position(frameOffset), maxPayloadBytes);
        }
        return frameLength;
    }

    /** Moves past the current frame. */
    void advance(int frameLength) {
        position += frameLength;
    }

    private void ensure(int n) throws IOException {
        if (end - position < n) {
            throw new CorruptFrameException(Kind.TRUNCATED,
                    "frame needs " + n + " bytes, only " + (end - position) + " left before the end");
        }
        if (position >= bufStart && position + n <= bufStart + buf.limit()) {
            return;
        }
        if (n > buf.capacity()) {
            buf = ByteBuffer.allocate(Math.max(n, buf.capacity() * 2));
        }
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), end - position));
        long at = position;
        while (buf.hasRemaining()) {
            int got = channel.read(buf, at);
            if (got < 0) {
                break;
            }
            at += got;
        }
        buf.flip();
        bufStart = position;
        if (buf.limit() < n) {
            throw new CorruptFrameException(Kind.TRUNCATED,
                    "frame needs " + n + " bytes, the file ends after " + buf.limit());
        }
    }
}
