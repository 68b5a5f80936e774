package dev.edgelog.primary.query;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;

/**
 * Rows in rqlite's result shapes: {@code columns}, {@code types} (declared types in lower case)
 * and {@code values} (left out when there are no rows); or, with {@code associative}, {@code types}
 * by column name and {@code rows} as objects.
 */
public final class QueryResults {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** Thrown when the rows exceed the byte budget given to {@link #render}. */
    public static final class TooLargeException extends RuntimeException {
        TooLargeException(long budget) {
            super("the rows exceed " + budget + " bytes");
        }
    }

    private QueryResults() {
    }

    /**
     * Reads the rows of {@code rs} into {@code result}.
     *
     * @param budget          roughly how many bytes of values may be read before giving up
     * @throws TooLargeException beyond {@code budget}
     */
    public static void render(ResultSet rs, ObjectNode result, boolean associative, long budget) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        String[] names = new String[n];
        String[] types = new String[n];
        for (int i = 0; i < n; i++) {
            names[i] = md.getColumnLabel(i + 1);
            String declared = md.getColumnTypeName(i + 1);
            types[i] = declared == null ? "" : declared.toLowerCase(Locale.ROOT);
        }
        ArrayNode rows = NODES.arrayNode();
        long used = 0;
        while (rs.next()) {
            if (associative) {
                ObjectNode row = rows.addObject();
                for (int i = 0; i < n; i++) {
                    JsonNode v = value(rs, i + 1);
                    used += names[i].length() + size(v);
                    row.set(names[i], v);
                }
            } else {
                ArrayNode row = rows.addArray();
                for (int i = 0; i < n; i++) {
                    JsonNode v = value(rs, i + 1);
                    used += size(v);
                    row.add(v);
                }
            }
            if (used > budget) {
                throw new TooLargeException(budget);
            }
        }
        if (associative) {
            ObjectNode t = result.putObject("types");
            for (int i = 0; i < n; i++) {
                t.put(names[i], types[i]);
            }
            result.set("rows", rows);
        } else {
            ArrayNode cols = result.putArray("columns");
            ArrayNode ts = result.putArray("types");
            for (int i = 0; i < n; i++) {
                cols.add(names[i]);
                ts.add(types[i]);
            }
            if (!rows.isEmpty()) {
                result.set("values", rows);
            }
        }
    }

    /** {@code columns}/{@code types}/{@code values} as the associative shape ({@code types} by name, {@code rows}). */
    public static ObjectNode associative(ObjectNode plain) {
        if (!plain.has("columns")) {
            return plain; // an error, or a statement without columns
        }
        ObjectNode out = NODES.objectNode();
        ArrayNode cols = (ArrayNode) plain.get("columns");
        ArrayNode types = (ArrayNode) plain.get("types");
        ObjectNode t = out.putObject("types");
        for (int i = 0; i < cols.size(); i++) {
            t.set(cols.get(i).asText(), types.get(i));
        }
        ArrayNode rows = out.putArray("rows");
        JsonNode values = plain.get("values");
        if (values != null) {
            for (JsonNode v : values) {
                ObjectNode row = rows.addObject();
                Iterator<JsonNode> it = v.elements();
                for (int i = 0; it.hasNext(); i++) {
                    row.set(cols.get(i).asText(), it.next());
                }
            }
        }
        return out;
    }

    private static long size(JsonNode v) {
        return v.isTextual() ? v.textValue().length() + 2 : 8;
    }

    private static JsonNode value(ResultSet rs, int column) throws SQLException {
        Object o = rs.getObject(column);
        if (o == null) {
            return NODES.nullNode();
        } else if (o instanceof Integer i) {
            return NODES.numberNode(i.longValue());
        } else if (o instanceof Long l) {
            return NODES.numberNode(l);
        } else if (o instanceof Double d) {
            // rqlite (Go) writes a whole REAL without a fraction: 678.0 → 678
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? NODES.numberNode(d.longValue()) : NODES.numberNode(d);
        } else if (o instanceof byte[] b) {
            return NODES.textNode(Base64.getEncoder().encodeToString(b));
        }
        return NODES.textNode(o.toString());
    }
}
