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
 *   <li>A TEMP table or trigger exists only on the connection that created it: after a reopen the
 *       table is "no such table" and the trigger no longer fires, so later entries apply
 *       differently. SQLite resolves the schema as {@code temp}, {@code "temp"}, {@code [temp]} and
 *       {@code 'temp'} alike. Hence refused, with the {@code temp} schema.</li>
 *   <li>A string literal is a table name to SQLite ({@code DELETE FROM '_edgelog_state'},
 *       {@code FROM 'dbstat'}, {@code FROM 'pragma_page_count'}), and a quoted identifier is a
 *       function name ({@code "upper"('a')}, {@code "load_extension"(…)} gives "not authorized",
 *       {@code "current_date"()}); a string literal is never a function name ({@code 'upper'('a')}
 *       is a syntax error) and a quoted word never a keyword ({@code "ATTACH" …} is a syntax
 *       error, {@code a OR "rollback"} names a column). So name checks unquote; a string literal
 *       spelling exactly a refused name ({@code 'dbstat'}, {@code '_edgelog_x'},
 *       {@code 'pragma_page_count'}) is refused even as data (bind such a value instead).</li>
 *   <li>A view is evaluated by whoever reads it: {@code CREATE VIEW v AS SELECT date()} gives each
 *       reader its own clock, so an {@code INSERT … SELECT … FROM v} would differ per replica. A
 *       view whose body has a {@code 'now'} string, a {@code CURRENT_*} keyword or a date/time
 *       function without a time value (or with {@code 'subsec'} as it) is refused; the writing
 *       statement computes the time instead, which the rewriter fixes to the commit time.</li>
 *   <li>After {@code VACUUM INTO} (how snapshots are made) {@code pragma_freelist_count} is 0 and
 *       {@code dbstat} differs from the live file, while {@code pragma_table_info} does not.
 *       {@code pragma_table_list} lists the {@code temp} schema, so it is not allowed either; the
 *       allowed pragma functions are {@link dev.edgelog.sqllog.sql.SqlValidator#PRAGMA_FUNCTIONS}.
 *       Names starting {@code sqlite_} need no check: SQLite refuses to create them ("object name
 *       reserved for internal use").</li>
 *   <li>{@code CURRENT_DATE}, {@code CURRENT_TIME}, {@code CURRENT_TIMESTAMP} are column or table
 *       names wherever SQLite cannot read an expression (column definitions, {@code INSERT}
 *       column lists, {@code SET} targets, next to {@code .}, after {@code AS},
 *       {@code USING(…)}, {@code UPDATE OF …}, table positions) and the keywords everywhere else,
 *       even where a column of that name exists ({@code WHERE current_date = 'x'} compares today's
 *       date). The rewriter replaces only the keywords; {@code current_date()} unquoted is a
 *       syntax error and is left.</li>
 *   <li>SQLite's whitespace is space, tab, newline, form feed and carriage return; a vertical tab
 *       only continues a run, and other Unicode spaces are identifier characters
 *       ({@link dev.edgelog.sqllog.sql.SqlTokenizer#isSqliteSpace(char)}).</li>
 * </ul>
 */
package dev.edgelog.sqllog.sql;
