package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.Entry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The child of {@link SegmentStoreCrashIT}: opens the store in {@code args[0]} with fsync on every
 * batch, prints {@code OPEN <lastIndex>}, then appends batches of {@link TestEntries} for ever,
 * printing {@code ACK <lastIndex>} after each append returns, until it is killed.
 */
public final class SegmentCrashChild {

    private SegmentCrashChild() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        Random rnd = new Random(Long.parseLong(args[1]));
        SegmentStoreConfig config = SegmentStoreConfig.defaults().withSegmentBytes(64 * 1024)
                .withCheckpointIntervalMillis(5);
        SegmentStore store = SegmentStore.open(dir, config, Clock.systemUTC());
        long next = store.lastIndex() + 1;
        System.out.println("OPEN " + store.lastIndex());
        System.out.flush();
        while (true) {
            int n = 1 + rnd.nextInt(30);
            List<Entry> batch = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                batch.add(TestEntries.entry(next + i));
            }
            store.append(batch);
            next += n;
            System.out.println("ACK " + (next - 1));
            System.out.flush();
        }
    }
}
