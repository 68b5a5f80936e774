package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.Entry;
import java.util.List;
import java.util.Optional;

/**
 * What one {@link SqliteApplier#apply} did.
 *
 * @param appliedIndex the applied index after the batch (committed)
 * @param applied      the entries applied by this call, in order, each with outcomes: the computed
 *                     ones for an entry that had none (the primary appends these to its segments),
 *                     the recorded ones, unchanged, for an entry that carried them. Does not include
 *                     skipped entries nor the diverging entry and those after it
 * @param skipped      how many entries of the batch were at or below the applied index already
 * @param divergence   the first divergence met, if any; with {@link DivergencePolicy#STOP} the
 *                     applier stopped there
 */
public record ApplyResult(long appliedIndex, List<Entry> applied, int skipped, Optional<Divergence> divergence) {

    public ApplyResult {
        applied = List.copyOf(applied);
    }

    /** Whether the batch stopped at a divergence (or logged one). */
    public boolean diverged() {
        return divergence.isPresent();
    }
}
