/**
 * SQL text: exact SQLite tokenizing ({@link dev.edgelog.sqllog.sql.SqlTokenizer}), the facts the
 * applier needs per text ({@link dev.edgelog.sqllog.sql.SqlText}: parameter numbering, insert or
 * not, statement count), refusal of SQL that must not be replicated
 * ({@link dev.edgelog.sqllog.sql.SqlValidator}), determinism at write time
 * ({@link dev.edgelog.sqllog.sql.SqlRewriter}) and at replay
 * ({@link dev.edgelog.sqllog.sql.ReplayFunctions}).
 *
 * <p>Why: every replica must reach the same bytes from the same log, so nothing in an entry may
 * depend on the replica's clock, time zone, random source or connection history. Everything here
 * works on tokens, never on raw text, so a string, quoted identifier or comment is never read as SQL.
 * Write path: {@code validate}, then {@code rewrite}; apply path: {@code ReplayFunctions} on the
 * writing connection (primary and replicas alike), {@code SqlText} for binding.
 *
 * <p>Rules the validator adds for replicas to agree (each refused with its own
 * {@link dev.edgelog.sqllog.sql.RejectedSqlException.Reason}): no TEMP object and no use of the
 * {@code temp} schema (connection-lived: a restarted or snapshot-bootstrapped replica lacks them);
 * no use of edgelog's bookkeeping ({@code _edgelog_…}, {@code edgelog_canary}); no view using the
 * current time; no table-valued {@code pragma_…} function but schema introspection, no
 * {@code dbstat}. Names are compared unquoted ({@code "x"}, {@code [x]}, {@code `x`}, and a string
 * literal where SQLite takes it as a name); keywords only as bare words.
 *
 * <h2>Findings (verified on sqlite-jdbc 3.54.1.0 = SQLite 3.54.1; see the tests)</h2>
 * <ul>
 *   <li>An application-defined {@code random()} (0 arguments) or {@code randomblob(n)} (1 argument)
 *       overrides SQLite's built-in on that connection, in {@code ORDER BY RANDOM()}, subqueries and
 *       column {@code DEFAULT (random())} alike. So {@code DELETE … ORDER BY RANDOM() LIMIT 3} replays
 *       identically; the rewriter leaves it and strict mode accepts it.</li>
 *   <li>A column {@code DEFAULT} may call an application-defined non-deterministic function
 *       ({@code DEFAULT (datetime(edgelog_now()))}), evaluated at insert time. With
 *       {@code PRAGMA trusted_schema=OFF} that needs {@code SQLITE_INNOCUOUS} (0x200000), which
 *       sqlite-jdbc passes through. {@code DEFAULT CURRENT_TIMESTAMP} is therefore rewritten to
 *       {@code DEFAULT (datetime(edgelog_now()))}. Trade-off: a connection without the function
 *       reads such tables and inserts explicit values, but an insert needing the default fails
 *       with {@code unknown function: edgelog_now()} (e.g. a plain {@code sqlite3} shell writing to
 *       a copy). Edges are read-only, so this only matters for copies used for writing.</li>
 *   <li>Replacing {@code 'now'} by {@code 'YYYY-MM-DD HH:MM:SS.SSSZ'} gives exactly the commit time
 *       to the millisecond in every date function, with any modifier, and the {@code Z} marks it
 *       UTC as {@code 'now'} is, so {@code 'utc'} is a no-op on both. A julian-day literal also
 *       keeps the millisecond, but {@code 'unixepoch'}/{@code 'auto'} read a number as seconds, so
 *       it is not equivalent to {@code 'now'}; the string form is used.</li>
 *   <li>{@code RANDOM()} to a literal (rqlite's choice, the default) evaluates once per statement:
 *       per-row uses ({@code UPDATE t SET r = RANDOM()}) give every row the same value.
 *       {@link dev.edgelog.sqllog.sql.RewriteContext#randomToLiterals()} {@code false} keeps SQLite's
 *       semantics and relies on the replay functions instead.</li>
 *   <li>Positional parameters bind the unnamed slots in ascending slot number (slot k for value k
 *       in ordinary statements, as rqlite and JDBC do); names bind {@code :n}, {@code @n},
 *       {@code $n} alike. Numbering matches {@code sqlite3_bind_parameter_count} and binding on
 *       400+ random and hand-written statements.</li>
 * </ul>
 */
package dev.edgelog.sqllog.sql;
