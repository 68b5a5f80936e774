package dev.edgelog.sqllog.segment;

import dev.edgelog.sqllog.SqlLogException;

/**
 * A read asked for an index older than the first one the store still holds: retention or a reset
 * dropped it. A pull server answers 410 Gone; the follower bootstraps from a snapshot. Retrying the
 * same read never succeeds.
 */
public final class IndexGoneException extends SqlLogException {

    private final long requestedIndex;
    private final long firstIndex;

    public IndexGoneException(long requestedIndex, long firstIndex) {
        super("index " + requestedIndex + " is no longer stored; the first stored index is " + firstIndex);
        this.requestedIndex = requestedIndex;
        this.firstIndex = firstIndex;
    }

    /** The index that was asked for. */
    public long requestedIndex() {
        return requestedIndex;
    }

    /** The first index still stored when the read was refused. */
    public long firstIndex() {
        return firstIndex;
    }
}
