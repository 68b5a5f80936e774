package dev.edgelog.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.ChildJvm;
import dev.edgelog.sqllog.testing.DbFiles;
import dev.edgelog.sqllog.testing.KeepLogsOnFailure;
import dev.edgelog.sqllog.testing.PrimaryProcesses;
import dev.edgelog.sqllog.testing.TestPorts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
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
    private static final Path EDGE_JAR = Path.of("target", "edgelog-edge.jar");

    @TempDir
    Path dir;

    @RegisterExtension
    final KeepLogsOnFailure keepLogs = new KeepLogsOnFailure(() -> dir);

    private PrimaryProcesses primaries;
    private final ChildJvm[] edges = new ChildJvm[3];
    private final String[] edgeHttp = new String[3];

    @AfterEach
    void stopAll() throws InterruptedException {
        for (ChildJvm p : edges) {
            if (p != null) {
                p.close();
            }
        }
        if (primaries != null) {
            primaries.close();
        }
    }

    @Test
    void when_edgesFollowThroughCrashesFailoverAndRetention_then_everyEdgeEqualsThePrimary() throws Exception {
        primaries = PrimaryProcesses.start(dir);
        primaries.startWriters(2);
        int leader = primaries.leader();
        startEdge(0, 0);
        startEdge(1, leader); // edge 1 prefers the leader, which is killed below
        Await.until("edges applying", Duration.ofSeconds(60), () -> applied(0) > 50 && applied(1) > 50);

        edges[0].kill9(); // in the middle of applying: writers keep the log moving
        startEdge(0, 0);

        long before = applied(1);
        primaries.kill9(leader);
        int survivor = (leader + 1) % 3;
        Await.until("edge 1 follows another node", Duration.ofSeconds(60), () -> applied(1) > before + 50
                && !edgeStatus(1).path("upstream").asText().contains(primaries.http(leader)));
        primaries.start(leader);

        Await.until("retention dropped the log's beginning", Duration.ofSeconds(120),
                () -> primaries.firstIndex(survivor) > 1);
        startEdge(2, survivor);
        Await.until("edge 2 bootstrapped", Duration.ofSeconds(60), () -> edgeStatus(2).path("bootstraps").asLong() >= 1);

        primaries.stopWriters();
        long commit = primaries.awaitConverged();
        String expected = primaries.query(survivor, PrimaryProcesses.CONTENT);
        for (int e = 0; e < 3; e++) {
            int edge = e;
            Await.until("edge " + e + " at the commit index " + commit, Duration.ofSeconds(60), () -> applied(edge) == commit);
            assertEquals(expected, edgeContent(e), "edge " + e + " content");
            JsonNode st = edgeStatus(e);
            assertEquals(commit, st.get("upstream_commit_index").asLong(), "edge " + e + " saw the commit index");
        }
        assertTrue(edgeStatus(1).get("failovers").asLong() >= 1, "edge 1 failed over");
        for (long id : primaries.acknowledged()) {
            assertTrue(expected.contains("," + id + ":") || expected.contains("|" + id + ":"),
                    "acknowledged write " + id + " is on the edges");
        }
        for (int e = 0; e < 3; e++) {
            int code = edges[e].terminate(Duration.ofSeconds(30));
            assertTrue(code == 0 || code == 143, "edge " + e + " stopped by SIGTERM, exit code " + code);
            edges[e] = null;
        }
    }

    // ---- edges ----

    private void startEdge(int e, int preferred) throws Exception {
        edgeHttp[e] = "127.0.0.1:" + TestPorts.free();
        StringBuilder ups = new StringBuilder();
        for (int k = 0; k < 3; k++) {
            ups.append(k == 0 ? "" : ", ").append('"').append(primaries.uri((preferred + k) % 3)).append('"');
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
            return JSON.readTree(primaries.get(edgeHttp[e], "/status").body());
        } catch (IOException | InterruptedException | RuntimeException ex) {
            return JSON.createObjectNode();
        }
    }

    private long applied(int e) {
        return edgeStatus(e).path("applied_index").asLong(-1);
    }

    private String edgeContent(int e) throws Exception {
        return DbFiles.value(dir.resolve("edge" + e).resolve("edge.db"), PrimaryProcesses.CONTENT);
    }
}
