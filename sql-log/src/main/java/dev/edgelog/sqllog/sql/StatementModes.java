package dev.edgelog.sqllog.sql;

import java.util.Arrays;
import java.util.List;

/**
 * When each token of one statement runs, which decides how {@link SqlRewriter} treats it:
 * now (rewrite to literals), later (defer to {@link ReplayFunctions}) or never in a write (leave).
 */
final class StatementModes {

    /** How a token is rewritten. */
    enum Mode {
        /** Evaluated while the entry applies: replace with literals. */
        NOW,
        /** Evaluated by a later entry (column default, trigger body): replace with replay functions. */
        LATER,
        /** Schema text that is not evaluated by writes here (views, indexes, constraints): leave. */
        LEAVE
    }

    private StatementModes() {
    }

    /** The mode of each significant token of a statement. */
    static Mode[] of(List<SqlToken> sig) {
        Mode[] modes = new Mode[sig.size()];
        int i = 0;
        if (sig.isEmpty() || !(sig.get(0).isWord("CREATE") || sig.get(0).isWord("ALTER"))) {
            Arrays.fill(modes, Mode.NOW);
            return modes;
        }
        i = 1;
        while (i < sig.size() && (sig.get(i).isWord("TEMP") || sig.get(i).isWord("TEMPORARY")
                || sig.get(i).isWord("UNIQUE"))) {
            i++;
        }
        boolean trigger = i < sig.size() && sig.get(i).isWord("TRIGGER");
        boolean table = i < sig.size() && sig.get(i).isWord("TABLE");
        Arrays.fill(modes, trigger ? Mode.LATER : Mode.LEAVE);
        if (table) {
            markTable(sig, modes, i + 1, sig.get(0).isWord("CREATE"));
        }
        return modes;
    }

    /** Column defaults run later; {@code CREATE TABLE … AS SELECT} runs now. */
    private static void markTable(List<SqlToken> sig, Mode[] modes, int from, boolean create) {
        if (create) {
            for (int i = from; i < sig.size() && !sig.get(i).isOperator("("); i++) {
                if (sig.get(i).isWord("AS")) {
                    Arrays.fill(modes, i + 1, modes.length, Mode.NOW);
                    return;
                }
            }
        }
        for (int i = from; i < sig.size(); i++) {
            if (sig.get(i).isWord("DEFAULT") && i + 1 < sig.size()) {
                int end = defaultEnd(sig, i + 1);
                Arrays.fill(modes, i + 1, end, Mode.LATER);
                i = end - 1;
            }
        }
    }

    /** The end of a default value starting at {@code i}: a parenthesised expression, a signed number or one token. */
    private static int defaultEnd(List<SqlToken> sig, int i) {
        SqlToken t = sig.get(i);
        if (t.isOperator("(")) {
            return SqlText.skipParens(sig, i);
        }
        if ((t.isOperator("-") || t.isOperator("+")) && i + 1 < sig.size()) {
            return i + 2;
        }
        return i + 1;
    }
}
