package dev.edgelog.mirror.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.segment.FrameRange;
import dev.edgelog.sqllog.segment.SegmentStore;
import dev.edgelog.sqllog.segment.SegmentStoreConfig;
import dev.edgelog.sqllog.testing.RandomEntries;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a mirror's segments follow its replica: appends, crashes between the two, bootstraps, retries. */
class MirrorLogTest {

    @TempDir
    Path dir;

    private final RandomEntries random = new RandomEntries(7);
    private SegmentStore segments;
    private MirrorLog log;
    private final List<Long> notified = new ArrayList<>();

    @BeforeEach
    void open() {
        segments = SegmentStore.open(dir.resolve("log"), SegmentStoreConfig.defaults().withSegmentBytes(4096),
                Clock.systemUTC());
        log = new MirrorLog("mirror-test", segments, dir.resolve("mirror.db"));
        log.onCommit(notified::add);
    }

    @AfterEach
    void close() {
        segments.close();
    }

    private List<FrameReader.Frame> frames(long first, int count) {
        List<FrameReader.Frame> out = new ArrayList<>();
        for (Entry e : random.entries(first, count)) {
            out.add(new FrameReader.Frame(e, EntryCodec.encode(e)));
        }
        return out;
    }

    private byte[] stored(long from, long to) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (long i = from; i <= to; ) {
            try (FrameRange r = segments.readRange(i, 1 << 20)) {
                out.writeBytes(r.toBytes());
                i = r.lastIndex() + 1;
            }
        }
        return out.toByteArray();
    }

    private static byte[] bytes(List<FrameReader.Frame> frames) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        frames.forEach(f -> out.writeBytes(f.bytes()));
        return out.toByteArray();
    }

    @Test
    void appendedFramesAreStoredByteForByteAndServedOnlyOnceTheReplicaHasThem() {
        log.continueAfter(0);
        List<FrameReader.Frame> batch = frames(1, 50);
        log.append(batch);
        assertEquals(50, segments.lastIndex());
        assertEquals(0, log.commitIndex(), "written inside the transaction, not yet committed");
        log.continueAfter(50); // what the follower's applied listener does after COMMIT
        assertEquals(50, log.commitIndex());
        assertArrayEquals(bytes(batch), stored(1, 50));
        assertEquals(List.of(0L, 50L), notified);
    }

    @Test
    void segmentsAheadOfTheReplicaAfterACrashAreCutBack() {
        log.continueAfter(0);
        log.append(frames(1, 30));
        log.append(frames(31, 20)); // written, then the process died before SQLite committed 31..50

        log.continueAfter(30); // the replica opens at 30
        assertEquals(30, segments.lastIndex());
        assertEquals(30, log.commitIndex());
        List<FrameReader.Frame> again = frames(31, 20);
        log.append(again);
        assertArrayEquals(bytes(again), stored(31, 50));
    }

    @Test
    void aRetryAfterAFailedCommitRewritesTheSameIndices() {
        log.continueAfter(0);
        log.append(frames(1, 10));
        log.continueAfter(10);
        log.append(frames(11, 10)); // the SQLite commit of 11..20 failed; the follower pulls after 10 again
        List<FrameReader.Frame> retry = frames(11, 15);
        log.append(retry);
        assertEquals(25, segments.lastIndex());
        assertArrayEquals(bytes(retry), stored(11, 25));
    }

    @Test
    void aBootstrapPastTheSegmentsRestartsThemAfterTheSnapshot() {
        log.continueAfter(0);
        log.append(frames(1, 10));
        log.continueAfter(10);

        log.continueAfter(5_000); // bootstrapped from a snapshot at 5,000
        assertEquals(5_001, segments.firstIndex());
        assertEquals(5_000, segments.lastIndex());
        assertEquals(5_000, log.commitIndex());
        log.append(frames(5_001, 3));
        assertEquals(5_003, segments.lastIndex());
    }
}
