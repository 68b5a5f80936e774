package dev.edgelog.sqllog.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgelog.sqllog.sql.SqlToken.Kind;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SqlTokenizerTest {

    private static List<Kind> kinds(String sql) {
        return SqlTokenizer.significant(sql).stream().map(SqlToken::kind).toList();
    }

    @Test
    void when_textIsRandom_then_joiningTokensReproducesItExactly() {
        String[] pieces = {"'", "''", "\"", "`", "[", "]", "x'", "X'0a'", "--", "/*", "*/", "\n", " ", "\t",
            "?", "?12", ":a", "@b", "$c::d(", ")", "(", "1.5e", "e+3", "0x1F", "1_000", ".", ";", "->>",
            "<>", "!", "|", "select", "RANDOM", "é", "\uFEFF", "#", "*", "/", "-", "=", "a", "0"};
        Random random = new Random(7);
        for (int n = 0; n < 5000; n++) {
            StringBuilder sql = new StringBuilder();
            int len = random.nextInt(30);
            for (int i = 0; i < len; i++) {
                sql.append(pieces[random.nextInt(pieces.length)]);
            }
            List<SqlToken> tokens = SqlTokenizer.tokenize(sql.toString());
            StringBuilder joined = new StringBuilder();
            int expectedStart = 0;
            for (SqlToken t : tokens) {
                assertEquals(expectedStart, t.start(), sql::toString);
                assertEquals(sql.substring(t.start(), t.end()), t.text());
                joined.append(t.text());
                expectedStart = t.end();
            }
            assertEquals(sql.toString(), joined.toString());
        }
    }

    @Test
    void when_randomIsInsideAStringOrComment_then_itIsNotAWord() {
        assertEquals(List.of(Kind.WORD, Kind.STRING, Kind.QUOTED_IDENTIFIER, Kind.QUOTED_IDENTIFIER,
                        Kind.QUOTED_IDENTIFIER),
                kinds("SELECT 'it''s random()' \"ran\"\"dom\" `random` [random] -- random()\n /* random() */"));
        assertEquals(List.of(Kind.WORD, Kind.BLOCK_COMMENT), SqlTokenizer.tokenize("x/* unterminated random()")
                .stream().map(SqlToken::kind).toList());
    }

    @Test
    void when_literalsAndParametersAreLexed_then_kindsFollowSqlite() {
        assertEquals(List.of(Kind.BLOB, Kind.ILLEGAL), kinds("x'0A1b' x'abc'"));
        assertEquals(List.of(Kind.NUMBER, Kind.NUMBER, Kind.NUMBER, Kind.NUMBER, Kind.NUMBER, Kind.ILLEGAL),
                kinds("1 .5 1e10 0xFF 1_000 12abc"));
        assertEquals(List.of(Kind.PARAMETER, Kind.PARAMETER, Kind.PARAMETER, Kind.PARAMETER, Kind.PARAMETER,
                        Kind.PARAMETER), kinds("? ?12 :a @b $c::d(e) #f"));
        assertEquals(List.of("->>", "->", "||", "<>", "!=", "==", "<=", ">>"),
                SqlTokenizer.significant("->> -> || <> != == <= >>").stream().map(SqlToken::text).toList());
        assertEquals(List.of(Kind.WORD, Kind.ILLEGAL), kinds("a 'unterminated"));
    }

    @Test
    void when_characterIsJavaWhitespaceButNotSqlites_then_isSqliteSpaceSaysNo() {
        for (char c : " \t\n\f\r".toCharArray()) {
            assertTrue(SqlTokenizer.isSqliteSpace(c), () -> Integer.toHexString(c));
        }
        for (char c : new char[] {0x0B, 0x1C, 0x85, 0xA0, 0x2028, 0x3000, 0xFEFF}) {
            assertFalse(SqlTokenizer.isSqliteSpace(c), () -> Integer.toHexString(c));
        }
        assertTrue(SqlTokenizer.isSqliteSpaceContinuation((char) 0x0B));
        assertEquals(List.of(Kind.WHITESPACE), SqlTokenizer.tokenize(" \u000B\t").stream().map(SqlToken::kind).toList());
        assertEquals(List.of(Kind.ILLEGAL), SqlTokenizer.tokenize("\u000B").stream().map(SqlToken::kind).toList());
        assertEquals(List.of(Kind.WORD), kinds("\u3000"));
    }

    @Test
    void when_textEndsInOtherWhitespace_then_sqliteReadsItAsATokenNotSpace() throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:"); Statement st = c.createStatement()) {
            st.executeQuery("SELECT 1 \u000B").close(); // a vertical tab continues whitespace ...
            assertTrue(assertThrows(SQLException.class, () -> st.executeQuery("SELECT 1\u000B")).getMessage()
                    .contains("unrecognized token")); // ... but does not start it
            assertTrue(assertThrows(SQLException.class, () -> st.executeQuery("SELECT \u3000")).getMessage()
                    .contains("no such column")); // an identifier character to SQLite
        }
    }
}
