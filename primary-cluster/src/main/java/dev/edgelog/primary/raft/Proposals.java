package dev.edgelog.primary.raft;

import dev.edgelog.primary.commit.Committed;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.SqlLogException;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The payload of a Raft entry: {@code type:u8} then either a log id ({@link #INIT}: the first entry
 * of a new cluster fixes the log id on every node) or the requests of one group commit
 * ({@link #BATCH}: SQL-log entry frames, each an entry not yet placed in the log — index 1, term
 * and Raft index 0; the state machine places them). Reusing the SQL-log frame keeps one versioned,
 * checksummed encoding for requests from the HTTP endpoint to the edges.
 */
public final class Proposals {

    public static final byte INIT = 1;
    public static final byte BATCH = 2;

    private Proposals() {
    }

    public static byte[] init(UUID logId) {
        byte[] id = logId.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[1 + id.length];
        out[0] = INIT;
        System.arraycopy(id, 0, out, 1, id.length);
        return out;
    }

    /** A batch of unplaced entries (each request of a group commit). */
    public static byte[] batch(List<Entry> unplaced) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * unplaced.size() + 1);
        out.write(BATCH);
        EntryCodec.encodeAll(unplaced, out);
        return out.toByteArray();
    }

    static byte type(ByteBuffer payload) {
        if (!payload.hasRemaining()) {
            throw new SqlLogException("empty Raft entry payload");
        }
        return payload.get(payload.position());
    }

    static String initLogId(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate();
        b.get();
        byte[] id = new byte[b.remaining()];
        b.get(id);
        String s = new String(id, StandardCharsets.US_ASCII);
        return UUID.fromString(s).toString();
    }

    /** The entries of a batch; a frame that does not decode stops the node (it was committed). */
    static List<Entry> batchEntries(ByteBuffer payload) {
        ByteBuffer b = payload.duplicate();
        b.get();
        return EntryCodec.decodeAll(b, EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES);
    }

    /**
     * The reply to a batch: of each applied entry what its proposer does not hold yet, its place in
     * the log and its outcomes ({@code count:i32}, then per entry {@code index, term, raftIndex:i64,
     * outcomes:i32}, each outcome {@code 0, rowsAffected:i64, lastInsertId:i64}, or {@code 1,
     * length:i32, UTF-8 error}, or {@code 2, rowsAffected:i64, lastInsertId:i64, length:i32, UTF-8
     * JSON} for a statement whose rows {@code rows} captured). The proposer holds the statements:
     * sending the frames back made the leader decode every statement and parameter it had just
     * proposed.
     *
     * @param rows the captured rows, or null
     */
    static byte[] reply(List<Entry> applied, RowCapture rows) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4 + 40 * applied.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(applied.size());
            for (Entry e : applied) {
                out.writeLong(e.index());
                out.writeLong(e.term());
                out.writeLong(e.raftIndex());
                out.writeInt(e.outcomes().size());
                int statement = 0;
                for (Outcome o : e.outcomes()) {
                    byte[] json = rows == null ? null : rows.of(e.index(), statement);
                    statement++;
                    if (o instanceof Outcome.Executed x) {
                        out.writeByte(json == null ? 0 : 2);
                        out.writeLong(x.rowsAffected());
                        out.writeLong(x.lastInsertId());
                        if (json != null) {
                            out.writeInt(json.length);
                            out.write(json);
                        }
                    } else {
                        byte[] error = ((Outcome.Failed) o).error().getBytes(StandardCharsets.UTF_8);
                        out.writeByte(1);
                        out.writeInt(error.length);
                        out.write(error);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /**
     * The proposer's entries as the state machine applied them: {@code proposed} placed in the log,
     * with the outcomes and any captured rows from {@code reply}.
     *
     * @throws IllegalStateException when the reply does not answer exactly these entries
     */
    public static List<Committed> replyEntries(ByteBuffer reply, List<Entry> proposed) {
        ByteBuffer in = reply.duplicate();
        try {
            int count = in.getInt();
            if (count != proposed.size()) {
                throw new IllegalStateException("the state machine answered " + count + " entries for "
                        + proposed.size() + " requests");
            }
            List<Committed> applied = new ArrayList<>(count);
            for (Entry p : proposed) {
                long index = in.getLong();
                long term = in.getLong();
                long raftIndex = in.getLong();
                int n = in.getInt();
                if (n < 0 || n > p.statements().size()) {
                    throw new IllegalStateException("the state machine answered " + n + " outcomes for "
                            + p.statements().size() + " statements");
                }
                List<Outcome> outcomes = new ArrayList<>(n);
                String[] rows = null;
                for (int i = 0; i < n; i++) {
                    byte tag = in.get();
                    if (tag == 1) {
                        outcomes.add(Outcome.failed(utf8(in)));
                    } else {
                        outcomes.add(Outcome.executed(in.getLong(), in.getLong()));
                        if (tag == 2) {
                            rows = rows == null ? new String[n] : rows;
                            rows[i] = utf8(in);
                        }
                    }
                }
                Entry entry = p.at(index, term, raftIndex).withOutcomes(outcomes);
                applied.add(rows == null ? Committed.of(entry) : new Committed(entry, Arrays.asList(rows)));
            }
            return applied;
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException e) {
            throw new IllegalStateException("the state machine's reply is cut short", e);
        }
    }

    private static String utf8(ByteBuffer in) {
        byte[] b = new byte[in.getInt()];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
