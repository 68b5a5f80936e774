package dev.edgelog.sqllog.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A 3-node primary cluster of real processes from the packaged jar, on 127.0.0.1 and free ports,
 * with small segments and retention so that tests meet snapshots; plus writers that insert rows
 * with non-deterministic values and remember which writes were acknowledged. Close it in the test.
 */
public final class PrimaryProcesses implements AutoCloseable {

    /** The jar the primary-cluster module packages (tests run from a module directory). */
    public static final Path JAR = Path.of("..", "primary-cluster", "target", "edgelog-primary.jar");
    /** One line describing the table {@code t} written by the writers, to compare replicas. */
    public static final String CONTENT = "SELECT count(*) || '|' || coalesce(sum(id), 0) || '|' || "
            + "coalesce(group_concat(id || ':' || r || ':' || ts, ','), '') FROM (SELECT * FROM t ORDER BY id)";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final long snapshotThreshold;
    private final ChildJvm[] nodes = new ChildJvm[3];
    private final String[] http = new String[3];
    private final Path[] logs = new Path[3];
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Set<Long> acked = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicLong ids = new AtomicLong();
    private final List<Thread> writers = new ArrayList<>();

    private PrimaryProcesses(Path dir, long snapshotThreshold) {
        this.dir = dir;
        this.snapshotThreshold = snapshotThreshold;
    }

    /** Starts the three nodes and waits until they are ready and table {@code t} exists. */
    public static PrimaryProcesses start(Path dir) throws Exception {
        return start(dir, 200);
    }

    /** {@link #start(Path)} with a snapshot every {@code snapshotThreshold} Raft entries (200 there). */
    public static PrimaryProcesses start(Path dir, long snapshotThreshold) throws Exception {
        PrimaryProcesses p = new PrimaryProcesses(dir, snapshotThreshold);
        try {
            p.writeConfigs();
            for (int i = 0; i < 3; i++) {
                p.start(i);
            }
            Await.until("primaries ready", Duration.ofSeconds(60), () -> {
                for (int i = 0; i < 3; i++) {
                    if (p.status(i, "/readyz") != 200) {
                        return false;
                    }
                }
                return true;
            });
            HttpResponse<String> r = p.post(0, "[\"CREATE TABLE t(id INTEGER PRIMARY KEY, r INTEGER, ts TEXT)\"]");
            if (r.statusCode() != 200) {
                throw new IllegalStateException("creating the table failed: " + r.body());
            }
            return p;
        } catch (Exception | Error e) {
            p.close();
            throw e;
        }
    }

    private void writeConfigs() throws IOException {
        StringBuilder peers = new StringBuilder("peers:\n");
        for (int i = 0; i < 3; i++) {
            http[i] = "127.0.0.1:" + TestPorts.free();
            peers.append("  - {id: n").append(i).append(", raft_address: \"127.0.0.1:").append(TestPorts.free())
                    .append("\", http_address: \"").append(http[i]).append("\"}\n");
        }
        for (int i = 0; i < 3; i++) {
            Files.writeString(dir.resolve("n" + i + ".yaml"), "node_id: n" + i + "\n"
                    + "data_dir: " + dataDir(i) + "\n"
                    + "snapshot_threshold: " + snapshotThreshold + "\nraft_segment_bytes: 65536\n"
                    + "segments: {segment_bytes: 32768, retention_bytes: 98304}\n" + peers);
        }
    }

    /** (Re)starts node {@code i} from its data directory. */
    public void start(int i) throws Exception {
        logs[i] = dir.resolve("n" + i + "-" + System.nanoTime() + ".stderr");
        nodes[i] = ChildJvm.startJar(JAR, logs[i], "primary",
                "--config", dir.resolve("n" + i + ".yaml").toString(), "--insecure");
        nodes[i].awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
    }

    /** What node {@code i} has logged since it was last started. */
    public String log(int i) throws IOException {
        return Files.readString(logs[i]);
    }

    /** Kills node {@code i} with SIGKILL. */
    public void kill9(int i) throws InterruptedException {
        nodes[i].kill9();
        nodes[i] = null;
    }

    /** Stops node {@code i} with SIGTERM (an orderly stop) and returns its exit code. */
    public int terminate(int i, Duration timeout) throws InterruptedException {
        int code = nodes[i].terminate(timeout);
        nodes[i] = null;
        return code;
    }

    /** Node {@code i}'s data directory (Raft log, {@code db/}, SQL-log segments in {@code log/}). */
    public Path dataDir(int i) {
        return dir.resolve("n" + i);
    }

    /** {@code host:port} of node {@code i}'s HTTP API. */
    public String http(int i) {
        return http[i];
    }

    public URI uri(int i) {
        return URI.create("http://" + http[i]);
    }

    // ---- writes ----

    /** Starts {@code count} writer threads inserting rows through random nodes. */
    public void startWriters(int count) {
        writing.set(true);
        for (int w = 0; w < count; w++) {
            Random random = new Random(w);
            Thread t = new Thread(() -> write(random), "writer-" + w);
            t.start();
            writers.add(t);
        }
    }

    /** Stops the writers and waits for them. */
    public void stopWriters() throws InterruptedException {
        writing.set(false);
        for (Thread t : writers) {
            t.join(30_000);
        }
        writers.clear();
    }

    /** The ids of every acknowledged insert. */
    public Set<Long> acknowledged() {
        return acked;
    }

    private void write(Random random) {
        while (writing.get()) {
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

    /** {@code POST /db/execute} to node {@code i}. */
    public HttpResponse<String> post(int i, String body) throws IOException, InterruptedException {
        return post(i, body, "");
    }

    /** {@code POST /db/execute<query>} to node {@code i} ({@code query} such as {@code ?transaction}). */
    public HttpResponse<String> post(int i, String body, String query) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + http[i] + "/db/execute" + query))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---- reads ----

    /** The index of the leader node. */
    public int leader() throws Exception {
        for (int i = 0; i < 3; i++) {
            if (nodes[i] != null && json(i, "/status").path("store").path("is_leader").asBoolean()) {
                return i;
            }
        }
        throw new AssertionError("no leader");
    }

    /** {@code GET path} on node {@code i} as JSON. */
    public JsonNode json(int i, String path) throws IOException, InterruptedException {
        return JSON.readTree(get(http[i], path).body());
    }

    /** The first index node {@code i} retains; -1 when it does not answer. */
    public long firstIndex(int i) {
        try {
            return json(i, "/v1/status").get("first_index").asLong();
        } catch (IOException | InterruptedException | RuntimeException e) {
            return -1;
        }
    }

    /** Waits until every node has the same commit index, and returns it. */
    public long awaitConverged() throws InterruptedException {
        long[] commit = {-1};
        Await.until("primaries converged", Duration.ofSeconds(90), () -> {
            long first = -1;
            for (int i = 0; i < 3; i++) {
                try {
                    long c = json(i, "/v1/status").get("commit_index").asLong();
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

    /** The single value {@code sql} returns on node {@code i} (read level none). */
    public String query(int i, String sql) throws Exception {
        HttpResponse<String> r = get(http[i], "/db/query?level=none&q=" + URLEncoder.encode(sql,
                StandardCharsets.UTF_8));
        if (r.statusCode() != 200) {
            throw new AssertionError("query on n" + i + ": " + r.body());
        }
        return JSON.readTree(r.body()).get("results").get(0).get("values").get(0).get(0).asText();
    }

    // ---- plumbing ----

    /** {@code GET} on {@code host:port}. */
    public HttpResponse<String> get(String address, String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create("http://" + address + path))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private int status(int i, String path) {
        try {
            return get(http[i], path).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    @Override
    public void close() throws InterruptedException {
        writing.set(false);
        for (Thread t : writers) {
            t.join(30_000);
        }
        for (ChildJvm n : nodes) {
            if (n != null) {
                n.close();
            }
        }
    }
}
