package dev.edgelog.sqllog.codec;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.codec.CorruptFrameException.Kind;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * Reads frames one by one from a stream (a pull response body, a file). Each call returns a whole,
 * verified frame or throws; a stream that ends exactly between frames is a clean end.
 */
public final class FrameReader {

    /** A verified frame: its decoded entry and its exact bytes, header included. */
    public record Frame(Entry entry, byte[] bytes) {
    }

    private final InputStream in;
    private final int maxPayloadBytes;
    private final byte[] header = new byte[EntryCodec.HEADER_BYTES];
    private final EntryCodec.SqlTexts texts = new EntryCodec.SqlTexts();
    private long offset;

    public FrameReader(InputStream in, int maxPayloadBytes) {
        this.in = in;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** Bytes consumed so far, i.e. the offset of the next frame. */
    public long offset() {
        return offset;
    }

    /**
     * The next frame, or {@code null} when the stream ends cleanly before a new frame.
     *
     * @throws CorruptFrameException when the stream ends inside a frame or the frame is corrupt
     * @throws IOException           when reading fails
     */
    public Frame next() throws IOException {
        int got = in.readNBytes(header, 0, header.length);
        if (got == 0) {
            return null;
        }
        if (got < header.length) {
            throw new CorruptFrameException(Kind.TRUNCATED,
                    "stream ended " + got + " bytes into a frame header at offset " + offset);
        }
        int length = ByteBuffer.wrap(header).getInt(0);
        if (length < 1 || length > maxPayloadBytes) {
            throw new CorruptFrameException(Kind.BAD_LENGTH, "frame length " + Integer.toUnsignedString(length)
                    + " at offset " + offset + " is outside 1.." + maxPayloadBytes);
        }
        byte[] frame = new byte[EntryCodec.HEADER_BYTES + length];
        System.arraycopy(header, 0, frame, 0, header.length);
        int body = in.readNBytes(frame, header.length, length);
        if (body < length) {
            throw new CorruptFrameException(Kind.TRUNCATED, "stream ended " + body + " of " + length
                    + " payload bytes into the frame at offset " + offset);
        }
        Entry entry = EntryCodec.decode(ByteBuffer.wrap(frame), maxPayloadBytes, texts);
        offset += frame.length;
        return new Frame(entry, frame);
    }

    /** Like {@link #next()}, but the end of the stream is an error. */
    public Frame require() throws IOException {
        Frame f = next();
        if (f == null) {
            throw new EOFException("stream ended at offset " + offset + " where a frame was expected");
        }
        return f;
    }
}
