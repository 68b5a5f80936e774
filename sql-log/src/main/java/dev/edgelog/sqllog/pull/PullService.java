package dev.edgelog.sqllog.pull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.auth.HttpGuard;
import dev.edgelog.sqllog.auth.Scope;
import dev.edgelog.sqllog.codec.EntryCodec;
import dev.edgelog.sqllog.codec.EntryJson;
import dev.edgelog.sqllog.segment.FrameRange;
import dev.edgelog.sqllog.segment.IndexGoneException;
import dev.edgelog.sqllog.segment.SegmentStore;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;

/**
 * The server side of the pull API ({@link PullProtocol}) over a {@link LogSource}, as Undertow
 * routes; a primary node and a mirror add them to their HTTP servers.
 *
 * <p>Frames go out as the segment files hold them. A pull with nothing new parks without a thread
 * (an IO-thread timer and a commit listener) and is answered as soon as an entry is committed, or
 * with 204 when {@code wait_ms} runs out. Snapshots are shared by concurrent downloads for a short
 * while ({@link SnapshotCache}).
 */
public final class PullService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PullService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SNAPSHOT_MAX_AGE_MILLIS = 30_000;
    private static final int SHARED_TAIL_MAX_BYTES = 256 * 1024;
    private static final HttpString H_COMMIT_INDEX_HEADER = HttpString.tryFromString(PullProtocol.COMMIT_INDEX_HEADER);
    private static final HttpString H_FIRST_INDEX_HEADER = HttpString.tryFromString(PullProtocol.FIRST_INDEX_HEADER);
    private static final HttpString H_LOG_ID_HEADER = HttpString.tryFromString(PullProtocol.LOG_ID_HEADER);
    private static final HttpString H_SNAPSHOT_INDEX_HEADER = HttpString.tryFromString(PullProtocol.SNAPSHOT_INDEX_HEADER);
    private static final HttpString H_SNAPSHOT_SHA256_HEADER = HttpString.tryFromString(PullProtocol.SNAPSHOT_SHA256_HEADER);
    private static final HttpString H_PATH_HEADER = HttpString.tryFromString(PullProtocol.PATH_HEADER);

    private final String node;
    private final LogSource source;
    private final Credentials credentials;
    private final Followers followers;
    private final Waiters waiters = new Waiters();
    private final SnapshotCache snapshots;
    private final Fleet fleet;
    private final AtomicLong snapshotsServed = new AtomicLong();
    private final Object tailLock = new Object();
    private volatile Tail tail;
    private volatile NodePath nodePath;

    /**
     * @param node        this server's name (shown in status)
     * @param credentials who may pull ({@link Scope#PULL}); null serves everyone
     * @param snapshotDir where snapshots for download are written (old ones are removed here)
     */
    public PullService(String node, LogSource source, Credentials credentials, Path snapshotDir, Clock clock) {
        this.node = node;
        this.source = source;
        this.credentials = credentials;
        this.followers = new Followers(clock);
        this.fleet = new Fleet(node, source, followers, clock);
        removeOldSnapshots(snapshotDir);
        this.snapshots = new SnapshotCache(snapshotDir, SNAPSHOT_MAX_AGE_MILLIS, clock, source::snapshot);
        source.onCommit(waiters::committed);
    }

    /**
     * Adds {@code GET /v1/log}, {@code /v1/snapshot}, {@code /v1/status} and {@code GET|POST
     * /v1/fleet} to {@code routes}.
     */
    public RoutingHandler addTo(RoutingHandler routes) {
        return routes.get(PullProtocol.LOG_PATH, guarded(this::log))
                .get(PullProtocol.SNAPSHOT_PATH, guarded(blocking(this::snapshot)::handleRequest))
                .get(PullProtocol.STATUS_PATH, guarded(blocking(this::status)::handleRequest))
                .get(PullProtocol.FLEET_PATH, guarded(blocking(this::fleetList)::handleRequest))
                .post(PullProtocol.FLEET_PATH, guarded(blocking(this::fleetReport)::handleRequest));
    }

    /**
     * Lets {@code GET /v1/fleet} on this node also gather what its peers know (the other nodes of a
     * primary cluster, which mirrors may report to instead): they are asked for their own table
     * with the caller's credentials.
     */
    public PullService withFleetPeers(Fleet.Peers peers) {
        fleet.peers(peers);
        return this;
    }

    /** This node's path: its upstreams from the primary down, then itself. */
    public List<String> path() {
        return currentPath().nodes;
    }

    /** A path and its header form, built once per upstream path rather than once per pull. */
    private record NodePath(List<String> upstream, List<String> nodes, String header) {
    }

    private NodePath currentPath() {
        List<String> up = source.upstreamPath();
        NodePath p = nodePath;
        if (p == null || !p.upstream.equals(up)) {
            List<String> nodes = new ArrayList<>(up.size() + 1);
            nodes.addAll(up);
            nodes.add(node);
            p = new NodePath(List.copyOf(up), List.copyOf(nodes), String.join(",", nodes));
            nodePath = p;
        }
        return p;
    }

    public Followers followers() {
        return followers;
    }

    /** The fleet table, and the report a mirror sends upstream. */
    public Fleet fleet() {
        return fleet;
    }

    /** Snapshots sent whole since start. */
    public long snapshotsServed() {
        return snapshotsServed.get();
    }

    /** Pulls parked waiting for new entries. */
    public int waitingPulls() {
        return waiters.size();
    }

    // ---- GET /v1/log ----

    private record LogRequest(long after, int maxBytes, long waitMs, boolean json, boolean gzip) {
    }

    private void log(HttpServerExchange ex) {
        LogRequest req = parseLogRequest(ex);
        String logId = source.logId();
        if (logId == null) {
            throw new Refusal(503, "this node does not know its log id yet");
        }
        String theirs = ex.getRequestHeaders().getFirst(PullProtocol.LOG_ID_HEADER);
        followers.seen(ex.getRequestHeaders().getFirst(PullProtocol.NODE_HEADER),
                ex.getRequestHeaders().getFirst(PullProtocol.ROLE_HEADER), String.valueOf(ex.getSourceAddress()),
                path(), req.after);
        if (theirs != null && !theirs.equals(logId)) {
            throw new Refusal(409, "this node serves log " + logId + ", not " + theirs);
        }
        if (req.after + 1 < source.segments().firstIndex()) {
            throw gone(req.after);
        }
        if (req.waitMs == 0 || req.after < source.commitIndex()) {
            reply(ex, req);
            return;
        }
        ex.dispatch(SameThreadExecutor.INSTANCE, () -> park(ex, req));
    }

    /**
     * Waits without a thread for an entry after {@code req.after}, or for the timeout; either way
     * the answer starts on the connection's IO thread.
     */
    private void park(HttpServerExchange ex, LogRequest req) {
        AtomicBoolean answered = new AtomicBoolean();
        AtomicReference<Runnable> cancel = new AtomicReference<>(() -> { });
        XnioExecutor.Key timer = ex.getIoThread().executeAfter(() -> {
            if (answered.compareAndSet(false, true)) {
                cancel.get().run();
                reply(ex, req);
            }
        }, req.waitMs, TimeUnit.MILLISECONDS);
        cancel.set(waiters.await(req.after, source::commitIndex, ex.getIoThread(), () -> {
            if (answered.compareAndSet(false, true)) {
                timer.remove();
                reply(ex, req);
            }
        }));
    }

    /**
     * Answers a pull. Nothing new: 204 at once. The common case of a fleet that is up to date, many
     * pulls after the same index, is sent from the IO thread out of one shared buffer
     * ({@link #sharedTail}); everything else is read from the segments on a worker thread.
     */
    private void reply(HttpServerExchange ex, LogRequest req) {
        try {
            if (req.after >= source.commitIndex()) {
                headers(ex);
                ex.setStatusCode(204);
                ex.endExchange();
                return;
            }
            Tail t = req.json || req.gzip ? null : sharedTail(req.after);
            if (t != null && t.frames.remaining() <= req.maxBytes) {
                headers(ex);
                ex.getResponseHeaders().put(Headers.CONTENT_TYPE, PullProtocol.FRAMES_TYPE);
                ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, t.frames.remaining());
                ex.getResponseSender().send(t.frames.duplicate());
                return;
            }
            ex.dispatch(blocking(e -> sendEntries(e, req)));
        } catch (RuntimeException e) {
            LOG.warn("{}: answering a pull after {} failed: {}", node, req.after, e.toString(), e);
            refuse(ex, 500, e.toString());
        }
    }

    /** The frames after {@code after}, up to the commit index when read, as one read-only buffer. */
    private record Tail(long after, ByteBuffer frames) {
    }

    /**
     * The frames after {@code after} that a fleet of followers all at {@code after} is sent: read
     * once from the segments (at most {@value #SHARED_TAIL_MAX_BYTES} bytes, never past the commit
     * index) and kept until the next index is asked for. An index always holds the same entry, so
     * the buffer stays right for as long as anyone asks for it. Null when the segments do not
     * hold them (any more) or they are too many bytes to share.
     */
    private Tail sharedTail(long after) {
        Tail t = tail;
        if (t != null && t.after == after) {
            return t;
        }
        synchronized (tailLock) {
            t = tail;
            if (t != null && t.after == after) {
                return t;
            }
            long commit = source.commitIndex();
            try (FrameRange range = source.segments().readRange(after + 1, SHARED_TAIL_MAX_BYTES)) {
                if (range.isEmpty() || range.byteCount() > SHARED_TAIL_MAX_BYTES || range.firstIndex() > commit) {
                    return null;
                }
                ByteBuffer bytes = range.lastIndex() > commit ? framesUpTo(range, commit) : range.toByteBuffer();
                ByteBuffer shared = ByteBuffer.allocateDirect(bytes.remaining()).put(bytes).flip();
                t = new Tail(after, shared.asReadOnlyBuffer());
                tail = t;
                return t;
            } catch (IndexGoneException e) {
                return null;
            }
        }
    }

    private void sendEntries(HttpServerExchange ex, LogRequest req) throws IOException {
        SegmentStore segs = source.segments();
        long commit = source.commitIndex();
        if (req.after >= commit) {
            headers(ex);
            ex.setStatusCode(204);
            ex.endExchange();
            return;
        }
        try (FrameRange range = segs.readRange(req.after + 1, req.maxBytes)) {
            headers(ex);
            if (range.isEmpty()) {
                ex.setStatusCode(204);
                ex.endExchange();
                return;
            }
            if (req.json) {
                sendJson(ex, range, commit, req.gzip);
            } else if (range.lastIndex() > commit || req.gzip) {
                sendFrames(ex, framesUpTo(range, commit), req.gzip);
            } else {
                ex.getResponseHeaders().put(Headers.CONTENT_TYPE, PullProtocol.FRAMES_TYPE);
                ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, range.byteCount());
                range.transferTo(Channels.newChannel(ex.getOutputStream()));
            }
        } catch (IndexGoneException e) {
            throw gone(req.after);
        }
    }

    /**
     * The range's bytes up to entry {@code commit}. Segments can run ahead of the commit index by
     * the batch being applied (they are written before its SQLite transaction commits), and a
     * puller must never see an entry that a failed commit could still take back.
     */
    private static ByteBuffer framesUpTo(FrameRange range, long commit) {
        ByteBuffer all = range.toByteBuffer();
        long keep = Math.min(range.lastIndex(), commit) - range.firstIndex() + 1;
        int end = 0;
        for (long i = 0; i < keep; i++) {
            end += EntryCodec.HEADER_BYTES + all.getInt(end);
        }
        return all.limit(end);
    }

    private static void sendFrames(HttpServerExchange ex, ByteBuffer frames, boolean gzip) throws IOException {
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, PullProtocol.FRAMES_TYPE);
        if (!gzip) {
            ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, frames.remaining());
            Channels.newChannel(ex.getOutputStream()).write(frames);
            return;
        }
        ex.getResponseHeaders().put(Headers.CONTENT_ENCODING, "gzip");
        try (OutputStream out = new GZIPOutputStream(ex.getOutputStream(), 64 * 1024)) {
            Channels.newChannel(out).write(frames);
        }
    }

    private static void sendJson(HttpServerExchange ex, FrameRange range, long commit, boolean gzip) throws IOException {
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, PullProtocol.NDJSON_TYPE + "; charset=utf-8");
        if (gzip) {
            ex.getResponseHeaders().put(Headers.CONTENT_ENCODING, "gzip");
        }
        try (OutputStream out = gzip ? new GZIPOutputStream(ex.getOutputStream(), 64 * 1024) : ex.getOutputStream()) {
            for (Entry e : range.decode()) {
                if (e.index() > commit) {
                    break;
                }
                out.write(EntryJson.toJson(e).getBytes(StandardCharsets.UTF_8));
                out.write('\n');
            }
        }
    }

    private LogRequest parseLogRequest(HttpServerExchange ex) {
        long after = longParam(ex, "after", -1, 0, Long.MAX_VALUE - 1);
        if (after < 0) {
            throw new Refusal(400, "query parameter after (the last index the caller holds) is required");
        }
        int maxBytes = (int) longParam(ex, "max_bytes", PullProtocol.DEFAULT_MAX_BYTES, 1, PullProtocol.MAX_MAX_BYTES);
        long waitMs = longParam(ex, "wait_ms", 0, 0, PullProtocol.MAX_WAIT_MS);
        String format = param(ex, "format");
        if (format != null && !format.equals("json") && !format.equals("frames")) {
            throw new Refusal(400, "format must be frames or json, was " + format);
        }
        String accept = ex.getRequestHeaders().getFirst(Headers.ACCEPT_ENCODING);
        boolean gzip = accept != null && accept.toLowerCase(Locale.ROOT).contains("gzip");
        return new LogRequest(after, maxBytes, waitMs, "json".equals(format), gzip);
    }

    private static long longParam(HttpServerExchange ex, String name, long fallback, long min, long max) {
        String v = param(ex, name);
        if (v == null) {
            return fallback;
        }
        try {
            long n = Long.parseLong(v);
            if (n < min || n > max) {
                throw new Refusal(400, name + " must be between " + min + " and " + max + ", was " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new Refusal(400, name + " must be an integer, was " + v);
        }
    }

    private static String param(HttpServerExchange ex, String name) {
        var values = ex.getQueryParameters().get(name);
        return values == null || values.isEmpty() ? null : values.getFirst();
    }

    private Refusal gone(long after) {
        return new Refusal(410, "entries after " + after + " are no longer retained here (the first is "
                + source.segments().firstIndex() + "); bootstrap from " + PullProtocol.SNAPSHOT_PATH);
    }

    private void headers(HttpServerExchange ex) {
        String logId = source.logId();
        if (logId != null) {
            ex.getResponseHeaders().put(H_LOG_ID_HEADER, logId);
        }
        ex.getResponseHeaders().put(H_COMMIT_INDEX_HEADER, source.commitIndex());
        ex.getResponseHeaders().put(H_FIRST_INDEX_HEADER, source.segments().firstIndex());
        ex.getResponseHeaders().put(H_PATH_HEADER, currentPath().header);
    }

    // ---- GET /v1/snapshot ----

    private void snapshot(HttpServerExchange ex) throws IOException {
        if (source.logId() == null) {
            throw new Refusal(503, "this node does not know its log id yet");
        }
        try (SnapshotCache.Lease lease = snapshots.acquire(); InputStream in = Files.newInputStream(lease.info.file())) {
            headers(ex);
            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, PullProtocol.SNAPSHOT_TYPE);
            ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, lease.info.sizeBytes());
            ex.getResponseHeaders().put(H_SNAPSHOT_INDEX_HEADER, lease.info.index());
            ex.getResponseHeaders().put(H_SNAPSHOT_SHA256_HEADER, lease.info.sha256());
            in.transferTo(ex.getOutputStream());
        }
        snapshotsServed.incrementAndGet();
    }

    // ---- GET|POST /v1/fleet ----

    private void fleetList(HttpServerExchange ex) throws IOException {
        long staleMs = longParam(ex, "stale_ms", Fleet.DEFAULT_STALE_MILLIS, 1, Long.MAX_VALUE);
        boolean local = "true".equals(param(ex, "local"));
        byte[] body = fleet.listJson(staleMs, local, ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
        headers(ex);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getOutputStream().write(body);
    }

    private void fleetReport(HttpServerExchange ex) throws IOException {
        InputStream in = ex.getInputStream();
        if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst(Headers.CONTENT_ENCODING))) {
            in = new java.util.zip.GZIPInputStream(in);
        }
        try {
            int merged = fleet.merge(in);
            headers(ex);
            ex.setStatusCode(204);
            LOG.debug("{}: merged a fleet report of {} node(s)", node, merged);
        } catch (IllegalArgumentException | com.fasterxml.jackson.core.JacksonException e) {
            throw new Refusal(400, "bad fleet report: " + e.getMessage());
        }
    }

    // ---- GET /v1/status ----

    private void status(HttpServerExchange ex) throws IOException {
        ObjectNode out = JSON.createObjectNode();
        out.put("node", node);
        out.put("log_id", source.logId());
        out.put("commit_index", source.commitIndex());
        out.put("first_index", source.segments().firstIndex());
        out.put("last_index", source.segments().lastIndex());
        out.put("segment_bytes", source.segments().totalBytes());
        out.put("waiting_pulls", waiters.size());
        out.put("snapshots_served", snapshotsServed.get());
        ArrayNode list = out.putArray("followers");
        for (Followers.Follower f : followers.direct()) {
            list.addObject().put("node", f.node()).put("role", f.role()).put("address", f.address())
                    .put("position", f.position()).put("last_seen", f.lastSeenMillis());
        }
        headers(ex);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        ex.getOutputStream().write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out));
    }

    // ---- plumbing ----

    /** A refusal with its status and message. */
    private static final class Refusal extends RuntimeException {
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    @FunctionalInterface
    private interface Endpoint {
        void handle(HttpServerExchange ex) throws Exception;
    }

    private HttpHandler guarded(Endpoint e) {
        return ex -> {
            if (!authorized(ex)) {
                return;
            }
            answer(ex, e);
        };
    }

    private HttpHandler blocking(Endpoint e) {
        return ex -> {
            if (ex.isInIoThread()) {
                ex.dispatch(blocking(e));
                return;
            }
            ex.startBlocking();
            answer(ex, e);
            ex.endExchange();
        };
    }

    private void answer(HttpServerExchange ex, Endpoint e) {
        try {
            e.handle(ex);
        } catch (Refusal r) {
            refuse(ex, r.status, r.getMessage());
        } catch (Exception other) {
            LOG.warn("{}: {} {} failed: {}", node, ex.getRequestMethod(), ex.getRequestURI(), other.toString(), other);
            refuse(ex, 500, other.getMessage() == null ? other.toString() : other.getMessage());
        }
    }

    private void refuse(HttpServerExchange ex, int status, String message) {
        if (ex.isResponseStarted()) {
            LOG.warn("{}: {} failed after the answer started; closing the connection: {}", node, ex.getRequestURI(),
                    message);
            try {
                ex.getConnection().close();
            } catch (IOException e) {
                LOG.debug("closing {} failed: {}", ex.getSourceAddress(), e.toString());
            }
            return;
        }
        headers(ex);
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        ex.getResponseSender().send(message + "\n");
    }

    private boolean authorized(HttpServerExchange ex) {
        HttpGuard.Refusal r = HttpGuard.check(credentials, ex, Scope.PULL);
        if (r != null) {
            refuse(ex, r.status(), r.message());
        }
        return r == null;
    }

    private static void removeOldSnapshots(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (p.getFileName().toString().startsWith("pull-")) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot clean {}: {}", dir, e.toString());
        }
    }

    @Override
    public void close() {
        snapshots.close();
    }
}
