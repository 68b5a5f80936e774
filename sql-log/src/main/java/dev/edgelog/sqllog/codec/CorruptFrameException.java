package dev.edgelog.sqllog.codec;

import dev.edgelog.sqllog.SqlLogException;

/**
 * A frame could not be decoded. Nothing of it was returned: decoding yields a whole entry or this.
 * The {@link Kind} says whether more bytes might still complete it ({@link Kind#TRUNCATED}) or
 * whether the bytes are wrong.
 */
public final class CorruptFrameException extends SqlLogException {

    /** Why a frame was refused. */
    public enum Kind {
        /** The input ended inside the frame: a torn write or a cut connection. */
        TRUNCATED,
        /** The length field is zero, negative or above the allowed maximum. */
        BAD_LENGTH,
        /** The payload does not match its CRC32C. */
        BAD_CHECKSUM,
        /** The payload names a format version this build does not know. */
        UNKNOWN_VERSION,
        /** The checksum matched but the payload does not parse (an encoder bug, never a disk error). */
        MALFORMED
    }

    private final Kind kind;

    public CorruptFrameException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
