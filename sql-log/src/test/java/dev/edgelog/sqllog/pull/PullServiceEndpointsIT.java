package dev.edgelog.sqllog.pull;

import static dev.edgelog.sqllog.pull.PullServiceIT.LOG_ID;
import static dev.edgelog.sqllog.pull.PullServiceIT.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import dev.edgelog.sqllog.snapshot.Snapshots;
import dev.edgelog.sqllog.testing.PullServer;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pull API's snapshot and status endpoints, and who may use the API at all. */
class PullServiceEndpointsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private TestLogSource source;
    private PullServer server;

    @BeforeEach
    void start() throws IOException {
        source = TestLogSource.open(dir.resolve("source"), LOG_ID);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        source.close();
    }

    private PullServer serve(Credentials credentials) throws IOException {
        server = PullServer.start(source, credentials, dir.resolve("snapshots"));
        return server;
    }

    @Test
    void when_aSnapshotIsDownloaded_then_itMatchesItsAnnouncementAndWritesGoOnMeanwhile() throws Exception {
        serve(null);
        source.appendRows(500);
        Path target = Files.createDirectories(dir.resolve("follower")).resolve("bootstrap.db");
        List<Long> appendedDuring = new ArrayList<>();
        AtomicBoolean downloading = new AtomicBoolean(true);
        CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
            int n = 0;
            for (; downloading.get(); n++) {
                source.appendRows(1);
            }
            return n;
        });

        PullClient.Snapshot snap;
        try (PullClient client = new PullClient(server.uri(), PullClient.Options.of("edge-1"))) {
            snap = client.downloadSnapshot(target, LOG_ID, (bytes, total) -> {
                source.appendRows(1);
                appendedDuring.add(source.commitIndex());
            });
        } finally {
            downloading.set(false);
        }
        int background = writer.get(20, TimeUnit.SECONDS);

        assertTrue(snap.index() >= 500, "snapshot at " + snap.index());
        assertEquals(LOG_ID, snap.logId());
        assertEquals(Snapshots.sha256(target), snap.sha256());
        assertEquals(Files.size(target), snap.bytes());
        SnapshotInfo inside = Snapshots.inspect(target);
        assertEquals(LOG_ID, inside.logId());
        assertEquals(snap.index(), inside.index());
        assertEquals(snap.index() - 1, count(target, "SELECT count(*) FROM t"), "rows 2..index and nothing later");
        assertFalse(Files.exists(dir.resolve("follower/bootstrap.db.part")));
        assertFalse(appendedDuring.isEmpty());
        assertTrue(appendedDuring.get(0) > snap.index(), "an append after the snapshot was cut, before the download ended");
        assertEquals(500 + background + appendedDuring.size(), source.commitIndex(), "every append committed");
    }

    @Test
    void when_twoDownloadsFollowEachOther_then_theyShareOneSnapshot() throws Exception {
        serve(null);
        source.appendRows(50);

        try (PullClient client = new PullClient(server.uri(), PullClient.Options.of("edge-1"))) {
            PullClient.Snapshot first = client.downloadSnapshot(dir.resolve("a.db"), LOG_ID, (b, t) -> { });
            source.appendRows(10);
            PullClient.Snapshot second = client.downloadSnapshot(dir.resolve("b.db"), LOG_ID, (b, t) -> { });

            assertEquals(first.sha256(), second.sha256());
            assertEquals(50, second.index());
        }
        try (var files = Files.list(dir.resolve("snapshots"))) {
            assertEquals(1, files.count(), "one snapshot file serves both");
        }
    }

    private static long count(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
             java.sql.Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void when_aFollowerPulls_then_statusListsItWithItsPosition() throws Exception {
        serve(null);
        source.appendRows(10);

        try (PullClient edge = new PullClient(server.uri(), PullClient.Options.of("edge-7"));
             PullClient other = new PullClient(server.uri(), PullClient.Options.of("edge-8"))) {
            edge.pull(5, LOG_ID, 1 << 20, Duration.ZERO);
            other.pull(0, LOG_ID, 1, Duration.ZERO);
            JsonNode before = JSON.readTree(edge.status());
            edge.pull(10, LOG_ID, 1 << 20, Duration.ZERO);
            JsonNode after = JSON.readTree(other.status());

            assertEquals(PullServer.NODE, before.get("node").asText());
            assertEquals(LOG_ID, before.get("log_id").asText());
            assertEquals(10, before.get("commit_index").asLong());
            assertEquals(1, before.get("first_index").asLong());
            assertEquals(10, before.get("last_index").asLong());
            assertEquals(5, follower(before, "edge-7").get("position").asLong());
            assertEquals(0, follower(before, "edge-8").get("position").asLong());
            assertTrue(follower(before, "edge-7").get("address").asText().contains("127.0.0.1"));
            assertEquals(10, follower(after, "edge-7").get("position").asLong());
            assertEquals(2, after.get("followers").size());
        }
    }

    private static JsonNode follower(JsonNode status, String node) {
        for (JsonNode f : status.get("followers")) {
            if (f.get("node").asText().equals(node)) {
                return f;
            }
        }
        throw new AssertionError(node + " is not among the followers: " + status);
    }

    @Test
    void when_credentialsAreRequired_then_onlyATokenWithThePullScopeGetsIn() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens.json"), "["
                + "{\"name\": \"edges\", \"sha256\": \"" + Credentials.sha256("pull-token") + "\", \"scopes\": [\"pull\"]},"
                + "{\"name\": \"writers\", \"sha256\": \"" + Credentials.sha256("write-token") + "\", \"scopes\": [\"write\"]}]");
        serve(Credentials.load(null, tokens));
        source.appendRows(3);

        for (String path : List.of("/v1/log?after=0", "/v1/snapshot", "/v1/status")) {
            HttpResponse<byte[]> none = get(server.uri(path));
            HttpResponse<byte[]> wrongScope = get(server.uri(path), "Authorization", "Bearer write-token");
            HttpResponse<byte[]> unknown = get(server.uri(path), "Authorization", "Bearer guessed");
            HttpResponse<byte[]> pull = get(server.uri(path), "Authorization", "Bearer pull-token");

            assertEquals(401, none.statusCode(), path);
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Bearer"), path);
            assertEquals(403, wrongScope.statusCode(), path);
            assertTrue(PullServiceIT.text(wrongScope).contains("pull scope"), PullServiceIT.text(wrongScope));
            assertEquals(401, unknown.statusCode(), path);
            assertEquals(200, pull.statusCode(), path);
        }
        assertUnauthorized(PullClient.Options.of("intruder"));
        assertUnauthorized(PullClient.Options.of("intruder").withToken("write-token"));
        try (PullClient allowed = new PullClient(server.uri(), PullClient.Options.of("edge-1").withToken("pull-token"))) {
            assertEquals(3, allowed.pull(0, LOG_ID, 1 << 20, Duration.ZERO).lastIndex(0));
        }
        assertEquals(List.of("edge-1"), server.service().followers().list().stream().map(Followers.Follower::node).toList(),
                "a refused puller is not listed");
    }

    private void assertUnauthorized(PullClient.Options options) throws IOException {
        try (PullClient c = new PullClient(server.uri(), options)) {
            UpstreamException pull = assertThrows(UpstreamException.class, () -> c.pull(0, LOG_ID, 1 << 20, Duration.ZERO));
            UpstreamException snapshot = assertThrows(UpstreamException.class,
                    () -> c.downloadSnapshot(dir.resolve("denied.db"), LOG_ID, (b, t) -> { }));
            UpstreamException status = assertThrows(UpstreamException.class, c::status);

            assertEquals(UpstreamException.Kind.UNAUTHORIZED, pull.kind());
            assertEquals(UpstreamException.Kind.UNAUTHORIZED, snapshot.kind());
            assertEquals(UpstreamException.Kind.UNAUTHORIZED, status.kind());
            assertFalse(Files.exists(dir.resolve("denied.db")));
        }
    }
}
