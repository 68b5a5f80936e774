package dev.edgelog.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole tree as real processes from the packaged jars: three primary nodes, mirror A following
 * them, mirror B following A (and the primary nodes after it), edge agents following B; writers
 * running. Mirror A is killed -9 and B fails over while the edges stay fresh; A restarts and catches
 * up; a new edge bootstraps from B's snapshot while no primary node serves a snapshot; the primary's
 * {@code /v1/fleet} shows every node with its path; a mirror told to follow itself refuses. At the
 * end every edge and mirror holds exactly the primary's content at its commit index.
 */
class MirrorProcessesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MIRROR_JAR = Path.of("target", "edgelog-mirror.jar");
    private static final Path EDGE_JAR = Path.of("..", "edge-agent", "target", "edgelog-edge.jar");
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @RegisterExtension
    final KeepLogsOnFailure keepLogs = new KeepLogsOnFailure(() -> dir);

    private PrimaryProcesses primaries;
    private final Map<String, ChildJvm> processes = new HashMap<>();
    private final Map<String, String> http = new HashMap<>();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (ChildJvm p : processes.values()) {
            p.close();
        }
        if (primaries != null) {
            primaries.close();
        }
    }

    @Test
    void when_theLogFlowsThroughTwoMirrorTiers_then_edgesStayFreshThroughAMirrorCrashAndEqualThePrimary()
            throws Exception {
        primaries = PrimaryProcesses.start(dir);
        primaries.startWriters(2);
        String allPrimaries = "\"" + primaries.uri(0) + "\", \"" + primaries.uri(1) + "\", \"" + primaries.uri(2) + "\"";
        http.put("mirror-a", "127.0.0.1:" + TestPorts.free());
        http.put("mirror-b", "127.0.0.1:" + TestPorts.free());
        startMirror("mirror-a", allPrimaries);
        startMirror("mirror-b", "\"http://" + http.get("mirror-a") + "\", " + allPrimaries);
        startEdge("edge-0");
        startEdge("edge-1");
        Await.until("edges applying through two mirrors", WAIT, () -> applied("edge-0") > 50 && applied("edge-1") > 50);
        assertTrue(status("mirror-b").path("upstream").asText().contains(http.get("mirror-a")));

        processes.remove("mirror-a").kill9();
        long e0 = applied("edge-0");
        Await.until("B fails over to a primary node and the edges stay fresh", WAIT,
                () -> !status("mirror-b").path("upstream").asText().contains(http.get("mirror-a"))
                        && applied("edge-0") > e0 + 50 && applied("edge-1") > e0 + 50);
        startMirror("mirror-a", allPrimaries);
        Await.until("A catches up after its restart", WAIT,
                () -> applied("mirror-a") >= applied("mirror-b") && status("mirror-a").path("bootstraps").asLong() == 0);

        long snapshotsBefore = primarySnapshotsServed();
        startEdge("edge-2");
        Await.until("a new edge bootstraps from B", WAIT,
                () -> status("edge-2").path("bootstraps").asLong() >= 1 && applied("edge-2") > 0);
        assertEquals(snapshotsBefore, primarySnapshotsServed(), "no primary node served the new edge a snapshot");
        assertTrue(status("mirror-b").path("snapshots_served").asLong() >= 1);

        Await.until("the primary's fleet table shows the tree", WAIT, () -> {
            JsonNode fleet = fleet();
            return path(fleet, "edge-2").endsWith("mirror-b") && path(fleet, "edge-0").endsWith("mirror-b")
                    && path(fleet, "mirror-b").length() > 0 && path(fleet, "mirror-a").matches("n[0-2]");
        });
        JsonNode fleet = fleet();
        for (JsonNode n : fleet.path("nodes")) {
            assertFalse(n.path("stale").asBoolean(), n.toString());
        }

        http.put("mirror-loop", "127.0.0.1:" + TestPorts.free());
        startMirror("mirror-loop", "\"http://" + http.get("mirror-loop") + "\"");
        Await.until("a mirror told to follow itself refuses", WAIT,
                () -> status("mirror-loop").path("last_error").asText().contains("leads back to this node"));
        assertEquals(0, status("mirror-loop").path("applied_index").asLong());

        primaries.stopWriters();
        long commit = primaries.awaitConverged();
        String expected = primaries.query(0, PrimaryProcesses.CONTENT);
        for (String node : List.of("mirror-a", "mirror-b", "edge-0", "edge-1", "edge-2")) {
            Await.until(node + " at the commit index " + commit, WAIT, () -> applied(node) == commit);
            assertEquals(expected, content(node), node + " content");
        }
        for (long id : primaries.acknowledged()) {
            assertTrue(expected.contains("," + id + ":") || expected.startsWith(id + ":")
                    || expected.contains("|" + id + ":"), "acknowledged write " + id + " reached the edges");
        }
    }

    private void startMirror(String name, String upstreams) throws Exception {
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, "node_name: " + name + "\n"
                + "data_dir: " + dir.resolve(name) + "\n"
                + "upstreams: [" + upstreams + "]\n"
                + "http_address: " + http.get(name) + "\n"
                + "poll_wait_ms: 2000\nstall_timeout_ms: 3000\nbreaker_open_ms: 2000\n"
                + "backoff: {initial_ms: 20, max_ms: 500}\n"
                + "fleet_report_ms: 500\n"
                + "segments: {segment_bytes: 32768, retention_bytes: 98304}\n");
        processes.put(name, ChildJvm.startJar(MIRROR_JAR, dir.resolve(name + "-" + System.nanoTime() + ".stderr"),
                "mirror", "--config", config.toString(), "--insecure"));
        processes.get(name).awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
    }

    private void startEdge(String name) throws Exception {
        http.put(name, "127.0.0.1:" + TestPorts.free());
        Path config = dir.resolve(name + ".yaml");
        Files.writeString(config, "node_name: " + name + "\n"
                + "data_dir: " + dir.resolve(name) + "\n"
                + "upstreams: [\"http://" + http.get("mirror-b") + "\"]\n"
                + "http_address: " + http.get(name) + "\n"
                + "poll_wait_ms: 2000\nstall_timeout_ms: 3000\nbreaker_open_ms: 2000\n"
                + "backoff: {initial_ms: 20, max_ms: 500}\n");
        processes.put(name, ChildJvm.startJar(EDGE_JAR, dir.resolve(name + "-" + System.nanoTime() + ".stderr"),
                "edge", "--config", config.toString()));
        processes.get(name).awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
    }

    private JsonNode status(String node) {
        try {
            return JSON.readTree(primaries.get(http.get(node), "/status").body());
        } catch (IOException | InterruptedException | RuntimeException e) {
            return JSON.createObjectNode();
        }
    }

    private long applied(String node) {
        return status(node).path("applied_index").asLong(-1);
    }

    private long primarySnapshotsServed() throws Exception {
        long sum = 0;
        for (int i = 0; i < 3; i++) {
            sum += primaries.json(i, "/v1/status").path("snapshots_served").asLong();
        }
        return sum;
    }

    private JsonNode fleet() {
        try {
            return primaries.json(0, "/v1/fleet");
        } catch (IOException | InterruptedException | RuntimeException e) {
            return JSON.createObjectNode();
        }
    }

    /** The node's path in the fleet table as {@code a/b/c}; empty when it is not listed. */
    private static String path(JsonNode fleet, String node) {
        for (JsonNode n : fleet.path("nodes")) {
            if (n.path("node").asText().equals(node)) {
                List<String> hops = new ArrayList<>();
                n.path("path").forEach(h -> hops.add(h.asText()));
                return String.join("/", hops);
            }
        }
        return "";
    }

    private String content(String node) throws Exception {
        return DbFiles.value(dir.resolve(node).resolve(node.startsWith("edge") ? "edge.db" : "mirror.db"),
                PrimaryProcesses.CONTENT);
    }
}
