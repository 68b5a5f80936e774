package dev.edgelog.sqllog.pull;

import static dev.edgelog.sqllog.pull.PullServiceIT.LOG_ID;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.segment.FrameRange;
import dev.edgelog.sqllog.testing.PullServer;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Long polls: parked without a thread, answered by the next commit, released by their timeout. */
class PullServiceLongPollIT {

    private static final Duration LONGEST = Duration.ofMillis(PullProtocol.MAX_WAIT_MS);

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
        source.appendRows(5);
    }

    @AfterEach
    void stop() {
        client.close();
        server.close();
        source.close();
    }

    @Test
    void when_anEntryIsCommittedDuringALongPoll_then_thePullAnswersWithItAtOnce() {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            CompletableFuture<List<Entry>> writer = CompletableFuture.supplyAsync(() -> {
                awaitParkedPulls(1);
                sleep(300);
                return source.appendRows(1);
            });
            long start = System.nanoTime();
            PullClient.Batch b = client.pull(5, LOG_ID, 1 << 20, LONGEST);
            long tookMs = (System.nanoTime() - start) / 1_000_000;

            assertEquals(writer.join(), b.frames().stream().map(FrameReader.Frame::entry).toList());
            assertEquals(6, b.lastIndex(5));
            assertTrue(tookMs < 15_000, "the long poll took " + tookMs + " ms");
            assertEquals(0, server.service().waitingPulls());
            // the keep-alive connection serves the next pull
            assertEquals(6, client.pull(5, LOG_ID, 1 << 20, Duration.ZERO).lastIndex(5));
        });
    }

    @Test
    void when_theWaitRunsOut_then_204ComesAfterItAndTheWaitIsReleased() throws IOException {
        long start = System.nanoTime();
        PullClient.Batch empty = client.pull(5, LOG_ID, 1 << 20, Duration.ofMillis(500));
        long tookMs = (System.nanoTime() - start) / 1_000_000;

        assertTrue(empty.frames().isEmpty());
        assertTrue(tookMs >= 450, "answered after " + tookMs + " ms of a 500 ms wait");
        assertEquals(0, server.service().waitingPulls());
        source.appendRows(1);
        assertEquals(6, client.pull(5, LOG_ID, 1 << 20, Duration.ZERO).lastIndex(5));
    }

    @Test
    void when_morePullsParkThanThereAreWorkers_then_othersAreServedAndOneCommitWakesThemAll() {
        int parkedCount = PullServer.WORKER_THREADS * 8;
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            List<CompletableFuture<HttpResponse<byte[]>>> parked = new ArrayList<>();
            for (int i = 0; i < parkedCount; i++) {
                HttpRequest req = HttpRequest.newBuilder(server.uri("/v1/log?after=5&wait_ms=" + LONGEST.toMillis()))
                        .header(PullProtocol.NODE_HEADER, "edge-" + i).build();
                parked.add(http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()));
            }
            awaitParkedPulls(parkedCount);

            assertEquals(5, client.pull(0, LOG_ID, 1 << 20, Duration.ZERO).lastIndex(0), "served beside the parked pulls");
            assertTrue(client.status().contains("\"waiting_pulls\" : " + parkedCount), client.status());
            source.appendRows(1);

            byte[] entry6 = segmentBytes(6);
            for (CompletableFuture<HttpResponse<byte[]>> f : parked) {
                HttpResponse<byte[]> r = f.join();
                assertEquals(200, r.statusCode());
                assertArrayEquals(entry6, r.body());
            }
            assertEquals(0, server.service().waitingPulls());
        });
    }

    @Test
    void when_oneCommitWakesPullsOfDifferentSizes_then_eachGetsWhatItAskedFor() {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            List<CompletableFuture<HttpResponse<byte[]>>> whole = new ArrayList<>();
            List<CompletableFuture<HttpResponse<byte[]>>> small = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                boolean one = i % 6 == 0;
                HttpRequest req = HttpRequest.newBuilder(server.uri("/v1/log?after=5&wait_ms=" + LONGEST.toMillis()
                        + (one ? "&max_bytes=1" : ""))).header(PullProtocol.NODE_HEADER, "edge-" + i).build();
                (one ? small : whole).add(http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray()));
            }
            awaitParkedPulls(60);
            source.appendRows(3); // one commit: 6, 7 and 8

            byte[] three;
            try (FrameRange range = source.segments().readRange(6, 1 << 20)) {
                three = range.toBytes();
            }
            for (CompletableFuture<HttpResponse<byte[]>> f : whole) {
                assertArrayEquals(three, f.join().body(), "every full-size pull gets the same three frames");
            }
            for (CompletableFuture<HttpResponse<byte[]>> f : small) {
                assertArrayEquals(segmentBytes(6), f.join().body(), "max_bytes=1 still gets one whole frame");
            }
        });
    }

    @Test
    void when_aParkedPullersConnectionIsGone_then_commitsGoOnAndItsWaitIsReleased() throws IOException {
        try (Socket gone = new Socket("127.0.0.1", server.uri().getPort())) {
            OutputStream out = gone.getOutputStream();
            out.write(("GET /v1/log?after=5&wait_ms=" + LONGEST.toMillis() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTimeoutPreemptively(Duration.ofSeconds(20), () -> awaitParkedPulls(1));
        }

        assertEquals(6, source.appendRows(1).get(0).index());
        assertEquals(0, server.service().waitingPulls());
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            CompletableFuture.runAsync(() -> {
                awaitParkedPulls(1);
                source.appendRows(1);
            });
            assertEquals(7, client.pull(6, LOG_ID, 1 << 20, LONGEST).lastIndex(6));
        });
    }

    private byte[] segmentBytes(long index) {
        try (FrameRange range = source.segments().readRange(index, 1)) {
            return range.toBytes();
        }
    }

    private void awaitParkedPulls(int n) {
        while (server.service().waitingPulls() < n) {
            sleep(5);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
