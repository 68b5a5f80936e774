package dev.edgelog.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.benchmarks.SimulatedFollowers.Options;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.pull.LogSource;
import dev.edgelog.sqllog.pull.PullService;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.TestPorts;
import io.undertow.Handlers;
import io.undertow.Undertow;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The simulated-edge harness against a real {@link PullService} over a {@link SegmentStore} on
 * 127.0.0.1: every follower receives every entry exactly once, through long polls, retention jumps
 * and a server restart. Asserts correctness only, never timing.
 */
class SimulatedFollowersIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private SegmentSource source;
    private PullService pull;
    private Undertow server;
    private int port;

    @BeforeEach
    void start() throws IOException {
        source = new SegmentSource(SegmentStore.open(dir.resolve("log"), SegmentStoreConfig.defaults(),
                Clock.systemUTC()));
        port = TestPorts.free();
        serve();
    }

    @AfterEach
    void stop() {
        stopServing();
        source.segments().close();
    }

    @Test
    void when_entriesAreCommitted_then_everyFollowerReceivesEachOneOnce() throws Exception {
        source.append(30);
        Options options = Options.of(address(), 500).withPull(20_000, 8 * 1024);
        try (SimulatedFollowers edges = SimulatedFollowers.start(options)) {
            assertTrue(edges.awaitParked(WAIT), edges.stats().line());
            assertEquals(30, edges.minPosition());

            for (int round = 0; round < 3; round++) {
                long next = source.commitIndex() + 1;
                edges.expect(next);
                long t0 = System.nanoTime();
                source.append(1);
                long[] arrivals = edges.awaitArrivals(WAIT);
                for (long at : arrivals) {
                    assertNotEquals(SimulatedFollowers.NOT_REACHED, at, edges.stats().line());
                    assertTrue(at >= t0, "an arrival before the write");
                }
            }
            source.append(40); // some of them larger than max_bytes and the read buffer
            long last = source.commitIndex();
            for (long at : edges.awaitIndex(last, WAIT)) {
                assertNotEquals(SimulatedFollowers.NOT_REACHED, at, edges.stats().line());
            }
            assertEquals(last, edges.minPosition());

            SimulatedFollowers.Stats s = edges.stats();
            assertEquals(500L * last, s.frames(), "each follower received each entry exactly once");
            assertTrue(s.ok() >= 500L * 5, s.line());
            assertEquals(0, s.gone() + s.otherStatus() + s.errors() + s.reconnects(), s.line());
            assertEquals(500, s.connected());
        }
        assertHarnessThreadsEnded();
    }

    @Test
    void when_nothingIsCommitted_then_longPollsEndIn204AndFollowersPollAgain() throws Exception {
        source.append(5);
        Options options = Options.of(address(), 50).withStartAfter(5).withPull(100, 1 << 20);
        try (SimulatedFollowers edges = SimulatedFollowers.start(options)) {
            Await.until("three empty answers per follower", WAIT, () -> edges.stats().noContent() >= 150);
            assertEquals(0, edges.stats().ok(), edges.stats().line());
            assertEquals(5, edges.minPosition());

            source.append(1);
            for (long at : edges.awaitIndex(6, WAIT)) {
                assertNotEquals(SimulatedFollowers.NOT_REACHED, at, edges.stats().line());
            }
            assertEquals(6, edges.minPosition());
            assertEquals(0, edges.stats().errors(), edges.stats().line());
        }
    }

    @Test
    void when_aFollowerIsBehindRetention_then_itJumpsToTheCommitIndexAndGoesOn() throws Exception {
        source.append(10);
        source.segments().resetTo(10); // as after bootstrapping from a snapshot at 10: entries 1..10 are gone
        try (SimulatedFollowers edges = SimulatedFollowers.start(Options.of(address(), 100).withStartAfter(0))) {
            assertTrue(edges.awaitParked(WAIT), edges.stats().line());
            assertEquals(10, edges.minPosition());
            assertEquals(100, edges.stats().gone());

            source.append(1);
            for (long at : edges.awaitIndex(11, WAIT)) {
                assertNotEquals(SimulatedFollowers.NOT_REACHED, at, edges.stats().line());
            }
            assertEquals(100, edges.stats().frames());
        }
    }

    @Test
    void when_theServerRestarts_then_followersReconnectAndMissNothing() throws Exception {
        source.append(3);
        Options options = Options.of(address(), 200).withBackoff(Duration.ofMillis(50), Duration.ofMillis(50));
        try (SimulatedFollowers edges = SimulatedFollowers.start(options)) {
            assertTrue(edges.awaitParked(WAIT), edges.stats().line());
            stopServing();
            Await.until("every connection dropped", WAIT, () -> edges.stats().connected() == 0);
            source.append(2); // committed while nobody is connected
            serve();

            assertTrue(edges.awaitParked(WAIT), edges.stats().line());
            assertEquals(5, edges.minPosition());
            SimulatedFollowers.Stats s = edges.stats();
            assertTrue(s.reconnects() >= 200 && s.errors() >= 200, s.line());
            assertEquals(200L * 5, s.frames(), s.line());
        }
    }

    /** Starts a pull server on {@code port}, as a node (re)starting over the same segments. */
    private void serve() {
        pull = new PullService("fanout-test", source, null, dir.resolve("snapshots"), Clock.systemUTC());
        server = Undertow.builder().addHttpListener(port, "127.0.0.1").setIoThreads(2).setWorkerThreads(8)
                .setHandler(pull.addTo(Handlers.routing())).build();
        server.start();
    }

    /** Stops the server as a node going down: its parked pulls are forgotten with it. */
    private void stopServing() {
        server.stop();
        pull.close();
        source.forgetListeners();
    }

    private InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    private static void assertHarnessThreadsEnded() {
        List<String> alive = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("sim-followers-")).toList();
        assertEquals(List.of(), alive);
    }

    /**
     * A {@link LogSource} that is only segments: {@link #append} writes entries and commits them at
     * once. No SQLite, so no snapshots.
     */
    private static final class SegmentSource implements LogSource {
        private final SegmentStore segments;
        private final List<LongConsumer> listeners = new CopyOnWriteArrayList<>();
        private volatile long commitIndex;

        SegmentSource(SegmentStore segments) {
            this.segments = segments;
            this.commitIndex = segments.lastIndex();
        }

        /** Appends {@code count} inserts; every seventh carries 20 KB, more than a pull's max_bytes. */
        synchronized void append(int count) {
            List<Entry> batch = new ArrayList<>(count);
            for (long i = segments.lastIndex() + 1, end = i + count; i < end; i++) {
                String text = "row " + i + " " + "x".repeat(i % 7 == 0 ? 20_000 : (int) (i * 7919 % 400));
                batch.add(new Entry(i, 1, i, 1_700_000_000_000L + i, false,
                        List.of(Statement.of("INSERT INTO t(id, v) VALUES(?, ?)", SqlValue.of(i), SqlValue.of(text))),
                        List.of()));
            }
            segments.append(batch);
            commitIndex = segments.lastIndex();
            listeners.forEach(l -> l.accept(commitIndex));
        }

        void forgetListeners() {
            listeners.clear();
        }

        @Override
        public String logId() {
            return "fanout-test-log";
        }

        @Override
        public SegmentStore segments() {
            return segments;
        }

        @Override
        public long commitIndex() {
            return commitIndex;
        }

        @Override
        public void onCommit(LongConsumer listener) {
            listeners.add(listener);
        }

        @Override
        public SnapshotInfo snapshot(Path target) {
            throw new UnsupportedOperationException("no database behind these segments");
        }
    }
}
