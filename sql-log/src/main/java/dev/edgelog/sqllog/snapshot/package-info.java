/**
 * Consistent copies of an applied SQLite database, and swapping one into a live database:
 * {@link dev.edgelog.sqllog.snapshot.Snapshots}.
 *
 * <p>Why a package of its own: followers bootstrap from snapshots (no database yet, an index older
 * than retention, a divergence), and mirrors serve them so that bootstrap load never concentrates on
 * the primary. Two promises matter:
 * <ul>
 *   <li><b>Index and content agree by construction</b>: a snapshot's index is the
 *       {@code applied_index} read from inside the copy, and the copy is one read transaction
 *       ({@code VACUUM INTO}), so it is never "roughly" at an index. Snapshots use their own
 *       connection; they never touch the applier's.</li>
 *   <li><b>Restoring never breaks readers</b>: the content is copied into the live file with
 *       SQLite's backup API, as one write transaction, not swapped by renaming files. Ad servers'
 *       read-only connections stay valid and see the new data on their next transaction. The
 *       checksum is verified before anything is touched.</li>
 * </ul>
 */
package dev.edgelog.sqllog.snapshot;
