package dev.edgelog.primary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.KeepLogsOnFailure;
import dev.edgelog.sqllog.testing.PrimaryProcesses;
import dev.edgelog.sqllog.testing.SegmentFiles;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three primary nodes as real processes from the packaged jar: concurrent writers through every
 * node (with a non-deterministic {@code ORDER BY RANDOM()} pick now and then), kill -9 of the
 * leader, restart and catch-up; at the end every node holds every acknowledged write exactly once
 * and the same content, stops cleanly on SIGTERM, and the nodes' SQL-log segments agree entry for
 * entry wherever they overlap. (Catching up by snapshot install once the Raft log was purged is
 * forced and checked in the mirror module's {@code ScenarioIT}.)
 */
class PrimaryProcessesIT {

    private static final int NODES = 3;
    /** Table {@code u} has no key on {@code id}, so a write applied twice would show as two rows. */
    private static final String CONTENT = "SELECT (SELECT group_concat(id || ':' || w || ':' || r || ':' || ts, ',') FROM"
            + " (SELECT * FROM u ORDER BY id)) || '/' || (SELECT coalesce(group_concat(v, ','), '') FROM picks)";

    @TempDir
    Path dir;

    @RegisterExtension
    final KeepLogsOnFailure keepLogs = new KeepLogsOnFailure(() -> dir);

    private PrimaryProcesses nodes;

    @AfterEach
    void stopAll() throws InterruptedException {
        if (nodes != null) {
            nodes.close();
        }
    }

    @Test
    void when_leaderIsKilledDuringWrites_then_everyAcknowledgedWriteIsOnEveryNodeExactlyOnce() throws Exception {
        nodes = PrimaryProcesses.start(dir);
        HttpResponse<String> created = nodes.post(0, "[\"CREATE TABLE u(id INTEGER, w INTEGER, r INTEGER, ts TEXT)\","
                + " \"CREATE TABLE picks(v)\"]");
        assertEquals(200, created.statusCode(), created.body());
        for (int n = 0; n < NODES; n++) { // the main pools Ratis's async completions (RaftSetup)
            assertFalse(nodes.log(n).contains("starts a thread per AppendEntries"), nodes.log(n));
        }

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
        int leader = nodes.leader();
        nodes.kill9(leader);
        awaitAcked(acked, acked.size() + 300); // the survivors elect a leader and keep committing
        nodes.start(leader);
        awaitAcked(acked, acked.size() + 100);
        running.set(false);
        for (Thread t : writers) {
            t.join(60_000);
        }

        nodes.awaitConverged();
        String content = nodes.query(0, CONTENT);
        for (int n = 1; n < NODES; n++) {
            assertEquals(content, nodes.query(n, CONTENT), "node " + n + " content differs");
        }
        assertEquals("0", nodes.query(0, "SELECT count(*) FROM (SELECT id FROM u GROUP BY id HAVING count(*) > 1)"),
                "no write applied more than once");
        Set<Long> present = new HashSet<>();
        for (String id : nodes.query(0, "SELECT group_concat(id, ',') FROM u").split(",")) {
            present.add(Long.parseLong(id));
        }
        for (long id : acked) {
            assertTrue(present.contains(id), "acknowledged write " + id);
        }

        for (int n = 0; n < NODES; n++) {
            int code = nodes.terminate(n, Duration.ofSeconds(30));
            assertTrue(code == 0 || code == 143, "node " + n + " stopped by SIGTERM with exit code " + code);
        }
        assertSameLogEntries();
    }

    @Test
    void when_anOsCrashLostTheSegmentsUnsyncedTail_then_theNodeRebuildsItFromItsSnapshotAndTheRaftLog() throws Exception {
        assertLostTailIsRebuilt(PrimaryProcesses.start(dir), "restoring the database to snapshot");
    }

    @Test
    void when_anOsCrashLostTheSegmentsUnsyncedTailBeforeAnySnapshot_then_theNodeRebuildsFromTheWholeRaftLog()
            throws Exception {
        assertLostTailIsRebuilt(PrimaryProcesses.start(dir, 1_000_000), "no snapshot yet");
    }

    /**
     * A primary does not force its segments per batch (only at snapshots and segment rolls), so a
     * crash of the machine can take their tail while SQLite keeps what it committed. A follower is
     * killed, everything its segments had not forced is cut, and on restart the node must bring the
     * lost entries back, byte for byte as the other nodes hold them, and apply nothing twice.
     */
    private void assertLostTailIsRebuilt(PrimaryProcesses started, String logged) throws Exception {
        nodes = started;
        nodes.startWriters(2);
        awaitAcked(nodes.acknowledged(), 400);
        nodes.stopWriters();
        int follower = (nodes.leader() + 1) % NODES;
        Path log = nodes.dataDir(follower).resolve("log");
        long applied;
        int id = 1_000_000;
        for (int attempt = 1; ; attempt++) {
            for (int i = 0; SegmentFiles.unsyncedBytes(log) == 0; i++) { // give the crash something to lose
                assertTrue(i < 100, "the follower's segments stay synced");
                assertEquals(200, nodes.post(0, "[[\"INSERT INTO t(id, r) VALUES(?, 0)\", " + id++ + "]]")
                        .statusCode());
                nodes.awaitConverged();
            }
            applied = nodes.awaitConverged();
            nodes.kill9(follower);
            // a snapshot the last write triggered may have forced the segments between the check and the kill
            if (SegmentFiles.loseUnsyncedTail(log) > 0) {
                break;
            }
            assertTrue(attempt < 5, "every kill found the follower's segments synced");
            nodes.start(follower);
            nodes.awaitConverged();
        }
        long survived;
        try (SegmentStore s = store(follower)) {
            survived = s.lastIndex();
        }
        assertTrue(survived < applied, "the crash cut entries: " + survived + " < " + applied);

        nodes.start(follower);
        assertTrue(nodes.log(follower).contains(logged), nodes.log(follower));
        nodes.startWriters(2);
        awaitAcked(nodes.acknowledged(), nodes.acknowledged().size() + 100);
        nodes.stopWriters();
        nodes.awaitConverged();
        String content = nodes.query(0, PrimaryProcesses.CONTENT);
        for (int n = 1; n < NODES; n++) {
            assertEquals(content, nodes.query(n, PrimaryProcesses.CONTENT), "node " + n + " content differs");
        }
        for (int n = 0; n < NODES; n++) {
            nodes.terminate(n, Duration.ofSeconds(30));
        }
        try (SegmentStore rebuilt = store(follower); SegmentStore other = store((follower + 1) % NODES)) {
            assertTrue(rebuilt.firstIndex() <= survived + 1, "no gap where the tail was lost: the follower starts at "
                    + rebuilt.firstIndex() + ", lost " + (survived + 1) + ".." + applied);
            for (long i = survived + 1; i <= applied; i++) {
                assertArrayEquals(EntryCodec.encode(other.readEntries(i, 1).get(0)),
                        EntryCodec.encode(rebuilt.readEntries(i, 1).get(0)), "rebuilt entry " + i);
            }
        }
        assertSameLogEntries();
    }

    private SegmentStore store(int node) {
        return SegmentStore.open(nodes.dataDir(node).resolve("log"), SegmentStoreConfig.defaults(), Clock.systemUTC());
    }

    private void write(int writer, AtomicBoolean running, AtomicLong nextId, Set<Long> acked) {
        Random random = new Random(writer);
        while (running.get()) {
            long id = nextId.incrementAndGet();
            String body = "[[\"INSERT INTO u(id, w, r, ts) VALUES(?, ?, random(), datetime('now'))\", " + id + ", "
                    + writer + "]" + (id % 10 == 0
                    ? ", \"INSERT INTO picks SELECT id FROM u ORDER BY RANDOM() LIMIT 1\"" : "") + "]";
            try {
                HttpResponse<String> r = nodes.post(random.nextInt(NODES), body);
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

    private static void awaitAcked(Set<Long> acked, int count) throws InterruptedException {
        Await.until(count + " acknowledged writes", Duration.ofSeconds(90), () -> acked.size() >= count);
    }

    /**
     * Entry for entry, the nodes' SQL-log segments agree wherever they overlap, and end at the same
     * entry. (Each keeps what its retention leaves; the restarted node holds the log from where it
     * caught up.)
     */
    private void assertSameLogEntries() {
        List<SegmentStore> stores = new ArrayList<>();
        try {
            for (int n = 0; n < NODES; n++) {
                stores.add(store(n));
            }
            long from = stores.stream().mapToLong(SegmentStore::firstIndex).max().orElseThrow();
            long to = stores.stream().mapToLong(SegmentStore::lastIndex).min().orElseThrow();
            assertTrue(to > from, "the nodes' logs overlap: " + from + ".." + to);
            for (SegmentStore st : stores) {
                assertEquals(to, st.lastIndex(), "every node's log ends at the same entry");
            }
            for (long i = stores.stream().mapToLong(SegmentStore::firstIndex).min().orElseThrow(); i <= to; i++) {
                byte[] expected = null;
                for (int n = 0; n < NODES; n++) {
                    if (i < stores.get(n).firstIndex()) {
                        continue;
                    }
                    Entry e = stores.get(n).readEntries(i, 1).get(0);
                    if (expected == null) {
                        expected = EntryCodec.encode(e);
                    } else {
                        assertArrayEquals(expected, EntryCodec.encode(e), "entry " + i + " on node " + n);
                    }
                }
            }
        } finally {
            stores.forEach(SegmentStore::close);
        }
    }
}
