package dev.edgelog.sqllog.sql;

import dev.edgelog.sqllog.sql.RejectedSqlException.Reason;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Refuses, before anything reaches the log, SQL that must not be replicated: statements that reach
 * outside the database ({@code ATTACH}, {@code load_extension}), take over the transactions that the
 * log controls ({@code BEGIN}, {@code COMMIT}, {@code SAVEPOINT} …), change the connection or file
 * ({@code VACUUM}, state-changing {@code PRAGMA}s), or roll back the enclosing transaction
 * ({@code OR ROLLBACK}, {@code ON CONFLICT ROLLBACK}, {@code RAISE(ROLLBACK, …)}): replay applies
 * many entries in one SQLite transaction, and a rollback would undo other entries with it.
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
    }

    private static void checkPragma(List<SqlToken> sig, int i) {
        if (i + 1 < sig.size() && sig.get(i + 1).isOperator(".")) {
            i += 2; // schema.
        }
        String name = i < sig.size() ? sig.get(i).text().toUpperCase(Locale.ROOT) : "";
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
            if (t.isWord("load_extension") && call) {
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
}
