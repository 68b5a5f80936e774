package dev.edgelog.sqllog.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Parameter;
import dev.edgelog.sqllog.SqlValue;
import dev.edgelog.sqllog.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of an entry, for people and change-data-capture consumers:
 *
 * <pre>
 * {"index":7,"term":2,"raft_index":12,"commit_time":1732222800000,"transaction":false,
 *  "statements":[{"sql":"INSERT INTO t VALUES(?, :n)","params":[1,2.5,"x",null,{"blob":"AAE="}],
 *                 "named_params":{"n":"y"}}],
 *  "outcomes":[{"rows_affected":1,"last_insert_id":7},{"error":"UNIQUE constraint failed: t.id"}]}
 * </pre>
 *
 * Integers are JSON integers, reals are written with a fraction or exponent (so {@code 2.0} stays a
 * real), blobs are {@code {"blob": base64}} and non-finite reals {@code {"real": "NaN"}}. Absent
 * {@code params}, {@code named_params} and {@code outcomes} mean empty.
 */
public final class EntryJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private EntryJson() {
    }

    public static ObjectNode toNode(Entry e) {
        ObjectNode n = NODES.objectNode();
        n.put("index", e.index());
        n.put("term", e.term());
        n.put("raft_index", e.raftIndex());
        n.put("commit_time", e.commitTimeMillis());
        n.put("transaction", e.transaction());
        ArrayNode statements = n.putArray("statements");
        for (Statement s : e.statements()) {
            ObjectNode sn = statements.addObject();
            sn.put("sql", s.sql());
            ArrayNode positional = null;
            ObjectNode named = null;
            for (Parameter p : s.parameters()) {
                if (p.isNamed()) {
                    if (named == null) {
                        named = sn.putObject("named_params");
                    }
                    named.set(p.name(), valueNode(p.value()));
                } else {
                    if (positional == null) {
                        positional = sn.putArray("params");
                    }
                    positional.add(valueNode(p.value()));
                }
            }
        }
        if (!e.outcomes().isEmpty()) {
            ArrayNode outcomes = n.putArray("outcomes");
            for (Outcome o : e.outcomes()) {
                ObjectNode on = outcomes.addObject();
                if (o instanceof Outcome.Executed x) {
                    on.put("rows_affected", x.rowsAffected());
                    on.put("last_insert_id", x.lastInsertId());
                } else {
                    on.put("error", ((Outcome.Failed) o).error());
                }
            }
        }
        return n;
    }

    public static String toJson(Entry e) {
        return toNode(e).toString();
    }

    /** Parses the JSON form; anything malformed is an {@link IllegalArgumentException} naming the field. */
    public static Entry fromJson(String json) {
        try {
            return fromNode(MAPPER.readTree(json));
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("entry JSON does not parse: " + ex.getOriginalMessage(), ex);
        }
    }

    public static Entry fromNode(JsonNode n) {
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("entry JSON must be an object");
        }
        List<Statement> statements = new ArrayList<>();
        for (JsonNode sn : array(n, "statements")) {
            List<Parameter> params = new ArrayList<>();
            for (JsonNode pn : array(sn, "params")) {
                params.add(Parameter.positional(value(pn)));
            }
            JsonNode named = sn.get("named_params");
            if (named != null && !named.isNull()) {
                if (!named.isObject()) {
                    throw new IllegalArgumentException("named_params must be an object");
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = named.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> f = it.next();
                    params.add(Parameter.named(f.getKey(), value(f.getValue())));
                }
            }
            statements.add(new Statement(text(sn, "sql"), params));
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (JsonNode on : array(n, "outcomes")) {
            if (on.has("error")) {
                outcomes.add(Outcome.failed(text(on, "error")));
            } else {
                outcomes.add(Outcome.executed(integer(on, "rows_affected"), integer(on, "last_insert_id")));
            }
        }
        JsonNode tx = n.get("transaction");
        if (tx != null && !tx.isBoolean()) {
            throw new IllegalArgumentException("transaction must be a boolean");
        }
        return new Entry(integer(n, "index"), integer(n, "term"), integer(n, "raft_index"),
                integer(n, "commit_time"), tx != null && tx.booleanValue(), statements, outcomes);
    }

    static JsonNode valueNode(SqlValue v) {
        if (v instanceof SqlValue.Int i) {
            return NODES.numberNode(i.value());
        } else if (v instanceof SqlValue.Real r) {
            double d = r.value();
            return Double.isFinite(d) ? NODES.numberNode(d) : NODES.objectNode().put("real", Double.toString(d));
        } else if (v instanceof SqlValue.Text t) {
            return NODES.textNode(t.value());
        } else if (v instanceof SqlValue.Blob b) {
            return NODES.objectNode().put("blob", Base64.getEncoder().encodeToString(b.value()));
        }
        return NODES.nullNode();
    }

    static SqlValue value(JsonNode n) {
        if (n.isNull()) {
            return SqlValue.NULL;
        } else if (n.isIntegralNumber()) {
            if (!n.canConvertToLong()) {
                throw new IllegalArgumentException("integer " + n + " does not fit in 64 bits");
            }
            return new SqlValue.Int(n.longValue());
        } else if (n.isNumber()) {
            return new SqlValue.Real(n.doubleValue());
        } else if (n.isTextual()) {
            return new SqlValue.Text(n.textValue());
        } else if (n.isObject() && n.size() == 1 && n.has("blob") && n.get("blob").isTextual()) {
            try {
                return new SqlValue.Blob(Base64.getDecoder().decode(n.get("blob").textValue()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("blob is not valid base64");
            }
        } else if (n.isObject() && n.size() == 1 && n.has("real") && n.get("real").isTextual()) {
            String s = n.get("real").textValue();
            if (!s.equals("NaN") && !s.equals("Infinity") && !s.equals("-Infinity")) {
                throw new IllegalArgumentException("real must be NaN, Infinity or -Infinity, was " + s);
            }
            return new SqlValue.Real(Double.parseDouble(s));
        }
        throw new IllegalArgumentException("unsupported parameter value " + n);
    }

    private static Iterable<JsonNode> array(JsonNode n, String field) {
        JsonNode a = n.get(field);
        if (a == null || a.isNull()) {
            return List.of();
        }
        if (!a.isArray()) {
            throw new IllegalArgumentException(field + " must be an array");
        }
        return a;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException(field + " must be a string");
        }
        return v.textValue();
    }

    private static long integer(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException(field + " must be an integer");
        }
        return v.longValue();
    }
}
