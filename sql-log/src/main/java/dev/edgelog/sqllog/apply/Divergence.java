package dev.edgelog.sqllog.apply;

import dev.edgelog.sqllog.Outcome;

/**
 * This replica's outcome of a statement differs from the one the primary recorded: the replica's
 * data has diverged (or the log was tampered with). The caller normally re-bootstraps.
 *
 * @param index     the entry's SQL-log index
 * @param position  the statement's position in the entry (0-based)
 * @param sql       the statement's SQL text (null when the entry has fewer statements run than
 *                  outcomes recorded and the position is past the last)
 * @param expected  the primary's outcome, null when it recorded none at that position
 * @param actual    this replica's outcome, null when it ran no statement at that position
 */
public record Divergence(long index, int position, String sql, Outcome expected, Outcome actual) {

    /** One line for logs and error messages. */
    public String describe() {
        return "entry " + index + " statement " + position + " (" + sql + "): primary recorded " + expected
                + ", this replica got " + actual;
    }
}
