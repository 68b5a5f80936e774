package dev.edgelog.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import dev.edgelog.primary.commit.GroupCommitSettings;
import dev.edgelog.primary.raft.SqlStateMachine;
import dev.edgelog.sqllog.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrimaryClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void when_writesGoThroughAnyNode_then_everyNodeAppliesThemInTheSameOrder() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3)) {
            c.awaitReady();
            int follower = c.follower();

            HttpResponse<String> create = c.post(follower, "/db/execute",
                    "[\"CREATE TABLE ads(id INTEGER PRIMARY KEY, name TEXT UNIQUE, bid REAL)\"]");
            assertEquals(200, create.statusCode(), create.body());
            assertEquals("{\"results\":[{}]}", create.body());

            HttpResponse<String> insert = c.post(follower, "/db/execute?raft_index",
                    "[[\"INSERT INTO ads(name, bid) VALUES(?, ?)\", \"a\", 1.5], "
                            + "[\"INSERT INTO ads(name, bid) VALUES(:name, :bid)\", {\"name\": \"b\", \"bid\": 2}], "
                            + "[\"INSERT INTO ads(name, bid) VALUES(?, ?)\", \"a\", 3]]");
            assertEquals(200, insert.statusCode(), insert.body());
            JsonNode r = JSON.readTree(insert.body());
            assertEquals("{\"last_insert_id\":1,\"rows_affected\":1}", r.get("results").get(0).toString());
            assertEquals("{\"last_insert_id\":2,\"rows_affected\":1}", r.get("results").get(1).toString());
            assertEquals("{\"error\":\"UNIQUE constraint failed: ads.name\"}", r.get("results").get(2).toString());
            long index = r.get("raft_index").asLong();
            assertTrue(index >= 2, insert.body());

            for (int n = 0; n < 3; n++) {
                HttpResponse<String> q = c.get(n, "/db/query?level=linearizable&q="
                        + URLEncoder.encode("SELECT name, bid FROM ads ORDER BY id", StandardCharsets.UTF_8));
                assertEquals(200, q.statusCode(), q.body());
                assertEquals("{\"results\":[{\"columns\":[\"name\",\"bid\"],\"types\":[\"text\",\"real\"],"
                        + "\"values\":[[\"a\",1.5],[\"b\",2]]}]}", q.body());
                // a follower forwards a linearizable read to the leader, which answers after ReadIndex
                assertEquals(c.nodes[c.leader()].config().nodeId(),
                        q.headers().firstValue("X-Edgelog-Served-By").orElse(c.nodes[n].config().nodeId()));
                int node = n;
                TestCluster.await("n" + n + " applied " + index, java.time.Duration.ofSeconds(10),
                        () -> c.nodes[node].stateMachine().appliedIndex() == index);
                String metrics = c.get(n, "/metrics").body();
                assertTrue(metrics.contains("edgelog_applied_index{node=\"n" + n + "\"} " + index + ".0"), metrics);
                assertTrue(metrics.contains("edgelog_requests_committed_total{node=\"n" + n + "\"} 2.0"), metrics);
            }
            IllegalStateException notLeader = assertThrows(IllegalStateException.class,
                    () -> c.nodes[follower].linearizableBarrier());
            assertTrue(notLeader.getMessage().contains("not the leader"), notLeader.getMessage());
            HttpResponse<String> missing = c.get(follower, "/db/query?level=none&q=SELECT%20*%20FROM%20nope");
            assertEquals("{\"results\":[{\"error\":\"no such table: nope\"}]}", missing.body(),
                    "SQLite's own message, without sqlite-jdbc's wrapping");
        }
    }

    @Test
    void when_theWriteQueueIsFull_then_writesGet503WithRetryAfter_andEveryAcknowledgedOneIsThereOnce() throws Exception {
        GroupCommitSettings tiny = new GroupCommitSettings(1, 1 << 20, Duration.ZERO, 1, 2, false);
        try (TestCluster c = TestCluster.adjusted(dir, 1, cfg -> cfg.withGroupCommit(tiny))) {
            c.awaitReady();
            assertEquals(200, c.post(0, "/db/execute", "[\"CREATE TABLE t(x INTEGER PRIMARY KEY)\"]").statusCode());
            Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
            Set<Long> refused = ConcurrentHashMap.newKeySet();
            List<String> unexpected = new CopyOnWriteArrayList<>();
            ExecutorService writers = Executors.newFixedThreadPool(32);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < 32; w++) {
                    long first = w * 1000L + 1; // last_insert_id 0 would be left out of the answer
                    done.add(writers.submit(() -> {
                        for (long id = first; id < first + 15; id++) {
                            HttpResponse<String> r = c.post(0, "/db/execute", "[\"INSERT INTO t VALUES(" + id + ")\"]");
                            if (r.statusCode() == 200 && r.body().equals("{\"results\":[{\"last_insert_id\":" + id
                                    + ",\"rows_affected\":1}]}")) {
                                acknowledged.add(id);
                            } else if (r.statusCode() == 503 && r.headers().firstValue("Retry-After").orElse("").equals("1")
                                    && r.body().contains("the write queue is full")) {
                                refused.add(id);
                            } else {
                                unexpected.add(r.statusCode() + " " + r.body());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                writers.shutdownNow();
            }
            assertTrue(unexpected.isEmpty(), unexpected.toString());
            assertTrue(!refused.isEmpty(), "a queue of 2 behind one proposal in flight refuses some of 32 writers");
            assertTrue(!acknowledged.isEmpty());
            JsonNode rows = JSON.readTree(c.get(0, "/db/query?q=SELECT%20x%20FROM%20t%20ORDER%20BY%20x").body())
                    .get("results").get(0).get("values");
            Set<Long> stored = new TreeSet<>();
            rows.forEach(row -> stored.add(row.get(0).asLong()));
            assertEquals(new TreeSet<>(acknowledged), stored, "every acknowledged write once, no refused one");
            assertEquals(acknowledged.size(), rows.size());
        }
    }

    @Test
    void when_requestEndpointGetsOnlyWritesOrOnlyReads_then_itExecutesOrQueries() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3)) {
            c.awaitReady();
            int node = c.follower();
            HttpResponse<String> w = c.post(node, "/db/request", "[\"CREATE TABLE t(x)\", \"INSERT INTO t VALUES(7)\"]");
            assertEquals("{\"results\":[{},{\"last_insert_id\":1,\"rows_affected\":1}]}", w.body());
            HttpResponse<String> r = c.post(node, "/db/request?level=linearizable", "[\"SELECT x FROM t\"]");
            assertTrue(r.body().contains("\"values\":[[7]]"), r.body());
        }
    }

    @Test
    void when_requestEndpointGetsReadsAndWrites_then_eachReadSeesTheDatabaseAtItsPlace() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3)) {
            c.awaitReady();
            int follower = c.follower(); // forwards the whole request to the leader
            c.post(follower, "/db/execute", "[\"CREATE TABLE t(id INTEGER PRIMARY KEY, x INTEGER UNIQUE)\"]");
            HttpResponse<String> mixed = c.post(follower, "/db/request", "[\"SELECT count(*) AS n FROM t\", "
                    + "[\"INSERT INTO t(x) VALUES(?)\", 7], \"SELECT id, x FROM t ORDER BY x\", "
                    + "[\"INSERT INTO t(x) VALUES(?)\", 8], \"SELECT x FROM t WHERE x > 7\", \"SELECT nope FROM t\"]");
            assertEquals(200, mixed.statusCode(), mixed.body());
            assertEquals("{\"results\":[{\"columns\":[\"n\"],\"types\":[\"integer\"],\"values\":[[0]]},"
                    + "{\"last_insert_id\":1,\"rows_affected\":1},"
                    + "{\"columns\":[\"id\",\"x\"],\"types\":[\"integer\",\"integer\"],\"values\":[[1,7]]},"
                    + "{\"last_insert_id\":2,\"rows_affected\":1},"
                    + "{\"columns\":[\"x\"],\"types\":[\"integer\"],\"values\":[[8]]},"
                    + "{\"error\":\"no such column: nope\"}]}", mixed.body());

            HttpResponse<String> associative = c.post(c.leader(), "/db/request?associative",
                    "[[\"INSERT INTO t(x) VALUES(?)\", 9], \"SELECT x FROM t WHERE x = 9\"]");
            assertEquals("{\"results\":[{\"last_insert_id\":3,\"rows_affected\":1},"
                    + "{\"types\":{\"x\":\"integer\"},\"rows\":[{\"x\":9}]}]}", associative.body());

            // a write with RETURNING answers its rows here too (on /db/execute it answers its counts)
            HttpResponse<String> returning = c.post(follower, "/db/request",
                    "[[\"UPDATE t SET x = x + 100 WHERE x = ? RETURNING id, x\", 9], \"UPDATE t SET x = x - 100 WHERE x > 100\"]");
            assertEquals("{\"results\":[{\"columns\":[\"id\",\"x\"],\"types\":[\"integer\",\"integer\"],"
                    + "\"values\":[[3,109]]},{\"rows_affected\":1}]}", returning.body());

            // in a transaction, a failing write undoes the request; the read before it answered what it saw
            HttpResponse<String> failed = c.post(follower, "/db/request?transaction",
                    "[[\"INSERT INTO t(x) VALUES(?)\", 10], \"SELECT count(*) FROM t\", [\"INSERT INTO t(x) VALUES(?)\", 7],"
                            + " \"SELECT count(*) FROM t\"]");
            assertEquals("{\"results\":[{\"last_insert_id\":4,\"rows_affected\":1},"
                    + "{\"columns\":[\"count(*)\"],\"types\":[\"integer\"],\"values\":[[4]]},"
                    + "{\"error\":\"UNIQUE constraint failed: t.x\"}]}", failed.body());

            // the reads are statements of the log like the writes: every node applied the same entries
            for (int n = 0; n < 3; n++) {
                HttpResponse<String> q = c.get(n, "/db/query?level=linearizable&q=SELECT%20group_concat(x)%20FROM%20t");
                assertTrue(q.body().contains("\"values\":[[\"7,8,9\"]]"), q.body());
            }
            long last = c.nodes[c.leader()].stateMachine().appliedIndex();
            for (int n = 0; n < 3; n++) {
                int node = n;
                TestCluster.await("n" + n + " applied " + last, Duration.ofSeconds(10),
                        () -> c.nodes[node].stateMachine().appliedIndex() == last);
                assertEquals(c.nodes[c.leader()].stateMachine().segments().readEntries(1, 100),
                        c.nodes[n].stateMachine().segments().readEntries(1, 100), "n" + n + "'s SQL log");
            }
        }
    }

    @Test
    void when_aFollowerLostTheLeader_then_aFreshnessBoundedReadIsStale() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3)) {
            c.awaitReady();
            int follower = c.follower();
            c.post(c.leader(), "/db/execute", "[\"CREATE TABLE t(x)\"]");
            assertTrue(c.get(follower, "/db/query?level=none&freshness=10s&q=SELECT%201").body().contains("[[1]]"));
            assertEquals(400, c.get(follower, "/db/query?level=none&freshness=soon&q=SELECT%201").statusCode());
            assertEquals(400, c.get(follower, "/db/query?level=none&freshness_strict&q=SELECT%201").statusCode(),
                    "freshness_strict without freshness");
            // strict also wants young data: with the leader in contact but no write for 1.5 s
            Thread.sleep(1_500);
            assertTrue(c.get(follower, "/db/query?level=none&freshness=1s&q=SELECT%201").body().contains("[[1]]"),
                    "the follower hears heartbeats");
            assertEquals("{\"results\":[],\"error\":\"stale read\"}",
                    c.get(follower, "/db/query?level=none&freshness=1s&freshness_strict&q=SELECT%201").body());
            assertTrue(c.get(follower, "/db/query?level=none&freshness=10m&freshness_strict&q=SELECT%201").body()
                    .contains("[[1]]"));

            for (int n = 0; n < 3; n++) {
                if (n != follower) {
                    c.stop(n);
                }
            }
            TestCluster.await("the follower's leader contact ages", Duration.ofSeconds(30),
                    () -> c.nodes[follower].leaderContactAgeMillis() < 0 || c.nodes[follower].leaderContactAgeMillis() > 300);

            HttpResponse<String> stale = c.get(follower, "/db/query?level=none&freshness=200ms&q=SELECT%201");
            assertEquals("{\"results\":[],\"error\":\"stale read\"}", stale.body());
            assertTrue(c.get(follower, "/db/query?level=none&q=SELECT%201").body().contains("[[1]]"),
                    "without freshness, level=none answers from local data");
        }
    }

    @Test
    void when_aTransactionFails_then_nothingOfItStaysAndLaterStatementsDidNotRun() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3)) {
            c.awaitReady();
            int leader = c.leader();
            c.post(leader, "/db/execute", "[\"CREATE TABLE t(x INTEGER UNIQUE)\"]");

            HttpResponse<String> tx = c.post(leader, "/db/execute?transaction",
                    "[\"INSERT INTO t VALUES(1)\", \"INSERT INTO t VALUES(1)\", \"INSERT INTO t VALUES(2)\"]");

            assertEquals("{\"results\":[{\"last_insert_id\":1,\"rows_affected\":1},"
                    + "{\"error\":\"UNIQUE constraint failed: t.x\"}]}", tx.body());
            HttpResponse<String> q = c.get(leader, "/db/query?q=SELECT%20count(*)%20AS%20n%20FROM%20t");
            assertTrue(q.body().contains("\"values\":[[0]]"), q.body());
        }
    }

    @Test
    void when_requestIsBad_then_400NamesTheProblemAndNothingIsCommitted() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3)) {
            c.awaitReady();
            int node = c.follower();
            long before = c.nodes[c.leader()].stateMachine().appliedIndex();

            assertBad(c.post(node, "/db/execute", "{\"not\": \"an array\"}"), "invalid request");
            assertBad(c.post(node, "/db/execute", "[\"CREATE TABLE t(x)\""), "invalid JSON");
            assertBad(c.post(node, "/db/execute", "[]"), "no statements");
            assertBad(c.post(node, "/db/execute", "[\"ATTACH DATABASE 'x.db' AS x\"]"), "ATTACH");
            assertBad(c.post(node, "/db/execute", "[\"BEGIN\"]"), "BEGIN");
            assertBad(c.post(node, "/db/execute", "[[\"INSERT INTO t VALUES(:a)\", {\"b\": 1}]]"), "unknown parameter 'b'");
            assertBad(c.post(node, "/db/execute", "[[\"INSERT INTO t VALUES(?)\", 1, 2]]"), "2 positional values");
            assertBad(c.post(node, "/db/execute", "[[\"INSERT INTO t VALUES(?)\", {\"a\": {\"deep\": 1}}]]"),
                    "unsupported parameter value");

            assertEquals(before, c.nodes[c.leader()].stateMachine().appliedIndex());
        }
    }

    private static void assertBad(HttpResponse<String> r, String mentions) {
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains(mentions), r.body() + " should mention " + mentions);
    }

    @Test
    void when_nodesTakeSnapshots_then_eachKnowsItsLatestAsTheStorageFindsIt() throws Exception {
        try (TestCluster c = TestCluster.adjusted(dir, 3, cfg -> cfg.withSnapshotThreshold(20))) {
            c.awaitReady();
            for (PrimaryNode n : c.nodes) {
                assertNull(n.stateMachine().getLatestSnapshot(), "no snapshot yet");
            }
            c.post(c.leader(), "/db/execute", "[\"CREATE TABLE t(x)\"]");
            for (int i = 0; i < 60; i++) {
                assertEquals(200, c.post(c.leader(), "/db/execute", "[\"INSERT INTO t VALUES(" + i + ")\"]").statusCode());
            }
            for (PrimaryNode n : c.nodes) {
                TestCluster.await("a snapshot on " + n.config().nodeId(), Duration.ofSeconds(30),
                        () -> n.stateMachine().getLatestSnapshot() != null);
                var kept = n.stateMachine().getLatestSnapshot();
                // what the storage finds on disk is what the state machine answers, without a listing per call
                var onDisk = n.stateMachine().getStateMachineStorage().loadLatestSnapshot();
                assertTrue(kept.getIndex() >= 20, kept.toString());
                assertTrue(onDisk.getIndex() >= kept.getIndex(), onDisk + " vs " + kept);
                assertTrue(java.nio.file.Files.exists(((org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo) kept)
                        .getFile().getPath()));
            }
        }
    }

    @Test
    void when_aNodesDatabaseIsRemovedByHand_then_itRestoresItsSnapshotAndCatchesUp() throws Exception {
        try (TestCluster c = TestCluster.adjusted(dir, 3, cfg -> cfg.withSnapshotThreshold(20))) {
            c.awaitReady();
            c.post(c.leader(), "/db/execute", "[\"CREATE TABLE t(x)\"]");
            for (int i = 0; i < 60; i++) {
                assertEquals(200, c.post(c.leader(), "/db/execute", "[\"INSERT INTO t VALUES(" + i + ")\"]").statusCode());
            }
            int f = c.follower();
            SqlStateMachine sm = c.nodes[f].stateMachine();
            TestCluster.await("a snapshot on n" + f, Duration.ofSeconds(30), () -> sm.getLatestSnapshot() != null);
            Path db = sm.databaseFile();
            c.stop(f);
            for (String suffix : new String[] {"", "-wal", "-shm"}) {
                Files.deleteIfExists(db.resolveSibling(db.getFileName() + suffix));
            }

            c.restart(f);
            for (int i = 60; i < 70; i++) {
                assertEquals(200, c.post(c.leader(), "/db/execute", "[\"INSERT INTO t VALUES(" + i + ")\"]").statusCode());
            }
            long applied = c.nodes[c.leader()].stateMachine().appliedIndex();
            TestCluster.await("n" + f + " at SQL-log index " + applied, Duration.ofSeconds(30),
                    () -> c.nodes[f].stateMachine().appliedIndex() == applied);
            HttpResponse<String> q = c.get(f, "/db/query?level=none&q=SELECT%20count(*),%20sum(x)%20FROM%20t");
            assertTrue(q.body().contains("[[70,2415]]"), "every row once on the restored node: " + q.body());
        }
    }

    @Test
    void when_aPortIsTaken_then_theNodeFailsToStartAndLeavesNothingRunning() throws Exception {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (boolean raft : new boolean[] {false, true}) {
            try (ServerSocket taken = new ServerSocket(0, 1, loopback)) {
                int other = TestCluster.freePort();
                String takenAddress = "127.0.0.1:" + taken.getLocalPort();
                String otherAddress = "127.0.0.1:" + other;
                PrimaryConfig config = PrimaryConfig.of("n0", dir.resolve(raft ? "raft" : "http"), List.of(
                        new PrimaryConfig.Peer("n0", raft ? takenAddress : otherAddress, raft ? otherAddress : takenAddress)));
                String which = raft ? "Raft" : "HTTP";
                Exception e = assertThrows(Exception.class, () -> PrimaryNode.start(config), which + " port taken");
                // the Raft server it had started is closed: its threads are gone and its port is free
                Await.until(() -> "the Raft server's threads gone (" + which + " port taken), still there: "
                        + nodeThreads("n0"), Duration.ofSeconds(30), () -> nodeThreads("n0").isEmpty());
                new ServerSocket(other, 1, loopback).close();
                assertTrue(e instanceof BindException && e.getMessage().contains(raft ? "raft_address" : "http_address")
                        && e.getMessage().contains("is taken"), "the refusal names the address: " + e);
            }
        }
    }

    @Test
    void when_aNodeRuns_then_itListensOnlyOnTheHostsOfItsConfiguredAddresses() throws Exception {
        PrimaryConfig config = PrimaryConfig.of("n0", dir.resolve("n0"), List.of(new PrimaryConfig.Peer("n0",
                "127.0.0.1:" + TestCluster.freePort(), "127.0.0.1:" + TestCluster.freePort())));
        try (PrimaryNode node = PrimaryNode.start(config)) {
            // another loopback address on the same ports is free only if the node did not bind every interface
            InetAddress other = InetAddress.getByName("127.0.0.2");
            for (int port : new int[] {config.self().raftPort(), config.self().httpPort()}) {
                try (ServerSocket s = new ServerSocket()) {
                    s.bind(new InetSocketAddress(other, port));
                }
            }
        }
    }

    private static List<String> nodeThreads(String node) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith(node + "@") || n.startsWith(node + "-")).sorted().toList();
    }

    @Test
    void when_writesCommitOneAtATime_then_eachTakesOneRaftEntry() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3)) {
            c.awaitReady();
            int leader = c.leader();
            assertEquals(200, c.post(leader, "/db/execute", "[\"CREATE TABLE t(x)\"]").statusCode());
            long before = c.nodes[leader].raftCommitIndex();
            for (int i = 0; i < 30; i++) {
                assertEquals(200, c.post(leader, "/db/execute", "[\"INSERT INTO t VALUES(" + i + ")\"]").statusCode());
            }
            // Ratis's log-metadata entries (one after every commit) would make this 60: each node would
            // append, fsync and replicate twice per write
            assertEquals(30, c.nodes[leader].raftCommitIndex() - before, "Raft entries for 30 sequential writes");
        }
    }

    @Test
    void when_theLeaderStops_then_writesResumeOnANewLeader() throws Exception {
        try (TestCluster c = new TestCluster(dir, 3)) {
            c.awaitReady();
            c.post(c.leader(), "/db/execute", "[\"CREATE TABLE t(x)\"]");
            for (int i = 0; i < 20; i++) {
                assertEquals(200, c.post(c.follower(), "/db/execute", "[\"INSERT INTO t VALUES(" + i + ")\"]").statusCode());
            }
            int old = c.leader();

            c.stop(old);
            TestCluster.await("a new leader", Duration.ofSeconds(30), () -> c.leader() >= 0);

            int survivor = c.follower();
            HttpResponse<String> w = c.post(survivor, "/db/execute", "[\"INSERT INTO t VALUES(100)\"]");
            assertEquals(200, w.statusCode(), w.body());
            for (int n = 0; n < 3; n++) {
                if (c.nodes[n] == null) {
                    continue;
                }
                HttpResponse<String> q = c.get(n, "/db/query?level=linearizable&q=SELECT%20count(*)%20FROM%20t");
                assertTrue(q.body().contains("[[21]]"), q.body());
            }
        }
    }
}
