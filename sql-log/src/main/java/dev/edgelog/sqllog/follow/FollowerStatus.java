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

    /** What {@code /readyz} answers: ready or not, and why. */
    public record Readiness(boolean ready, String message) {
    }

    /**
     * Ready once bootstrapped, in contact with an upstream and at most {@code maxLag} entries behind
     * it; otherwise the reason.
     */
    public Readiness readiness(long maxLag) {
        if (!bootstrapped()) {
            return new Readiness(false, "not bootstrapped yet");
        }
        if (lastContactMillis == 0) {
            return new Readiness(false, "no upstream contact yet");
        }
        if (lagEntries() > maxLag) {
            return new Readiness(false, lagEntries() + " entries behind (ready_max_lag " + maxLag + ")");
        }
        return new Readiness(true, "ready: applied " + appliedIndex + ", " + lagEntries() + " behind");
    }

    /** The status fields as JSON, into {@code out} ({@code /status} of edges and mirrors). */
    public void writeTo(com.fasterxml.jackson.databind.node.ObjectNode out) {
        out.put("log_id", logId);
        out.put("bootstrapped", bootstrapped());
        out.put("applied_index", appliedIndex);
        out.put("last_commit_time", lastCommitTimeMillis);
        out.put("upstream", upstream);
        out.put("upstream_commit_index", upstreamCommitIndex);
        out.put("lag_entries", lagEntries());
        out.put("last_contact", lastContactMillis);
        out.put("last_error", lastError);
        out.put("bootstraps", bootstraps);
        out.put("failovers", failovers);
        out.put("rejected_batches", rejectedBatches);
    }
}
