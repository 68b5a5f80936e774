package dev.edgelog.reader;

/**
 * The one row of {@code _edgelog_state}, as the edge agent last committed it. The agent writes it in
 * the same SQLite transaction as every batch it applies, so the row always describes exactly the
 * data a reader sees next to it.
 *
 * @param logId                 the SQL log this database replicates (a UUID fixed at cluster creation)
 * @param appliedIndex          SQL-log index of the last applied entry; the {@code raft_index} the
 *                              primary's HTTP API returns for a write is this index
 * @param appliedTerm           Raft term of that entry
 * @param appliedRaftIndex      Raft index of that entry (0 when unknown)
 * @param lastCommitTimeMillis  the leader's commit time of that entry, ms since the epoch (0 when
 *                              nothing is applied yet); the leader's clock, not this machine's
 * @param updatedAtMillis       when the agent last wrote the row, ms since the epoch (agent's clock)
 * @param upstream              the upstream (primary or mirror) last pulled from; null when unknown
 * @param upstreamCommitIndex   that upstream's commit index at the last contact; null when unknown
 * @param lastContactMillis     when the agent last heard from an upstream, ms since the epoch; written on
 *                              every successful contact, also when there was nothing new; null: never
 */
public record EdgeState(
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
