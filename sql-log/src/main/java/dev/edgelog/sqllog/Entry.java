package dev.edgelog.sqllog;

import java.util.List;

/**
 * One entry of the SQL log: one committed write request.
 *
 * @param index            the dense SQL-log index: 1, 2, 3 … with no gaps
 * @param term             the Raft term of the Raft entry that carried this request
 * @param raftIndex        the Raft index of that entry (Raft indices have gaps; {@code index} has none)
 * @param commitTimeMillis the leader's clock when the request was proposed, in ms since the epoch;
 *                         the time that {@code 'now'} and {@code CURRENT_TIMESTAMP} mean in it
 * @param transaction      all-or-nothing ({@code true}) or each statement on its own
 * @param statements       the request's statements, already made deterministic
 * @param outcomes         the primary's outcome of each statement, in order; empty while the entry
 *                         has not yet been applied on the primary. In a transaction that failed,
 *                         it ends at the failing statement (the rest did not run), as in rqlite
 */
public record Entry(
        long index,
        long term,
        long raftIndex,
        long commitTimeMillis,
        boolean transaction,
        List<Statement> statements,
        List<Outcome> outcomes) {

    public Entry {
        if (index < 1) {
            throw new IllegalArgumentException("index must be at least 1, was " + index);
        }
        if (term < 0 || raftIndex < 0) {
            throw new IllegalArgumentException("term and raftIndex must not be negative");
        }
        statements = List.copyOf(statements);
        outcomes = List.copyOf(outcomes);
        if (outcomes.size() > statements.size()) {
            throw new IllegalArgumentException(
                    "entry " + index + " has " + outcomes.size() + " outcomes for " + statements.size() + " statements");
        }
    }

    /** Whether the primary's outcomes are recorded (the entry has been applied on the primary). */
    public boolean hasOutcomes() {
        return !outcomes.isEmpty() || statements.isEmpty();
    }

    /** This entry with the given outcomes. */
    public Entry withOutcomes(List<Outcome> newOutcomes) {
        return new Entry(index, term, raftIndex, commitTimeMillis, transaction, statements, newOutcomes);
    }

    /** This entry placed in the log: its SQL-log index and the Raft entry that carried it. */
    public Entry at(long newIndex, long newTerm, long newRaftIndex) {
        return new Entry(newIndex, newTerm, newRaftIndex, commitTimeMillis, transaction, statements, outcomes);
    }

    /** This entry renumbered to the given SQL-log index. */
    public Entry withIndex(long newIndex) {
        return new Entry(newIndex, term, raftIndex, commitTimeMillis, transaction, statements, outcomes);
    }
}
