package dev.edgelog.sqllog.pull;

import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot served by {@code GET /v1/snapshot}. A fleet bootstrapping at once shares one
 * snapshot while it is younger than {@code maxAge} instead of each download copying the database;
 * a replaced snapshot's file is deleted when its last download ends.
 */
final class SnapshotCache {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotCache.class);

    /** A snapshot file and the downloads reading it. */
    final class Lease implements AutoCloseable {
        final SnapshotInfo info;
        private final Held held;

        private Lease(Held held) {
            this.held = held;
            this.info = held.info;
        }

        @Override
        public void close() {
            release(held);
        }
    }

    private static final class Held {
        final SnapshotInfo info;
        final long createdMillis;
        int readers;
        boolean replaced;

        Held(SnapshotInfo info, long createdMillis) {
            this.info = info;
            this.createdMillis = createdMillis;
        }
    }

    private final Path dir;
    private final long maxAgeMillis;
    private final Clock clock;
    private final Function<Path, SnapshotInfo> create;
    private Held current;

    SnapshotCache(Path dir, long maxAgeMillis, Clock clock, Function<Path, SnapshotInfo> create) {
        this.dir = dir;
        this.maxAgeMillis = maxAgeMillis;
        this.clock = clock;
        this.create = create;
    }

    /** A fresh enough snapshot, made now if needed; close the lease when the download ends. */
    synchronized Lease acquire() throws IOException {
        if (current == null || clock.millis() - current.createdMillis > maxAgeMillis) {
            Files.createDirectories(dir);
            SnapshotInfo made = create.apply(dir.resolve("pull-" + UUID.randomUUID() + ".db"));
            if (current != null) {
                current.replaced = true;
                deleteIfUnused(current);
            }
            current = new Held(made, clock.millis());
        }
        current.readers++;
        return new Lease(current);
    }

    private synchronized void release(Held h) {
        h.readers--;
        deleteIfUnused(h);
    }

    private void deleteIfUnused(Held h) {
        if (h.replaced && h.readers == 0) {
            try {
                Files.deleteIfExists(h.info.file());
            } catch (IOException e) {
                LOG.warn("cannot delete the old snapshot {}: {}", h.info.file(), e.toString());
            }
        }
    }

    /** Deletes the current snapshot (on shutdown). */
    synchronized void close() {
        if (current != null) {
            current.replaced = true;
            deleteIfUnused(current);
            current = null;
        }
    }
}
