package dev.edgelog.sqllog.sql;

import java.util.Locale;

/**
 * One token of SQLite SQL, with its offsets in the source text so that a rewrite can splice the
 * original text around it.
 *
 * @param kind  what the token is
 * @param start offset of its first character in the source
 * @param end   offset just past its last character
 * @param text  the source text of the token, exactly as written
 */
public record SqlToken(Kind kind, int start, int end, String text) {

    /** The kinds of token, as SQLite's tokenizer distinguishes them. */
    public enum Kind {
        /** Spaces, tabs, newlines, form feeds. */
        WHITESPACE,
        /** {@code -- …} up to (not including) the end of the line. */
        LINE_COMMENT,
        /** {@code /* … *}{@code /}; an unterminated one runs to the end of the text. */
        BLOCK_COMMENT,
        /** {@code '…'} with {@code ''} escapes. */
        STRING,
        /** {@code "…"}, {@code `…`} or {@code […]}. */
        QUOTED_IDENTIFIER,
        /** {@code x'…'}. */
        BLOB,
        /** An integer or real literal, including hex and digit separators. */
        NUMBER,
        /** An identifier or keyword (SQLite tells them apart only in its parser). */
        WORD,
        /** {@code ?}, {@code ?NNN}, {@code :name}, {@code @name}, {@code $name}, {@code #name}. */
        PARAMETER,
        /** Operators and punctuation: {@code ( ) , ; . = == <> != || -> ->>} and the rest. */
        OPERATOR,
        /** What SQLite would refuse to tokenize: an unterminated string, a stray character. */
        ILLEGAL
    }

    /** Whether the token means nothing to the parser (whitespace or a comment). */
    public boolean isTrivia() {
        return kind == Kind.WHITESPACE || kind == Kind.LINE_COMMENT || kind == Kind.BLOCK_COMMENT;
    }

    /** Whether this is the word {@code keyword}, compared case-insensitively (ASCII). */
    public boolean isWord(String keyword) {
        return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
    }

    /** Whether this is the operator or punctuation {@code op}. */
    public boolean isOperator(String op) {
        return kind == Kind.OPERATOR && text.equals(op);
    }

    /**
     * The name this token spells when SQLite reads it as an identifier: a word as written, a quoted
     * identifier ({@code "…"}, {@code `…`}, {@code […]}) without its quotes and with doubled quotes
     * undone, and a string literal likewise (SQLite accepts {@code 'x'} as a table, schema or pragma
     * name: {@code DELETE FROM 'x'}, {@code 'temp'.x}); {@code null} for any other token.
     */
    public String identifier() {
        return switch (kind) {
            case WORD -> text;
            case QUOTED_IDENTIFIER -> text.charAt(0) == '['
                    ? text.substring(1, text.length() - 1)
                    : unquote(text);
            case STRING -> unquote(text);
            default -> null;
        };
    }

    /**
     * Whether this word or quoted identifier names {@code name}, compared as SQLite compares
     * identifiers (ASCII case-insensitively). A quoted identifier counts: SQLite resolves
     * {@code "load_extension"(…)} and {@code [dbstat]} exactly as the bare words. A string literal
     * does not; see {@link #identifier()}.
     */
    public boolean isName(String name) {
        return (kind == Kind.WORD || kind == Kind.QUOTED_IDENTIFIER) && equalsAsciiIgnoreCase(identifier(), name);
    }

    /** SQLite's {@code sqlite3StrICmp}: equality folding only ASCII letters. */
    static boolean equalsAsciiIgnoreCase(String a, String b) {
        if (a == null || b == null || a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            if (asciiLower(a.charAt(i)) != asciiLower(b.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Upper-cases ASCII letters only, as SQLite folds identifiers and keywords. */
    static String asciiUpper(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c >= 'a' && c <= 'z' ? (char) (c - 32) : c);
        }
        return out.toString();
    }

    private static char asciiLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
    }

    private static String unquote(String quoted) {
        String q = quoted.substring(0, 1);
        return quoted.substring(1, quoted.length() - 1).replace(q + q, q);
    }

    /** The upper-cased text of a word, for keyword comparison; the text otherwise. */
    public String upper() {
        return kind == Kind.WORD ? text.toUpperCase(Locale.ROOT) : text;
    }
}
