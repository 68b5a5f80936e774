package dev.edgelog.sqllog.pull;

import static dev.edgelog.sqllog.testing.FakeUpstream.http;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import dev.edgelog.sqllog.testing.FakeUpstream;
import dev.edgelog.sqllog.testing.RandomEntries;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pull client against an upstream that answers malformed bytes: every such answer is refused
 * with the exception that says what to do, and never turns into a batch (partial or not).
 */
@Timeout(60)
class PullClientBadUpstreamIT {

    private static final String LOG = "log-fake";
    private static final List<Entry> ENTRIES = new RandomEntries(7).entries(1, 5);
    private static final List<String> POSITION = List.of(PullProtocol.LOG_ID_HEADER + ": " + LOG,
            PullProtocol.COMMIT_INDEX_HEADER + ": 5", PullProtocol.FIRST_INDEX_HEADER + ": 1");

    @TempDir
    Path dir;

    private FakeUpstream upstream;
    private PullClient client;

    @BeforeEach
    void start() throws IOException {
        upstream = FakeUpstream.start(FakeUpstream.bytes(new byte[0]));
        client = new PullClient(upstream.uri(), PullClient.Options.of("edge-1").withStallTimeout(Duration.ofSeconds(5)));
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        upstream.close();
    }

    private static byte[] frames(long... indices) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (long i : indices) {
            out.writeBytes(EntryCodec.encode(ENTRIES.get((int) i - 1)));
        }
        return out.toByteArray();
    }

    /** A well-formed frames answer around {@code body}, with any extra header lines. */
    private static byte[] framesAnswer(byte[] body, String... extra) {
        List<String> headers = new ArrayList<>(POSITION);
        headers.add("Content-Type: " + PullProtocol.FRAMES_TYPE);
        headers.add("Content-Length: " + body.length);
        headers.addAll(Arrays.asList(extra));
        return http("200 OK", headers, body);
    }

    private UpstreamException refused(byte[] answer, UpstreamException.Kind kind) {
        upstream.answer(FakeUpstream.bytes(answer));
        UpstreamException e = assertThrows(UpstreamException.class, () -> client.pull(0, LOG, 1 << 20, Duration.ZERO));
        assertEquals(kind, e.kind(), e.getMessage());
        return e;
    }

    private List<Entry> pulledEntries() throws IOException {
        return client.pull(0, LOG, 1 << 20, Duration.ZERO).frames().stream().map(FrameReader.Frame::entry).toList();
    }

    @Test
    void when_theAnswerIsWellFormed_then_itIsAccepted() throws IOException {
        upstream.answer(FakeUpstream.bytes(framesAnswer(frames(1, 2, 3, 4, 5))));
        assertEquals(ENTRIES, pulledEntries());

        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(frames(1, 2));
        }
        upstream.answer(FakeUpstream.bytes(framesAnswer(gz.toByteArray(), "Content-Encoding: gzip")));
        assertEquals(ENTRIES.subList(0, 2), pulledEntries());

        byte[] body = frames(1, 2, 3);
        upstream.answer(FakeUpstream.bytes(http("200 OK", List.of(POSITION.get(0), POSITION.get(1), POSITION.get(2),
                "Content-Type: " + PullProtocol.FRAMES_TYPE, "Transfer-Encoding: chunked"), chunked(body, 100))));
        assertEquals(ENTRIES.subList(0, 3), pulledEntries());
        assertTrue(upstream.requests().get(0).startsWith("GET /v1/log?after=0&"), upstream.requests().toString());
    }

    private static byte[] chunked(byte[] body, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < body.length; at += chunk) {
            int n = Math.min(chunk, body.length - at);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, at, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    @Test
    void when_anErrorPageComesWith200_then_itIsABadResponse() {
        byte[] page = "<html><body><h1>Service temporarily down</h1></body></html>".getBytes(StandardCharsets.UTF_8);
        UpstreamException e = refused(http("200 OK", List.of(POSITION.get(0), POSITION.get(1), POSITION.get(2),
                "Content-Type: text/html; charset=utf-8", "Content-Length: " + page.length), page),
                UpstreamException.Kind.BAD_RESPONSE);
        assertTrue(e.getMessage().contains("text/html") && e.getMessage().contains("Service temporarily down"),
                e.getMessage());
    }

    @Test
    void when_theUpstreamClosesBeforeContentLengthIsSent_then_thePullFails() {
        byte[] body = frames(1, 2, 3);
        byte[] cut = Arrays.copyOf(body, body.length - 10);
        byte[] lying = http("200 OK", List.of(POSITION.get(0), POSITION.get(1), POSITION.get(2),
                "Content-Type: " + PullProtocol.FRAMES_TYPE, "Content-Length: " + body.length), cut);
        upstream.answer(FakeUpstream.bytes(lying));

        IOException e = assertThrows(IOException.class, () -> client.pull(0, LOG, 1 << 20, Duration.ZERO));
        assertTrue(e.getMessage().contains("closed"), e.toString());
    }

    @Test
    void when_aFrameIsCutWithinTheAnnouncedLength_then_itIsABadResponse() {
        byte[] body = frames(1, 2, 3);
        UpstreamException e = refused(framesAnswer(Arrays.copyOf(body, body.length - 3)),
                UpstreamException.Kind.BAD_RESPONSE);
        assertTrue(e.getMessage().contains("after 2"), e.getMessage());
        refused(framesAnswer(Arrays.copyOf(body, 5)), UpstreamException.Kind.BAD_RESPONSE);
    }

    @Test
    void when_aPayloadByteIsFlipped_then_theChecksumRefusesIt() {
        byte[] body = frames(1, 2, 3);
        int secondPayload = EntryCodec.encode(ENTRIES.get(0)).length + EntryCodec.HEADER_BYTES + 2;
        body[secondPayload] ^= 0x01;

        UpstreamException e = refused(framesAnswer(body), UpstreamException.Kind.BAD_RESPONSE);
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void when_indicesDoNotContinueTheLog_then_itIsABadResponse() {
        UpstreamException gap = refused(framesAnswer(frames(1, 2, 4)), UpstreamException.Kind.BAD_RESPONSE);
        UpstreamException late = refused(framesAnswer(frames(5)), UpstreamException.Kind.BAD_RESPONSE);
        UpstreamException repeat = refused(framesAnswer(frames(1, 1)), UpstreamException.Kind.BAD_RESPONSE);

        assertTrue(gap.getMessage().contains("entry 4 where 3 was due"), gap.getMessage());
        assertTrue(late.getMessage().contains("entry 5 where 1 was due"), late.getMessage());
        assertTrue(repeat.getMessage().contains("entry 1 where 2 was due"), repeat.getMessage());
    }

    @Test
    void when_theHeadersNameAnotherLog_then_itIsALogIdMismatch() {
        byte[] body = frames(1);
        byte[] answer = http("200 OK", List.of(PullProtocol.LOG_ID_HEADER + ": some-other-log", POSITION.get(1),
                POSITION.get(2), "Content-Type: " + PullProtocol.FRAMES_TYPE, "Content-Length: " + body.length), body);

        UpstreamException e = refused(answer, UpstreamException.Kind.LOG_ID_MISMATCH);
        assertTrue(e.getMessage().contains("some-other-log"), e.getMessage());
    }

    @Test
    void when_edgelogHeadersAreMissingOrMalformed_then_itIsABadResponse() {
        byte[] body = frames(1);
        for (int missing = 0; missing < POSITION.size(); missing++) {
            List<String> headers = new ArrayList<>(POSITION);
            String name = headers.remove(missing).split(":")[0];
            headers.addAll(List.of("Content-Type: " + PullProtocol.FRAMES_TYPE, "Content-Length: " + body.length));

            UpstreamException e = refused(http("200 OK", headers, body), UpstreamException.Kind.BAD_RESPONSE);
            assertTrue(e.getMessage().contains(name), e.getMessage());
        }
        refused(http("200 OK", List.of(POSITION.get(0), PullProtocol.COMMIT_INDEX_HEADER + ": many", POSITION.get(2),
                "Content-Type: " + PullProtocol.FRAMES_TYPE, "Content-Length: " + body.length), body),
                UpstreamException.Kind.BAD_RESPONSE);
    }

    @Test
    void when_theBodyStallsHalfway_then_thePullFailsAfterTheStallTimeout() throws IOException {
        byte[] body = frames(1, 2, 3);
        byte[] head = framesAnswer(body);
        int half = head.length - body.length / 2;
        upstream.answer((out, up) -> {
            out.write(head, 0, half);
            out.flush();
            up.awaitClose();
        });

        try (PullClient impatient = new PullClient(upstream.uri(),
                PullClient.Options.of("edge-1").withStallTimeout(Duration.ofMillis(500)))) {
            IOException e = assertTimeoutPreemptively(Duration.ofSeconds(10),
                    () -> assertThrows(IOException.class, () -> impatient.pull(0, LOG, 1 << 20, Duration.ZERO)));
            assertTrue(e instanceof SocketTimeoutException, e.toString());
            assertTrue(e.getMessage().contains("500 ms"), e.getMessage());
        }
    }

    @Test
    void when_theReplyIsNotHttp_then_itIsABadResponse() {
        UpstreamException ssh = refused("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII),
                UpstreamException.Kind.BAD_RESPONSE);
        refused("HTTP/1.1 OK\r\n\r\n".getBytes(StandardCharsets.US_ASCII), UpstreamException.Kind.BAD_RESPONSE);
        refused(http("200 OK", List.of(POSITION.get(0), POSITION.get(1), POSITION.get(2),
                "Content-Type: " + PullProtocol.FRAMES_TYPE, "Transfer-Encoding: chunked"),
                "zz\r\nnot a chunk\r\n".getBytes(StandardCharsets.US_ASCII)), UpstreamException.Kind.BAD_RESPONSE);

        assertTrue(ssh.getMessage().contains("not an HTTP answer") && ssh.getMessage().contains("SSH-2.0"), ssh.toString());
    }

    @Test
    void when_theUpstreamIsUnavailable_then_theKindSaysSo() {
        byte[] why = "leader election in progress".getBytes(StandardCharsets.UTF_8);
        UpstreamException e = refused(http("503 Service Unavailable", List.of("Content-Length: " + why.length), why),
                UpstreamException.Kind.UNAVAILABLE);
        refused(http("500 Internal Server Error", List.of("Content-Length: 0"), new byte[0]),
                UpstreamException.Kind.UNAVAILABLE);
        assertTrue(e.getMessage().contains("503") && e.getMessage().contains("leader election"), e.getMessage());
    }

    @Test
    void when_anAnswerWasRefused_then_theNextPullWorksOnAFreshConnection() throws IOException {
        byte[] body = frames(1, 2);
        body[body.length - 1] ^= 0x40;
        refused(framesAnswer(body), UpstreamException.Kind.BAD_RESPONSE);

        upstream.answer(FakeUpstream.bytes(framesAnswer(frames(1, 2))));
        assertEquals(ENTRIES.subList(0, 2), pulledEntries());
    }

    // ---- snapshots ----

    private SnapshotInfo realSnapshot() {
        try (TestLogSource source = TestLogSource.open(dir.resolve("source"), LOG)) {
            source.appendRows(30);
            return source.snapshot(dir.resolve("real.db"));
        }
    }

    private static byte[] snapshotAnswer(byte[] body, long index, String sha256) {
        return http("200 OK", List.of(POSITION.get(0), POSITION.get(1), POSITION.get(2),
                "Content-Type: " + PullProtocol.SNAPSHOT_TYPE, "Content-Length: " + body.length,
                PullProtocol.SNAPSHOT_INDEX_HEADER + ": " + index, PullProtocol.SNAPSHOT_SHA256_HEADER + ": " + sha256), body);
    }

    private UpstreamException refusedSnapshot(byte[] answer, Path target) {
        upstream.answer(FakeUpstream.bytes(answer));
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> client.downloadSnapshot(target, LOG, (b, t) -> { }));
        assertFalse(Files.exists(target), "nothing at " + target);
        assertFalse(Files.exists(target.resolveSibling(target.getFileName() + ".part")), "no .part left");
        return e;
    }

    @Test
    void when_aSnapshotDoesNotMatchItsChecksum_then_itIsRefusedAndNoFileIsLeft() throws IOException {
        SnapshotInfo real = realSnapshot();
        byte[] bytes = Files.readAllBytes(real.file());
        Path target = dir.resolve("bootstrap.db");

        upstream.answer(FakeUpstream.bytes(snapshotAnswer(bytes, real.index(), real.sha256())));
        PullClient.Snapshot good = client.downloadSnapshot(target, LOG, (b, t) -> { });
        assertEquals(real.sha256(), good.sha256());
        Files.delete(target);

        byte[] flipped = bytes.clone();
        flipped[flipped.length / 2] ^= 0x01;
        UpstreamException e = refusedSnapshot(snapshotAnswer(flipped, real.index(), real.sha256()), target);

        assertEquals(UpstreamException.Kind.BAD_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains(real.sha256()), e.getMessage());
    }

    @Test
    void when_aSnapshotIsMalformedOtherwise_then_itIsABadResponseAndNoFileIsLeft() throws Exception {
        SnapshotInfo real = realSnapshot();
        Path target = dir.resolve("bootstrap.db");
        byte[] page = "<html>maintenance</html>".getBytes(StandardCharsets.UTF_8);
        String pageSha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(page));

        UpstreamException notSqlite = refusedSnapshot(snapshotAnswer(page, real.index(), pageSha), target);
        UpstreamException wrongIndex = refusedSnapshot(
                snapshotAnswer(Files.readAllBytes(real.file()), real.index() + 1, real.sha256()), target);

        assertEquals(UpstreamException.Kind.BAD_RESPONSE, notSqlite.kind(), notSqlite.getMessage());
        assertEquals(UpstreamException.Kind.BAD_RESPONSE, wrongIndex.kind());
        assertTrue(wrongIndex.getMessage().contains("at " + real.index()), wrongIndex.getMessage());
    }
}
