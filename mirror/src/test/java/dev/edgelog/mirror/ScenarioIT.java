package dev.edgelog.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.ChildJvm;
import dev.edgelog.sqllog.testing.DbFiles;
import dev.edgelog.sqllog.testing.FaultProxy;
import dev.edgelog.sqllog.testing.KeepLogsOnFailure;
import dev.edgelog.sqllog.testing.PrimaryProcesses;
import dev.edgelog.sqllog.testing.TestPorts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded fault scenarios over the whole system as processes: 3 primary nodes, a mirror and two
 * edges, with every follower link through a {@link FaultProxy}. Writers send single inserts,
 * transactions and bulk requests (with non-deterministic functions, some with a failing statement)
 * while a seeded schedule kills and restarts any process with SIGKILL, wipes a mirror's or edge's
 * data so that it bootstraps from a snapshot, holds a primary follower down until the others have
 * purged the Raft log it needs (so it comes back through a snapshot install), and breaks links.
 *
 * <p>A {@link LogAudit} tails every primary node's and the mirror's log throughout. At the end,
 * once healed and quiet:
 * <ul>
 *   <li>every replica (primaries, mirror, edges) holds the same content at the same applied index;</li>
 *   <li>every acknowledged request is on every replica exactly once: its rows are there (or, for a
 *       transaction the writer was told failed, absent), a counter each request bumps by its row
 *       count equals the rows, and no request appears at two log indices;</li>
 *   <li>no outcome mismatch: every node served the same bytes at every index, the entry at the
 *       index a writer was acknowledged with is its request with the outcomes it was told, and no
 *       follower met a divergence.</li>
 * </ul>
 * The seeds come from {@code -Dedgelog.scenario.seeds=1,2,…}: CI runs two, {@code -Pchaos} thirty;
 * a failing seed replays its schedule (the timing around it differs run to run).
 */
class ScenarioIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MIRROR_JAR = Path.of("target", "edgelog-mirror.jar");
    private static final Path EDGE_JAR = Path.of("..", "edge-agent", "target", "edgelog-edge.jar");
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String COUNTED = "SELECT (SELECT coalesce(sum(n), 0) FROM c) || '/' || (SELECT count(*) FROM t)";
    /** SQL-log entries a held-down primary misses: enough Raft entries for snapshots to purge its next one. */
    private static final long HOLD_ENTRIES = 1000;

    @TempDir
    Path dir;

    @RegisterExtension
    final KeepLogsOnFailure keepLogs = new KeepLogsOnFailure(() -> dir);

    private PrimaryProcesses primaries;
    private LogAudit audit;
    private final List<FaultProxy> proxies = new ArrayList<>();
    private final String[] names = {"mirror-s", "edge-s1", "edge-s2"};
    private final ChildJvm[] followers = new ChildJvm[3];
    private final String[] http = new String[3];
    private final List<Ack> acks = new CopyOnWriteArrayList<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);

    /** A request a writer got 200 for: where it landed, what it held, what it was told. */
    private record Ack(long index, int writer, long firstId, int rows, boolean failing, boolean transaction,
                       JsonNode results) {

        /** Whether its rows stay: all but a transaction with a failing statement. */
        boolean kept() {
            return !(failing && transaction);
        }
    }

    static List<Long> seeds() {
        return Arrays.stream(System.getProperty("edgelog.scenario.seeds", "4,5").split(","))
                .map(String::strip).map(Long::parseLong).toList();
    }

    @AfterEach
    void stopAll() throws InterruptedException {
        writing.set(false);
        if (audit != null) {
            audit.close();
        }
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
        proxies.add(FaultProxy.start(URI.create("http://" + http[0]))); // edges → mirror
        Map<String, URI> tails = new LinkedHashMap<>();
        for (int i = 0; i < 3; i++) {
            tails.put("n" + i, primaries.uri(i));
        }
        tails.put(names[0], URI.create("http://" + http[0]));
        audit = new LogAudit(tails);
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
            Thread.sleep(500 + random.nextInt(1500));
            switch (random.nextInt(8)) {
                case 0 -> killPrimary(random, schedule);
                case 1 -> {
                    int f = random.nextInt(3);
                    schedule.add("kill -9 " + names[f]);
                    followers[f].kill9();
                    Thread.sleep(500 + random.nextInt(2000));
                    start(f);
                }
                case 2 -> wipe(random.nextInt(3), schedule);
                case 3 -> holdPrimaryPastSnapshots(schedule);
                default -> breakLink(random, schedule);
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
        for (int i = 1; i < 3; i++) {
            assertEquals(expected, primaries.query(i, PrimaryProcesses.CONTENT), "n" + i + " content, " + where);
        }
        for (int f = 0; f < 3; f++) {
            int follower = f;
            Await.until(names[f] + " at " + commit + " (" + where + ")", WAIT, () -> applied(follower) == commit);
            Path db = dir.resolve(names[f]).resolve(f == 0 ? "mirror.db" : "edge.db");
            assertEquals(expected, DbFiles.value(db, PrimaryProcesses.CONTENT), names[f] + " content, " + where);
            assertEquals(counted, DbFiles.value(db, COUNTED), names[f] + " counters, " + where);
        }
        int kept = 0;
        for (Ack a : acks) {
            for (long id = a.firstId(); id < a.firstId() + a.rows(); id++) {
                boolean present = expected.contains("," + id + ":") || expected.contains("|" + id + ":");
                assertEquals(a.kept(), present, "row " + id + " of the request acknowledged at " + a.index()
                        + (a.kept() ? " is everywhere" : " (a failed transaction) is nowhere") + ", " + where);
                kept += a.kept() ? 1 : 0;
            }
        }
        assertTrue(kept > 50, "the writers got through: " + kept + " rows, " + where);
        assertNoOutcomeMismatch(commit, where);
        System.out.println("ScenarioIT clean: " + where + ", " + acks.size() + " acknowledged requests, " + kept
                + " rows kept, commit index " + commit);
    }

    private void killPrimary(Random random, List<String> schedule) throws Exception {
        boolean leader = random.nextBoolean();
        int node = leader ? primaries.leader() : random.nextInt(3);
        schedule.add("kill -9 " + (leader ? "the leader n" : "n") + node);
        primaries.kill9(node);
        Thread.sleep(1000 + random.nextInt(2000));
        primaries.start(node);
    }

    /** Kills a follower, deletes its data and restarts it: it must come back by a snapshot bootstrap. */
    private void wipe(int f, List<String> schedule) throws Exception {
        schedule.add("wipe " + names[f]);
        followers[f].kill9();
        try (Stream<Path> files = Files.walk(dir.resolve(names[f]))) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        start(f);
        Await.until(names[f] + " bootstrapped from a snapshot after its data was wiped", WAIT,
                () -> status(f).path("bootstraps").asLong() >= 1);
    }

    /**
     * Kills a primary follower and keeps it down while {@link #HOLD_ENTRIES} entries commit, so that
     * the others snapshot and purge the Raft log it would need: it must come back by a snapshot install.
     */
    private void holdPrimaryPastSnapshots(List<String> schedule) throws Exception {
        int leader = primaries.leader();
        int node = (leader + 1) % 3;
        schedule.add("hold n" + node + " down past snapshots");
        long from = commitIndex(leader);
        primaries.kill9(node);
        Await.until(HOLD_ENTRIES + " entries committed while n" + node + " is down", WAIT,
                () -> commitIndex((node + 1) % 3) >= from + HOLD_ENTRIES || commitIndex((node + 2) % 3) >= from + HOLD_ENTRIES);
        primaries.start(node);
        Await.until("n" + node + " caught up by installing a snapshot", WAIT,
                () -> logged(node, "installed snapshot"));
    }

    private void breakLink(Random random, List<String> schedule) throws InterruptedException {
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

    /**
     * Every node's tail saw the same bytes at every index from 1 to {@code commit}; each acknowledged
     * request is the entry at the index it was acknowledged with, with the outcomes its writer was
     * told; no request is in the log twice; and no follower's log reports a divergence.
     */
    private void assertNoOutcomeMismatch(long commit, String where) throws Exception {
        Await.until("the log tails at " + commit, WAIT, () -> {
            for (int i = 0; i < 3; i++) {
                if (audit.position("n" + i) < commit) {
                    return false;
                }
            }
            return audit.position(names[0]) >= commit;
        });
        assertEquals(List.of(), audit.mismatches(), "every node served the same entries, " + where);
        Map<Long, Long> requestAt = new HashMap<>();
        for (long i = 1; i <= commit; i++) {
            Entry e = audit.entry(i);
            assertNotNull(e, "entry " + i + " was seen by a tail, " + where);
            if (!e.statements().isEmpty() && e.statements().get(0).sql().startsWith("INSERT INTO t(")) {
                long firstId = ((SqlValue.Int) e.statements().get(0).parameters().get(0).value()).value();
                Long twice = requestAt.put(firstId, i);
                assertNull(twice, "the request inserting " + firstId + " is at " + twice + " and " + i + ", " + where);
            }
        }
        for (Ack a : acks) {
            Entry e = audit.entry(a.index());
            assertEquals(Long.valueOf(a.index()), requestAt.get(a.firstId()),
                    "the request inserting " + a.firstId() + " is the entry it was acknowledged at, " + where);
            assertEquals(a.rows() + (a.failing() ? 2 : 1), e.statements().size(), "statements of " + e.index());
            assertEquals(a.transaction(), e.transaction(), "transaction flag of " + e.index());
            assertEquals(a.results().size(), e.outcomes().size(), "outcomes of " + e.index() + ": " + a.results());
            for (int k = 0; k < e.outcomes().size(); k++) {
                JsonNode told = a.results().get(k);
                String what = "entry " + e.index() + " statement " + k + ": told " + told + ", logged "
                        + e.outcomes().get(k) + ", " + where;
                if (e.outcomes().get(k) instanceof Outcome.Executed x) {
                    assertEquals(x.rowsAffected(), told.path("rows_affected").asLong(), what);
                    assertEquals(x.lastInsertId(), told.path("last_insert_id").asLong(), what);
                    assertFalse(told.has("error"), what);
                } else {
                    assertEquals(((Outcome.Failed) e.outcomes().get(k)).error(), told.path("error").asText(), what);
                }
            }
        }
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".stderr")).toList()) {
                String text = Files.readString(log);
                assertFalse(text.contains("diverged") || text.contains("DIVERGENCE"),
                        log.getFileName() + " reports a divergence, " + where);
            }
        }
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
                        transaction ? "?transaction&raft_index" : "?raft_index");
                if (r.statusCode() == 200) {
                    JsonNode answer = JSON.readTree(r.body());
                    acks.add(new Ack(answer.get("raft_index").asLong(), writer, first, rows, failing, transaction,
                            answer.get("results")));
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

    private JsonNode status(int f) {
        try {
            return JSON.readTree(primaries.get(http[f], "/status").body());
        } catch (IOException | InterruptedException | RuntimeException e) {
            return JSON.createObjectNode();
        }
    }

    private long applied(int f) {
        return status(f).path("applied_index").asLong(-1);
    }

    private boolean logged(int node, String text) {
        try {
            return primaries.log(node).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private long commitIndex(int node) {
        try {
            return primaries.json(node, "/v1/status").path("commit_index").asLong(-1);
        } catch (IOException | InterruptedException | RuntimeException e) {
            return -1;
        }
    }

}
