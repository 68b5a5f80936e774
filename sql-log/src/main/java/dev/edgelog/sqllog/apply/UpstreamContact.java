package dev.edgelog.sqllog.apply;

/**
 * What a follower (edge agent, mirror) knows about its upstream, written into
 * {@code _edgelog_state} in the same transaction as a batch. Each field may be null (unknown).
 *
 * @param upstream          the upstream's name or URL
 * @param commitIndex       the upstream's commit index at the last contact
 * @param lastContactMillis when the upstream last answered, ms since the epoch
 */
public record UpstreamContact(String upstream, Long commitIndex, Long lastContactMillis) {
}
