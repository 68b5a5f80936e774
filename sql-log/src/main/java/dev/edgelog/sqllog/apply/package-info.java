/**
 * Applies SQL-log entries to a SQLite file: {@link dev.edgelog.sqllog.apply.SqliteApplier}.
 *
 * <p>Why a package of its own: applying is where the log's promises are kept or broken. Every
 * replica (primary node, mirror, edge) runs the same code on the same entries, so the rules live in
 * one place:
 * <ul>
 *   <li><b>rqlite's semantics</b>: a {@code transaction} entry is all-or-nothing (a SAVEPOINT
 *       rolled back at the first failing statement); otherwise each statement stands alone (SQLite's
 *       statement atomicity undoes a failing one). One entry never touches another.</li>
 *   <li><b>Only statement-level SQL errors are outcomes</b> (constraint, syntax, mismatch, range,
 *       too big), identical on every replica. I/O, busy, corruption and driver errors stop the batch
 *       ({@link dev.edgelog.sqllog.apply.ApplyException}); nothing of it is committed or recorded.</li>
 *   <li><b>Exactly once</b>: the applied index lives in {@code _edgelog_state} and is written in
 *       the same SQLite transaction as the batch, so a crash at any instant loses nothing that was
 *       committed and replay skips what is applied.</li>
 *   <li><b>Outcome check</b>: entries that carry the primary's outcomes are verified statement by
 *       statement; a mismatch is a {@link dev.edgelog.sqllog.apply.Divergence}.</li>
 * </ul>
 * Performance matters here as much as correctness (edges replay the whole log): no savepoint and no
 * extra query unless the entry needs one, prepared statements reused, one state write per batch.
 */
package dev.edgelog.sqllog.apply;
