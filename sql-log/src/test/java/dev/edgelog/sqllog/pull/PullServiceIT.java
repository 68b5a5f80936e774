package dev.edgelog.sqllog.pull;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.codec.EntryJson;
import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.segment.FrameRange;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.testing.PullServer;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pull API's log endpoint over real sockets: the verifying client where it fits, raw HTTP where the wire matters. */
class PullServiceIT {

    static final String LOG_ID = "log-pull-it";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private TestLogSource source;
    private PullServer server;
    private PullClient client;

    @BeforeEach
    void start() throws IOException {
        source = TestLogSource.open(dir.resolve("source"), LOG_ID);
        server = PullServer.start(source, null, dir.resolve("snapshots"));
        client = new PullClient(server.uri(), PullClient.Options.of("follower-1"));
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        source.close();
    }

    static HttpResponse<byte[]> get(URI uri, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), StandardCharsets.UTF_8);
    }

    private byte[] segmentBytes(long from, int maxBytes) {
        try (FrameRange range = source.segments().readRange(from, maxBytes)) {
            return range.toBytes();
        }
    }

    private static byte[] firstFrames(byte[] frames, int count) throws IOException {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(frames), Integer.MAX_VALUE);
        List<FrameReader.Frame> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(reader.require());
        }
        return concat(out);
    }

    private static byte[] concat(List<FrameReader.Frame> frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        frames.forEach(f -> out.writeBytes(f.bytes()));
        return out.toByteArray();
    }

    @Test
    void when_pullingFromZero_then_framesArriveConsecutiveAndByteIdenticalToTheSegments() throws IOException {
        source.appendRows(200);

        List<FrameReader.Frame> all = new ArrayList<>();
        long after = 0;
        int batches = 0;
        while (after < source.commitIndex()) {
            PullClient.Batch b = client.pull(after, LOG_ID, 8 * 1024, Duration.ZERO);
            assertArrayEquals(segmentBytes(after + 1, 8 * 1024), concat(b.frames()), "batch after " + after);
            assertEquals(LOG_ID, b.logId());
            assertEquals(200, b.commitIndex());
            assertEquals(1, b.firstIndex());
            all.addAll(b.frames());
            after = b.lastIndex(after);
            batches++;
        }

        assertTrue(batches > 1, "8 KiB batches should take several pulls, took " + batches);
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).entry().index());
        }
        assertArrayEquals(segmentBytes(1, Integer.MAX_VALUE), concat(all));
        assertEquals(source.segments().readEntries(1, 200), all.stream().map(FrameReader.Frame::entry).toList());
    }

    @Test
    void when_maxBytesIsSmallerThanAnEntry_then_theBatchStillHoldsOneEntry() throws IOException {
        source.appendRows(20);

        PullClient.Batch one = client.pull(0, LOG_ID, 1, Duration.ZERO);
        PullClient.Batch bounded = client.pull(0, LOG_ID, 1000, Duration.ZERO);

        assertEquals(1, one.frames().size());
        assertEquals(1, one.frames().get(0).entry().index());
        int bytes = concat(bounded.frames()).length;
        assertTrue(bytes <= 1000 && bounded.frames().size() > 1, bytes + " bytes in " + bounded.frames().size() + " frames");
        assertArrayEquals(segmentBytes(1, 1000), concat(bounded.frames()));
    }

    @Test
    void when_nothingIsNewWithinTheWait_then_204CarriesThePositionHeaders() throws Exception {
        source.appendRows(3);

        HttpResponse<byte[]> r = get(server.uri("/v1/log?after=3&wait_ms=200"));
        PullClient.Batch empty = client.pull(3, LOG_ID, 1 << 20, Duration.ofMillis(200));

        assertEquals(204, r.statusCode());
        assertEquals(0, r.body().length);
        assertEquals(LOG_ID, r.headers().firstValue(PullProtocol.LOG_ID_HEADER).orElseThrow());
        assertEquals("3", r.headers().firstValue(PullProtocol.COMMIT_INDEX_HEADER).orElseThrow());
        assertEquals("1", r.headers().firstValue(PullProtocol.FIRST_INDEX_HEADER).orElseThrow());
        assertTrue(empty.frames().isEmpty());
        assertEquals(3, empty.lastIndex(3));
        assertEquals(3, empty.commitIndex());
    }

    @Test
    void when_afterIsOlderThanRetention_then_410AndTheClientSaysGone() throws Exception {
        try (TestLogSource restored = TestLogSource.open(dir.resolve("restored"), LOG_ID);
             PullServer s = PullServer.start(restored, null, dir.resolve("snapshots-2"));
             PullClient c = new PullClient(s.uri(), PullClient.Options.of("follower-1"))) {
            restored.startAt(100);
            restored.appendRows(5);

            HttpResponse<byte[]> r = get(s.uri("/v1/log?after=0"));
            UpstreamException fromZero = assertThrows(UpstreamException.class, () -> c.pull(0, LOG_ID, 1 << 20, Duration.ZERO));
            UpstreamException justBefore = assertThrows(UpstreamException.class, () -> c.pull(99, LOG_ID, 1 << 20, Duration.ZERO));
            PullClient.Batch first = c.pull(100, LOG_ID, 1 << 20, Duration.ZERO);

            assertEquals(410, r.statusCode());
            assertTrue(text(r).contains(PullProtocol.SNAPSHOT_PATH), text(r));
            assertEquals("101", r.headers().firstValue(PullProtocol.FIRST_INDEX_HEADER).orElseThrow());
            assertEquals(UpstreamException.Kind.GONE, fromZero.kind());
            assertEquals(UpstreamException.Kind.GONE, justBefore.kind());
            assertEquals(101, first.frames().get(0).entry().index());
            assertEquals(105, first.lastIndex(100));
        }
    }

    @Test
    void when_theLogSpansSegmentsAndRetentionDropsSome_then_pullsCrossEachBoundaryAndTheOldAreGone() throws Exception {
        SegmentStoreConfig small = SegmentStoreConfig.defaults().withSegmentBytes(SegmentStoreConfig.MIN_SEGMENT_BYTES)
                .withRetentionBytes(16 * 1024);
        try (TestLogSource rolled = TestLogSource.open(dir.resolve("rolled"), LOG_ID, small);
             PullServer s = PullServer.start(rolled, null, dir.resolve("snapshots-3"));
             PullClient c = new PullClient(s.uri(), PullClient.Options.of("follower-1"))) {
            for (int i = 0; i < 40; i++) {
                rolled.appendRows(5);
            }
            ByteArrayOutputStream segmentFiles = new ByteArrayOutputStream();
            try (var files = Files.list(rolled.segments().directory())) {
                for (Path p : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                    segmentFiles.writeBytes(Files.readAllBytes(p));
                }
            }

            ByteArrayOutputStream pulled = new ByteArrayOutputStream();
            int pulls = 0;
            for (long after = 0; after < 200; pulls++) {
                PullClient.Batch b = c.pull(after, LOG_ID, 1 << 20, Duration.ZERO);
                pulled.writeBytes(concat(b.frames()));
                after = b.lastIndex(after);
            }
            assertTrue(rolled.segments().segmentCount() > 3, rolled.segments().segmentCount() + " segments");
            assertEquals(rolled.segments().segmentCount(), pulls, "one pull per segment");
            assertArrayEquals(segmentFiles.toByteArray(), pulled.toByteArray());

            assertFalse(rolled.segments().applyRetention().isEmpty());
            long first = rolled.segments().firstIndex();
            assertEquals(UpstreamException.Kind.GONE,
                    assertThrows(UpstreamException.class, () -> c.pull(first - 2, LOG_ID, 1 << 20, Duration.ZERO)).kind());
            assertEquals(first, c.pull(first - 1, LOG_ID, 1 << 20, Duration.ZERO).frames().get(0).entry().index());
        }
    }

    @Test
    void when_theCallerHoldsAnotherLog_then_409AndTheClientSaysLogIdMismatch() throws Exception {
        source.appendRows(3);

        HttpResponse<byte[]> r = get(server.uri("/v1/log?after=0"), PullProtocol.LOG_ID_HEADER, "another-log");
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> client.pull(0, "another-log", 1 << 20, Duration.ZERO));

        assertEquals(409, r.statusCode());
        assertTrue(text(r).contains("another-log") && text(r).contains(LOG_ID), text(r));
        assertEquals(UpstreamException.Kind.LOG_ID_MISMATCH, e.kind());
        assertEquals(3, client.pull(0, LOG_ID, 1 << 20, Duration.ZERO).lastIndex(0));
    }

    @Test
    void when_formatIsJson_then_eachLineIsOneEntry() throws Exception {
        source.appendRows(30);

        HttpResponse<byte[]> r = get(server.uri("/v1/log?after=10&format=json"));

        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith(PullProtocol.NDJSON_TYPE));
        List<Entry> parsed = text(r).lines().map(EntryJson::fromJson).toList();
        assertTrue(text(r).endsWith("\n"));
        assertEquals(source.segments().readEntries(11, 100), parsed);
    }

    @Test
    void when_gzipIsAccepted_then_theBodyIsGzipOfTheSameFrames() throws Exception {
        source.appendRows(50);

        HttpResponse<byte[]> frames = get(server.uri("/v1/log?after=0"), "Accept-Encoding", "gzip");
        HttpResponse<byte[]> json = get(server.uri("/v1/log?after=0&format=json"), "Accept-Encoding", "gzip");

        assertEquals(200, frames.statusCode());
        assertEquals("gzip", frames.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals(PullProtocol.FRAMES_TYPE, frames.headers().firstValue("Content-Type").orElseThrow());
        assertArrayEquals(segmentBytes(1, PullProtocol.DEFAULT_MAX_BYTES), gunzip(frames.body()));
        assertEquals("gzip", json.headers().firstValue("Content-Encoding").orElseThrow());
        assertEquals(source.segments().readEntries(1, 50),
                new String(gunzip(json.body()), StandardCharsets.UTF_8).lines().map(EntryJson::fromJson).toList());
    }

    private static byte[] gunzip(byte[] body) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
            return in.readAllBytes();
        }
    }

    @Test
    void when_segmentsRunAheadOfTheCommitIndex_then_noFormatServesTheUncommittedEntries() throws Exception {
        source.appendRows(10);
        List<HttpResponse<byte[]>> answers = new ArrayList<>();
        List<PullClient.Batch> batches = new ArrayList<>();

        source.append(List.of(TestLogSource.insert(1000, "pending"), TestLogSource.insert(1001, "pending")), () -> {
            try {
                answers.add(get(server.uri("/v1/log?after=7")));
                answers.add(get(server.uri("/v1/log?after=7"), "Accept-Encoding", "gzip"));
                answers.add(get(server.uri("/v1/log?after=7&format=json")));
                answers.add(get(server.uri("/v1/log?after=10&wait_ms=0")));
                batches.add(client.pull(7, LOG_ID, 1 << 20, Duration.ZERO));
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        assertEquals(12, source.segments().lastIndex());
        byte[] committed = firstFrames(segmentBytes(8, Integer.MAX_VALUE), 3);
        assertEquals(3, batches.get(0).frames().size());
        assertArrayEquals(committed, concat(batches.get(0).frames()));
        assertArrayEquals(committed, answers.get(0).body());
        assertEquals(String.valueOf(committed.length), answers.get(0).headers().firstValue("Content-Length").orElseThrow());
        assertArrayEquals(committed, gunzip(answers.get(1).body()));
        assertEquals(source.segments().readEntries(8, 3), text(answers.get(2)).lines().map(EntryJson::fromJson).toList());
        assertEquals(204, answers.get(3).statusCode());
        assertEquals("10", answers.get(3).headers().firstValue(PullProtocol.COMMIT_INDEX_HEADER).orElseThrow());
    }

    @Test
    void when_parametersAreBad_then_400NamesTheParameter() throws Exception {
        source.appendRows(1);

        assertBadRequest("/v1/log", "after");
        assertBadRequest("/v1/log?after=-1", "after");
        assertBadRequest("/v1/log?after=x", "after");
        assertBadRequest("/v1/log?after=0&max_bytes=abc", "max_bytes");
        assertBadRequest("/v1/log?after=0&max_bytes=0", "max_bytes");
        assertBadRequest("/v1/log?after=0&wait_ms=60001", "wait_ms");
        assertBadRequest("/v1/log?after=0&format=xml", "format");
        assertEquals(0, server.service().followers().list().size(), "a refused pull is no position");
    }

    private void assertBadRequest(String pathAndQuery, String parameter) throws Exception {
        HttpResponse<byte[]> r = get(server.uri(pathAndQuery), PullProtocol.NODE_HEADER, "edge-bad");
        assertEquals(400, r.statusCode(), pathAndQuery);
        assertTrue(text(r).contains(parameter), pathAndQuery + " answered " + text(r));
        assertFalse(text(r).isBlank());
    }
}
