package dev.edgelog.sqllog.follow;

/**
 * What the follower knows, for {@code /status}, {@code /readyz} and metrics.
 *
 * @param logId               the log the database holds; null before the first bootstrap
 * @param appliedIndex        the last applied index
 * @param lastCommitTimeMillis the primary's commit time of that entry
 * @param upstream            the upstream last pulled from successfully
 * @param upstreamCommitIndex its commit index then (-1 when unknown)
 * @param lastContactMillis   when an upstream last answered (0: never)
 * @param lastError           the last failure, or null after a success
 * @param bootstraps          snapshot bootstraps since start
 * @param failovers           upstream changes since start
 * @param rejectedBatches     answers refused as malformed or foreign since start
 */
public record FollowerStatus(String logId, long appliedIndex, long lastCommitTimeMillis, String upstream,
                             long upstreamCommitIndex, long lastContactMillis, String lastError, long bootstraps,
                             long failovers, long rejectedBatches) {

    /** Entries the upstream had that this edge has not applied (0 when unknown). */
    public long lagEntries() {
        return upstreamCommitIndex < 0 ? 0 : Math.max(0, upstreamCommitIndex - appliedIndex);
    }

    public boolean bootstrapped() {
        return logId != null;
    }
}
