package dev.edgelog.sqllog.follow;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * What a {@link Follower} needs: who it is, the database it keeps, whom it follows and how
 * patiently. Edge agents and mirrors map their configuration onto it.
 *
 * @param nodeName       sent to upstreams, which list their followers by it
 * @param databaseFile   the SQLite file the follower applies to
 * @param upstreams      primary nodes or mirrors, most preferred first
 * @param maxBatchBytes  bytes asked per pull; one pull is applied in one SQLite transaction
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
            throw new IllegalArgumentException("a follower needs at least one upstream");
        }
    }
}
