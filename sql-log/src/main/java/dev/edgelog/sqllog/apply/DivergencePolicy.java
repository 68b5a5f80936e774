package dev.edgelog.sqllog.apply;

/** What the applier does when its own outcome of a statement differs from the primary's. */
public enum DivergencePolicy {
    /**
     * Roll back the diverging entry, commit the entries before it and stop: the batch result names
     * the {@link Divergence}; the caller normally re-bootstraps from a snapshot.
     */
    STOP,
    /** Log the divergence at ERROR, keep this replica's own effects and go on. */
    LOG_AND_CONTINUE
}
