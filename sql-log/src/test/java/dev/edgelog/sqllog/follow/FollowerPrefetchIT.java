package dev.edgelog.sqllog.follow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.apply.ApplierConfig;
import dev.edgelog.sqllog.apply.SqliteApplier;
import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.pull.PullClient;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.FaultProxy;
import dev.edgelog.sqllog.testing.PullServer;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower catching up makes its next pull while it applies the previous one: the pull is seen
 * upstream while the first batch is still inside its SQLite transaction; when that apply fails,
 * the pull made ahead is dropped and the follower pulls again from its applied index, so nothing
 * is skipped or applied twice.
 */
class FollowerPrefetchIT {

    private static final String LOG_ID = "prefetch-log";
    private static final Pattern AFTER = Pattern.compile("[?&]after=(\\d+)");
    private static final int ROWS = 400;

    @TempDir
    Path dir;

    private Path db;

    @BeforeEach
    void emptyDatabase() {
        db = dir.resolve("edge.db");
        SqliteApplier.open(db, ApplierConfig.forLog(LOG_ID)).close(); // resumes at 0: no bootstrap
    }

    @Test
    void when_catchingUp_then_theNextPullIsMadeWhileABatchIsApplied() throws Exception {
        CatchUp run = catchUp(false);
        assertEquals(0L, run.afters().get(0));
        assertEquals(run.sink().firstBatchLast, run.afters().get(1), "the second pull continues after the first batch");
        assertTrue(run.sink().aheadSeen, "the second pull reached the upstream while the first batch was applied");
        assertEquals(LongStream.rangeClosed(1, ROWS).boxed().toList(), run.sink().indexes, "each entry once, in order");
    }

    @Test
    void when_anApplyFailsWhileTheNextPullIsMade_then_thatPullIsDroppedAndTheFollowerPullsAgain() throws Exception {
        CatchUp run = catchUp(true);
        assertTrue(run.sink().aheadSeen, "the pull after the failed batch was made before it failed");
        assertEquals(List.of(0L, run.sink().firstBatchLast, 0L), run.afters().subList(0, 3),
                "the pull made ahead is dropped and the failed batch pulled again: " + run.afters());
        assertEquals(LongStream.rangeClosed(1, ROWS).boxed().toList(), run.sink().indexes,
                "each entry applied once, in order, the failed batch included");
    }

    /** What a catch-up left: the sink's record and the {@code after} of each pull, in order. */
    private record CatchUp(Recording sink, List<Long> afters) {
    }

    /**
     * A follower catches up {@link #ROWS} entries through a {@link FaultProxy} (which records its
     * pulls), its first batch's sink failing when asked; it must end with the source's rows.
     */
    private CatchUp catchUp(boolean failFirst) throws Exception {
        try (TestLogSource source = TestLogSource.open(dir.resolve("source"), LOG_ID);
             PullServer server = PullServer.start(source, null, dir.resolve("snaps"));
             FaultProxy proxy = FaultProxy.start(server.uri())) {
            source.appendRows(ROWS);
            Recording sink = new Recording(proxy, failFirst);
            try (Follower f = new Follower(new FollowerSettings("prefetcher", db, List.of(proxy.uri()), 16 * 1024,
                    Duration.ofMillis(300), Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofMillis(300)),
                    PullClient.Options.of("prefetcher"), Clock.systemUTC(), sink)) {
                f.start();
                Await.until("caught up", Duration.ofSeconds(30), () -> f.status().appliedIndex() == ROWS);
                assertEquals(TestLogSource.rows(source.databaseFile()), TestLogSource.rows(db));
                return new CatchUp(sink, afters(proxy));
            }
        }
    }

    private static List<Long> afters(FaultProxy proxy) {
        List<Long> out = new ArrayList<>();
        for (String line : proxy.requestLines()) {
            Matcher m = AFTER.matcher(line);
            if (line.contains("/v1/log") && m.find()) {
                out.add(Long.parseLong(m.group(1)));
            }
        }
        return out;
    }

    /**
     * Records the frames each committed apply holds. Its first call (inside the first batch's
     * transaction) waits until the pull after that batch reached the upstream, then fails if asked.
     */
    private static final class Recording implements FrameSink {
        final List<Long> indexes = Collections.synchronizedList(new ArrayList<>());
        private final FaultProxy proxy;
        private final boolean failFirst;
        private final AtomicInteger calls = new AtomicInteger();
        volatile long firstBatchLast = -1;
        volatile boolean aheadSeen;

        Recording(FaultProxy proxy, boolean failFirst) {
            this.proxy = proxy;
            this.failFirst = failFirst;
        }

        @Override
        public void append(List<FrameReader.Frame> frames) throws Exception {
            if (calls.getAndIncrement() == 0) {
                long last = frames.get(frames.size() - 1).entry().index();
                firstBatchLast = last;
                Await.until("a pull after " + last + " while its batch is applied", Duration.ofSeconds(10),
                        () -> afters(proxy).contains(last));
                aheadSeen = true;
                if (failFirst) {
                    throw new IllegalStateException("the first batch's sink fails on purpose");
                }
            }
            for (FrameReader.Frame f : frames) {
                indexes.add(f.entry().index());
            }
        }

        @Override
        public void continueAfter(long appliedIndex) {
        }
    }
}
