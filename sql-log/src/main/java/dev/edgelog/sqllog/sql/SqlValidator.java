package dev.edgelog.sqllog.sql;

import dev.edgelog.sqllog.sql.RejectedSqlException.Reason;
import dev.edgelog.sqllog.sql.SqlToken.Kind;
import dev.edgelog.sqllog.sql.StatementModes.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Refuses, before anything reaches the log, SQL that must not be replicated: statements that reach
 * outside the database ({@code ATTACH}, {@code load_extension}), take over the transactions that the
 * log controls ({@code BEGIN}, {@code COMMIT}, {@code SAVEPOINT} …), change the connection or file
 * ({@code VACUUM}, state-changing {@code PRAGMA}s), or roll back the enclosing transaction
 * ({@code OR ROLLBACK}, {@code ON CONFLICT ROLLBACK}, {@code RAISE(ROLLBACK, …)}): replay applies
 * many entries in one SQLite transaction, and a rollback would undo other entries with it.
 *
 * <p>Also refused, because replicas would disagree: TEMP objects and the {@code temp} schema (they
 * live only as long as one connection, so a restarted or snapshot-bootstrapped replica lacks them);
 * edgelog's own bookkeeping ({@code _edgelog_…} names, {@code edgelog_canary}); a view whose body
 * uses the current time (each replica would read its own clock when a write reads the view);
 * table-valued {@code pragma_…} functions other than schema introspection, and {@code dbstat}
 * (page counts and layout differ on a replica restored from a snapshot).
 *
 * <p>Names are compared as SQLite resolves them: a quoted identifier ({@code "…"}, {@code […]},
 * {@code `…`}) is the same name as the bare word, so {@code "load_extension"(…)} is refused; a
 * string literal is a name where SQLite accepts one ({@code FROM 'dbstat'}, {@code 'temp'.t}), but
 * never a function name ({@code 'load_extension'(…)} is a syntax error in SQLite). Keywords
 * ({@code ATTACH}, {@code BEGIN}, {@code OR ROLLBACK}, {@code TEMP} …) are compared only as bare
 * words: SQLite never reads a quoted word as a keyword ({@code "ATTACH" …} is a syntax error and
 * {@code a OR "rollback"} names a column).
 *
 * <p>One text must hold exactly one statement. {@code REINDEX} is allowed: it is deterministic and
 * changes no content. {@code PRAGMA}s are allowed only in read-only forms: a name from
 * {@link #READ_ONLY_PRAGMAS} without argument, or one of {@link #PRAGMAS_WITH_NAME_ARGUMENT} with a
 * table or index name; never with {@code =}.
 */
public final class SqlValidator {

    /** Pragmas that only report when given no argument. */
    public static final Set<String> READ_ONLY_PRAGMAS = Set.of("APPLICATION_ID", "AUTO_VACUUM",
            "CACHE_SIZE", "COLLATION_LIST", "COMPILE_OPTIONS", "DATA_VERSION", "DATABASE_LIST", "ENCODING",
            "FOREIGN_KEYS", "FOREIGN_KEY_CHECK", "FREELIST_COUNT", "FUNCTION_LIST", "INTEGRITY_CHECK",
            "JOURNAL_MODE", "MODULE_LIST", "PAGE_COUNT", "PAGE_SIZE", "PRAGMA_LIST", "QUICK_CHECK",
            "SCHEMA_VERSION", "TABLE_LIST", "USER_VERSION");

    /** Pragmas that only report when given a table or index name: {@code PRAGMA table_info(t)}. */
    public static final Set<String> PRAGMAS_WITH_NAME_ARGUMENT = Set.of("TABLE_INFO", "TABLE_XINFO",
            "INDEX_LIST", "INDEX_INFO", "INDEX_XINFO", "FOREIGN_KEY_LIST", "FOREIGN_KEY_CHECK", "TABLE_LIST",
            "INTEGRITY_CHECK", "QUICK_CHECK");

    /**
     * The table-valued pragma functions allowed in a write: they report only the schema, which is
     * the same on every replica. {@code pragma_table_list} is not among them: it lists the
     * {@code temp} schema, which is per connection.
     */
    public static final Set<String> PRAGMA_FUNCTIONS = Set.of("PRAGMA_TABLE_INFO", "PRAGMA_TABLE_XINFO",
            "PRAGMA_INDEX_LIST", "PRAGMA_INDEX_INFO", "PRAGMA_INDEX_XINFO", "PRAGMA_FOREIGN_KEY_LIST");

    /** The prefix of edgelog's bookkeeping tables ({@code _edgelog_state}); refused in any statement. */
    public static final String INTERNAL_PREFIX = "_edgelog_";

    /** The applier's per-connection TEMP table; refused by name as well as by its schema. */
    public static final String CANARY_TABLE = "edgelog_canary";

    private static final Set<String> TEMP_SCHEMA_TABLES = Set.of("SQLITE_TEMP_MASTER", "SQLITE_TEMP_SCHEMA");

    private static final Set<String> TRANSACTION_VERBS =
            Set.of("BEGIN", "COMMIT", "END", "ROLLBACK", "SAVEPOINT", "RELEASE");

    private SqlValidator() {
    }

    /**
     * Checks one statement's text.
     *
     * @throws RejectedSqlException naming the reason when the statement must not enter the log
     */
    public static void validate(String sql) {
        List<SqlToken> tokens = SqlTokenizer.tokenize(sql);
        List<int[]> statements = SqlText.statementRanges(tokens);
        if (statements.isEmpty()) {
            throw new RejectedSqlException(Reason.EMPTY, "empty statement: the SQL text holds no statement");
        }
        if (statements.size() > 1) {
            throw new RejectedSqlException(Reason.MULTIPLE_STATEMENTS, "the SQL text holds " + statements.size()
                    + " statements; send them as separate statements of the request");
        }
        List<SqlToken> sig = new ArrayList<>();
        for (SqlToken t : tokens) {
            if (!t.isTrivia() && !t.isOperator(";")) {
                sig.add(t);
            }
        }
        int v = 0;
        if (sig.get(0).isWord("EXPLAIN")) {
            v = sig.size() > 2 && sig.get(1).isWord("QUERY") ? 3 : 1;
        }
        if (v < sig.size()) {
            checkVerb(sig, v);
        }
        checkEverywhere(sig);
        if (v + 1 < sig.size() && sig.get(v).isWord("CREATE") && sig.get(v + 1).isWord("VIEW")) {
            checkView(sig, v + 2);
        }
    }

    private static void checkVerb(List<SqlToken> sig, int v) {
        String verb = sig.get(v).upper();
        if (verb.equals("ATTACH") || verb.equals("DETACH")) {
            throw new RejectedSqlException(Reason.ATTACH,
                    verb + " is not allowed: replicas must not reach other database files");
        }
        if (TRANSACTION_VERBS.contains(verb)) {
            throw new RejectedSqlException(Reason.TRANSACTION_CONTROL, verb + " is not allowed: the log controls"
                    + " transactions (send the statements as one request with transaction=true)");
        }
        if (verb.equals("VACUUM")) {
            throw new RejectedSqlException(Reason.VACUUM,
                    "VACUUM is not allowed in a write: it cannot run inside the log's transaction");
        }
        if (verb.equals("PRAGMA")) {
            checkPragma(sig, v + 1);
        }
        if (verb.equals("CREATE") && v + 1 < sig.size()
                && (sig.get(v + 1).isWord("TEMP") || sig.get(v + 1).isWord("TEMPORARY"))) {
            String what = v + 2 < sig.size() ? " " + sig.get(v + 2).upper() : "";
            throw temp("CREATE " + sig.get(v + 1).upper() + what);
        }
    }

    private static void checkPragma(List<SqlToken> sig, int i) {
        if (i + 1 < sig.size() && sig.get(i + 1).isOperator(".")) {
            i += 2; // schema.
        }
        String identifier = i < sig.size() ? sig.get(i).identifier() : null;
        String name = identifier == null ? "" : SqlToken.asciiUpper(identifier);
        boolean hasArgument = i + 1 < sig.size();
        boolean assigns = sig.stream().anyMatch(t -> t.isOperator("="));
        boolean allowed = !assigns && (hasArgument
                ? PRAGMAS_WITH_NAME_ARGUMENT.contains(name) && sig.get(i + 1).isOperator("(")
                : READ_ONLY_PRAGMAS.contains(name) || PRAGMAS_WITH_NAME_ARGUMENT.contains(name));
        if (!allowed) {
            throw new RejectedSqlException(Reason.PRAGMA, "PRAGMA " + name.toLowerCase(Locale.ROOT)
                    + (assigns || hasArgument ? " with a value" : "")
                    + " is not allowed: only read-only introspection pragmas are");
        }
    }

    private static void checkEverywhere(List<SqlToken> sig) {
        for (int i = 0; i < sig.size(); i++) {
            SqlToken t = sig.get(i);
            boolean call = i + 1 < sig.size() && sig.get(i + 1).isOperator("(");
            checkName(sig, i);
            if (t.isName("load_extension") && call) {
                throw new RejectedSqlException(Reason.LOAD_EXTENSION,
                        "load_extension() is not allowed: replicas must not load code");
            }
            if (i > 0 && t.isWord("ROLLBACK")) {
                SqlToken before = sig.get(i - 1);
                String form = before.isWord("OR") ? "OR ROLLBACK"
                        : before.isWord("CONFLICT") ? "ON CONFLICT ROLLBACK"
                        : before.isOperator("(") && i > 1 && sig.get(i - 2).isWord("RAISE") ? "RAISE(ROLLBACK, ...)"
                        : null;
                if (form != null) {
                    throw new RejectedSqlException(Reason.ROLLBACK_CONFLICT, form + " is not allowed: replay"
                            + " applies many entries in one transaction and a rollback would undo the others;"
                            + " use ABORT or FAIL");
                }
            }
        }
    }

    /** The checks of one token as a name: temp schema, bookkeeping, layout-dependent tables. */
    private static void checkName(List<SqlToken> sig, int i) {
        SqlToken t = sig.get(i);
        String name = t.identifier();
        if (name == null || (t.kind() == Kind.STRING && !identifierLike(name))) {
            return;
        }
        String upper = SqlToken.asciiUpper(name);
        boolean qualifies = i + 1 < sig.size() && sig.get(i + 1).isOperator(".");
        if ((qualifies && upper.equals("TEMP")) || TEMP_SCHEMA_TABLES.contains(upper)) {
            throw temp((qualifies ? name + "." : name) + " (the temp schema)");
        }
        if (upper.startsWith(SqlToken.asciiUpper(INTERNAL_PREFIX)) || upper.equals(SqlToken.asciiUpper(CANARY_TABLE))) {
            throw new RejectedSqlException(Reason.INTERNAL_TABLE, name + " is edgelog's own bookkeeping and"
                    + " cannot be used in a write: changing it breaks replay on every replica, and its"
                    + " content (replica clocks, connection state) differs between replicas");
        }
        if (upper.equals("DBSTAT")) {
            throw new RejectedSqlException(Reason.FILE_LAYOUT, "dbstat is not allowed in a write: it reports"
                    + " the file's page layout, which differs on a replica restored from a snapshot");
        }
        boolean pragmaName = (i > 0 && sig.get(i - 1).isWord("PRAGMA"))
                || (i > 2 && sig.get(i - 1).isOperator(".") && sig.get(i - 3).isWord("PRAGMA"));
        if (upper.startsWith("PRAGMA_") && !pragmaName && !PRAGMA_FUNCTIONS.contains(upper)) {
            throw new RejectedSqlException(Reason.PRAGMA, name.toLowerCase(Locale.ROOT) + " is not allowed"
                    + " in a write: only the schema-introspection pragma functions ("
                    + String.join(", ", PRAGMA_FUNCTIONS.stream().sorted().map(p -> p.toLowerCase(Locale.ROOT)).toList())
                    + ") give the same result on every replica; page and freelist counts differ on a replica"
                    + " restored from a snapshot, build and connection facts between replicas");
        }
    }

    /** Whether a string literal's value could name a table or function (SQLite identifier characters). */
    private static boolean identifierLike(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (!SqlTokenizer.isIdChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static RejectedSqlException temp(String what) {
        return new RejectedSqlException(Reason.TEMP_OBJECT, what + " is not allowed: TEMP tables, views,"
                + " triggers and indexes live only as long as one connection, so a restarted replica or one"
                + " bootstrapped from a snapshot lacks them and would apply later entries differently;"
                + " use an ordinary table in the main schema");
    }

    /**
     * {@code CREATE VIEW name [(columns)] AS select}: the select must not use the current time,
     * which each replica would take from its own clock whenever a write reads the view. Refused: any
     * {@code 'now'} string, {@code CURRENT_DATE/TIME/TIMESTAMP} where SQLite reads the keyword, and
     * a date/time function without a time value or with {@code 'subsec'} as it.
     */
    private static void checkView(List<SqlToken> sig, int from) {
        int as = from;
        while (as < sig.size() && !sig.get(as).isWord("AS")) {
            as = sig.get(as).isOperator("(") ? SqlText.skipParens(sig, as) : as + 1;
        }
        String use = null;
        for (int i = as + 1; i < sig.size() && use == null; i++) {
            SqlToken t = sig.get(i);
            if (t.kind() == Kind.STRING && SqlToken.equalsAsciiIgnoreCase(t.identifier(), "now")) {
                use = t.text();
            }
        }
        if (use == null && as < sig.size()) {
            Mode[] modes = new Mode[sig.size()];
            Arrays.fill(modes, 0, as + 1, Mode.LEAVE);
            Arrays.fill(modes, as + 1, modes.length, Mode.NOW);
            RewritePass pass = new RewritePass(sig, RewriteContext.of(0, new SplittableRandom(0)), modes);
            pass.run();
            use = pass.timeUses().isEmpty() ? null : pass.timeUses().get(0);
        }
        if (use != null) {
            throw new RejectedSqlException(Reason.VIEW_USES_NOW, "CREATE VIEW using the current time (" + use
                    + ") is not allowed: every replica would evaluate it with its own clock whenever a write"
                    + " reads the view; compute the time in the writing statement instead (for example"
                    + " INSERT INTO t SELECT …, datetime('now') FROM v), which the log fixes to the commit time");
        }
    }
}
