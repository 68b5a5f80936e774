package dev.edgelog.sqllog.sql;

import dev.edgelog.sqllog.sql.SqlToken.Kind;
import java.util.List;
import java.util.Set;

/**
 * Which words of one statement SQLite reads as a column, table or alias name rather than as an
 * expression, so that {@code CURRENT_DATE}, {@code CURRENT_TIME} and {@code CURRENT_TIMESTAMP} are
 * treated as the keywords only where SQLite treats them so.
 *
 * <p>SQLite's grammar lets those keywords fall back to identifiers wherever an expression cannot
 * stand (verified on SQLite 3.54.1): {@code CREATE TABLE t(current_date TEXT)}, {@code INSERT INTO
 * t(id, current_date)}, {@code UPDATE t SET current_date = …}, {@code SET (a, current_date) = …},
 * {@code t.current_date}, {@code AS current_date}, {@code USING(current_date)}, {@code UPDATE OF
 * current_date} in a trigger, a table named {@code current_date}. Where an expression can stand
 * ({@code SELECT current_date FROM t}, {@code WHERE current_date = 'x'}, {@code ON
 * CONFLICT(current_date)}) it is the keyword, even when {@code t} has such a column.
 *
 * <p>Not recognised: a table named like the keywords in the second or later place of a comma-joined
 * {@code FROM} list ({@code FROM a, current_date}); the keyword is then rewritten and the statement
 * fails with "no such table" on every replica alike.
 */
final class NamePositions {

    /** Words after which the next word is a name: aliases, tables, schema objects. */
    private static final Set<String> NAME_FOLLOWS = Set.of("AS", "FROM", "JOIN", "INTO", "UPDATE", "TABLE",
            "VIEW", "INDEX", "TRIGGER", "REFERENCES", "EXISTS", "ANALYZE", "REINDEX", "COLUMN");

    /** Words that end an {@code UPDATE … SET} list at its own nesting level. */
    private static final Set<String> SET_LIST_ENDS = Set.of("WHERE", "FROM", "RETURNING", "ORDER", "LIMIT");

    private NamePositions() {
    }

    /** For each significant token, whether it stands where SQLite reads a name. */
    static boolean[] of(List<SqlToken> sig) {
        boolean[] name = new boolean[sig.size()];
        for (int i = 0; i < sig.size(); i++) {
            SqlToken t = sig.get(i);
            if ((i > 0 && sig.get(i - 1).isOperator(".")) || (i + 1 < sig.size() && sig.get(i + 1).isOperator("."))) {
                name[i] = true;
            }
            if (i > 0 && sig.get(i - 1).kind() == Kind.WORD && NAME_FOLLOWS.contains(sig.get(i - 1).upper())
                    && !(i > 1 && sig.get(i - 1).isWord("FROM") && sig.get(i - 2).isWord("DISTINCT"))) {
                name[i] = true;
            }
            if (i > 1 && sig.get(i - 1).isWord("BY") && sig.get(i - 2).isWord("INDEXED")) {
                name[i] = true;
            }
            if (t.isWord("INTO")) {
                insertColumns(sig, i, name);
            } else if (t.isWord("UPDATE") && i + 1 < sig.size() && sig.get(i + 1).isWord("OF")) {
                for (int j = i + 2; j < sig.size() && !sig.get(j).isWord("ON"); j++) {
                    name[j] = true;
                }
            } else if (t.isWord("USING") && i + 1 < sig.size() && sig.get(i + 1).isOperator("(")) {
                markGroup(sig, i + 1, name);
            } else if (t.isWord("SET")) {
                setTargets(sig, i + 1, name);
            } else if (t.isOperator("(") && i > 0 && isNameToken(sig.get(i - 1))) {
                int close = SqlText.skipParens(sig, i);
                if (close + 1 < sig.size() && sig.get(close).isWord("AS") && startsDefinition(sig.get(close + 1))) {
                    markGroup(sig, i, name); // WITH c(a, b) AS (…) and CREATE VIEW v(a, b) AS SELECT …
                }
            }
        }
        return name;
    }

    private static boolean isNameToken(SqlToken t) {
        return t.kind() == Kind.WORD || t.kind() == Kind.QUOTED_IDENTIFIER || t.kind() == Kind.STRING;
    }

    private static boolean startsDefinition(SqlToken t) {
        return t.isOperator("(") || t.isWord("MATERIALIZED") || t.isWord("NOT") || t.isWord("SELECT")
                || t.isWord("VALUES") || t.isWord("WITH");
    }

    /** {@code INTO name [. name] [AS alias] (columns)}: the columns are names. */
    private static void insertColumns(List<SqlToken> sig, int into, boolean[] name) {
        int j = into + 2;
        if (j < sig.size() && sig.get(j).isOperator(".")) {
            j += 2;
        }
        if (j < sig.size() && sig.get(j).isWord("AS")) {
            j += 2;
        }
        if (j < sig.size() && sig.get(j).isOperator("(")) {
            markGroup(sig, j, name);
        }
    }

    /** Marks every token inside the parenthesis group opening at {@code open}. */
    private static void markGroup(List<SqlToken> sig, int open, boolean[] name) {
        int close = SqlText.skipParens(sig, open);
        for (int j = open + 1; j < close - 1; j++) {
            name[j] = true;
        }
    }

    /**
     * {@code SET target = expr, target = expr …} where a target is a column or a parenthesised
     * column list: marks the targets, stopping where the list ends at its own nesting level.
     */
    private static void setTargets(List<SqlToken> sig, int j, boolean[] name) {
        while (j < sig.size()) {
            if (sig.get(j).isOperator("(")) {
                int close = SqlText.skipParens(sig, j);
                markGroup(sig, j, name);
                j = close;
            } else {
                name[j] = true;
                j++;
            }
            int depth = 0;
            int cases = 0;
            for (; j < sig.size(); j++) {
                SqlToken t = sig.get(j);
                if (t.isOperator("(")) {
                    depth++;
                } else if (t.isOperator(")")) {
                    if (depth-- == 0) {
                        return;
                    }
                } else if (depth == 0) {
                    if (t.isWord("CASE")) {
                        cases++;
                    } else if (t.isWord("END")) {
                        if (cases-- == 0) {
                            return;
                        }
                    } else if (cases == 0 && (t.isOperator(",") || t.isOperator(";")
                            || (t.kind() == Kind.WORD && SET_LIST_ENDS.contains(t.upper())))) {
                        break;
                    }
                }
            }
            if (j < sig.size() && sig.get(j).isOperator(",")) {
                j++;
            } else {
                return;
            }
        }
    }
}
