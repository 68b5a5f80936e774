package dev.edgelog.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.ChildJvm;
import dev.edgelog.sqllog.testing.TestPorts;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three primary nodes and three edge agents, all real processes from the packaged jars, with
 * writers running: an edge is killed -9 while applying and restarted; the leader, which another
 * edge pulls from, is killed -9 and that edge fails over; a third edge joins after retention dropped
 * the log's beginning and bootstraps from a snapshot. At the end every edge holds exactly the
 * primary's content at the primary's commit index.
 */
class EdgeProcessesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PRIMARY_JAR = Path.of("..", "primary-cluster", "target", "edgelog-primary.jar");
    private static final Path EDGE_JAR = Path.of("target", "edgelog-edge.jar");
    private static final String CONTENT = "SELECT count(*) || '|' || coalesce(sum(id), 0) || '|' || "
            + "coalesce(group_concat(id || ':' || r || ':' || ts, ','), '') FROM (SELECT * FROM t ORDER BY id)";

    @TempDir
    Path dir;

    private final ChildJvm[] primaries = new ChildJvm[3];
    private final String[] primaryHttp = new String[3];
    private final ChildJvm[] edges = new ChildJvm[3];
    private final String[] edgeHttp = new String[3];
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (ChildJvm p : edges) {
            if (p != null) {
                p.close();
            }
        }
        for (ChildJvm p : primaries) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    void when_edgesFollowThroughCrashesFailoverAndRetention_then_everyEdgeEqualsThePrimary() throws Exception {
        writePrimaryConfigs();
        for (int i = 0; i < 3; i++) {
            startPrimary(i);
        }
        Await.until("primaries ready", Duration.ofSeconds(60), () -> {
            for (int i = 0; i < 3; i++) {
                if (status(primaryHttp[i], "/readyz") != 200) {
                    return false;
                }
            }
            return true;
        });
        assertEquals(200, post(0, "[\"CREATE TABLE t(id INTEGER PRIMARY KEY, r INTEGER, ts TEXT)\"]").statusCode());

        Set<Long> acked = ConcurrentHashMap.newKeySet();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong ids = new AtomicLong();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            int seed = w;
            Thread t = new Thread(() -> write(seed, running, ids, acked), "writer-" + w);
            t.start();
            writers.add(t);
        }
        int leader = leader();
        startEdge(0, 0);
        startEdge(1, leader); // edge 1 prefers the leader, which is killed below
        Await.until("edges applying", Duration.ofSeconds(60), () -> applied(0) > 50 && applied(1) > 50);

        edges[0].kill9(); // in the middle of applying: writers keep the log moving
        startEdge(0, 0);

        long before = applied(1);
        primaries[leader].kill9();
        primaries[leader] = null;
        int survivor = (leader + 1) % 3;
        Await.until("edge 1 follows another node", Duration.ofSeconds(60),
                () -> applied(1) > before + 50 && !edgeStatus(1).path("upstream").asText().contains(primaryHttp[leader]));
        startPrimary(leader);

        Await.until("retention dropped the log's beginning", Duration.ofSeconds(120),
                () -> firstIndex(survivor) > 1);
        startEdge(2, survivor);
        Await.until("edge 2 bootstrapped", Duration.ofSeconds(60), () -> edgeStatus(2).path("bootstraps").asLong() >= 1);

        running.set(false);
        for (Thread t : writers) {
            t.join(30_000);
        }
        long commit = awaitPrimariesConverged();
        String expected = query(survivor, CONTENT);
        for (int e = 0; e < 3; e++) {
            int edge = e;
            Await.until("edge " + e + " at the commit index " + commit, Duration.ofSeconds(60), () -> applied(edge) == commit);
            assertEquals(expected, edgeContent(e), "edge " + e + " content");
            JsonNode st = edgeStatus(e);
            assertEquals(commit, st.get("upstream_commit_index").asLong(), "edge " + e + " saw the commit index");
        }
        assertTrue(edgeStatus(1).get("failovers").asLong() >= 1, "edge 1 failed over");
        for (long id : acked) {
            assertTrue(expected.contains("," + id + ":") || expected.contains("|" + id + ":"),
                    "acknowledged write " + id + " is on the edges");
        }
        for (int e = 0; e < 3; e++) {
            int code = edges[e].terminate(Duration.ofSeconds(30));
            assertTrue(code == 0 || code == 143, "edge " + e + " stopped by SIGTERM, exit code " + code);
            edges[e] = null;
        }
    }

    // ---- primaries ----

    private void writePrimaryConfigs() throws IOException {
        StringBuilder peers = new StringBuilder("peers:\n");
        for (int i = 0; i < 3; i++) {
            primaryHttp[i] = "127.0.0.1:" + TestPorts.free();
            peers.append("  - {id: n").append(i).append(", raft_address: \"127.0.0.1:").append(TestPorts.free())
                    .append("\", http_address: \"").append(primaryHttp[i]).append("\"}\n");
        }
        for (int i = 0; i < 3; i++) {
            Files.writeString(dir.resolve("n" + i + ".yaml"), "node_id: n" + i + "\n"
                    + "data_dir: " + dir.resolve("n" + i) + "\n"
                    + "snapshot_threshold: 200\n"
                    + "segments: {segment_bytes: 32768, retention_bytes: 98304}\n" + peers);
        }
    }

    private void startPrimary(int i) throws Exception {
        primaries[i] = ChildJvm.startJar(PRIMARY_JAR, dir.resolve("n" + i + ".stderr"), "primary", "--config",
                dir.resolve("n" + i + ".yaml").toString(), "--insecure");
        primaries[i].awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
    }

    private void write(int seed, AtomicBoolean running, AtomicLong ids, Set<Long> acked) {
        Random random = new Random(seed);
        while (running.get()) {
            long id = ids.incrementAndGet();
            String body = "[[\"INSERT INTO t(id, r, ts) VALUES(?, random(), datetime('now'))\", " + id + "]]";
            try {
                HttpResponse<String> r = post(random.nextInt(3), body);
                if (r.statusCode() == 200 && !r.body().contains("error")) {
                    acked.add(id);
                }
            } catch (IOException | RuntimeException e) {
                // that node is down; the write is not acknowledged
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private int leader() throws Exception {
        for (int i = 0; i < 3; i++) {
            JsonNode s = JSON.readTree(get(primaryHttp[i], "/status").body());
            if (s.get("store").get("is_leader").asBoolean()) {
                return i;
            }
        }
        throw new AssertionError("no leader");
    }

    private long firstIndex(int node) {
        try {
            return JSON.readTree(get(primaryHttp[node], "/v1/status").body()).get("first_index").asLong();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    private long awaitPrimariesConverged() throws InterruptedException {
        long[] commit = {-1};
        Await.until("primaries converged", Duration.ofSeconds(90), () -> {
            long first = -1;
            for (int i = 0; i < 3; i++) {
                try {
                    long c = JSON.readTree(get(primaryHttp[i], "/v1/status").body()).get("commit_index").asLong();
                    if (first >= 0 && c != first) {
                        return false;
                    }
                    first = c;
                } catch (IOException | InterruptedException | RuntimeException e) {
                    return false;
                }
            }
            commit[0] = first;
            return true;
        });
        return commit[0];
    }

    private String query(int node, String sql) throws Exception {
        HttpResponse<String> r = get(primaryHttp[node], "/db/query?level=none&q=" + URLEncoder.encode(sql,
                StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body()).get("results").get(0).get("values").get(0).get(0).asText();
    }

    private HttpResponse<String> post(int node, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + primaryHttp[node] + "/db/execute"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---- edges ----

    private void startEdge(int e, int preferred) throws Exception {
        edgeHttp[e] = "127.0.0.1:" + TestPorts.free();
        StringBuilder ups = new StringBuilder();
        for (int k = 0; k < 3; k++) {
            ups.append(k == 0 ? "" : ", ").append("\"http://").append(primaryHttp[(preferred + k) % 3]).append('"');
        }
        Path config = dir.resolve("edge" + e + ".yaml");
        Files.writeString(config, "node_name: edge-" + e + "\n"
                + "data_dir: " + dir.resolve("edge" + e) + "\n"
                + "upstreams: [" + ups + "]\n"
                + "http_address: " + edgeHttp[e] + "\n"
                + "poll_wait_ms: 2000\nstall_timeout_ms: 3000\nbreaker_open_ms: 2000\n"
                + "backoff: {initial_ms: 20, max_ms: 500}\n"
                + "max_batch_bytes: 16384\n");
        edges[e] = ChildJvm.startJar(EDGE_JAR, dir.resolve("edge" + e + "-" + System.nanoTime() + ".stderr"), "edge",
                "--config", config.toString());
        edges[e].awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
    }

    private JsonNode edgeStatus(int e) {
        try {
            return JSON.readTree(get(edgeHttp[e], "/status").body());
        } catch (IOException | InterruptedException | RuntimeException ex) {
            return JSON.createObjectNode();
        }
    }

    private long applied(int e) {
        return edgeStatus(e).path("applied_index").asLong(-1);
    }

    private String edgeContent(int e) throws Exception {
        Path db = dir.resolve("edge" + e).resolve("edge.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(CONTENT)) {
            rs.next();
            return rs.getString(1);
        }
    }

    // ---- plumbing ----

    private HttpResponse<String> get(String address, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + address + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status(String address, String path) {
        try {
            return get(address, path).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }
}
