package dev.edgelog.mirror;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.follow.FollowerSettings;
import dev.edgelog.sqllog.pull.PullClient;
import dev.edgelog.sqllog.segment.FrameRange;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.PullServer;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirrors in one JVM over real sockets, SQLite files and segment stores: an upstream shaped like a
 * primary node ({@link TestLogSource}), mirrors chained below it, and plain followers (what an edge
 * agent runs) below those.
 */
class MirrorIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    static MirrorConfig mirror(Path dataDir, String name, URI... upstreams) {
        return MirrorConfig.of(name, dataDir, List.of(upstreams))
                .with(f -> f.withHttpAddress("127.0.0.1:0").withTiming(Duration.ofSeconds(2), Duration.ofSeconds(5),
                        Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(500)))
                .withFleetReport(Duration.ofMillis(200));
    }

    static URI uri(MirrorNode m) {
        return URI.create("http://127.0.0.1:" + m.httpPort());
    }

    static Follower edge(Path dataDir, String name, URI... upstreams) throws IOException {
        return edge(dataDir, name, PullClient.Options.of(name).withRole("edge"), upstreams);
    }

    /** A started follower (what an edge agent runs) with quick timings, writing {@code dataDir/edge.db}. */
    static Follower edge(Path dataDir, String name, PullClient.Options options, URI... upstreams) throws IOException {
        Follower f = new Follower(new FollowerSettings(name, dataDir.resolve("edge.db"), List.of(upstreams), 1 << 20,
                Duration.ofSeconds(1), Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(500)),
                options, Clock.systemUTC());
        f.start();
        return f;
    }

    @Test
    void aChainOfMirrorsRelaysTheLogByteForByte() throws Exception {
        try (TestLogSource source = TestLogSource.open(dir.resolve("primary"), "log-1");
             PullServer primary = PullServer.start(source, null, dir.resolve("primary-snaps"))) {
            source.appendRows(200);
            try (MirrorNode a = MirrorNode.start(mirror(dir.resolve("a"), "mirror-a", primary.uri()));
                 MirrorNode b = MirrorNode.start(mirror(dir.resolve("b"), "mirror-b", uri(a)))) {
                Follower e = edge(dir.resolve("e"), "edge-1", uri(b));
                try {
                    source.appendRows(300);
                    long last = source.commitIndex();
                    Await.until("the edge behind two mirrors applies everything", WAIT,
                            () -> e.status().appliedIndex() == last);
                    assertEquals(TestLogSource.rows(source.databaseFile()), TestLogSource.rows(e.database()));
                    assertEquals(TestLogSource.rows(source.databaseFile()),
                            TestLogSource.rows(dir.resolve("b").resolve("mirror.db")));
                    // a new mirror started with an empty data dir bootstraps from the upstream's snapshot
                    // (the first one too: a mirror has no database at first)
                    assertEquals(1, a.status().bootstraps());
                    assertArrayEquals(frames(source.segments(), a.segments().firstIndex(), last),
                            frames(a.segments(), a.segments().firstIndex(), last), "A's segments = the primary's bytes");
                    assertArrayEquals(frames(a.segments(), b.segments().firstIndex(), last),
                            frames(b.segments(), b.segments().firstIndex(), last), "B's segments = A's bytes");
                    assertEquals(List.of("upstream-1", "mirror-a", "mirror-b"), b.pullService().path());
                } finally {
                    e.close();
                }
            }
        }
    }

    @Test
    void edgesBootstrapFromTheMirrorsSnapshotAndTheUpstreamServesOnlyTheMirrors() throws Exception {
        try (TestLogSource source = TestLogSource.open(dir.resolve("primary"), "log-1");
             PullServer primary = PullServer.start(source, null, dir.resolve("primary-snaps"))) {
            source.appendRows(100);
            try (MirrorNode a = MirrorNode.start(mirror(dir.resolve("a"), "mirror-a", primary.uri()))) {
                Await.until("A bootstrapped", WAIT, () -> a.status().appliedIndex() == 100);
                source.appendRows(50);
                Await.until("A follows", WAIT, () -> a.status().appliedIndex() == 150);
                Follower e1 = edge(dir.resolve("e1"), "edge-1", uri(a));
                Follower e2 = edge(dir.resolve("e2"), "edge-2", uri(a));
                try {
                    source.appendRows(20);
                    Await.until("both edges caught up", WAIT,
                            () -> e1.status().appliedIndex() == 170 && e2.status().appliedIndex() == 170);
                    assertEquals(1, e1.status().bootstraps(), "a new edge bootstraps");
                    assertEquals(TestLogSource.rows(source.databaseFile()), TestLogSource.rows(e2.database()));
                } finally {
                    e1.close();
                    e2.close();
                }
                assertEquals(1, primary.service().snapshotsServed(), "only mirror A took a snapshot from upstream");
                assertTrue(a.pullService().snapshotsServed() >= 1, "the edges took theirs from the mirror");
            }
        }
    }

    @Test
    void aRestartedMirrorResumesWhereItWasWithoutABootstrap() throws Exception {
        try (TestLogSource source = TestLogSource.open(dir.resolve("primary"), "log-1");
             PullServer primary = PullServer.start(source, null, dir.resolve("primary-snaps"))) {
            source.appendRows(60);
            MirrorConfig config = mirror(dir.resolve("a"), "mirror-a", primary.uri());
            try (MirrorNode a = MirrorNode.start(config)) {
                Await.until("A bootstrapped at 60", WAIT, () -> a.status().appliedIndex() == 60);
                source.appendRows(40);
                Await.until("A at 100", WAIT, () -> a.status().appliedIndex() == 100);
            }
            source.appendRows(40);
            try (MirrorNode a = MirrorNode.start(config)) {
                Await.until("A at 140 again", WAIT, () -> a.status().appliedIndex() == 140);
                assertEquals(0, a.status().bootstraps(), "resumed from its own database");
                assertEquals(61, a.segments().firstIndex());
                assertArrayEquals(frames(source.segments(), 61, 140), frames(a.segments(), 61, 140));
                assertEquals(TestLogSource.rows(source.databaseFile()), TestLogSource.rows(config.databaseFile()));
            }
        }
    }

    @Test
    void mirrorsThatFollowEachOtherRefuseTheLoop() throws Exception {
        int portC = dev.edgelog.sqllog.testing.TestPorts.free();
        int portD = dev.edgelog.sqllog.testing.TestPorts.free();
        URI c = URI.create("http://127.0.0.1:" + portC);
        URI d = URI.create("http://127.0.0.1:" + portD);
        try (MirrorNode mc = MirrorNode.start(mirror(dir.resolve("c"), "mirror-c", d)
                .with(f -> f.withHttpAddress("127.0.0.1:" + portC)));
             MirrorNode md = MirrorNode.start(mirror(dir.resolve("d"), "mirror-d", c)
                .with(f -> f.withHttpAddress("127.0.0.1:" + portD)))) {
            Await.until("both mirrors see the loop", WAIT,
                    () -> String.valueOf(mc.status().lastError()).contains("leads back to this node")
                            && String.valueOf(md.status().lastError()).contains("leads back to this node"));
            JsonNode status = getJson(URI.create(c + "/status"));
            assertTrue(status.path("last_error").asText().contains("mirror-c"), status.toString());
        }
    }

    @Test
    void theFleetTableShowsEveryNodeBelowWithItsPath() throws Exception {
        try (TestLogSource source = TestLogSource.open(dir.resolve("primary"), "log-1");
             PullServer primary = PullServer.start(source, null, dir.resolve("primary-snaps"))) {
            source.appendRows(30);
            try (MirrorNode a = MirrorNode.start(mirror(dir.resolve("a"), "mirror-a", primary.uri()));
                 MirrorNode b = MirrorNode.start(mirror(dir.resolve("b"), "mirror-b", uri(a)))) {
                Follower e = edge(dir.resolve("e"), "edge-1", uri(b));
                try {
                    Await.until("the edge applied", WAIT, () -> e.status().appliedIndex() == 30);
                    Await.until("the primary knows the whole tree", WAIT, () -> {
                        try {
                            JsonNode fleet = getJson(primary.uri("/v1/fleet"));
                            return fleet.path("nodes").size() == 3
                                    && path(fleet, "edge-1").equals(List.of("upstream-1", "mirror-a", "mirror-b"));
                        } catch (IOException | InterruptedException ex) {
                            return false;
                        }
                    });
                    JsonNode fleet = getJson(primary.uri("/v1/fleet"));
                    assertEquals(List.of("upstream-1"), path(fleet, "mirror-a"));
                    assertEquals(List.of("upstream-1", "mirror-a"), path(fleet, "mirror-b"));
                    for (JsonNode n : fleet.path("nodes")) {
                        assertEquals(n.path("node").asText().startsWith("edge") ? "edge" : "mirror",
                                n.path("role").asText(), n.toString());
                        assertTrue(n.path("applied_index").asLong() >= 0 && !n.path("stale").asBoolean(), n.toString());
                    }
                    JsonNode stale = getJson(primary.uri("/v1/fleet?stale_ms=1"));
                    Thread.sleep(5);
                    assertTrue(getJson(primary.uri("/v1/fleet?stale_ms=1")).path("nodes").findValues("stale").stream()
                            .anyMatch(JsonNode::asBoolean), stale.toString());
                } finally {
                    e.close();
                }
            }
        }
    }

    private static List<String> path(JsonNode fleet, String node) {
        for (JsonNode n : fleet.path("nodes")) {
            if (n.path("node").asText().equals(node)) {
                List<String> out = new ArrayList<>();
                n.path("path").forEach(p -> out.add(p.asText()));
                return out;
            }
        }
        return List.of();
    }

    private static byte[] frames(SegmentStore store, long from, long to) {
        List<byte[]> parts = new ArrayList<>();
        int total = 0;
        for (long i = from; i <= to; ) {
            try (FrameRange r = store.readRange(i, 1 << 20)) {
                byte[] b = new byte[Math.toIntExact(r.byteCount())];
                r.toByteBuffer().get(b);
                parts.add(b);
                total += b.length;
                i = r.lastIndex() + 1;
            }
        }
        byte[] out = new byte[total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }


    static JsonNode getJson(URI uri) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), uri + ": " + r.body());
        return JSON.readTree(r.body());
    }
}
