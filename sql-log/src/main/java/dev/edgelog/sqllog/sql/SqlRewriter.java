package dev.edgelog.sqllog.sql;

import dev.edgelog.sqllog.sql.RejectedSqlException.Reason;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Makes SQL deterministic at write time, before it enters the log, by replacing what depends on the
 * replica's clock or random source with literals of the entry's commit time and random values.
 *
 * <p>Outside strings, quoted identifiers and comments, case-insensitively, with any whitespace or
 * comment between a name and its {@code (}:
 * <ul>
 *   <li>{@code RANDOM()} becomes an integer literal, except inside an {@code ORDER BY} (a literal
 *       would make the ordering meaningless; {@link ReplayFunctions} replays it deterministically)
 *       and unless {@link RewriteContext#randomToLiterals()} is off.</li>
 *   <li>{@code RANDOMBLOB(n)} with a decimal literal {@code n} up to {@link #MAX_BLOB_LITERAL}
 *       becomes an {@code x'…'} literal; other forms are left to {@link ReplayFunctions}.</li>
 *   <li>In {@code date, time, datetime, julianday, unixepoch, strftime, timediff}, a {@code 'now'}
 *       time value (and the forms meaning now: no time value at all, {@code 'subsec'}) becomes
 *       {@code 'YYYY-MM-DD HH:MM:SS.SSSZ'}, the commit time to the millisecond. The {@code Z} marks
 *       it UTC exactly as {@code 'now'} is, so modifiers ({@code '+1 day'}, {@code 'start of
 *       month'}, {@code 'subsec'}, {@code 'utc'}) give what they give on {@code 'now'}. A
 *       julian-day number literal would not: {@code 'unixepoch'} and {@code 'utc'} read a number
 *       differently from {@code 'now'}.</li>
 *   <li>{@code CURRENT_TIMESTAMP}, {@code CURRENT_DATE}, {@code CURRENT_TIME} become string
 *       literals in SQLite's formats.</li>
 * </ul>
 *
 * <p>Text that runs later than the entry is not frozen: inside a column {@code DEFAULT} (of
 * {@code CREATE TABLE} or {@code ALTER TABLE … ADD}) and a {@code CREATE TRIGGER}, {@code 'now'}
 * becomes {@code edgelog_now()} and {@code CURRENT_TIMESTAMP} {@code (datetime(edgelog_now()))},
 * evaluated at replay time by {@link ReplayFunctions}, and {@code RANDOM()} is left to it. Views
 * and indexes are left alone: a view is evaluated when read, so {@link SqlValidator} refuses one
 * that uses the current time (a write reading it would differ per replica), and SQLite refuses
 * non-deterministic functions in indexes. The {@code AS SELECT} of {@code CREATE TABLE … AS}
 * runs now and is rewritten.
 *
 * <p>{@code CURRENT_*} is replaced only where SQLite reads the keyword: not where it names a
 * column or table ({@code INSERT INTO t(id, current_date)}, {@code SET current_date = …},
 * {@code t.current_date}, column definitions; see {@link NamePositions}). A quoted function name
 * ({@code "datetime"('now')}, {@code [random]()}, {@code "current_date"()}) is treated as the bare
 * name, as SQLite calls the same function.
 *
 * <p>Never made deterministic (listed, refused in strict mode): a {@code 'localtime'} modifier, a
 * {@code 'utc'} modifier on a time that is not {@code 'now'} (both depend on the replica's time
 * zone), {@code last_insert_rowid()}, {@code changes()}, {@code total_changes()} (they depend on
 * what else ran on the connection), {@code sqlite_version()}, {@code sqlite_source_id()},
 * {@code sqlite_compileoption_get/used()}, {@code sqlite_offset()}. Not detected: a time value
 * {@code 'now'} that arrives in a parameter or a column rather than in the text.
 */
public final class SqlRewriter {

    /** Largest {@code RANDOMBLOB(n)} written out as a literal; larger ones are replayed. */
    public static final int MAX_BLOB_LITERAL = 4096;

    private SqlRewriter() {
    }

    /**
     * Rewrites every statement of {@code sql}.
     *
     * @throws RejectedSqlException in strict mode, naming what cannot be made deterministic
     */
    public static RewriteResult rewrite(String sql, RewriteContext ctx) {
        List<SqlToken> tokens = SqlTokenizer.tokenize(sql);
        List<RewritePass.Edit> edits = new ArrayList<>();
        List<String> replayed = new ArrayList<>();
        List<String> nonDeterministic = new ArrayList<>();
        for (int[] range : SqlText.statementRanges(tokens)) {
            List<SqlToken> sig = new ArrayList<>();
            for (int i = range[0]; i < range[1]; i++) {
                if (!tokens.get(i).isTrivia()) {
                    sig.add(tokens.get(i));
                }
            }
            RewritePass pass = new RewritePass(sig, ctx, StatementModes.of(sig));
            pass.run();
            edits.addAll(pass.edits());
            replayed.addAll(pass.replayed());
            nonDeterministic.addAll(pass.nonDeterministic());
        }
        if (ctx.strict() && !nonDeterministic.isEmpty()) {
            throw new RejectedSqlException(Reason.NON_DETERMINISTIC,
                    "not deterministic across replicas: " + String.join("; ", nonDeterministic));
        }
        if (edits.isEmpty()) {
            return new RewriteResult(sql, false, replayed, nonDeterministic);
        }
        edits.sort(Comparator.comparingInt(RewritePass.Edit::start));
        StringBuilder out = new StringBuilder(sql.length() + 32 * edits.size());
        int at = 0;
        for (RewritePass.Edit e : edits) {
            out.append(sql, at, e.start()).append(e.text());
            at = e.end();
        }
        out.append(sql, at, sql.length());
        return new RewriteResult(out.toString(), true, replayed, nonDeterministic);
    }
}
