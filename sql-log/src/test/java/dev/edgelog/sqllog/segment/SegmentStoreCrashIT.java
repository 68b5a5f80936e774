package dev.edgelog.sqllog.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a process appending with fsync on every batch: after reopening, every acknowledged
 * entry is there, and everything stored is consecutive and exactly what was appended.
 */
class SegmentStoreCrashIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path tmp;

    @Test
    void when_appenderIsKilled_then_everyAckedEntrySurvivesAndNothingElseIsWrong() throws Exception {
        Path dir = tmp.resolve("store");
        Random rnd = new Random(20240607L);
        long acked = 0;
        for (int round = 0; round < 4; round++) {
            long seed = rnd.nextLong();
            int acksBeforeKill = 5 + rnd.nextInt(60);
            try (ChildJvm child = ChildJvm.start(SegmentCrashChild.class, tmp.resolve("child.err"),
                    dir.toString(), Long.toString(seed))) {
                String open = child.awaitLine(l -> l.startsWith("OPEN "), WAIT);
                assertTrue(Long.parseLong(open.substring(5)) >= acked, open + " after ACK " + acked);
                for (int i = 0; i < acksBeforeKill; i++) {
                    String ack = child.awaitLine(l -> l.startsWith("ACK "), WAIT);
                    acked = Long.parseLong(ack.substring(4));
                }
                child.kill9();
                for (String l : child.drain()) {
                    if (l.startsWith("ACK ")) {
                        acked = Math.max(acked, Long.parseLong(l.substring(4)));
                    }
                }
            }
            acked = check(dir, acked, round);
        }
    }

    /** Reopens the store, checks it against the generator and returns its last index. */
    private static long check(Path dir, long acked, int round) {
        try (SegmentStore store = SegmentStore.open(dir, SegmentStoreConfig.defaults(), Clock.systemUTC())) {
            long last = store.lastIndex();
            assertTrue(last >= acked, "round " + round + ": last index " + last + " < acknowledged " + acked
                    + "; " + store.recoveryReport());
            assertEquals(1, store.firstIndex());
            long next = 1;
            while (next <= last) {
                List<Entry> got = store.readEntries(next, 500);
                for (Entry e : got) {
                    assertEquals(TestEntries.entry(next), e, "round " + round + ", index " + next);
                    next++;
                }
            }
            assertEquals(last, SegmentStore.verify(dir, EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES).lastIndex());
            return last;
        }
    }
}
