package dev.edgelog.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The simulated follower's answer parser: any split of the bytes, and every answer it must refuse. */
class PollAnswerTest {

    private static final byte[] TAIL = "HTTP/1.1 204 No Content\r\n".getBytes(StandardCharsets.US_ASCII);

    @Test
    void when_framesArriveInAnySplit_then_theyAreCountedAndTheNextAnswerIsLeftUnread() throws Exception {
        byte[] body = frames(3, 1, 20, 3000);
        byte[] wire = concat(http("200 OK", "CONTENT-LENGTH: " + body.length, "edgelog-commit-index: 9"), body, TAIL);
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            PollAnswer a = new PollAnswer(16 * 1024);
            int maxChunk = round == 0 ? 1 : 1 + random.nextInt(round < 100 ? 16 : wire.length);
            int pos = 0;
            boolean done = false;
            while (!done) {
                int n = Math.min(wire.length - pos, 1 + random.nextInt(maxChunk));
                ByteBuffer chunk = ByteBuffer.wrap(wire, pos, n);
                done = a.feed(chunk);
                pos = chunk.position();
            }
            assertEquals(200, a.status());
            assertEquals(3, a.frames());
            assertEquals(9, a.commitIndex());
            assertEquals(body.length, a.bodyBytes());
            assertEquals(wire.length - TAIL.length, pos, "stops at the end of the answer");
        }
    }

    @Test
    void when_anAnswerHasNoBody_then_204AndA410TextAreSkipped() throws Exception {
        PollAnswer a = new PollAnswer(16 * 1024);
        assertTrue(a.feed(ByteBuffer.wrap(http("204 No Content", "Edgelog-Commit-Index: 5"))));
        assertEquals(204, a.status());
        assertEquals(5, a.commitIndex());

        a.next();
        byte[] text = "entries after 0 are no longer retained here\n".getBytes(StandardCharsets.UTF_8);
        assertTrue(a.feed(ByteBuffer.wrap(concat(http("410 Gone", "Content-Length: " + text.length,
                "Edgelog-Commit-Index: 77", "Connection: close"), text))));
        assertEquals(410, a.status());
        assertEquals(0, a.frames());
        assertEquals(77, a.commitIndex());
        assertTrue(a.closeAfter());
    }

    @Test
    void when_theServerChunksOrOmitsTheLength_then_theAnswerIsRefused() {
        assertRefused(http("200 OK", "Transfer-Encoding: chunked"));
        assertRefused(http("200 OK", "Edgelog-Commit-Index: 1"));
        assertRefused(http("HTTP/1.0 200 OK"));
        assertRefused(http("200 OK", "Content-Length: 12x"));
    }

    @Test
    void when_theBodyEndsInsideAFrame_then_theAnswerIsRefused() {
        byte[] body = frames(1, 1, 100);
        assertRefused(concat(http("200 OK", "Content-Length: " + (body.length - 1)), body));
        assertRefused(concat(http("200 OK", "Content-Length: 5"), body));
    }

    @Test
    void when_theHeadIsTooLong_then_theAnswerIsRefused() throws Exception {
        PollAnswer a = new PollAnswer(1024);
        byte[] head = http("200 OK", "X-Filler: " + "x".repeat(2000), "Content-Length: 0");
        assertThrows(PollAnswer.ProtocolException.class, () -> a.feed(ByteBuffer.wrap(head)));

        PollAnswer roomy = new PollAnswer(4096);
        assertFalse(roomy.feed(ByteBuffer.wrap(head, 0, 1500)));
        roomy.feed(ByteBuffer.wrap(head, 1500, head.length - 1500));
        assertEquals(200, roomy.status());
    }

    private static void assertRefused(byte[] wire) {
        PollAnswer a = new PollAnswer(16 * 1024);
        assertThrows(PollAnswer.ProtocolException.class, () -> a.feed(ByteBuffer.wrap(wire)));
    }

    /** Encoded entries from {@code firstIndex}, each with a text of the given length. */
    private static byte[] frames(int count, long firstIndex, int... textLengths) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            String text = "t".repeat(textLengths[i % textLengths.length]);
            Entry e = new Entry(firstIndex + i, 1, firstIndex + i, 1_700_000_000_000L, false,
                    List.of(Statement.of("INSERT INTO t(v) VALUES(?)", SqlValue.of(text))), List.of());
            out.writeBytes(EntryCodec.encode(e));
        }
        return out.toByteArray();
    }

    /** A head: {@code status} is either "200 OK" (prefixed with HTTP/1.1) or a whole status line. */
    private static byte[] http(String status, String... headers) {
        StringBuilder s = new StringBuilder(status.startsWith("HTTP/") ? status : "HTTP/1.1 " + status).append("\r\n");
        for (String h : headers) {
            s.append(h).append("\r\n");
        }
        return s.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
