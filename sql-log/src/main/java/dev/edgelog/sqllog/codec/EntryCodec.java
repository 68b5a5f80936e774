package dev.edgelog.sqllog.codec;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Parameter;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.codec.CorruptFrameException.Kind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The binary form of an {@link Entry}, identical on disk and on the wire.
 *
 * <pre>
 * frame   = length:u32 crc32c:u32 payload          (big-endian; crc32c over the payload)
 * payload = version:u8 index term raftIndex commitTime:zigzag flags:u8
 *           count { text count { tag:u8 [name:string] value } }
 *           count { 0 rowsAffected:zigzag lastInsertId:zigzag | 1 error:string }
 * text    = sql:string                              (version 1)
 *         | 0 sql:string | ref                      (version 2; ref &ge; 1)
 * </pre>
 *
 * Integers without a note are unsigned LEB128 varints; a string is a varint byte length and UTF-8.
 * A parameter tag holds the value type in its low 3 bits (0 null, 1 integer as zigzag varint,
 * 2 real as 8 bytes IEEE-754, 3 text, 4 blob as length + bytes) and bit 3 when a name follows.
 * Flags: bit 0 transaction. Decoding refuses anything else with a {@link CorruptFrameException}.
 *
 * <p>Version 2 differs only in how a statement names its SQL text: {@code 0} and the text when the
 * entry has not used it before, else {@code ref}, the position (from 1) of the text among the
 * entry's distinct texts in order of first use. A bulk request repeats one parameterized text in
 * every statement; in version 1 the text made up about two thirds of each statement's bytes, in
 * the Raft log, the segments and every pull. The encoder writes version 1 for an entry that uses
 * no text twice (the bytes are then the same as before version 2 existed, readable by older
 * builds) and version 2 otherwise; both decode.
 */
public final class EntryCodec {

    /** The format version of an entry whose statements each have their own SQL text. */
    public static final int VERSION = 1;
    /** The format version of an entry that names repeated SQL texts by reference. */
    public static final int VERSION_TEXT_REFS = 2;
    /** Bytes before the payload: length and checksum. */
    public static final int HEADER_BYTES = 8;
    /** The largest payload accepted unless a caller sets its own limit. */
    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 64 << 20;

    private static final int FLAG_TRANSACTION = 1;
    private static final int TAG_NAMED = 8;
    private static final int TYPE_NULL = 0;
    private static final int TYPE_INT = 1;
    private static final int TYPE_REAL = 2;
    private static final int TYPE_TEXT = 3;
    private static final int TYPE_BLOB = 4;
    private static final int OUTCOME_EXECUTED = 0;
    private static final int OUTCOME_FAILED = 1;

    private EntryCodec() {
    }

    /** The entry as one frame: header and payload. */
    public static byte[] encode(Entry entry) {
        ByteSink sink = new ByteSink(64 + estimate(entry));
        sink.skip(HEADER_BYTES);
        writePayload(entry, sink);
        int payloadLength = sink.size() - HEADER_BYTES;
        CRC32C crc = new CRC32C();
        crc.update(sink.array(), HEADER_BYTES, payloadLength);
        sink.putIntAt(0, payloadLength);
        sink.putIntAt(4, (int) crc.getValue());
        return sink.toByteArray();
    }

    private static int estimate(Entry entry) {
        int n = 0;
        String last = null;
        for (Statement s : entry.statements()) {
            n += (s.sql() == last ? 0 : s.sql().length()) + 2 + 9 * s.parameters().size();
            last = s.sql();
        }
        return n;
    }

    private static void writePayload(Entry e, ByteSink out) {
        List<Statement> statements = e.statements();
        int[] refs = textRefs(statements);
        out.putByte(refs == null ? VERSION : VERSION_TEXT_REFS);
        out.putVarLong(e.index());
        out.putVarLong(e.term());
        out.putVarLong(e.raftIndex());
        out.putZigZag(e.commitTimeMillis());
        out.putByte(e.transaction() ? FLAG_TRANSACTION : 0);
        out.putVarLong(statements.size());
        for (int i = 0; i < statements.size(); i++) {
            Statement s = statements.get(i);
            if (refs == null) {
                out.putString(s.sql());
            } else {
                out.putVarLong(refs[i]);
                if (refs[i] == 0) {
                    out.putString(s.sql());
                }
            }
            out.putVarLong(s.parameters().size());
            for (Parameter p : s.parameters()) {
                writeParameter(p, out);
            }
        }
        out.putVarLong(e.outcomes().size());
        for (Outcome o : e.outcomes()) {
            if (o instanceof Outcome.Executed x) {
                out.putByte(OUTCOME_EXECUTED);
                out.putZigZag(x.rowsAffected());
                out.putZigZag(x.lastInsertId());
            } else {
                out.putByte(OUTCOME_FAILED);
                out.putString(((Outcome.Failed) o).error());
            }
        }
    }

    /**
     * Each statement's text reference in version 2 ({@code 0}: first use, written out; {@code k}:
     * the k-th distinct text), or {@code null} when no text repeats (version 1).
     */
    private static int[] textRefs(List<Statement> statements) {
        int n = statements.size();
        if (n < 2) {
            return null;
        }
        int[] refs = new int[n];
        boolean repeats = false;
        String last = null;
        int lastRef = 0;
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < n; i++) {
            String sql = statements.get(i).sql();
            if (sql.equals(last)) { // the common case, a bulk request: no map lookup
                refs[i] = lastRef;
                repeats = true;
                continue;
            }
            Integer known = seen.get(sql);
            if (known == null) {
                lastRef = seen.size() + 1;
                seen.put(sql, lastRef);
                refs[i] = 0;
            } else {
                lastRef = known;
                refs[i] = known;
                repeats = true;
            }
            last = sql;
        }
        return repeats ? refs : null;
    }

    private static void writeParameter(Parameter p, ByteSink out) {
        int named = p.isNamed() ? TAG_NAMED : 0;
        SqlValue v = p.value();
        int type;
        if (v instanceof SqlValue.Null) {
            type = TYPE_NULL;
        } else if (v instanceof SqlValue.Int) {
            type = TYPE_INT;
        } else if (v instanceof SqlValue.Real) {
            type = TYPE_REAL;
        } else if (v instanceof SqlValue.Text) {
            type = TYPE_TEXT;
        } else {
            type = TYPE_BLOB;
        }
        out.putByte(type | named);
        if (p.isNamed()) {
            out.putString(p.name());
        }
        switch (type) {
            case TYPE_INT -> out.putZigZag(((SqlValue.Int) v).value());
            case TYPE_REAL -> out.putLongFixed(Double.doubleToRawLongBits(((SqlValue.Real) v).value()));
            case TYPE_TEXT -> out.putString(((SqlValue.Text) v).value());
            case TYPE_BLOB -> out.putBytes(((SqlValue.Blob) v).value());
            default -> {
            }
        }
    }

    /**
     * Checks the frame at the buffer's position and returns its total length (header included)
     * without decoding the payload; the position does not move.
     *
     * @throws CorruptFrameException when the frame is truncated, its length is out of bounds or its
     *                               checksum does not match
     */
    public static int checkFrame(ByteBuffer buf, int maxPayloadBytes) {
        int start = buf.position();
        int available = buf.limit() - start;
        if (available < HEADER_BYTES) {
            throw new CorruptFrameException(Kind.TRUNCATED,
                    "frame header needs " + HEADER_BYTES + " bytes, only " + available + " left");
        }
        int length = buf.getInt(start);
        if (length < 1 || length > maxPayloadBytes) {
            throw new CorruptFrameException(Kind.BAD_LENGTH,
                    "frame length " + Integer.toUnsignedString(length) + " is outside 1.." + maxPayloadBytes);
        }
        if (available - HEADER_BYTES < length) {
            throw new CorruptFrameException(Kind.TRUNCATED,
                    "frame payload needs " + length + " bytes, only " + (available - HEADER_BYTES) + " left");
        }
        int expected = buf.getInt(start + 4);
        CRC32C crc = new CRC32C();
        ByteBuffer payload = buf.duplicate().position(start + HEADER_BYTES).limit(start + HEADER_BYTES + length);
        crc.update(payload);
        if ((int) crc.getValue() != expected) {
            throw new CorruptFrameException(Kind.BAD_CHECKSUM,
                    String.format("frame checksum mismatch: stored %08x, computed %08x over %d bytes",
                            expected, (int) crc.getValue(), length));
        }
        return HEADER_BYTES + length;
    }

    /**
     * Decodes the frame at the buffer's position and moves the position past it. On failure the
     * position does not move and nothing is returned.
     */
    public static Entry decode(ByteBuffer buf, int maxPayloadBytes) {
        return decode(buf, maxPayloadBytes, null);
    }

    /** Like {@link #decode(ByteBuffer, int)}, reusing {@code texts}' strings for repeated SQL texts. */
    static Entry decode(ByteBuffer buf, int maxPayloadBytes, SqlTexts texts) {
        int start = buf.position();
        int frameLength = checkFrame(buf, maxPayloadBytes);
        ByteBuffer payload = buf.duplicate().position(start + HEADER_BYTES).limit(start + frameLength);
        Entry entry = decodePayload(payload, texts);
        buf.position(start + frameLength);
        return entry;
    }

    /**
     * Decodes every frame between the buffer's position and limit (the position does not move);
     * any bad frame fails the whole run, so no partial list is ever returned.
     */
    public static List<Entry> decodeAll(ByteBuffer frames, int maxPayloadBytes) {
        ByteBuffer b = frames.duplicate();
        List<Entry> out = new ArrayList<>();
        SqlTexts texts = new SqlTexts();
        while (b.hasRemaining()) {
            out.add(decode(b, maxPayloadBytes, texts));
        }
        return out;
    }

    /** Writes each entry's frame to {@code out}, one after another. */
    public static void encodeAll(List<Entry> entries, ByteArrayOutputStream out) {
        for (Entry e : entries) {
            out.writeBytes(encode(e));
        }
    }

    /** Decodes one whole frame held in {@code frame}. */
    public static Entry decode(byte[] frame) {
        ByteBuffer buf = ByteBuffer.wrap(frame);
        Entry e = decode(buf, DEFAULT_MAX_PAYLOAD_BYTES);
        if (buf.hasRemaining()) {
            throw new CorruptFrameException(Kind.MALFORMED, buf.remaining() + " bytes follow the frame");
        }
        return e;
    }

    /** Decodes a payload whose checksum has already been verified; all of it must be consumed. */
    public static Entry decodePayload(ByteBuffer payload) {
        return decodePayload(payload, null);
    }

    private static Entry decodePayload(ByteBuffer payload, SqlTexts texts) {
        PayloadReader in = new PayloadReader(payload);
        int version = checkVersion(in.u8());
        try {
            long index = in.varLong();
            long term = in.varLong();
            long raftIndex = in.varLong();
            long commitTime = in.zigZag();
            int flags = in.u8();
            if ((flags & ~FLAG_TRANSACTION) != 0) {
                throw in.malformed("unknown flags " + flags);
            }
            int statementCount = in.count(2);
            List<Statement> statements = new ArrayList<>(statementCount);
            List<String> distinct = version == VERSION ? null : new ArrayList<>();
            for (int i = 0; i < statementCount; i++) {
                String sql;
                if (distinct == null) {
                    sql = texts == null ? in.string() : texts.string(in);
                } else {
                    long ref = in.varLong();
                    if (ref == 0) {
                        sql = texts == null ? in.string() : texts.string(in);
                        distinct.add(sql);
                    } else if (ref > 0 && ref <= distinct.size()) { // a 10-byte varint can be negative
                        sql = distinct.get((int) ref - 1);
                    } else {
                        throw in.malformed("statement " + i + " refers to SQL text " + ref + " of "
                                + distinct.size());
                    }
                }
                int paramCount = in.count(1);
                List<Parameter> params = new ArrayList<>(paramCount);
                for (int j = 0; j < paramCount; j++) {
                    params.add(readParameter(in));
                }
                statements.add(new Statement(sql, params));
            }
            int outcomeCount = in.count(2);
            List<Outcome> outcomes = new ArrayList<>(outcomeCount);
            for (int i = 0; i < outcomeCount; i++) {
                int tag = in.u8();
                if (tag == OUTCOME_EXECUTED) {
                    outcomes.add(Outcome.executed(in.zigZag(), in.zigZag()));
                } else if (tag == OUTCOME_FAILED) {
                    outcomes.add(Outcome.failed(in.string()));
                } else {
                    throw in.malformed("unknown outcome tag " + tag);
                }
            }
            if (in.remaining() != 0) {
                throw in.malformed(in.remaining() + " unread bytes after the entry");
            }
            return new Entry(index, term, raftIndex, commitTime, (flags & FLAG_TRANSACTION) != 0, statements, outcomes);
        } catch (IllegalArgumentException e) {
            throw in.malformed(e.getMessage());
        }
    }

    /**
     * The version byte of a payload if this build reads it.
     *
     * @throws CorruptFrameException of kind {@link Kind#UNKNOWN_VERSION} otherwise
     */
    public static int checkVersion(int version) {
        if (version != VERSION && version != VERSION_TEXT_REFS) {
            throw new CorruptFrameException(Kind.UNKNOWN_VERSION, "entry format version " + version
                    + " is unknown; this build reads versions " + VERSION + " and " + VERSION_TEXT_REFS);
        }
        return version;
    }

    private static Parameter readParameter(PayloadReader in) {
        int tag = in.u8();
        if ((tag & ~(TAG_NAMED | 7)) != 0) {
            throw in.malformed("unknown parameter tag " + tag);
        }
        String name = (tag & TAG_NAMED) != 0 ? in.string() : null;
        SqlValue value = switch (tag & 7) {
            case TYPE_NULL -> SqlValue.NULL;
            case TYPE_INT -> new SqlValue.Int(in.zigZag());
            case TYPE_REAL -> new SqlValue.Real(Double.longBitsToDouble(in.fixedLong()));
            case TYPE_TEXT -> new SqlValue.Text(in.string());
            case TYPE_BLOB -> new SqlValue.Blob(in.bytes());
            default -> throw in.malformed("unknown parameter type " + (tag & 7));
        };
        return new Parameter(name, value);
    }

    /**
     * The SQL text last decoded in a run of frames, whose {@code String} is reused when the next
     * statement's text has the same bytes: a run usually repeats a few parameterized texts, which
     * then cost no decoding or allocation, and their hash (the applier's statement-cache key) is
     * computed once. Not thread-safe: one per run or reader.
     */
    static final class SqlTexts {
        private byte[] lastBytes;
        private String last;

        String string(PayloadReader in) {
            ByteBuffer buf = in.buf;
            int n = in.count(1);
            int at = buf.position();
            if (last != null && n == lastBytes.length && sameBytes(buf, at)) {
                buf.position(at + n);
                return last;
            }
            last = in.text(n);
            lastBytes = new byte[n];
            buf.get(at, lastBytes);
            return last;
        }

        /**
         * Whether {@code buf} holds {@link #lastBytes} at {@code at}. Read-only buffers (what Ratis
         * hands a state machine) have no accessible array, so they are compared through absolute gets.
         */
        private boolean sameBytes(ByteBuffer buf, int at) {
            int n = lastBytes.length;
            if (buf.hasArray()) {
                return Arrays.equals(buf.array(), buf.arrayOffset() + at, buf.arrayOffset() + at + n, lastBytes, 0, n);
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(at + i) != lastBytes[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Bounds-checked reads over a payload; every failure is a {@link Kind#MALFORMED} frame. */
    private static final class PayloadReader {
        final ByteBuffer buf;

        PayloadReader(ByteBuffer buf) {
            this.buf = buf;
        }

        int remaining() {
            return buf.remaining();
        }

        CorruptFrameException malformed(String why) {
            return new CorruptFrameException(Kind.MALFORMED, "malformed entry payload at byte " + buf.position() + ": " + why);
        }

        int u8() {
            if (!buf.hasRemaining()) {
                throw malformed("unexpected end");
            }
            return buf.get() & 0xFF;
        }

        long varLong() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = u8();
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    if (shift == 63 && b > 1) {
                        throw malformed("varint overflows 64 bits");
                    }
                    return result;
                }
            }
            throw malformed("varint longer than 10 bytes");
        }

        long zigZag() {
            long v = varLong();
            return (v >>> 1) ^ -(v & 1);
        }

        long fixedLong() {
            if (buf.remaining() < 8) {
                throw malformed("unexpected end");
            }
            return buf.getLong();
        }

        /** A count of items each at least {@code minBytes} long: bounded by what is left. */
        int count(int minBytes) {
            long n = varLong();
            if (n < 0 || n * minBytes > buf.remaining()) {
                throw malformed("count " + n + " exceeds the remaining " + buf.remaining() + " bytes");
            }
            return (int) n;
        }

        byte[] bytes() {
            int n = count(1);
            byte[] b = new byte[n];
            buf.get(b);
            return b;
        }

        /**
         * Strict UTF-8 text. The JDK's lenient decoder (fast, no intermediate copy) is exact for
         * valid input and turns every malformed sequence into U+FFFD, so only text holding U+FFFD
         * is decoded again strictly to tell the two apart.
         */
        String string() {
            return text(count(1));
        }

        /** The next {@code n} bytes (a length already read and bounded) as strict UTF-8 text. */
        String text(int n) {
            ByteBuffer slice = buf.slice(buf.position(), n);
            buf.position(buf.position() + n);
            String s;
            if (slice.hasArray()) {
                s = new String(slice.array(), slice.arrayOffset(), n, StandardCharsets.UTF_8);
            } else {
                byte[] b = new byte[n];
                slice.duplicate().get(b);
                s = new String(b, StandardCharsets.UTF_8);
            }
            if (s.indexOf('\uFFFD') < 0) {
                return s;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(slice)
                        .toString();
            } catch (CharacterCodingException e) {
                throw malformed("invalid UTF-8 text");
            }
        }
    }
}
