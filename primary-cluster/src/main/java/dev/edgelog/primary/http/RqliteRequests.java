package dev.edgelog.primary.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.sqllog.Parameter;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.sql.ParameterSlots;
import dev.edgelog.sqllog.sql.RejectedSqlException;
import dev.edgelog.sqllog.sql.SqlText;
import dev.edgelog.sqllog.sql.SqlValidator;
import dev.edgelog.sqllog.sql.TextMemo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses rqlite's statement bodies:
 * {@code ["CREATE TABLE …", ["INSERT … VALUES(?, ?)", "a", 1], ["… :name", {"name": "x"}]]}.
 *
 * <p>As rqlite: a JSON integer binds as INTEGER, a number with a fraction or exponent as REAL,
 * {@code true/false} as 1/0, a string as TEXT except one written {@code x'0A0B'} (a BLOB), an
 * array of integers 0–255 as a BLOB; empty statements are skipped. Unlike rqlite, a request is
 * refused whole (400, nothing committed) when a statement is not allowed in the log, names a
 * parameter its SQL does not have, or has more positional values than placeholders.
 */
public final class RqliteRequests {

    /** Write texts the validator accepted, and parameter slots, per text: both depend on the text alone. */
    private static final TextMemo<Boolean> VALID_WRITES = new TextMemo<>(4096, 4096);
    private static final TextMemo<ParameterSlots> SLOTS = new TextMemo<>(4096, 4096);

    private static final Pattern HEX_BLOB = Pattern.compile("^\\s*[xX]'([0-9a-fA-F]*)'\\s*$");
    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS); // "[…] [more]" is not one request

    private RqliteRequests() {
    }

    /** Parses a JSON body of statements; {@code forWrite} also applies the log's validator. */
    public static List<Statement> parse(byte[] body, boolean forWrite) {
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequestException("invalid JSON body: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequestException("invalid JSON body");
        }
        if (root == null || !root.isArray()) {
            throw new BadRequestException("invalid request: the body must be a JSON array of statements");
        }
        List<Statement> out = new ArrayList<>();
        int position = 0;
        for (JsonNode item : root) {
            Statement s = statement(item, position++);
            if (s.sql().isBlank()) {
                if (!s.parameters().isEmpty()) {
                    throw new BadRequestException("statement " + (position - 1) + " has parameters but no SQL");
                }
                continue; // rqlite skips empty statements
            }
            check(s, position - 1, forWrite);
            out.add(s);
        }
        if (out.isEmpty()) {
            throw new BadRequestException("no statements");
        }
        return out;
    }

    /** A plain-text body (Content-Type text/plain): one SQL text without parameters. */
    public static List<Statement> parsePlain(byte[] body, boolean forWrite) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw new BadRequestException("the body is not valid UTF-8");
        }
        Statement s = Statement.of(sqlText(text, 0));
        if (s.sql().isBlank()) {
            throw new BadRequestException("no statements");
        }
        check(s, 0, forWrite);
        return List.of(s);
    }

    private static Statement statement(JsonNode item, int position) {
        if (item.isTextual()) {
            return Statement.of(sqlText(item.textValue(), position));
        }
        if (!item.isArray() || item.isEmpty() || !item.get(0).isTextual()) {
            throw new BadRequestException("invalid request: statement " + position
                    + " must be a string or an array starting with the SQL string");
        }
        String sql = sqlText(item.get(0).textValue(), position);
        List<Parameter> params = new ArrayList<>();
        for (int i = 1; i < item.size(); i++) {
            JsonNode p = item.get(i);
            if (p.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    params.add(Parameter.named(stripPrefix(f.getKey(), position), value(f.getValue(), position)));
                }
            } else {
                params.add(Parameter.positional(value(p, position)));
            }
        }
        try {
            return new Statement(sql, params);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("statement " + position + ": " + e.getMessage());
        }
    }

    /** SQL text SQLite and the log can hold whole: valid Unicode, no NUL (SQLite stops reading at one). */
    private static String sqlText(String sql, int position) {
        int nul = sql.indexOf('\0');
        if (nul >= 0) {
            throw new BadRequestException("statement " + position + ": the SQL contains a NUL character at char " + nul);
        }
        return unicode(sql, position, "the SQL");
    }

    /** {@code s}, refused when it holds an unpaired surrogate (it has no UTF-8 form, so the log cannot store it). */
    private static String unicode(String s, int position, String what) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new BadRequestException("statement " + position + ": " + what
                        + " is not valid Unicode (an unpaired surrogate at char " + i + ")");
            }
        }
        return s;
    }

    private static String stripPrefix(String name, int position) {
        unicode(name, position, "a parameter name");
        String n = !name.isEmpty() && ":@$".indexOf(name.charAt(0)) >= 0 ? name.substring(1) : name;
        if (n.isEmpty()) {
            throw new BadRequestException("statement " + position + ": a parameter name is empty");
        }
        return n;
    }

    static SqlValue value(JsonNode v, int position) {
        if (v.isNull()) {
            return SqlValue.NULL;
        } else if (v.isBoolean()) {
            return SqlValue.of(v.booleanValue() ? 1L : 0L);
        } else if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? SqlValue.of(v.longValue()) : SqlValue.of(v.doubleValue());
        } else if (v.isNumber()) {
            if (!Double.isFinite(v.doubleValue())) {
                throw new BadRequestException("statement " + position + ": the number " + v.asText()
                        + " is beyond the range of a REAL");
            }
            return SqlValue.of(v.doubleValue());
        } else if (v.isTextual()) {
            unicode(v.textValue(), position, "a text value");
            Matcher m = HEX_BLOB.matcher(v.textValue());
            if (m.matches() && m.group(1).length() % 2 == 0) {
                return SqlValue.of(HexFormat.of().parseHex(m.group(1)));
            }
            return SqlValue.of(v.textValue());
        } else if (v.isArray()) {
            byte[] b = new byte[v.size()];
            for (int i = 0; i < b.length; i++) {
                JsonNode x = v.get(i);
                if (!x.isIntegralNumber() || x.longValue() < 0 || x.longValue() > 255) {
                    throw new BadRequestException("statement " + position + ": unsupported type " + x
                            + " in a byte array (a BLOB is an array of integers 0-255)");
                }
                b[i] = (byte) x.intValue();
            }
            return SqlValue.of(b);
        }
        throw new BadRequestException("statement " + position + ": unsupported parameter value " + v);
    }

    private static void check(Statement s, int position, boolean forWrite) {
        try {
            if (forWrite) {
                VALID_WRITES.get(s.sql(), sql -> {
                    SqlValidator.validate(sql);
                    return Boolean.TRUE;
                });
            } else if (SqlText.statementCount(s.sql()) > 1) {
                throw new BadRequestException("statement " + position + ": one SQL statement per string, found "
                        + SqlText.statementCount(s.sql()));
            }
        } catch (RejectedSqlException e) {
            throw new BadRequestException("statement " + position + ": " + e.getMessage());
        }
        if (s.parameters().isEmpty()) {
            return;
        }
        ParameterSlots slots = SLOTS.get(s.sql(), SqlText::parameters);
        int positional = 0;
        for (Parameter p : s.parameters()) {
            if (!p.isNamed()) {
                positional++;
            } else if (slots.indicesOf(p.name()).length == 0) {
                throw new BadRequestException("statement " + position + ": unknown parameter '" + p.name()
                        + "' (the SQL has no :" + p.name() + ", @" + p.name() + " or $" + p.name() + ")");
            }
        }
        if (positional > slots.positional().size()) {
            throw new BadRequestException("statement " + position + ": " + positional
                    + " positional values for " + slots.positional().size() + " placeholders");
        }
    }
}
