package dev.edgelog.sqllog.pull;

import dev.edgelog.sqllog.codec.CorruptFrameException;
import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.snapshot.SnapshotException;
import dev.edgelog.sqllog.snapshot.SnapshotInfo;
import dev.edgelog.sqllog.snapshot.Snapshots;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import javax.net.ssl.SSLContext;

/**
 * Follows one upstream's pull API. Every answer is checked before it is returned: media type, log
 * id, each frame's checksum, index continuity from {@code after + 1}, complete bodies; anything
 * else is an {@link UpstreamException} (or an {@link IOException} for the network), so a caller
 * applies either a whole verified batch or nothing. Not thread-safe: one follower loop per client.
 */
public final class PullClient implements AutoCloseable {

    /**
     * How to reach the upstream.
     *
     * @param node            this puller's name, sent as {@link PullProtocol#NODE_HEADER}; an
     *                        upstream whose path holds it would be a loop
     * @param role            {@code mirror} or {@code edge}, sent as {@link PullProtocol#ROLE_HEADER}
     * @param token           bearer token with the pull scope; null for none
     * @param ssl             trust for {@code https} upstreams; null for the JVM's default
     * @param connectTimeout  to open a connection
     * @param stallTimeout    longest silence inside an answer before it counts as stalled
     * @param maxPayloadBytes largest frame accepted
     */
    public record Options(String node, String role, String token, SSLContext ssl, Duration connectTimeout,
                          Duration stallTimeout, int maxPayloadBytes) {
        public static Options of(String node) {
            return new Options(node, null, null, null, Duration.ofSeconds(3), Duration.ofSeconds(10), 64 << 20);
        }

        public Options withRole(String value) {
            return new Options(node, value, token, ssl, connectTimeout, stallTimeout, maxPayloadBytes);
        }

        public Options withToken(String value) {
            return new Options(node, role, value, ssl, connectTimeout, stallTimeout, maxPayloadBytes);
        }

        public Options withSsl(SSLContext value) {
            return new Options(node, role, token, value, connectTimeout, stallTimeout, maxPayloadBytes);
        }

        public Options withStallTimeout(Duration value) {
            return new Options(node, role, token, ssl, connectTimeout, value, maxPayloadBytes);
        }
    }

    /**
     * A verified answer to a pull: consecutive frames from {@code after + 1} (none when the
     * upstream had nothing new), with the upstream's position.
     */
    public record Batch(List<FrameReader.Frame> frames, String logId, long commitIndex, long firstIndex) {
        public long lastIndex(long after) {
            return frames.isEmpty() ? after : frames.get(frames.size() - 1).entry().index();
        }
    }

    /** A downloaded and verified snapshot file. */
    public record Snapshot(Path file, String logId, long index, String sha256, long bytes) {
    }

    /** Download progress: bytes so far of the total (-1 when unknown). */
    @FunctionalInterface
    public interface Progress {
        void update(long bytes, long total);
    }

    /** The most hops of an upstream's path kept. */
    public static final int MAX_PATH = 32;

    private final URI base;
    private final Options options;
    private HttpConnection connection;
    private volatile boolean closed;
    private volatile List<String> path = List.of();

    public PullClient(URI base, Options options) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        this.options = options;
    }

    public URI base() {
        return base;
    }

    /**
     * The upstream's path ({@link PullProtocol#PATH_HEADER}) from its last answer: the nodes from
     * the primary down to it. Empty before the first answer or when it sent none.
     */
    public List<String> path() {
        return path;
    }

    /**
     * Sends a fleet report ({@code POST /v1/fleet}, gzip-compressed) describing the nodes below
     * this puller.
     */
    public void reportFleet(byte[] json) throws IOException {
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream(json.length / 4 + 64);
        try (OutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(json);
        }
        Map<String, String> headers = headers();
        headers.put("Content-Type", "application/json");
        headers.put("Content-Encoding", "gzip");
        if (closed) {
            throw new IOException("the pull client for " + base + " is closed");
        }
        if (connection != null && !connection.reusable()) {
            dropConnection();
        }
        try {
            if (connection == null) {
                connection = new HttpConnection(base, options.ssl(), options.connectTimeout(), options.stallTimeout());
            }
            HttpConnection.Answer a = connection.post(base.getRawPath() + PullProtocol.FLEET_PATH, headers,
                    gz.toByteArray());
            checkStatus(a, -1);
            drain(a);
        } catch (IOException | RuntimeException e) {
            dropConnection();
            throw e;
        }
    }

    /**
     * Entries after {@code after}: at most about {@code maxBytes} (at least one entry), waiting up
     * to {@code wait} for one when there is none yet.
     *
     * @param expectedLogId the log the caller holds (sent, and checked on the answer); null on a
     *                      first contact
     * @throws UpstreamException on an answer that must not be applied
     * @throws IOException       on a network failure or a stalled answer
     */
    public Batch pull(long after, String expectedLogId, int maxBytes, Duration wait) throws IOException {
        Map<String, String> headers = headers();
        headers.put("Accept", PullProtocol.FRAMES_TYPE);
        if (expectedLogId != null) {
            headers.put(PullProtocol.LOG_ID_HEADER, expectedLogId);
        }
        String path = PullProtocol.LOG_PATH + "?after=" + after + "&max_bytes=" + maxBytes + "&wait_ms=" + wait.toMillis();
        HttpConnection.Answer a = send(path, headers, wait);
        try {
            checkStatus(a, after);
            String logId = requireHeader(a, PullProtocol.LOG_ID_HEADER);
            if (expectedLogId != null && !expectedLogId.equals(logId)) {
                throw new UpstreamException(UpstreamException.Kind.LOG_ID_MISMATCH,
                        base + " serves log " + logId + ", this puller holds " + expectedLogId);
            }
            long commit = longHeader(a, PullProtocol.COMMIT_INDEX_HEADER);
            long first = longHeader(a, PullProtocol.FIRST_INDEX_HEADER);
            List<FrameReader.Frame> frames = a.status() == 204 ? List.of() : frames(a, after);
            drain(a);
            return new Batch(frames, logId, commit, first);
        } catch (IOException | RuntimeException e) {
            dropConnection();
            throw e;
        }
    }

    private List<FrameReader.Frame> frames(HttpConnection.Answer a, long after) throws IOException {
        String type = a.header("Content-Type");
        if (type == null || !type.startsWith(PullProtocol.FRAMES_TYPE)) {
            throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, base + " answered " + type
                    + " instead of " + PullProtocol.FRAMES_TYPE + ": " + snippet(a.body()));
        }
        InputStream body = "gzip".equalsIgnoreCase(a.header("Content-Encoding")) ? new GZIPInputStream(a.body()) : a.body();
        FrameReader reader = new FrameReader(body, options.maxPayloadBytes());
        List<FrameReader.Frame> out = new ArrayList<>();
        long expected = after + 1;
        try {
            for (FrameReader.Frame f; (f = reader.next()) != null; ) {
                if (f.entry().index() != expected) {
                    throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, base + " sent entry "
                            + f.entry().index() + " where " + expected + " was due");
                }
                out.add(f);
                expected++;
            }
        } catch (CorruptFrameException e) {
            throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, base + " sent a bad frame after "
                    + (expected - 1) + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, base + " answered 200 without entries");
        }
        return out;
    }

    /**
     * Downloads a snapshot into {@code target} (replaced only once complete and verified) and checks
     * its SHA-256 and the log id inside it. An interrupted download leaves no partial file.
     */
    public Snapshot downloadSnapshot(Path target, String expectedLogId, Progress progress) throws IOException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Files.deleteIfExists(part);
        HttpConnection.Answer a = send(PullProtocol.SNAPSHOT_PATH, headers(), Duration.ZERO);
        try {
            checkStatus(a, -1);
            String logId = requireHeader(a, PullProtocol.LOG_ID_HEADER);
            if (expectedLogId != null && !expectedLogId.equals(logId)) {
                throw new UpstreamException(UpstreamException.Kind.LOG_ID_MISMATCH,
                        base + " serves log " + logId + ", this puller holds " + expectedLogId);
            }
            String type = a.header("Content-Type");
            if (type == null || !type.startsWith(PullProtocol.SNAPSHOT_TYPE)) {
                throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, base + " answered " + type
                        + " instead of a snapshot: " + snippet(a.body()));
            }
            long index = longHeader(a, PullProtocol.SNAPSHOT_INDEX_HEADER);
            String sha = requireHeader(a, PullProtocol.SNAPSHOT_SHA256_HEADER).toLowerCase(Locale.ROOT);
            long total = a.header("Content-Length") == null ? -1 : Long.parseLong(a.header("Content-Length"));
            MessageDigest digest = sha256();
            long bytes = 0;
            try (OutputStream out = Files.newOutputStream(part)) {
                byte[] buf = new byte[256 * 1024];
                for (int n; (n = a.body().read(buf)) > 0; ) {
                    out.write(buf, 0, n);
                    digest.update(buf, 0, n);
                    bytes += n;
                    progress.update(bytes, total);
                }
            }
            String got = HexFormat.of().formatHex(digest.digest());
            if (!got.equals(sha)) {
                throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, "the snapshot from " + base
                        + " has SHA-256 " + got + ", the upstream announced " + sha);
            }
            SnapshotInfo inside;
            try {
                inside = Snapshots.inspect(part);
            } catch (SnapshotException e) {
                throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, "the snapshot from " + base
                        + " matches its SHA-256 but is not a readable snapshot: " + e.getMessage(), e);
            }
            if (!inside.logId().equals(logId) || inside.index() != index) {
                throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, "the snapshot from " + base
                        + " holds log " + inside.logId() + " at " + inside.index() + ", announced " + logId + " at " + index);
            }
            Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new Snapshot(target, logId, index, sha, bytes);
        } catch (IOException | RuntimeException e) {
            dropConnection();
            Files.deleteIfExists(part);
            throw e;
        }
    }

    /** The upstream's {@code /v1/status} as JSON text. */
    public String status() throws IOException {
        HttpConnection.Answer a = send(PullProtocol.STATUS_PATH, headers(), Duration.ZERO);
        try {
            checkStatus(a, -1);
            return new String(a.body().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            dropConnection();
            throw e;
        }
    }

    private HttpConnection.Answer send(String path, Map<String, String> headers, Duration wait) throws IOException {
        if (closed) {
            throw new IOException("the pull client for " + base + " is closed");
        }
        if (connection != null && !connection.reusable()) {
            dropConnection();
        }
        boolean reused = connection != null;
        try {
            if (connection == null) {
                connection = new HttpConnection(base, options.ssl(), options.connectTimeout(), options.stallTimeout());
            }
            return connection.get(base.getRawPath() + path, headers, wait);
        } catch (java.io.EOFException | java.net.SocketException e) {
            dropConnection();
            if (!reused || closed) {
                throw e;
            }
            // the server may have closed an idle keep-alive connection: one fresh attempt
            connection = new HttpConnection(base, options.ssl(), options.connectTimeout(), options.stallTimeout());
            return connection.get(base.getRawPath() + path, headers, wait);
        }
    }

    private Map<String, String> headers() {
        Map<String, String> h = new LinkedHashMap<>();
        h.put(PullProtocol.NODE_HEADER, options.node());
        if (options.role() != null) {
            h.put(PullProtocol.ROLE_HEADER, options.role());
        }
        h.put("Accept-Encoding", "identity");
        if (options.token() != null) {
            h.put("Authorization", "Bearer " + options.token());
        }
        return h;
    }

    private void checkStatus(HttpConnection.Answer a, long after) throws IOException {
        checkPath(a);
        int s = a.status();
        if (s == 200 || s == 204) {
            return;
        }
        String why = snippet(a.body());
        UpstreamException.Kind kind = switch (s) {
            case 410 -> UpstreamException.Kind.GONE;
            case 409 -> UpstreamException.Kind.LOG_ID_MISMATCH;
            case 401, 403 -> UpstreamException.Kind.UNAUTHORIZED;
            default -> s >= 500 ? UpstreamException.Kind.UNAVAILABLE : UpstreamException.Kind.BAD_RESPONSE;
        };
        throw new UpstreamException(kind, base + " answered " + s + (after >= 0 ? " to a pull after " + after : "")
                + ": " + why);
    }

    /**
     * Records the upstream's path (its last {@value #MAX_PATH} hops, so that a loop cannot grow it
     * without end) and refuses it when it leads back to this puller.
     */
    private void checkPath(HttpConnection.Answer a) throws UpstreamException {
        String p = a.header(PullProtocol.PATH_HEADER);
        List<String> hops = p == null || p.isBlank() ? List.of() : List.of(p.split(","));
        if (hops.size() > MAX_PATH) {
            hops = hops.subList(hops.size() - MAX_PATH, hops.size());
        }
        path = hops;
        int self = hops.indexOf(options.node());
        if (self >= 0) {
            throw new UpstreamException(UpstreamException.Kind.LOOP, "refusing to follow " + base + ": it pulls through "
                    + HttpConnection.printable(String.join(" -> ", hops.subList(self, hops.size())))
                    + ", which leads back to this node; fix the upstreams so that no mirror follows itself");
        }
    }

    private String requireHeader(HttpConnection.Answer a, String name) throws UpstreamException {
        String v = a.header(name);
        if (v == null || v.isBlank()) {
            throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, base + " answered without " + name
                    + " (not an edgelog upstream?)");
        }
        return v;
    }

    private long longHeader(HttpConnection.Answer a, String name) throws UpstreamException {
        String v = requireHeader(a, name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, base + " sent " + name + ": "
                    + HttpConnection.printable(v));
        }
    }

    private static String snippet(InputStream body) {
        try {
            byte[] b = body.readNBytes(300);
            return HttpConnection.printable(new String(b, StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return "(body unreadable: " + e.getMessage() + ")";
        }
    }

    private static void drain(HttpConnection.Answer a) throws IOException {
        a.body().transferTo(OutputStream.nullOutputStream());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void dropConnection() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** Closes the connection; a pull blocked on it fails at once, and no new one is opened. */
    @Override
    public void close() {
        closed = true;
        HttpConnection c = connection;
        if (c != null) {
            c.close();
        }
    }
}
