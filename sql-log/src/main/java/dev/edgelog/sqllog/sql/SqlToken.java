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

    /** The upper-cased text of a word, for keyword comparison; the text otherwise. */
    public String upper() {
        return kind == Kind.WORD ? text.toUpperCase(Locale.ROOT) : text;
    }
}
