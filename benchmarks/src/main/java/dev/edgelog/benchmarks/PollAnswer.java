package dev.edgelog.benchmarks;

import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.pull.PullProtocol;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One answer to {@code GET /v1/log}, parsed incrementally as its bytes arrive, for
 * {@link SimulatedFollowers}. The head is kept (it is small); the body is only scanned for frame
 * boundaries and never stored, so a follower costs a few hundred bytes however large its answers
 * are. Any split of the bytes across reads gives the same result.
 *
 * <p>Only what the pull server sends is accepted: an HTTP/1.1 status line, a {@code Content-Length}
 * on every answer with a body, no chunking (the harness sends no {@code Accept-Encoding}, so the
 * server never gzips and never chunks). Anything else is a {@link ProtocolException}, after which
 * the connection is unusable.
 */
final class PollAnswer {

    /** An answer that breaks the protocol; the connection must be closed. */
    static final class ProtocolException extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message, null, false, false);
        }
    }

    private static final int INITIAL_HEAD_BYTES = 512;
    private static final int FRAME_LENGTH_BYTES = 4;

    private final int maxHeadBytes;
    private byte[] head = new byte[INITIAL_HEAD_BYTES];
    private int headLength;
    private boolean inBody;

    private int status;
    private long commitIndex;
    private boolean closeAfter;
    private long bodyLeft;
    private long bodyBytes;

    private long frames;
    private int frameHeaderPos;
    private long frameLength;
    private long payloadLeft;

    /** @param maxHeadBytes the longest status line and headers accepted, in bytes */
    PollAnswer(int maxHeadBytes) {
        this.maxHeadBytes = maxHeadBytes;
        next();
    }

    /** Forgets the answer, ready for the next one on the same connection. */
    void next() {
        if (head.length > INITIAL_HEAD_BYTES) {
            head = new byte[INITIAL_HEAD_BYTES];
        }
        headLength = 0;
        inBody = false;
        status = 0;
        commitIndex = -1;
        closeAfter = false;
        bodyLeft = 0;
        bodyBytes = 0;
        frames = 0;
        frameHeaderPos = 0;
        frameLength = 0;
        payloadLeft = 0;
    }

    /**
     * Consumes bytes of this answer from {@code in}, never beyond its end.
     *
     * @return true when the answer is complete ({@code in} may hold bytes after it)
     */
    boolean feed(ByteBuffer in) throws ProtocolException {
        if (!inBody) {
            if (!readHead(in)) {
                return false;
            }
            parseHead();
            inBody = true;
        }
        int n = (int) Math.min(in.remaining(), bodyLeft);
        if (status == 200) {
            scanFrames(in, n);
        } else {
            in.position(in.position() + n);
        }
        bodyLeft -= n;
        bodyBytes += n;
        if (bodyLeft > 0) {
            return false;
        }
        if (status == 200 && (frameHeaderPos != 0 || payloadLeft != 0)) {
            throw new ProtocolException("the body ends inside frame " + (frames + 1));
        }
        return true;
    }

    int status() {
        return status;
    }

    /** The frames in a 200's body; each is one entry, so the caller now holds {@code after + frames()}. */
    long frames() {
        return frames;
    }

    /** The {@code Edgelog-Commit-Index} header, or -1 if the answer had none. */
    long commitIndex() {
        return commitIndex;
    }

    /** Whether the server said {@code Connection: close}. */
    boolean closeAfter() {
        return closeAfter;
    }

    int headBytes() {
        return headLength;
    }

    long bodyBytes() {
        return bodyBytes;
    }

    /** Copies bytes up to the blank line that ends the head; true once it has arrived. */
    private boolean readHead(ByteBuffer in) throws ProtocolException {
        while (in.hasRemaining()) {
            if (headLength == head.length) {
                if (head.length >= maxHeadBytes) {
                    throw new ProtocolException("the answer's head is longer than " + maxHeadBytes + " bytes");
                }
                byte[] bigger = new byte[Math.min(maxHeadBytes, head.length * 2)];
                System.arraycopy(head, 0, bigger, 0, headLength);
                head = bigger;
            }
            byte b = in.get();
            head[headLength++] = b;
            if (b == '\n' && headLength >= 4 && head[headLength - 2] == '\r' && head[headLength - 3] == '\n'
                    && head[headLength - 4] == '\r') {
                return true;
            }
        }
        return false;
    }

    private void parseHead() throws ProtocolException {
        String[] lines = new String(head, 0, headLength - 4, StandardCharsets.ISO_8859_1).split("\r\n");
        String statusLine = lines[0];
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.length() < 12) {
            throw new ProtocolException("not an HTTP/1.1 status line: " + printable(statusLine));
        }
        status = (int) parseLong("status code", statusLine.substring(9, 12));
        long contentLength = -1;
        boolean chunked = false;
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("a header line without a name: " + printable(line));
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = parseLong(name, value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                default -> {
                    if (name.equalsIgnoreCase(PullProtocol.COMMIT_INDEX_HEADER)) {
                        commitIndex = parseLong(name, value);
                    }
                }
            }
        }
        bodyLeft = bodyLength(contentLength, chunked);
    }

    private long bodyLength(long contentLength, boolean chunked) throws ProtocolException {
        if (status == 204 || status == 304) {
            return 0;
        }
        if (status < 200) {
            throw new ProtocolException("an interim answer " + status + " to a request that asked for none");
        }
        if (chunked) {
            throw new ProtocolException("a chunked answer (" + status + "); the server chunks only gzip, which the "
                    + "harness does not ask for");
        }
        if (contentLength < 0) {
            throw new ProtocolException("answer " + status + " has no Content-Length");
        }
        return contentLength;
    }

    /**
     * Walks {@code n} body bytes frame by frame: the four length bytes of each header are read, the
     * checksum and payload skipped.
     */
    private void scanFrames(ByteBuffer in, int n) throws ProtocolException {
        int end = in.position() + n;
        while (in.position() < end) {
            if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, end - in.position());
                in.position(in.position() + skip);
                payloadLeft -= skip;
                continue;
            }
            int b = in.get() & 0xFF;
            if (frameHeaderPos < FRAME_LENGTH_BYTES) {
                frameLength = frameLength << 8 | b;
            }
            if (++frameHeaderPos == EntryCodec.HEADER_BYTES) {
                if (frameLength > EntryCodec.DEFAULT_MAX_PAYLOAD_BYTES) {
                    throw new ProtocolException("frame " + (frames + 1) + " claims " + frameLength + " bytes");
                }
                frames++;
                payloadLeft = frameLength;
                frameLength = 0;
                frameHeaderPos = 0;
            }
        }
    }

    private static long parseLong(String what, String text) throws ProtocolException {
        if (text.isEmpty() || text.length() > 18) {
            throw new ProtocolException("bad " + what + ": " + printable(text));
        }
        long v = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("bad " + what + ": " + printable(text));
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private static String printable(String s) {
        String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return cut.replaceAll("[^\\x20-\\x7e…]", "?");
    }
}
