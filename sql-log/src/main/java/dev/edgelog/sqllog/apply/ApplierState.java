package dev.edgelog.sqllog.apply;

/**
 * The single row of {@code _edgelog_state}: how far this database is. Any SQLite reader sees the
 * same with {@code SELECT applied_index, last_commit_time FROM _edgelog_state}.
 *
 * @param logId               the log the database belongs to
 * @param appliedIndex        the last applied SQL-log index (0: none)
 * @param appliedTerm         the Raft term of that entry
 * @param appliedRaftIndex    the Raft index of the Raft entry that carried it (a primary node
 *                            skips whole Raft entries at or below it when Ratis replays its log)
 * @param lastCommitTimeMillis the leader's commit time of that entry, ms since the epoch
 * @param updatedAtMillis     when the applier last wrote the row (its {@link java.time.Clock})
 * @param upstream            see {@link UpstreamContact}; null when never given
 * @param upstreamCommitIndex see {@link UpstreamContact}; null when never given
 * @param lastContactMillis   see {@link UpstreamContact}; null when never given
 */
public record ApplierState(
        String logId,
        long appliedIndex,
        long appliedTerm,
        long appliedRaftIndex,
        long lastCommitTimeMillis,
        long updatedAtMillis,
        String upstream,
        Long upstreamCommitIndex,
        Long lastContactMillis) {
}
