package dev.edgelog.primary.commit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class GroupCommitterTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-21T12:00:00Z"), ZoneOffset.UTC);

    /** Plays the state machine: places each unplaced entry and answers one outcome per statement. */
    private static final class FakeRaft implements GroupCommitter.Proposer {
        final List<List<Entry>> proposals = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<ByteBuffer>> pending = new CopyOnWriteArrayList<>();
        final List<ByteBuffer> replies = new CopyOnWriteArrayList<>();
        final AtomicLong index = new AtomicLong();
        volatile boolean hold;

        @Override
        public CompletableFuture<ByteBuffer> propose(List<Entry> unplaced) {
            proposals.add(unplaced);
            CompletableFuture<ByteBuffer> f = new CompletableFuture<>();
            List<Entry> applied = new ArrayList<>();
            for (Entry e : unplaced) {
                List<Outcome> outcomes = new ArrayList<>();
                e.statements().forEach(s -> outcomes.add(Outcome.executed(1, 0)));
                applied.add(e.at(index.incrementAndGet(), 1, 1).withOutcomes(outcomes));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            EntryCodec.encodeAll(applied, out);
            ByteBuffer reply = ByteBuffer.wrap(out.toByteArray());
            if (hold) {
                pending.add(f);
                replies.add(reply);
            } else {
                f.complete(reply);
            }
            return f;
        }

        /** Answers the held proposal {@code i}, as Raft does once it committed. */
        void release(int i) {
            pending.get(i).complete(replies.get(i));
        }
    }

    /** The fake Raft answers with the applied entries' frames; {@code proposed} is what it was given. */
    private static List<Committed> decode(ByteBuffer b, List<Entry> proposed) {
        return b == null ? List.of()
                : EntryCodec.decodeAll(b, EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES).stream().map(Committed::of).toList();
    }

    private static WriteRequest write(String sql) {
        return WriteRequest.of(false, List.of(Statement.of(sql)));
    }

    @Test
    void when_requestsWaitWhileProposalsAreInFlight_then_theyArePackedIntoOneRaftEntry() throws Exception {
        FakeRaft raft = new FakeRaft();
        raft.hold = true;
        GroupCommitSettings one = new GroupCommitSettings(1024, 1 << 20, Duration.ZERO, 1, 1000, false);
        try (GroupCommitter c = new GroupCommitter("n", one, raft, GroupCommitterTest::decode, CLOCK)) {
            WriteRequest first = write("INSERT INTO t VALUES(0)");
            c.submit(first);
            awaitProposals(raft, 1);
            List<WriteRequest> waiting = new ArrayList<>();
            for (int i = 1; i <= 50; i++) {
                WriteRequest r = write("INSERT INTO t VALUES(" + i + ")");
                waiting.add(r);
                c.submit(r);
            }
            raft.hold = false;
            raft.release(0);
            assertEquals(1, first.result().get(10, TimeUnit.SECONDS).entry().index());
            awaitProposals(raft, 2);

            assertEquals(50, raft.proposals.get(1).size(), "the 50 waiting requests went as one entry");
            for (int i = 0; i < 50; i++) {
                Entry applied = waiting.get(i).result().get(10, TimeUnit.SECONDS).entry();
                assertEquals("INSERT INTO t VALUES(" + (i + 1) + ")", applied.statements().get(0).sql());
                assertEquals(List.of(Outcome.executed(1, 0)), applied.outcomes());
            }
        }
    }

    @Test
    void when_theQueueIsFull_then_submitIsRefusedAndNothingIsTaken() throws Exception {
        FakeRaft raft = new FakeRaft();
        raft.hold = true;
        GroupCommitSettings tiny = new GroupCommitSettings(1, 1 << 20, Duration.ZERO, 1, 2, false);
        try (GroupCommitter c = new GroupCommitter("n", tiny, raft, GroupCommitterTest::decode, CLOCK)) {
            c.submit(write("INSERT INTO t VALUES(0)"));
            awaitProposals(raft, 1); // in flight; the committer now waits for a slot
            c.submit(write("INSERT INTO t VALUES(1)")); // taken by the committer, waiting for the slot
            awaitQueueDepth(c, 0);
            c.submit(write("INSERT INTO t VALUES(2)"));
            c.submit(write("INSERT INTO t VALUES(3)"));

            OverloadedException ex = assertThrows(OverloadedException.class, () -> c.submit(write("INSERT INTO t VALUES(4)")));

            assertTrue(ex.getMessage().contains("full"), ex.getMessage());
            assertEquals(2, c.queueDepth());
        }
    }

    @Test
    void when_strictModeRefusesOneRequest_then_theOthersInTheBatchAreCommitted() throws Exception {
        FakeRaft raft = new FakeRaft();
        GroupCommitSettings strict = new GroupCommitSettings(1024, 1 << 20, Duration.ofMillis(50), 1, 100, true);
        try (GroupCommitter c = new GroupCommitter("n", strict, raft, GroupCommitterTest::decode, CLOCK)) {
            WriteRequest bad = write("INSERT INTO t VALUES(datetime('now', 'localtime'))");
            WriteRequest good = write("INSERT INTO t VALUES(datetime('now'))");
            c.submit(bad);
            c.submit(good);

            ExecutionException ex = assertThrows(ExecutionException.class, () -> bad.result().get(10, TimeUnit.SECONDS));
            assertTrue(ex.getCause().getMessage().contains("localtime"), ex.getCause().getMessage());
            Entry applied = good.result().get(10, TimeUnit.SECONDS).entry();
            assertEquals("INSERT INTO t VALUES(datetime('2026-11-21 12:00:00.000Z'))", applied.statements().get(0).sql());
            assertEquals(CLOCK.millis(), applied.commitTimeMillis());
        }
    }

    @Test
    void when_theSameTextsComeAgain_then_onlyTheUnchangedOnesAreRemembered() throws Exception {
        FakeRaft raft = new FakeRaft();
        AtomicLong now = new AtomicLong(CLOCK.millis());
        Clock ticking = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(now.get());
            }
        };
        GroupCommitSettings one = new GroupCommitSettings(1024, 1 << 20, Duration.ZERO, 1, 1, false);
        try (GroupCommitter c = new GroupCommitter("n", one, raft, GroupCommitterTest::decode, ticking)) {
            List<String> logged = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                now.addAndGet(1_000);
                for (String sql : List.of("INSERT INTO t VALUES(datetime('now'))", "INSERT INTO t VALUES(?)")) {
                    WriteRequest w = write(sql);
                    c.submit(w);
                    logged.add(w.result().get(10, TimeUnit.SECONDS).entry().statements().get(0).sql());
                }
            }
            assertEquals(List.of(
                    "INSERT INTO t VALUES(datetime('2026-11-21 12:00:01.000Z'))", "INSERT INTO t VALUES(?)",
                    "INSERT INTO t VALUES(datetime('2026-11-21 12:00:02.000Z'))", "INSERT INTO t VALUES(?)",
                    "INSERT INTO t VALUES(datetime('2026-11-21 12:00:03.000Z'))", "INSERT INTO t VALUES(?)"), logged,
                    "a text the rewrite changes is rewritten against each batch's own time");
        }
    }

    private static void awaitProposals(FakeRaft raft, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (raft.proposals.size() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " proposals, saw " + raft.proposals.size());
            }
            Thread.sleep(5);
        }
    }

    private static void awaitQueueDepth(GroupCommitter c, int depth) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.queueDepth() != depth) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("queue depth stayed " + c.queueDepth());
            }
            Thread.sleep(5);
        }
    }
}
