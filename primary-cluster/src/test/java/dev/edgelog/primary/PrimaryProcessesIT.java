package dev.edgelog.primary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.testing.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three primary nodes as real processes from the packaged jar: concurrent writers through every
 * node, kill -9 of the leader, restart and catch-up, and at the end every node holds every
 * acknowledged write exactly once, the same content, and the same SQL-log entries. (Catching up by
 * snapshot install once the Raft log was purged is forced and checked in the mirror module's
 * {@code ScenarioIT}.)
 */
class PrimaryProcessesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path JAR = Path.of("target", "edgelog-primary.jar");
    private static final int NODES = 3;

    @TempDir
    Path dir;

    private final ChildJvm[] procs = new ChildJvm[NODES];
    private final String[] http = new String[NODES];
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @AfterEach
    void stopAll() throws InterruptedException {
        for (ChildJvm p : procs) {
            if (p != null) {
                p.close();
            }
        }
    }

    @Test
    void when_leaderIsKilledDuringWrites_then_everyAcknowledgedWriteIsOnEveryNodeExactlyOnce() throws Exception {
        writeConfigs();
        for (int i = 0; i < NODES; i++) {
            start(i);
        }
        awaitReady();
        assertEquals(200, post(0, "[\"CREATE TABLE t(id INTEGER, w INTEGER, r INTEGER, ts TEXT)\","
                + " \"CREATE TABLE picks(v)\"]").statusCode());

        Set<Long> acked = ConcurrentHashMap.newKeySet();
        AtomicLong nextId = new AtomicLong();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(writer, running, nextId, acked), "writer-" + w);
            t.start();
            writers.add(t);
        }
        awaitAcked(acked, 200);
        int leader = leader();
        procs[leader].kill9();
        procs[leader] = null;
        int ackedAtKill = acked.size();
        awaitAcked(acked, ackedAtKill + 300); // the survivors elect a leader and keep committing
        start(leader);
        awaitAcked(acked, acked.size() + 100);
        running.set(false);
        for (Thread t : writers) {
            t.join(60_000);
        }

        awaitConverged();
        Map<Long, Integer> counts = null;
        String content = null;
        for (int n = 0; n < NODES; n++) {
            String c = query(n, "SELECT group_concat(id || ':' || w || ':' || r || ':' || ts, ',') FROM "
                    + "(SELECT * FROM t ORDER BY id) UNION ALL SELECT group_concat(v, ',') FROM picks");
            if (content == null) {
                content = c;
                counts = idCounts(n);
            } else {
                assertEquals(content, c, "node " + n + " content differs");
            }
        }
        for (long id : acked) {
            assertEquals(1, counts.getOrDefault(id, 0), "acknowledged write " + id);
        }
        counts.forEach((id, count) -> assertEquals(1, count, "write " + id + " applied more than once"));

        for (int n = 0; n < NODES; n++) {
            int code = procs[n].terminate(Duration.ofSeconds(30));
            assertTrue(code == 0 || code == 143, "node " + n + " stopped by SIGTERM with exit code " + code);
            procs[n] = null;
        }
        assertSameLogEntries(leader);
    }

    private void write(int writer, AtomicBoolean running, AtomicLong nextId, Set<Long> acked) {
        Random random = new Random(writer);
        while (running.get()) {
            long id = nextId.incrementAndGet();
            int node = random.nextInt(NODES);
            String body = "[[\"INSERT INTO t(id, w, r, ts) VALUES(?, ?, random(), datetime('now'))\", " + id + ", "
                    + writer + "]" + (id % 10 == 0
                    ? ", \"INSERT INTO picks SELECT id FROM t ORDER BY RANDOM() LIMIT 1\"" : "") + "]";
            try {
                HttpResponse<String> r = post(node, body);
                if (r.statusCode() == 200 && !r.body().contains("error")) {
                    acked.add(id);
                }
            } catch (IOException | RuntimeException e) {
                // a node is down or the write is in doubt: not acknowledged, never retried with this id
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeConfigs() throws IOException {
        StringBuilder peers = new StringBuilder("peers:\n");
        for (int i = 0; i < NODES; i++) {
            http[i] = "127.0.0.1:" + TestCluster.freePort();
            peers.append("  - {id: n").append(i).append(", raft_address: \"127.0.0.1:").append(TestCluster.freePort())
                    .append("\", http_address: \"").append(http[i]).append("\"}\n");
        }
        for (int i = 0; i < NODES; i++) {
            Files.writeString(dir.resolve("n" + i + ".yaml"), "node_id: n" + i + "\n"
                    + "data_dir: " + dir.resolve("n" + i) + "\n"
                    + "snapshot_threshold: 100\n" + peers);
        }
    }

    private void start(int i) throws Exception {
        procs[i] = ChildJvm.startJar(JAR, dir.resolve("n" + i + ".stderr"), "primary", "--config",
                dir.resolve("n" + i + ".yaml").toString(), "--insecure");
        procs[i].awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
    }

    private void awaitReady() throws InterruptedException {
        TestCluster.await("every node ready", Duration.ofSeconds(60), () -> {
            for (int i = 0; i < NODES; i++) {
                try {
                    if (get(i, "/readyz").statusCode() != 200) {
                        return false;
                    }
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            }
            return true;
        });
    }

    private void awaitAcked(Set<Long> acked, int count) throws InterruptedException {
        TestCluster.await(count + " acknowledged writes", Duration.ofSeconds(90), () -> acked.size() >= count);
    }

    private void awaitConverged() throws InterruptedException {
        TestCluster.await("every node at the same applied index", Duration.ofSeconds(90), () -> {
            long first = -1;
            for (int i = 0; i < NODES; i++) {
                try {
                    JsonNode s = JSON.readTree(get(i, "/status").body()).get("store");
                    long applied = s.get("applied_index").asLong();
                    if (first < 0) {
                        first = applied;
                    } else if (applied != first) {
                        return false;
                    }
                } catch (IOException | InterruptedException | RuntimeException e) {
                    return false;
                }
            }
            return true;
        });
    }

    private int leader() throws Exception {
        for (int i = 0; i < NODES; i++) {
            if (procs[i] != null && JSON.readTree(get(i, "/status").body()).get("store").get("is_leader").asBoolean()) {
                return i;
            }
        }
        throw new AssertionError("no leader");
    }

    private Map<Long, Integer> idCounts(int node) throws Exception {
        JsonNode rows = JSON.readTree(get(node, "/db/query?level=none&q=" + URLEncoder.encode(
                "SELECT id, count(*) FROM t GROUP BY id", StandardCharsets.UTF_8)).body())
                .get("results").get(0).get("values");
        Map<Long, Integer> out = new HashMap<>();
        if (rows != null) {
            for (JsonNode r : rows) {
                out.put(r.get(0).asLong(), r.get(1).asInt());
            }
        }
        return out;
    }

    private String query(int node, String sql) throws Exception {
        HttpResponse<String> r = get(node, "/db/query?level=none&q=" + URLEncoder.encode(sql, StandardCharsets.UTF_8));
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    /**
     * Entry for entry, the nodes' SQL-log segments agree wherever they overlap. The nodes that ran
     * throughout hold the whole log; the restarted one holds it from where it caught up (from the
     * index of the snapshot it installed, when the leader had purged the entries it missed).
     */
    private void assertSameLogEntries(int restarted) {
        List<SegmentStore> stores = new ArrayList<>();
        try {
            for (int n = 0; n < NODES; n++) {
                stores.add(SegmentStore.open(dir.resolve("n" + n).resolve("log"), SegmentStoreConfig.defaults(),
                        Clock.systemUTC()));
            }
            for (int n = 0; n < NODES; n++) {
                if (n != restarted) {
                    assertEquals(1, stores.get(n).firstIndex(), "node " + n + " ran throughout and holds the whole log");
                }
            }
            long from = stores.stream().mapToLong(SegmentStore::firstIndex).max().orElseThrow();
            long to = stores.stream().mapToLong(SegmentStore::lastIndex).min().orElseThrow();
            assertTrue(to >= from, "the nodes' logs overlap: " + from + ".." + to);
            for (SegmentStore st : stores) {
                assertEquals(to, st.lastIndex(), "every node's log ends at the same entry");
            }
            for (long i = 1; i <= to; i++) {
                byte[] expected = null;
                for (int n = 0; n < NODES; n++) {
                    if (i < stores.get(n).firstIndex()) {
                        continue;
                    }
                    Entry e = stores.get(n).readEntries(i, 1).get(0);
                    if (expected == null) {
                        expected = EntryCodec.encode(e);
                        continue;
                    }
                    assertArrayEquals(expected, EntryCodec.encode(e), "entry " + i + " on node " + n);
                }
            }
        } finally {
            stores.forEach(SegmentStore::close);
        }
    }

    private HttpResponse<String> post(int node, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + http[node] + "/db/execute"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(int node, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + http[node] + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
