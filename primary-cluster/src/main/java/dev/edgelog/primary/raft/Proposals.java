package dev.edgelog.primary.raft;

import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.SqlLogException;
import dev.edgelog.sqllog.codec.EntryCodec;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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

    /** The reply to a batch: the entries as applied (placed, with outcomes), as frames. */
    static byte[] replyOf(List<Entry> applied) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * applied.size());
        EntryCodec.encodeAll(applied, out);
        return out.toByteArray();
    }

    /** The reply to a batch from the frames of its applied entries, as they went to the segments. */
    static byte[] reply(List<byte[]> frames) {
        int size = 0;
        for (byte[] f : frames) {
            size += f.length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] f : frames) {
            System.arraycopy(f, 0, out, at, f.length);
            at += f.length;
        }
        return out;
    }

    /** Decodes a batch reply. */
    public static List<Entry> replyEntries(ByteBuffer reply) {
        return EntryCodec.decodeAll(reply, EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES);
    }
}
