package dev.edgelog.primary.raft;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.primary.query.QueryResults;
import dev.edgelog.sqllog.apply.RowSink;
import dev.edgelog.sqllog.apply.SqliteErrors;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * The rows that a Raft entry's row-returning statements gave on the node that proposed it, as
 * rqlite's result objects (JSON), for the reply: how a {@code /db/request} that mixes reads and
 * writes gets its reads, each seeing the database exactly at its place in the log. Only the
 * proposer captures them (nobody else has a client waiting); what other nodes store is the same,
 * since reading rows changes no outcome. At most {@link #MAX_BYTES} per Raft entry: a statement
 * beyond it answers an error instead of rows.
 */
final class RowCapture implements RowSink {

    static final long MAX_BYTES = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Long, Map<Integer, byte[]>> rows = new HashMap<>();
    private long used;

    @Override
    public void rows(long index, int statement, ResultSet rs) {
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        try {
            QueryResults.render(rs, result, false, MAX_BYTES - used);
        } catch (SQLException e) {
            result.removeAll();
            result.put("error", SqliteErrors.message(e));
        } catch (QueryResults.TooLargeException e) {
            result.removeAll();
            result.put("error", "the rows exceed the " + MAX_BYTES + " bytes that the answer to a write carries;"
                    + " read them through /db/query");
        }
        byte[] bytes;
        try {
            bytes = JSON.writeValueAsBytes(result);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree of plain nodes always serializes
        }
        used += bytes.length;
        rows.computeIfAbsent(index, k -> new HashMap<>()).put(statement, bytes);
    }

    /** The rows of {@code statement} of the entry at {@code index}, as JSON, or null. */
    byte[] of(long index, int statement) {
        Map<Integer, byte[]> m = rows.get(index);
        return m == null ? null : m.get(statement);
    }
}
