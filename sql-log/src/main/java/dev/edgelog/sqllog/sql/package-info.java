/**
 * SQL text: tokenizing SQLite SQL exactly ({@link dev.edgelog.sqllog.sql.SqlTokenizer}), the facts
 * the applier needs per text ({@link dev.edgelog.sqllog.sql.SqlText}: parameter numbering, insert or
 * not, statement count), and deterministic replay
 * ({@link dev.edgelog.sqllog.sql.ReplayFunctions}).
 *
 * <p>Why: every replica must reach the same bytes from the same log, so nothing in an entry may
 * depend on the replica's clock, random source or history. Everything here works on tokens, never
 * on raw text, so that a string, quoted identifier or comment is never read as SQL.
 *
 * <h2>Findings (verified on sqlite-jdbc 3.54.1.0, SQLite 3.54.1; see the tests)</h2>
 * <ul>
 *   <li>An application-defined {@code random()} (0 arguments) or {@code randomblob(n)} (1 argument)
 *       overrides SQLite's built-in on that connection, including inside {@code ORDER BY RANDOM()},
 *       subqueries and column {@code DEFAULT (random())} expressions.</li>
 *   <li>A column {@code DEFAULT} may call an application-defined function
 *       ({@code DEFAULT (datetime(edgelog_now()))}); SQLite evaluates it at insert time. With
 *       {@code PRAGMA trusted_schema=OFF} that needs the {@code SQLITE_INNOCUOUS} flag (0x200000),
 *       which sqlite-jdbc passes through and {@code ReplayFunctions} sets. A connection without the
 *       function reads such a table normally and inserts explicit values, but an insert that needs
 *       the default fails with {@code unknown function: edgelog_now()}: a plain {@code sqlite3}
 *       shell writing to a copy of an edge database hits that. Edges are read-only, so the
 *       trade-off is acceptable.</li>
 * </ul>
 */
package dev.edgelog.sqllog.sql;
