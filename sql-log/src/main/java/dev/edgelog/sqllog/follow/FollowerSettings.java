package dev.edgelog.sqllog.follow;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link Follower} needs: who it is, the database it keeps, whom it follows and how
 * patiently. Edge agents and mirrors map their configuration onto it, and it checks the values
 * (messages name the configuration keys the two roles share).
 *
 * @param nodeName       sent to upstreams, which list their followers by it
 * @param databaseFile   the SQLite file the follower applies to
 * @param upstreams      primary nodes or mirrors, most preferred first
 * @param maxBatchBytes  pulled bytes held at once: a pull asks for half, applied in one SQLite
 *                       transaction while the next half arrives
 * @param pollWait       how long a pull waits upstream for new entries
 * @param backoffInitial first retry delay after a failure (doubling, with jitter)
 * @param backoffMax     longest retry delay
 * @param breakerOpen    how long a failing upstream is skipped
 */
public record FollowerSettings(String nodeName, Path databaseFile, List<URI> upstreams, int maxBatchBytes,
                               Duration pollWait, Duration backoffInitial, Duration backoffMax, Duration breakerOpen) {

    public FollowerSettings {
        upstreams = List.copyOf(upstreams);
        if (upstreams.isEmpty()) {
            throw new IllegalArgumentException("upstreams must list at least one primary node or mirror");
        }
        for (URI u : upstreams) {
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("upstreams: " + u + " is not an http(s)://host:port URL");
            }
        }
        if (maxBatchBytes < 1024) {
            throw new IllegalArgumentException("max_batch_bytes cannot be less than 1024, was " + maxBatchBytes);
        }
        if (pollWait.isNegative() || pollWait.toMillis() > 60_000) {
            throw new IllegalArgumentException("poll_wait_ms must be between 0 and 60000, was " + pollWait.toMillis());
        }
        if (backoffInitial.toMillis() < 1 || backoffMax.compareTo(backoffInitial) < 0) {
            throw new IllegalArgumentException("backoff: initial_ms must be ≥ 1 and max_ms ≥ initial_ms");
        }
        if (breakerOpen.toMillis() < 1) {
            throw new IllegalArgumentException("breaker_open_ms must be at least 1");
        }
    }
}
