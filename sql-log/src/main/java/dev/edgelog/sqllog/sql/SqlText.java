package dev.edgelog.sqllog.sql;

import dev.edgelog.sqllog.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;

/**
 * Facts about a SQL text that the applier needs per distinct text (callers cache the results):
 * SQLite's parameter numbering, whether the main verb inserts, and how many statements it holds.
 *
 * <p>All methods only tokenize; none needs a database, and none looks inside strings, quoted
 * identifiers or comments.
 */
public final class SqlText {

    /** SQLite's default {@code SQLITE_MAX_VARIABLE_NUMBER}: the largest valid {@code ?NNN}. */
    static final int MAX_VARIABLE_NUMBER = 32766;

    private SqlText() {
    }

    /**
     * SQLite's numbering of the parameters of the first statement in {@code sql}: {@code ?} takes the
     * largest number so far plus one; {@code ?NNN} is NNN (raising the largest); a named parameter
     * ({@code :a}, {@code @a}, {@code $a}, {@code #a}, each prefix a different parameter) takes the
     * largest plus one where it first occurs and the same number afterwards. An out-of-range
     * {@code ?NNN} is ignored here (SQLite refuses the statement when it is prepared).
     */
    public static ParameterSlots parameters(String sql) {
        return parameters(sql, null);
    }

    /** As {@link #parameters(String)}, also adding the slot of each parameter occurrence, in order. */
    static ParameterSlots parameters(String sql, List<Integer> occurrences) {
        List<SqlToken> tokens = SqlTokenizer.tokenize(sql);
        List<int[]> ranges = statementRanges(tokens);
        if (ranges.isEmpty()) {
            return ParameterSlots.NONE;
        }
        int[] first = ranges.get(0);
        List<String> names = new ArrayList<>();
        BitSet mentionedByNumber = new BitSet();
        for (int i = first[0]; i < first[1]; i++) {
            SqlToken t = tokens.get(i);
            if (t.kind() != Kind.PARAMETER) {
                continue;
            }
            String text = t.text();
            if (text.equals("?")) {
                names.add("");
                mentionedByNumber.set(names.size());
                addOccurrence(occurrences, names.size());
            } else if (text.charAt(0) == '?') {
                int n = parseNumber(text);
                if (n < 1) {
                    continue;
                }
                while (names.size() < n) {
                    names.add("");
                }
                if (names.get(n - 1).isEmpty()) {
                    names.set(n - 1, text);
                }
                mentionedByNumber.set(n);
                addOccurrence(occurrences, n);
            } else {
                if (!names.contains(text)) {
                    names.add(text);
                }
                addOccurrence(occurrences, names.indexOf(text) + 1);
            }
        }
        List<Integer> positional = new ArrayList<>();
        for (int slot = 1; slot <= names.size(); slot++) {
            String name = names.get(slot - 1);
            if (mentionedByNumber.get(slot)
                    && (name.isEmpty() || name.charAt(0) == '?')) {
                positional.add(slot);
            }
        }
        return new ParameterSlots(names.size(), names, positional);
    }

    private static void addOccurrence(List<Integer> occurrences, int slot) {
        if (occurrences != null) {
            occurrences.add(slot);
        }
    }

    /** NNN of {@code ?NNN}, or -1 when SQLite would refuse it (0, or above the limit). */
    private static int parseNumber(String text) {
        int from = 1;
        while (from < text.length() - 1 && text.charAt(from) == '0') {
            from++;
        }
        String digits = text.substring(from);
        if (digits.length() > 9) {
            return -1;
        }
        int n = Integer.parseInt(digits);
        return n < 1 || n > MAX_VARIABLE_NUMBER ? -1 : n;
    }

    /**
     * Whether the main verb of the first statement is {@code INSERT} or {@code REPLACE}, looking past
     * a leading {@code WITH [RECURSIVE] name [(columns)] AS [[NOT] MATERIALIZED] (…), …} list; only
     * then is {@code last_insert_rowid()} meaningful for the statement.
     */
    public static boolean isInsert(String sql) {
        String verb = mainVerb(sql);
        return verb.equals("INSERT") || verb.equals("REPLACE");
    }

    /**
     * The upper-cased first keyword of the first statement after any {@code WITH} clause list
     * ({@code SELECT}, {@code INSERT}, {@code CREATE} …), or {@code ""} when there is none.
     */
    public static String mainVerb(String sql) {
        List<SqlToken> tokens = SqlTokenizer.significant(sql);
        int i = 0;
        while (i < tokens.size() && tokens.get(i).isOperator(";")) {
            i++;
        }
        i = skipWith(tokens, i);
        return i < tokens.size() && tokens.get(i).kind() == Kind.WORD ? tokens.get(i).upper() : "";
    }

    /**
     * The index just past a {@code WITH} clause list starting at {@code i} among significant tokens,
     * or {@code i} when there is no {@code WITH} there.
     */
    static int skipWith(List<SqlToken> tokens, int i) {
        if (i >= tokens.size() || !tokens.get(i).isWord("WITH")) {
            return i;
        }
        i++;
        if (i < tokens.size() && tokens.get(i).isWord("RECURSIVE")) {
            i++;
        }
        while (i < tokens.size()) {
            i++; // the table name
            if (i < tokens.size() && tokens.get(i).isOperator("(")) {
                i = skipParens(tokens, i);
            }
            while (i < tokens.size() && !tokens.get(i).isOperator("(")) {
                i++; // AS [NOT] [MATERIALIZED]
            }
            i = skipParens(tokens, i);
            if (i < tokens.size() && tokens.get(i).isOperator(",")) {
                i++;
            } else {
                return i;
            }
        }
        return i;
    }

    /** The index just past the parenthesis group opening at {@code i} (or the end of the tokens). */
    static int skipParens(List<SqlToken> tokens, int i) {
        int depth = 0;
        for (; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            if (t.isOperator("(")) {
                depth++;
            } else if (t.isOperator(")") && --depth == 0) {
                return i + 1;
            }
        }
        return i;
    }

    /**
     * How many statements {@code sql} holds: top-level {@code ;} outside strings and comments end a
     * statement (inside {@code CREATE TRIGGER … BEGIN … END} only the {@code ;} after {@code END}
     * does, as in {@code sqlite3_complete}); empty statements (only {@code ;}, whitespace or
     * comments) are not counted.
     */
    public static int statementCount(String sql) {
        return statementRanges(SqlTokenizer.tokenize(sql)).size();
    }

    /**
     * The non-empty statements of {@code tokens}, each as {@code [from, to)} token indices, the
     * terminating {@code ;} excluded. Follows the state machine of {@code sqlite3_complete}.
     */
    static List<int[]> statementRanges(List<SqlToken> tokens) {
        List<int[]> out = new ArrayList<>();
        int state = 0;
        int from = 0;
        boolean nonEmpty = false;
        for (int i = 0; i < tokens.size(); i++) {
            SqlToken t = tokens.get(i);
            int kind = completeClass(t);
            if (kind == WS) {
                continue;
            }
            state = TRANSITIONS[state][kind];
            if (kind == SEMI && state == 1) {
                if (nonEmpty) {
                    out.add(new int[] {from, i});
                }
                from = i + 1;
                nonEmpty = false;
            } else if (kind != SEMI) {
                nonEmpty = true;
            }
        }
        if (nonEmpty) {
            out.add(new int[] {from, tokens.size()});
        }
        return out;
    }

    private static final int SEMI = 0;
    private static final int WS = 1;
    private static final int OTHER = 2;

    /** sqlite3_complete's transitions: states × {SEMI, WS, OTHER, EXPLAIN, CREATE, TEMP, TRIGGER, END}. */
    private static final int[][] TRANSITIONS = {
        /* 0 INVALID */ {1, 0, 2, 3, 4, 2, 2, 2},
        /* 1 START   */ {1, 1, 2, 3, 4, 2, 2, 2},
        /* 2 NORMAL  */ {1, 2, 2, 2, 2, 2, 2, 2},
        /* 3 EXPLAIN */ {1, 3, 3, 2, 4, 2, 2, 2},
        /* 4 CREATE  */ {1, 4, 2, 2, 2, 4, 5, 2},
        /* 5 TRIGGER */ {6, 5, 5, 5, 5, 5, 5, 5},
        /* 6 SEMI    */ {6, 6, 5, 5, 5, 5, 5, 7},
        /* 7 END     */ {1, 7, 5, 5, 5, 5, 5, 5},
    };

    private static final List<String> COMPLETE_WORDS =
            Arrays.asList("EXPLAIN", "CREATE", "TEMP", "TRIGGER", "END");

    private static int completeClass(SqlToken t) {
        if (t.isTrivia()) {
            return WS;
        }
        if (t.isOperator(";")) {
            return SEMI;
        }
        if (t.kind() == Kind.WORD) {
            String w = t.text().toUpperCase(Locale.ROOT);
            if (w.equals("TEMPORARY")) {
                w = "TEMP";
            }
            int k = COMPLETE_WORDS.indexOf(w);
            if (k >= 0) {
                return 3 + k;
            }
        }
        return OTHER;
    }
}
