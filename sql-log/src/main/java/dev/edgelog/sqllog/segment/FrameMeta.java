package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.codec.CorruptFrameException;
import dev.edgelog.sqllog.codec.CorruptFrameException.Kind;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.nio.ByteBuffer;

/**
 * Reads only the start of a frame's payload (version, index, term, raft index, commit time), the
 * part the store needs, without decoding statements. Mirrors {@link EntryCodec}'s layout.
 */
final class FrameMeta {

    long index;
    long commitTimeMillis;
    private int cursor;

    /**
     * Reads the meta of the (already checked) frame at absolute position {@code frameStart} of
     * {@code buf} into this object; the buffer's position does not move.
     */
    FrameMeta read(ByteBuffer buf, int frameStart, int frameLength) {
        int pos = frameStart + EntryCodec.HEADER_BYTES;
        int end = frameStart + frameLength;
        if (pos >= end) {
            throw malformed("empty payload");
        }
        EntryCodec.checkVersion(buf.get(pos++) & 0xFF);
        cursor = pos;
        index = varLong(buf, end);
        varLong(buf, end);
        varLong(buf, end);
        long zz = varLong(buf, end);
        commitTimeMillis = (zz >>> 1) ^ -(zz & 1);
        if (index < 1) {
            throw malformed("index " + index + " is below 1");
        }
        return this;
    }

    private long varLong(ByteBuffer buf, int end) {
        int pos = cursor;
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= end) {
                throw malformed("payload ends inside a varint");
            }
            int b = buf.get(pos++) & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                cursor = pos;
                return result;
            }
        }
        throw malformed("varint longer than 10 bytes");
    }

    private static CorruptFrameException malformed(String why) {
        return new CorruptFrameException(Kind.MALFORMED, "malformed entry payload: " + why);
    }
}
