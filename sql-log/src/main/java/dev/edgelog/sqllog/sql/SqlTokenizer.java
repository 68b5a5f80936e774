package dev.edgelog.sqllog.sql;

import dev.edgelog.sqllog.sql.SqlToken.Kind;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQLite SQL into tokens the way SQLite's own tokenizer ({@code tokenize.c}) does, so that no
 * rewrite or check ever looks inside a string, a quoted identifier, a blob or a comment.
 *
 * <p>The tokens cover the text without gaps: joining their {@link SqlToken#text() text} gives the
 * input back exactly. Identifiers and keywords are both {@link Kind#WORD}; which words are keywords
 * is decided by the callers, case-insensitively.
 */
public final class SqlTokenizer {

    private SqlTokenizer() {
    }

    /** All tokens of {@code sql}, in order, trivia (whitespace and comments) included. */
    public static List<SqlToken> tokenize(String sql) {
        List<SqlToken> out = new ArrayList<>();
        int i = 0;
        while (i < sql.length()) {
            int start = i;
            long packed = next(sql, i);
            Kind kind = Kind.values()[(int) (packed >>> 32)];
            i = (int) packed;
            out.add(new SqlToken(kind, start, i, sql.substring(start, i)));
        }
        return out;
    }

    /** The tokens of {@code sql} without whitespace and comments. */
    public static List<SqlToken> significant(String sql) {
        List<SqlToken> out = new ArrayList<>();
        for (SqlToken t : tokenize(sql)) {
            if (!t.isTrivia()) {
                out.add(t);
            }
        }
        return out;
    }

    /** Whether SQLite counts {@code c} as part of an identifier (letters, digits, _, $, non-ASCII). */
    static boolean isIdChar(char c) {
        return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || c == '$';
    }

    /**
     * Whether SQLite's tokenizer starts a whitespace token at {@code c}: space, tab, newline, form
     * feed, carriage return ({@code CC_SPACE} in {@code tokenize.c}). Not Java's
     * {@link Character#isWhitespace}: SQLite reads U+3000, U+2028, U+00A0 and every other non-ASCII
     * character as part of an identifier, so text after a {@code ;} made of them is another
     * statement to SQLite. A vertical tab (U+000B) does not start whitespace (alone it is an
     * unrecognized token) but continues it ({@link #isSqliteSpaceContinuation}). A byte-order mark
     * (U+FEFF) is a whitespace token of its own.
     */
    public static boolean isSqliteSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
    }

    /**
     * Whether a whitespace token already started goes on over {@code c}: {@link #isSqliteSpace}
     * and the vertical tab ({@code sqlite3Isspace}, which {@code tokenize.c} uses after the first
     * character).
     */
    public static boolean isSqliteSpaceContinuation(char c) {
        return isSqliteSpace(c) || c == 0x0B; // vertical tab
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isHex(char c) {
        return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static char at(String s, int i) {
        return i < s.length() ? s.charAt(i) : '\0';
    }

    private static long token(Kind kind, int end) {
        return ((long) kind.ordinal() << 32) | end;
    }

    /** The kind and end of the token starting at {@code i}, packed as kind &lt;&lt; 32 | end. */
    private static long next(String s, int i) {
        char c = s.charAt(i);
        char c1 = at(s, i + 1);
        if (isSqliteSpace(c)) {
            int j = i + 1;
            while (j < s.length() && isSqliteSpaceContinuation(s.charAt(j))) {
                j++;
            }
            return token(Kind.WHITESPACE, j);
        }
        if (c == '\uFEFF') {
            return token(Kind.WHITESPACE, i + 1); // a byte-order mark, which SQLite skips as space
        }
        switch (c) {
            case '-':
                if (c1 == '-') {
                    int nl = s.indexOf('\n', i + 2);
                    return token(Kind.LINE_COMMENT, nl < 0 ? s.length() : nl);
                }
                if (c1 == '>') {
                    return token(Kind.OPERATOR, at(s, i + 2) == '>' ? i + 3 : i + 2);
                }
                return token(Kind.OPERATOR, i + 1);
            case '/':
                if (c1 == '*') {
                    int close = s.indexOf("*/", i + 2);
                    return token(Kind.BLOCK_COMMENT, close < 0 ? s.length() : close + 2);
                }
                return token(Kind.OPERATOR, i + 1);
            case '(', ')', ';', '+', '*', '%', ',', '&', '~':
                return token(Kind.OPERATOR, i + 1);
            case '=':
                return token(Kind.OPERATOR, c1 == '=' ? i + 2 : i + 1);
            case '<':
                return token(Kind.OPERATOR, c1 == '=' || c1 == '>' || c1 == '<' ? i + 2 : i + 1);
            case '>':
                return token(Kind.OPERATOR, c1 == '=' || c1 == '>' ? i + 2 : i + 1);
            case '!':
                return c1 == '=' ? token(Kind.OPERATOR, i + 2) : token(Kind.ILLEGAL, i + 1);
            case '|':
                return token(Kind.OPERATOR, c1 == '|' ? i + 2 : i + 1);
            case '\'':
                return quoted(s, i, '\'', Kind.STRING);
            case '"', '`':
                return quoted(s, i, c, Kind.QUOTED_IDENTIFIER);
            case '[': {
                int close = s.indexOf(']', i + 1);
                return close < 0 ? token(Kind.ILLEGAL, s.length()) : token(Kind.QUOTED_IDENTIFIER, close + 1);
            }
            case '.':
                return isDigit(c1) ? number(s, i) : token(Kind.OPERATOR, i + 1);
            case '?': {
                int j = i + 1;
                while (isDigit(at(s, j))) {
                    j++;
                }
                return token(Kind.PARAMETER, j);
            }
            case '$', '@', ':', '#':
                return variable(s, i);
            default:
                break;
        }
        if (isDigit(c)) {
            return number(s, i);
        }
        if ((c == 'x' || c == 'X') && c1 == '\'') {
            return blob(s, i);
        }
        if (isIdChar(c)) {
            int j = i + 1;
            while (j < s.length() && isIdChar(s.charAt(j))) {
                j++;
            }
            return token(Kind.WORD, j);
        }
        return token(Kind.ILLEGAL, i + 1);
    }

    private static long quoted(String s, int i, char quote, Kind kind) {
        int j = i + 1;
        while (j < s.length()) {
            if (s.charAt(j) == quote) {
                if (at(s, j + 1) != quote) {
                    return token(kind, j + 1);
                }
                j++;
            }
            j++;
        }
        return token(Kind.ILLEGAL, s.length());
    }

    private static long blob(String s, int i) {
        int j = i + 2;
        while (isHex(at(s, j))) {
            j++;
        }
        Kind kind = Kind.BLOB;
        if (at(s, j) != '\'' || (j - i) % 2 != 0) {
            kind = Kind.ILLEGAL;
            while (j < s.length() && s.charAt(j) != '\'') {
                j++;
            }
        }
        return token(kind, j < s.length() ? j + 1 : j);
    }

    /** {@code :name}, {@code @name}, {@code $name}, {@code #name}, with SQLite's TCL forms. */
    private static long variable(String s, int i) {
        int n = 0;
        int j = i + 1;
        Kind kind = Kind.PARAMETER;
        for (; j < s.length(); j++) {
            char c = s.charAt(j);
            if (isIdChar(c)) {
                n++;
            } else if (c == '(' && n > 0) {
                do {
                    j++;
                } while (j < s.length() && !isSqliteSpaceContinuation(s.charAt(j)) && s.charAt(j) != ')');
                if (at(s, j) == ')') {
                    j++;
                } else {
                    kind = Kind.ILLEGAL;
                }
                break;
            } else if (c == ':' && at(s, j + 1) == ':') {
                j++;
            } else {
                break;
            }
        }
        return token(n == 0 ? Kind.ILLEGAL : kind, j);
    }

    private static long number(String s, int i) {
        int j = i;
        if (s.charAt(i) == '0' && (at(s, i + 1) == 'x' || at(s, i + 1) == 'X') && isHex(at(s, i + 2))) {
            j = i + 3;
            while (isHex(at(s, j)) || at(s, j) == '_') {
                j++;
            }
        } else {
            j = digits(s, j);
            if (at(s, j) == '.') {
                j = digits(s, j + 1);
            }
            char e = at(s, j);
            char e1 = at(s, j + 1);
            if ((e == 'e' || e == 'E')
                    && (isDigit(e1) || ((e1 == '+' || e1 == '-') && isDigit(at(s, j + 2))))) {
                j = digits(s, j + 2);
            }
        }
        Kind kind = Kind.NUMBER;
        while (j < s.length() && isIdChar(s.charAt(j))) {
            kind = Kind.ILLEGAL;
            j++;
        }
        return token(kind, j);
    }

    private static int digits(String s, int j) {
        while (isDigit(at(s, j)) || at(s, j) == '_') {
            j++;
        }
        return j;
    }
}
