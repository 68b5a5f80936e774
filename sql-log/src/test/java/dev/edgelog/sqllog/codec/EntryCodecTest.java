package dev.edgelog.sqllog.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Parameter;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.codec.CorruptFrameException.Kind;
import dev.edgelog.sqllog.testing.RandomEntries;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

    private static final int MAX = EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES;

    @Test
    void when_randomEntriesAreEncoded_then_theyDecodeEqual() {
        RandomEntries gen = new RandomEntries(1);
        for (int i = 1; i <= 5_000; i++) {
            Entry e = gen.entry(i);
            assertEquals(e, EntryCodec.decode(EntryCodec.encode(e)));
        }
    }

    @Test
    void when_everyValueTypeIsEncoded_then_typesAndBitsSurvive() {
        Entry e = new Entry(7, 3, 12, -5, true, List.of(new Statement("INSERT INTO t VALUES(?, ?, ?, ?, ?, :n)", List.of(
                Parameter.positional(SqlValue.NULL),
                Parameter.positional(SqlValue.of(Long.MIN_VALUE)),
                Parameter.positional(SqlValue.of(-0.0)),
                Parameter.positional(SqlValue.of("日本 🙂 ' \u0000")),
                Parameter.positional(SqlValue.of(new byte[] {0, -1, 127})),
                Parameter.named("n", SqlValue.of(2.0))))),
                List.of(Outcome.failed("boom")));
        Entry back = EntryCodec.decode(EntryCodec.encode(e));
        assertEquals(e, back);
        double negZero = ((SqlValue.Real) back.statements().get(0).parameters().get(2).value()).value();
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(negZero));
    }

    @Test
    void when_frameIsTruncatedAnywhere_then_decodingRefusesIt() {
        RandomEntries gen = new RandomEntries(2);
        for (int i = 1, tested = 0; tested < 200; i++) {
            byte[] frame = EntryCodec.encode(gen.entry(i));
            if (frame.length > 4096) {
                continue;
            }
            tested++;
            for (int cut = 0; cut < frame.length; cut++) {
                ByteBuffer buf = ByteBuffer.wrap(frame, 0, cut);
                CorruptFrameException ex = assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(buf, MAX));
                assertEquals(Kind.TRUNCATED, ex.kind(), "cut at " + cut);
                assertEquals(0, buf.position(), "a refused frame does not move the position");
            }
        }
    }

    @Test
    void when_anySingleBitFlips_then_decodingRefusesIt() {
        RandomEntries gen = new RandomEntries(3);
        for (int i = 1, tested = 0; tested < 100; i++) {
            byte[] frame = EntryCodec.encode(gen.entry(i));
            if (frame.length > 4096) {
                continue; // every bit of a 70 KB frame costs minutes of CRC for no extra coverage
            }
            tested++;
            for (int bit = 0; bit < frame.length * 8; bit++) {
                byte[] bad = frame.clone();
                bad[bit / 8] ^= (byte) (1 << (bit % 8));
                assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(ByteBuffer.wrap(bad), MAX),
                        "flip of bit " + bit + " went unnoticed");
            }
        }
    }

    @Test
    void when_randomBytesAreCorrupted_then_noPartialEntryIsEverReturned() {
        RandomEntries gen = new RandomEntries(4);
        Random random = new Random(4);
        for (int i = 1; i <= 20_000; i++) {
            Entry e = gen.entry(i);
            byte[] bad = EntryCodec.encode(e);
            int flips = 1 + random.nextInt(8);
            for (int f = 0; f < flips; f++) {
                bad[random.nextInt(bad.length)] = (byte) random.nextInt();
            }
            try {
                assertEquals(e, EntryCodec.decode(ByteBuffer.wrap(bad), MAX), "a corrupted frame decoded differently");
            } catch (CorruptFrameException expected) {
                // refused whole
            }
        }
    }

    @Test
    void when_lengthIsAbsurd_then_itIsRefusedBeforeAnyAllocation() {
        byte[] frame = EntryCodec.encode(new RandomEntries(5).entry(1));
        ByteBuffer.wrap(frame).putInt(0, Integer.MAX_VALUE);
        CorruptFrameException ex = assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(ByteBuffer.wrap(frame), MAX));
        assertEquals(Kind.BAD_LENGTH, ex.kind());
        ByteBuffer.wrap(frame).putInt(0, 0);
        assertEquals(Kind.BAD_LENGTH, assertThrows(CorruptFrameException.class,
                () -> EntryCodec.decode(ByteBuffer.wrap(frame), MAX)).kind());
        ByteBuffer.wrap(frame).putInt(0, -8);
        assertEquals(Kind.BAD_LENGTH, assertThrows(CorruptFrameException.class,
                () -> EntryCodec.decode(ByteBuffer.wrap(frame), MAX)).kind());
    }

    @Test
    void when_versionIsUnknown_then_theMessageNamesIt() {
        byte[] frame = EntryCodec.encode(new RandomEntries(6).entry(1));
        frame[EntryCodec.HEADER_BYTES] = 9;
        rechecksum(frame);
        CorruptFrameException ex = assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(frame));
        assertEquals(Kind.UNKNOWN_VERSION, ex.kind());
        assertTrue(ex.getMessage().contains("version 9"), ex.getMessage());
    }

    @Test
    void when_payloadHasAHugeCountWithAValidChecksum_then_itIsMalformedNotAnAllocation() {
        byte[] payload = {1, 1, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
        byte[] frame = frame(payload);
        CorruptFrameException ex = assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(frame));
        assertEquals(Kind.MALFORMED, ex.kind());
    }

    @Test
    void when_payloadHasTrailingBytes_then_itIsMalformed() {
        byte[] good = EntryCodec.encode(new RandomEntries(7).entry(1));
        byte[] payload = new byte[good.length - EntryCodec.HEADER_BYTES + 1];
        System.arraycopy(good, EntryCodec.HEADER_BYTES, payload, 0, payload.length - 1);
        assertEquals(Kind.MALFORMED, assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(frame(payload))).kind());
    }

    @Test
    void when_textHasAnUnpairedSurrogate_then_encodingRefusesIt() {
        Entry e = new Entry(1, 1, 1, 0, false, List.of(Statement.of("SELECT ?", SqlValue.of("a\uD800b"))), List.of());
        assertThrows(IllegalArgumentException.class, () -> EntryCodec.encode(e));
    }

    @Test
    void when_textIsNotAscii_then_itDecodesExactlyAndInvalidUtf8IsMalformed() {
        // '€' is E2 82 AC; the same three bytes replaced by EF BF BD are a genuine U+FFFD, by E2 82 28 invalid UTF-8
        Entry e = new Entry(1, 1, 1, 0, false, List.of(Statement.of("SELECT '€', ?", SqlValue.of("ü€\uFFFD😀"))), List.of());
        byte[] frame = EntryCodec.encode(e);
        assertEquals(e, EntryCodec.decode(frame));
        int at = indexOf(frame, new byte[] {(byte) 0xE2, (byte) 0x82, (byte) 0xAC});
        byte[] replacement = frame.clone();
        replacement[at] = (byte) 0xEF;
        replacement[at + 1] = (byte) 0xBF;
        replacement[at + 2] = (byte) 0xBD;
        rechecksum(replacement);
        assertEquals("SELECT '\uFFFD', ?", EntryCodec.decode(replacement).statements().get(0).sql());
        byte[] invalid = frame.clone();
        invalid[at + 2] = '(';
        rechecksum(invalid);
        CorruptFrameException ex = assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(invalid));
        assertEquals(Kind.MALFORMED, ex.kind());
        assertTrue(ex.getMessage().contains("invalid UTF-8"), ex.getMessage());
        byte[] invalidParameter = frame.clone();
        invalidParameter[indexOf(frame, new byte[] {(byte) 0xC3, (byte) 0xBC}) + 1] = 0x7F; // ü's continuation byte
        rechecksum(invalidParameter);
        assertEquals(Kind.MALFORMED, assertThrows(CorruptFrameException.class,
                () -> EntryCodec.decode(invalidParameter)).kind());
    }

    @Test
    void when_aRunRepeatsSqlTexts_then_eachDecodesEqualAndARepeatedTextIsOneString() throws IOException {
        List<String> texts = List.of("INSERT INTO t VALUES(?)", "INSERT INTO t VALUES(?)", "INSERT INTO u VALUES(?)",
                "INSERT INTO t VALUES(?)", "SELECT 1", "SELECT 2", "SELECT 2", "SELECT é", "SELECT é");
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < texts.size(); i++) {
            entries.add(new Entry(i + 1, 1, i + 1, 0, false, List.of(Statement.of(texts.get(i), SqlValue.of(i))), List.of()));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EntryCodec.encodeAll(entries, out);
        List<Entry> all = EntryCodec.decodeAll(ByteBuffer.wrap(out.toByteArray()), MAX);
        // a Raft state machine gets its entries as read-only buffers, which have no accessible array
        List<Entry> readOnly = EntryCodec.decodeAll(ByteBuffer.wrap(out.toByteArray()).asReadOnlyBuffer(), MAX);
        List<Entry> streamed = new ArrayList<>();
        FrameReader reader = new FrameReader(new java.io.ByteArrayInputStream(out.toByteArray()), MAX);
        for (FrameReader.Frame f; (f = reader.next()) != null; ) {
            streamed.add(f.entry());
        }
        for (List<Entry> decoded : List.of(all, readOnly, streamed)) {
            assertEquals(entries, decoded);
            assertSame(sql(decoded, 0), sql(decoded, 1), "the repeated text is reused");
            assertSame(sql(decoded, 5), sql(decoded, 6));
            assertSame(sql(decoded, 7), sql(decoded, 8));
            assertEquals("SELECT 2", sql(decoded, 5), "a text of the same length is not mistaken for the last one");
        }
    }

    @Test
    void when_anEntryRepeatsOneSqlText_then_itEncodesAsIfEachWereSeparate() {
        String text = "INSERT INTO t(a, b) VALUES(?, ?)";
        List<Statement> same = new ArrayList<>();
        List<Statement> copies = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            same.add(Statement.of(text, SqlValue.of(i), SqlValue.of("é" + i)));
            copies.add(Statement.of(new String(text.toCharArray()), SqlValue.of(i), SqlValue.of("é" + i)));
        }
        same.add(Statement.of("SELECT 1"));
        copies.add(Statement.of("SELECT 1"));
        same.add(Statement.of(text, SqlValue.of(9)));
        copies.add(Statement.of(new String(text.toCharArray()), SqlValue.of(9)));
        byte[] once = EntryCodec.encode(new Entry(1, 1, 1, 0, false, same, List.of()));
        byte[] each = EntryCodec.encode(new Entry(1, 1, 1, 0, false, copies, List.of()));
        assertArrayEquals(each, once);
        assertEquals(same, EntryCodec.decode(once).statements());
        assertThrows(IllegalArgumentException.class, () -> EntryCodec.encode(new Entry(1, 1, 1, 0, false,
                List.of(Statement.of("SELECT 1"), Statement.of("SELECT '\uD800'")), List.of())),
                "the strict UTF-8 check still runs for every distinct text");
    }

    @Test
    void when_noTextRepeatsInAnEntry_then_itIsVersion1AndARepeatMakesItVersion2() {
        Entry distinct = new Entry(1, 1, 1, 0, false,
                List.of(Statement.of("INSERT INTO t VALUES(?)", SqlValue.of(1)), Statement.of("SELECT 1")), List.of());
        assertEquals(EntryCodec.VERSION, EntryCodec.encode(distinct)[EntryCodec.HEADER_BYTES],
                "an entry without repeats keeps the bytes older builds read");
        List<Statement> bulk = new ArrayList<>();
        List<Statement> alternating = new ArrayList<>();
        String insert = "INSERT INTO ads(id, campaign, name, bid) VALUES(?, ?, ?, ?)";
        for (int i = 0; i < 100; i++) {
            bulk.add(Statement.of(insert, SqlValue.of(i), SqlValue.of(i % 97), SqlValue.of("ad-" + i), SqlValue.of(0.25)));
            alternating.add(Statement.of(new String(List.of("UPDATE a SET x = ?", "UPDATE b SET y = ?", "SELECT ?")
                    .get(i % 3).toCharArray()), SqlValue.of(i)));
        }
        for (List<Statement> statements : List.of(bulk, alternating)) {
            Entry e = new Entry(3, 2, 9, 1_700_000_000_000L, true, statements, List.of());
            byte[] frame = EntryCodec.encode(e);
            assertEquals(EntryCodec.VERSION_TEXT_REFS, frame[EntryCodec.HEADER_BYTES]);
            Entry decoded = EntryCodec.decode(frame);
            assertEquals(e, decoded);
            assertSame(decoded.statements().get(0).sql(), decoded.statements().get(99).sql(), "one String per distinct text");
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < statements.size(); i++) {
                outcomes.add(i == 7 ? Outcome.failed("no such table: a") : Outcome.executed(1, i));
            }
            assertEquals(e.withOutcomes(outcomes), EntryCodec.decode(EntryCodec.encode(e.withOutcomes(outcomes))));
        }
        int v1Bytes = insert.length() + 1;
        int perStatement = (EntryCodec.encode(new Entry(1, 1, 1, 0, false, bulk, List.of())).length - v1Bytes) / bulk.size();
        assertTrue(perStatement < 30, "a repeated text costs one byte, not " + insert.length() + ": " + perStatement);
    }

    @Test
    void when_aTextReferenceIsOutOfRange_then_theFrameIsMalformed() {
        // version 2, index 1, term 1, raftIndex 1, time 0, flags 0, 2 statements: a first use, then a reference
        byte[] good = {2, 1, 1, 1, 0, 0, 2, 0, 8, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', 0, 1, 0, 0};
        assertEquals(List.of(Statement.of("SELECT 1"), Statement.of("SELECT 1")), EntryCodec.decode(frame(good)).statements());
        for (byte ref : new byte[] {2, 9}) {
            byte[] bad = good.clone();
            bad[18] = ref;
            CorruptFrameException ex = assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(frame(bad)));
            assertEquals(Kind.MALFORMED, ex.kind());
            assertTrue(ex.getMessage().contains("statement 1 refers to SQL text " + ref + " of 1"), ex.getMessage());
        }
        // a reference that decodes as a negative 64-bit number (10-byte varint of -1)
        byte[] negative = {2, 1, 1, 1, 0, 0, 2, 0, 8, 'S', 'E', 'L', 'E', 'C', 'T', ' ', '1', 0,
            (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
            (byte) 0xff, 0x01, 0, 0};
        CorruptFrameException negativeRef = assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(frame(negative)));
        assertEquals(Kind.MALFORMED, negativeRef.kind());
        assertTrue(negativeRef.getMessage().contains("refers to SQL text -1 of 1"), negativeRef.getMessage());
        byte[] referenceFirst = {2, 1, 1, 1, 0, 0, 1, 1, 0, 0};
        assertTrue(assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(frame(referenceFirst)))
                .getMessage().contains("refers to SQL text 1 of 0"));
    }

    @Test
    void when_version2FramesAreCutOrFlipped_then_decodingRefusesThemWhole() {
        Random random = new Random(12);
        List<String> texts = List.of("INSERT INTO t VALUES(?, ?)", "UPDATE t SET b = ? WHERE a = ?", "SELECT 1");
        for (int i = 1; i <= 60; i++) {
            List<Statement> statements = new ArrayList<>();
            for (int j = 0, n = 2 + random.nextInt(6); j < n; j++) {
                statements.add(Statement.of(texts.get(random.nextInt(texts.size())), SqlValue.of(random.nextLong()),
                        SqlValue.of("v" + random.nextInt(1000))));
            }
            Entry e = new Entry(i, 1, i, random.nextLong() >>> 24, random.nextBoolean(), statements, List.of());
            byte[] frame = EntryCodec.encode(e);
            assertEquals(e, EntryCodec.decode(frame));
            for (int cut = 0; cut < frame.length; cut++) {
                ByteBuffer buf = ByteBuffer.wrap(frame, 0, cut);
                assertEquals(Kind.TRUNCATED, assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(buf, MAX)).kind());
            }
            for (int bit = 0; bit < frame.length * 8; bit++) {
                byte[] bad = frame.clone();
                bad[bit / 8] ^= (byte) (1 << (bit % 8));
                assertThrows(CorruptFrameException.class, () -> EntryCodec.decode(ByteBuffer.wrap(bad), MAX));
            }
        }
    }

    private static String sql(List<Entry> entries, int i) {
        return entries.get(i).statements().get(0).sql();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void when_aRunOfFramesIsEncodedAndDecoded_then_allComeBackAndOneBadFrameFailsTheRun() {
        List<Entry> entries = new RandomEntries(12).entries(1, 50);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        EntryCodec.encodeAll(entries, out);
        byte[] bytes = out.toByteArray();
        ByteBuffer buf = ByteBuffer.wrap(bytes);

        assertEquals(entries, EntryCodec.decodeAll(buf, MAX));
        assertEquals(0, buf.position(), "decodeAll leaves the caller's position alone");

        bytes[bytes.length / 2] ^= 0x40;
        assertThrows(CorruptFrameException.class, () -> EntryCodec.decodeAll(ByteBuffer.wrap(bytes), MAX));
    }

    @Test
    void when_framesAreStreamed_then_theReaderReturnsEachWholeAndEndsCleanly() throws IOException {
        List<Entry> entries = new RandomEntries(8).entries(1, 300);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) {
            out.write(EntryCodec.encode(e));
        }
        byte[] all = out.toByteArray();
        FrameReader reader = new FrameReader(new ByteArrayInputStream(all), MAX);
        for (Entry e : entries) {
            FrameReader.Frame f = reader.next();
            assertEquals(e, f.entry());
            assertArrayEquals(EntryCodec.encode(e), f.bytes());
        }
        assertNull(reader.next());
        assertEquals(all.length, reader.offset());
    }

    @Test
    void when_streamIsCutInsideAFrame_then_theReaderSaysTruncated() throws IOException {
        byte[] frame = EntryCodec.encode(new RandomEntries(9).entry(1));
        for (int cut = 1; cut < frame.length; cut++) {
            FrameReader reader = new FrameReader(new ByteArrayInputStream(frame, 0, cut), MAX);
            assertEquals(Kind.TRUNCATED, assertThrows(CorruptFrameException.class, reader::next).kind());
        }
    }

    private static byte[] frame(byte[] payload) {
        byte[] frame = new byte[EntryCodec.HEADER_BYTES + payload.length];
        System.arraycopy(payload, 0, frame, EntryCodec.HEADER_BYTES, payload.length);
        ByteBuffer.wrap(frame).putInt(0, payload.length);
        rechecksum(frame);
        return frame;
    }

    private static void rechecksum(byte[] frame) {
        CRC32C crc = new CRC32C();
        crc.update(frame, EntryCodec.HEADER_BYTES, frame.length - EntryCodec.HEADER_BYTES);
        ByteBuffer.wrap(frame).putInt(4, (int) crc.getValue());
    }
}
