package dev.edgelog.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.ChildJvm;
import dev.edgelog.sqllog.testing.FaultProxy;
import dev.edgelog.sqllog.testing.PrimaryProcesses;
import dev.edgelog.sqllog.testing.TestPorts;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded fault scenarios over the whole system as processes: 3 primary nodes, a mirror and two
 * edges, with every follower link through a {@link FaultProxy}. Writers send single inserts,
 * transactions and bulk requests (with non-deterministic functions, some with a failing
 * statement) while a seeded schedule kills
 * and restarts any process with SIGKILL and breaks links. At the end, once healed and quiet: every
 * acknowledged write is on every replica, no request was applied twice (a counter each request
 * bumps by its row count equals the rows), and every replica holds the primary's content at the
 * same index. The seeds come from {@code -Dedgelog.scenario.seeds=1,2,…}: CI runs two, {@code -Pchaos}
 * thirty; a failing seed replays its schedule (the timing around it differs run to run).
 */
class ScenarioIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MIRROR_JAR = Path.of("target", "edgelog-mirror.jar");
    private static final Path EDGE_JAR = Path.of("..", "edge-agent", "target", "edgelog-edge.jar");
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String COUNTED = "SELECT (SELECT coalesce(sum(n), 0) FROM c) || '/' || (SELECT count(*) FROM t)";

    @TempDir
    Path dir;

    private PrimaryProcesses primaries;
    private final List<FaultProxy> proxies = new ArrayList<>();
    private final String[] names = {"mirror-s", "edge-s1", "edge-s2"};
    private final ChildJvm[] followers = new ChildJvm[3];
    private final String[] http = new String[3];
    private final Set<Long> acked = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean writing = new AtomicBoolean(true);

    static List<Long> seeds() {
        return Arrays.stream(System.getProperty("edgelog.scenario.seeds", "11,12").split(","))
                .map(String::strip).map(Long::parseLong).toList();
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        writing.set(false);
        for (ChildJvm f : followers) {
            if (f != null) {
                f.close();
            }
        }
        proxies.forEach(FaultProxy::close);
        if (primaries != null) {
            primaries.close();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void when_processesDieAndLinksBreakUnderWrites_then_everyReplicaEndsEqualWithEveryAckedWriteOnce(long seed)
            throws Exception {
        Random random = new Random(seed);
        primaries = PrimaryProcesses.start(dir);
        primaries.post(0, "[\"CREATE TABLE c(w INTEGER PRIMARY KEY, n INTEGER)\", \"INSERT INTO c VALUES(0, 0)\","
                + " \"INSERT INTO c VALUES(1, 0)\"]");
        for (int i = 0; i < 3; i++) {
            proxies.add(FaultProxy.start(primaries.uri(i)));
        }
        for (int f = 0; f < 3; f++) {
            http[f] = "127.0.0.1:" + TestPorts.free();
        }
        proxies.add(FaultProxy.start(java.net.URI.create("http://" + http[0]))); // edges → mirror
        for (int f = 0; f < 3; f++) {
            start(f);
        }
        List<Thread> writers = new ArrayList<>();
        AtomicLong ids = new AtomicLong();
        for (int w = 0; w < 2; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(writer, new Random(seed * 31 + writer), ids), "scenario-writer-" + w);
            t.start();
            writers.add(t);
        }

        List<String> schedule = new ArrayList<>();
        for (int step = 0; step < 8; step++) {
            int kind = random.nextInt(4);
            Thread.sleep(500 + random.nextInt(1500));
            switch (kind) {
                case 0 -> {
                    boolean leader = random.nextBoolean();
                    int node = leader ? primaries.leader() : random.nextInt(3);
                    schedule.add("kill -9 " + (leader ? "the leader n" : "n") + node);
                    primaries.kill9(node);
                    Thread.sleep(1000 + random.nextInt(2000));
                    primaries.start(node);
                }
                case 1 -> {
                    int f = random.nextInt(3);
                    schedule.add("kill -9 " + names[f]);
                    followers[f].kill9();
                    Thread.sleep(500 + random.nextInt(2000));
                    start(f);
                }
                default -> {
                    FaultProxy p = proxies.get(random.nextInt(proxies.size()));
                    String fault = switch (random.nextInt(4)) {
                        case 0 -> {
                            p.blackhole();
                            yield "partition";
                        }
                        case 1 -> {
                            p.cutAfter(random.nextInt(4000));
                            yield "cut mid-answer";
                        }
                        case 2 -> {
                            p.refuse();
                            yield "refuse";
                        }
                        default -> {
                            p.delay(Duration.ofMillis(50 + random.nextInt(200)));
                            yield "delay";
                        }
                    };
                    schedule.add(fault + " on link " + proxies.indexOf(p));
                    Thread.sleep(1000 + random.nextInt(3000));
                    p.heal();
                }
            }
        }
        writing.set(false);
        for (Thread t : writers) {
            t.join(30_000);
        }
        proxies.forEach(FaultProxy::heal);
        String where = "seed " + seed + ", schedule " + schedule;
        long commit = primaries.awaitConverged();
        String expected = primaries.query(0, PrimaryProcesses.CONTENT);
        String counted = primaries.query(0, COUNTED);
        String[] parts = counted.split("/");
        assertEquals(parts[0], parts[1], "rows inserted = rows counted on the primary: " + where);
        for (int f = 0; f < 3; f++) {
            int follower = f;
            Await.until(names[f] + " at " + commit + " (" + where + ")", WAIT, () -> applied(follower) == commit);
            Path db = dir.resolve(names[f]).resolve(f == 0 ? "mirror.db" : "edge.db");
            assertEquals(expected, query(db, PrimaryProcesses.CONTENT), names[f] + " content, " + where);
            assertEquals(counted, query(db, COUNTED), names[f] + " counters, " + where);
        }
        for (long id : acked) {
            assertTrue(expected.contains("," + id + ":") || expected.contains("|" + id + ":"),
                    "acknowledged write " + id + " is everywhere, " + where);
        }
        assertTrue(acked.size() > 50, "the writers got through: " + acked.size() + ", " + where);
        System.out.println("ScenarioIT clean: " + where + ", " + acked.size() + " acknowledged rows, commit index "
                + commit);
    }

    /**
     * Single inserts, bulk requests and transactions, each bumping its writer's counter by the rows
     * it inserts; one request in eight also carries a statement that fails (a duplicate key): in a
     * transaction that undoes the whole request, without one only that statement fails.
     */
    private void write(int writer, Random random, AtomicLong ids) {
        while (writing.get()) {
            int rows = random.nextInt(4) == 0 ? 1 + random.nextInt(8) : 1;
            boolean failing = random.nextInt(8) == 0;
            boolean transaction = !failing || random.nextBoolean();
            long first = ids.getAndAdd(rows) + 1;
            StringBuilder body = new StringBuilder("[");
            for (long id = first; id < first + rows; id++) {
                body.append("[\"INSERT INTO t(id, r, ts) VALUES(?, random(), datetime('now'))\", ").append(id).append("], ");
            }
            if (failing) {
                body.append("[\"INSERT INTO c(w, n) VALUES(?, 0)\", ").append(writer).append("], "); // exists: fails
            }
            body.append("[\"UPDATE c SET n = n + ? WHERE w = ?\", ").append(rows).append(", ").append(writer).append("]]");
            try {
                HttpResponse<String> r = primaries.post(random.nextInt(3), body.toString(),
                        transaction ? "?transaction" : "");
                if (r.statusCode() == 200 && !r.body().contains("\"error\"")) {
                    for (long id = first; id < first + rows; id++) {
                        acked.add(id);
                    }
                }
            } catch (IOException | RuntimeException e) {
                // that node is down: not acknowledged
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void start(int f) throws Exception {
        StringBuilder ups = new StringBuilder();
        if (f > 0) {
            ups.append('"').append(proxies.get(3).uri()).append("\", ");
        }
        for (int i = 0; i < 3; i++) {
            ups.append(i == 0 ? "" : ", ").append('"').append(proxies.get(i).uri()).append('"');
        }
        Path config = dir.resolve(names[f] + ".yaml");
        Files.writeString(config, "node_name: " + names[f] + "\ndata_dir: " + dir.resolve(names[f]) + "\n"
                + "upstreams: [" + ups + "]\nhttp_address: " + http[f] + "\n"
                + "poll_wait_ms: 1000\nstall_timeout_ms: 1500\nbreaker_open_ms: 1000\n"
                + "backoff: {initial_ms: 20, max_ms: 300}\nmax_batch_bytes: 16384\n"
                + (f == 0 ? "segments: {segment_bytes: 32768, retention_bytes: 98304}\nfleet_report_ms: 500\n" : ""));
        followers[f] = f == 0
                ? ChildJvm.startJar(MIRROR_JAR, dir.resolve(names[f] + "-" + System.nanoTime() + ".stderr"), "mirror",
                        "--config", config.toString(), "--insecure")
                : ChildJvm.startJar(EDGE_JAR, dir.resolve(names[f] + "-" + System.nanoTime() + ".stderr"), "edge",
                        "--config", config.toString());
        followers[f].awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
    }

    private long applied(int f) {
        try {
            JsonNode s = JSON.readTree(primaries.get(http[f], "/status").body());
            return s.path("applied_index").asLong(-1);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return -1;
        }
    }

    private static String query(Path db, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:file:" + db + "?mode=ro");
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
