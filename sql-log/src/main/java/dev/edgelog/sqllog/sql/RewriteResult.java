package dev.edgelog.sqllog.sql;

import java.util.List;

/**
 * The outcome of {@link SqlRewriter#rewrite}.
 *
 * @param sql              the text to put in the log (the input itself when nothing changed)
 * @param rewritten        whether anything was replaced
 * @param replayed         constructs left in the text that {@link ReplayFunctions} makes
 *                         deterministic on replay (e.g. {@code ORDER BY RANDOM()}, an
 *                         {@code edgelog_now()} in a column default); deterministic only where
 *                         the applier installs them
 * @param nonDeterministic constructs that nothing makes deterministic (e.g. a {@code 'localtime'}
 *                         modifier, {@code last_insert_rowid()}); empty in strict mode, which
 *                         refuses them instead
 */
public record RewriteResult(String sql, boolean rewritten, List<String> replayed, List<String> nonDeterministic) {

    public RewriteResult {
        replayed = List.copyOf(replayed);
        nonDeterministic = List.copyOf(nonDeterministic);
    }

    /** Whether replay gives the same result everywhere (given {@link ReplayFunctions}). */
    public boolean deterministic() {
        return nonDeterministic.isEmpty();
    }
}
