package dev.edgelog.primary.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.edgelog.primary.PrimaryConfig;
import dev.edgelog.primary.PrimaryNode;
import dev.edgelog.primary.commit.OverloadedException;
import dev.edgelog.primary.commit.Committed;
import dev.edgelog.primary.commit.WriteRequest;
import dev.edgelog.primary.query.QueryResults;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.Outcome;
import dev.edgelog.sqllog.Statement;
import dev.edgelog.sqllog.auth.HttpGuard;
import dev.edgelog.sqllog.auth.Scope;
import dev.edgelog.sqllog.auth.Tls;
import dev.edgelog.sqllog.pull.Fleet;
import dev.edgelog.sqllog.pull.PullService;
import dev.edgelog.sqllog.sql.RejectedSqlException;
import dev.edgelog.sqllog.sql.SqlText;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.RaftPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rqlite-compatible HTTP API of a primary node: {@code POST /db/execute}, {@code GET|POST
 * /db/query}, {@code GET /status}, {@code /readyz}, {@code /nodes}. Any node accepts writes;
 * followers forward them to the leader's API ({@link LeaderProxy}), so validation, determinism and
 * group commit all happen on the leader, against its clock.
 */
public final class SqlHttpApi implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqlHttpApi.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long WRITE_TIMEOUT_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] NO_BODY = new byte[0];
    /** Write bodies up to this size are parsed on the I/O thread (a 100-statement bulk insert is ~10 KiB). */
    private static final int INLINE_BODY = 64 * 1024;

    private final PrimaryNode node;
    private final Undertow server;
    private final LeaderProxy proxy;
    private final PullService pull;

    private SqlHttpApi(PrimaryNode node) throws IOException {
        this.node = node;
        this.proxy = new LeaderProxy(node);
        PrimaryConfig.Peer self = node.config().self();
        this.pull = new PullService(node.config().nodeId(), node.stateMachine(), node.config().credentials(),
                node.config().dataDir().resolve("pull-snapshots"), java.time.Clock.systemUTC())
                .withFleetPeers(new Fleet.Peers(this::peerUris,
                        node.config().tls() == null ? null : Tls.client(node.config().tls().caFile())));
        HttpHandler routes = pull.addTo(Handlers.routing())
                .post("/db/execute", writeWithoutWorker(blocking(Scope.WRITE, this::execute)))
                .get("/db/query", blocking(Scope.READ, this::query))
                .post("/db/query", blocking(Scope.READ, this::query))
                .post("/db/request", blocking(Scope.WRITE, this::request))
                .get("/status", blocking(Scope.STATUS, this::status))
                .get("/readyz", blocking(Scope.STATUS, this::readyz))
                .get("/nodes", blocking(Scope.STATUS, this::nodes))
                .get("/metrics", blocking(Scope.STATUS, this::metrics))
                .post("/admin/members", blocking(Scope.ADMIN, this::addMember))
                .delete("/admin/members/{id}", blocking(Scope.ADMIN, this::removeMember))
                .post("/admin/leader", blocking(Scope.ADMIN, this::transferLeader))
                .setFallbackHandler(ex -> error(ex, 404, "no such endpoint: " + ex.getRequestPath()));
        PrimaryConfig.TlsFiles tls = node.config().tls();
        Undertow.Builder builder = Undertow.builder();
        if (tls == null) {
            builder.addHttpListener(self.httpPort(), self.httpHost());
        } else {
            builder.addHttpsListener(self.httpPort(), self.httpHost(), Tls.server(tls.certFile(), tls.keyFile()));
        }
        this.server = builder
                .setWorkerThreads(node.config().httpWorkers())
                .setHandler(routes)
                .build();
    }

    public static SqlHttpApi start(PrimaryNode node) throws IOException {
        SqlHttpApi api = new SqlHttpApi(node);
        api.server.start();
        return api;
    }

    public int port() {
        return ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    }

    @FunctionalInterface
    private interface Endpoint {
        void handle(HttpServerExchange ex) throws Exception;
    }

    /**
     * Checks the request's credentials for {@code scope} (401/403 before anything else), then runs
     * {@code e} on a worker thread with blocking I/O, turning refusals into 4xx/5xx answers.
     */
    private HttpHandler blocking(Scope scope, Endpoint e) {
        return ex -> {
            if (!authorized(ex, scope)) {
                return;
            }
            if (ex.isInIoThread()) {
                ex.dispatch(blocking(scope, e));
                return;
            }
            ex.startBlocking();
            try {
                e.handle(ex);
            } catch (AlreadyAnswered done) {
                // the response is out
            } catch (Exception refused) {
                refuse(ex, refused);
            }
        };
    }

    /** Answers a request that failed with {@code e}: 4xx/5xx as the exception says, else 500. */
    private void refuse(HttpServerExchange ex, Exception e) {
        if (e instanceof BadRequestException bad) {
            error(ex, bad.status(), bad.getMessage());
        } else if (e instanceof OverloadedException o) {
            node.metrics().rejected();
            ex.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
            error(ex, 503, o.getMessage());
        } else {
            LOG.warn("{}: {} {} failed: {}", node.config().nodeId(), ex.getRequestMethod(), ex.getRequestPath(),
                    e.toString(), e);
            error(ex, 500, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /**
     * {@code POST /db/execute} on the leader without a worker thread: the body is read and parsed on
     * the connection's I/O thread, the write goes to the group committer, and the answer is written
     * from that I/O thread once the entry is applied. A worker parked per write cost two thread
     * hand-offs per request, most of the HTTP layer's CPU under many writers. Followers (which
     * forward over a blocking client), bodies without a length or larger than {@link #INLINE_BODY}
     * (parsed on a worker so they do not hold up the I/O thread) take {@code blockingPath}, and so do
     * bodies over {@code max_body_bytes}, which its {@code readBody} refuses with 413.
     */
    private HttpHandler writeWithoutWorker(HttpHandler blockingPath) {
        int inline = Math.min(INLINE_BODY, node.config().maxBodyBytes());
        return ex -> {
            long declared = ex.getRequestContentLength();
            if (declared < 0 || declared > inline || !node.isLeader()) {
                blockingPath.handleRequest(ex);
                return;
            }
            if (!authorized(ex, Scope.WRITE)) {
                return;
            }
            ex.getRequestReceiver().receiveFullBytes(
                    (exchange, body) -> exchange.dispatch(SameThreadExecutor.INSTANCE, () -> submitWrite(exchange, body)),
                    (exchange, e) -> error(exchange, 400, "reading the request body failed: " + e.getMessage()));
        };
    }

    /** On the I/O thread: parses and queues the write; the answer follows when it is applied. */
    private void submitWrite(HttpServerExchange ex, byte[] body) {
        WriteRequest request;
        long start = System.nanoTime();
        try {
            List<Statement> statements = parse(ex, body, true);
            request = submit(ex, statements);
        } catch (RuntimeException e) {
            refuse(ex, e);
            return;
        }
        request.result().copy().orTimeout(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
                .whenCompleteAsync((applied, failure) -> {
                    if (failure != null) {
                        Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause()
                                : failure;
                        refuse(ex, notApplied(cause));
                    } else {
                        json(ex, 200, executed(ex, applied, start, false));
                    }
                }, ex.getIoThread());
    }

    private boolean authorized(HttpServerExchange ex, Scope scope) {
        HttpGuard.Refusal r = HttpGuard.check(node.config().credentials(), ex, scope);
        if (r != null) {
            error(ex, r.status(), r.message());
        }
        return r == null;
    }

    /**
     * rqlite's unified endpoint: a request of only reads is a query (read scope), one of only writes
     * an execute. A mix goes through the log whole, as rqlite's does, and needs both scopes: each
     * read runs inside the apply on the leader, so it sees the database exactly at its place
     * (after the writes before it in the request, before those after it), and answers rows. Every
     * replica and edge runs the reads too, as statements of the entry, without keeping rows.
     */
    private void request(HttpServerExchange ex) throws Exception {
        byte[] body = readBody(ex);
        List<Statement> statements = parse(ex, body, false);
        int reads = 0;
        for (Statement s : statements) {
            if (isRead(s.sql())) {
                reads++;
            }
        }
        if (reads == statements.size()) {
            if (authorized(ex, Scope.READ)) {
                query(ex, statements, body);
            }
        } else if (reads == 0 || authorized(ex, Scope.READ)) {
            execute(ex, body, parse(ex, body, true), true); // parsed again with the write validator
        }
    }

    private static boolean isRead(String sql) {
        String verb = SqlText.mainVerb(sql);
        return (verb.equals("SELECT") || verb.equals("VALUES") || verb.equals("EXPLAIN"))
                && !sql.toUpperCase(Locale.ROOT).contains("RETURNING");
    }

    private void execute(HttpServerExchange ex) throws Exception {
        byte[] body = readBody(ex);
        execute(ex, body, parse(ex, body, true), false);
    }

    /** @param withRows answer the rows of statements that return rows (the unified endpoint), as rqlite does */
    private void execute(HttpServerExchange ex, byte[] body, List<Statement> statements, boolean withRows)
            throws Exception {
        if (forwardedToLeader(ex, body)) {
            return;
        }
        long start = System.nanoTime();
        WriteRequest request = submit(ex, statements);
        Committed applied;
        try {
            applied = request.result().get(WRITE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw notApplied(e.getCause());
        } catch (TimeoutException e) {
            throw notApplied(e);
        }
        json(ex, 200, executed(ex, applied, start, withRows));
    }

    private WriteRequest submit(HttpServerExchange ex, List<Statement> statements) {
        if (node.stateMachine().logId() == null) {
            throw new BadRequestException(503, "the cluster is starting: no log id yet");
        }
        WriteRequest request = WriteRequest.of(flag(ex, "transaction"), statements);
        node.committer().submit(request);
        return request;
    }

    /** What a write that failed to apply with {@code cause} answers. */
    private static RuntimeException notApplied(Throwable cause) {
        if (cause instanceof RejectedSqlException r) {
            return new BadRequestException(r.getMessage());
        }
        if (cause instanceof OverloadedException o) {
            return o;
        }
        if (cause instanceof TimeoutException) {
            return new BadRequestException(503, "not applied within " + WRITE_TIMEOUT_SECONDS
                    + " s; it may still commit (its index is unknown)");
        }
        return new BadRequestException(503, "not committed: " + cause);
    }

    /** rqlite's answer to an applied write. */
    private ObjectNode executed(HttpServerExchange ex, Committed committed, long start, boolean withRows) {
        node.metrics().writeLatency().record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        Entry applied = committed.entry();
        ObjectNode out = NODES.objectNode();
        ArrayNode results = out.putArray("results");
        boolean associative = withRows && !committed.rows().isEmpty() && flag(ex, "associative");
        int i = 0;
        for (Outcome o : applied.outcomes()) {
            String rows = withRows ? committed.rowsOf(i) : null;
            i++;
            if (rows != null && o instanceof Outcome.Executed) {
                results.add(rowsResult(rows, associative));
                continue;
            }
            ObjectNode r = results.addObject();
            if (o instanceof Outcome.Executed x) {
                if (x.lastInsertId() != 0) {
                    r.put("last_insert_id", x.lastInsertId());
                }
                if (x.rowsAffected() != 0) {
                    r.put("rows_affected", x.rowsAffected());
                }
            } else {
                r.put("error", ((Outcome.Failed) o).error());
            }
        }
        if (flag(ex, "timings")) {
            out.put("time", (System.nanoTime() - start) / 1e9);
        }
        if (flag(ex, "raft_index")) {
            out.put("raft_index", applied.index());
        }
        return out;
    }

    /** A statement's rows as captured in the apply (rqlite's result object), reshaped for {@code associative}. */
    private static ObjectNode rowsResult(String json, boolean associative) {
        ObjectNode plain;
        try {
            plain = (ObjectNode) JSON.readTree(json);
        } catch (java.io.IOException | ClassCastException e) {
            throw new IllegalStateException("the state machine answered rows that are not a JSON object", e);
        }
        return associative ? QueryResults.associative(plain) : plain;
    }

    private void query(HttpServerExchange ex) throws Exception {
        if (ex.getRequestMethod().equalToString("GET")) {
            String q = param(ex, "q");
            if (q == null || q.isBlank()) {
                throw new BadRequestException("query parameter q not set");
            }
            query(ex, RqliteRequests.parsePlain(q.getBytes(StandardCharsets.UTF_8), false), NO_BODY);
        } else {
            byte[] body = readBody(ex);
            query(ex, parse(ex, body, false), body);
        }
    }

    /** Runs parsed read statements; {@code body} is what a follower forwards for a weak read. */
    private void query(HttpServerExchange ex, List<Statement> statements, byte[] body) throws Exception {
        String level = param(ex, "level") == null ? "weak" : param(ex, "level").toLowerCase(Locale.ROOT);
        switch (level) {
            case "none" -> checkFreshness(ex);
            case "linearizable", "strong" -> { // the leader answers, after a Raft ReadIndex round
                if (forwardedToLeader(ex, body)) {
                    return;
                }
                try {
                    node.linearizableBarrier();
                } catch (IllegalStateException e) { // the leadership moved since forwardedToLeader
                    throw new BadRequestException(503, e.getMessage() + "; retry");
                }
            }
            default -> { // weak (rqlite's default and its meaning for unknown levels): ask the leader
                if (forwardedToLeader(ex, body)) {
                    return;
                }
            }
        }
        long start = System.nanoTime();
        ObjectNode out = NODES.objectNode();
        out.set("results", node.reads().query(statements, flag(ex, "associative")));
        if (flag(ex, "timings")) {
            out.put("time", (System.nanoTime() - start) / 1e9);
        }
        json(ex, 200, out);
    }

    /**
     * rqlite's {@code freshness} on a {@code level=none} read: refuse when this node last heard
     * from the leader longer ago than the given duration (Go syntax: {@code 500ms}, {@code 1s},
     * {@code 1m30s}). With {@code freshness_strict} the newest data must also be that young: the
     * last applied write's commit time (the leader's clock) against this node's clock, so a cluster
     * without writes for longer than {@code freshness} refuses strict reads, as rqlite does.
     */
    private void checkFreshness(HttpServerExchange ex) {
        String freshness = param(ex, "freshness");
        boolean strict = flag(ex, "freshness_strict");
        if (freshness == null) {
            if (strict) {
                throw new BadRequestException("freshness_strict requires freshness");
            }
            return;
        }
        long maxMillis = GoDurations.parseMillis(freshness);
        long age = node.leaderContactAgeMillis();
        long dataAge = System.currentTimeMillis() - node.stateMachine().lastCommitTimeMillis();
        if (age < 0 || age > maxMillis || (strict && dataAge > maxMillis)) {
            ObjectNode out = NODES.objectNode();
            out.putArray("results");
            out.put("error", "stale read");
            json(ex, 200, out);
            throw new AlreadyAnswered();
        }
    }

    /** Thrown after a response was sent, to stop the handler without another answer. */
    private static final class AlreadyAnswered extends RuntimeException {
        AlreadyAnswered() {
            super(null, null, false, false);
        }
    }

    /** Forwards the request to the leader unless this node leads; true when it was forwarded. */
    private boolean forwardedToLeader(HttpServerExchange ex, byte[] body) throws IOException, InterruptedException {
        if (node.isLeader()) {
            return false;
        }
        proxy.forward(ex, body);
        return true;
    }

    private void status(HttpServerExchange ex) throws Exception {
        ObjectNode out = NODES.objectNode();
        ObjectNode n = out.putObject("node");
        n.put("id", node.config().nodeId());
        n.put("http_address", node.config().self().httpAddress());
        n.put("raft_address", node.config().self().raftAddress());
        ObjectNode store = out.putObject("store");
        store.put("log_id", node.stateMachine().logId());
        store.put("leader", node.leaderId());
        store.put("is_leader", node.isLeader());
        store.put("term", node.term());
        store.put("applied_index", node.stateMachine().appliedIndex());
        store.put("raft_commit_index", node.raftCommitIndex());
        store.put("raft_applied_index", node.raftAppliedIndex());
        store.put("write_queue_depth", node.committer().queueDepth());
        var segments = node.stateMachine().segments();
        store.put("first_retained_index", segments.firstIndex());
        store.put("last_log_index", segments.lastIndex());
        json(ex, 200, out);
    }

    private void readyz(HttpServerExchange ex) {
        boolean leader = node.leaderId() != null;
        boolean store = node.stateMachine().logId() != null;
        String body = (leader ? "[+]" : "[-]") + "leader " + (leader ? "ok" : "not found") + "\n"
                + (store ? "[+]" : "[-]") + "store " + (store ? "ok" : "not ready") + "\n";
        ex.setStatusCode(leader && store ? 200 : 503);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        ex.getResponseSender().send(body);
    }

    /** The other members' HTTP APIs (mirrors report their fleet to whichever member they pull from). */
    private List<URI> peerUris() {
        String scheme = node.config().tls() == null ? "http://" : "https://";
        List<URI> out = new ArrayList<>();
        for (RaftPeer p : node.members()) {
            String id = p.getId().toString();
            String address = node.httpAddressOf(id);
            if (!id.equals(node.config().nodeId()) && address != null) {
                out.add(URI.create(scheme + address));
            }
        }
        return out;
    }

    private void nodes(HttpServerExchange ex) {
        ObjectNode out = NODES.objectNode();
        String leader = node.leaderId();
        String scheme = node.config().tls() == null ? "http://" : "https://";
        for (RaftPeer p : node.members()) {
            String id = p.getId().toString();
            ObjectNode n = out.putObject(id);
            n.put("api_addr", scheme + node.httpAddressOf(id));
            n.put("addr", p.getAddress());
            n.put("voter", !node.isListener(id));
            n.put("leader", id.equals(leader));
        }
        json(ex, 200, out);
    }

    /** {@code POST /admin/members {"id", "raft_address", "http_address", "role": "voter"|"listener"}}. */
    private void addMember(HttpServerExchange ex) throws Exception {
        byte[] body = readBody(ex);
        if (forwardedToLeader(ex, body)) {
            return;
        }
        JsonNode m = jsonBody(body);
        String id = text(m, "id");
        String raft = text(m, "raft_address");
        String httpAddress = text(m, "http_address");
        String role = m.hasNonNull("role") ? m.get("role").asText() : "voter";
        if (!role.equals("voter") && !role.equals("listener")) {
            throw new BadRequestException("role must be voter or listener, was " + role);
        }
        node.addMember(id, raft, httpAddress, role.equals("listener"));
        ObjectNode out = NODES.objectNode();
        out.put("added", id);
        out.put("role", role);
        json(ex, 200, out);
    }

    private void removeMember(HttpServerExchange ex) throws Exception {
        if (forwardedToLeader(ex, NO_BODY)) {
            return;
        }
        String id = param(ex, "id");
        try {
            node.removeMember(id);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(404, e.getMessage());
        }
        ObjectNode out = NODES.objectNode();
        out.put("removed", id);
        json(ex, 200, out);
    }

    /** {@code POST /admin/leader {"id": "n2"}}. */
    private void transferLeader(HttpServerExchange ex) throws Exception {
        byte[] body = readBody(ex);
        if (forwardedToLeader(ex, body)) {
            return;
        }
        String id = text(jsonBody(body), "id");
        node.transferLeadership(id);
        ObjectNode out = NODES.objectNode();
        out.put("leader", id);
        json(ex, 200, out);
    }

    private static JsonNode jsonBody(byte[] body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new BadRequestException("invalid JSON body");
        }
    }

    private static String text(JsonNode m, String field) {
        if (m == null || !m.hasNonNull(field) || !m.get(field).isTextual() || m.get(field).asText().isBlank()) {
            throw new BadRequestException(field + " is required (a string)");
        }
        return m.get(field).asText();
    }

    private void metrics(HttpServerExchange ex) {
        ex.setStatusCode(200);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        ex.getResponseSender().send(node.metrics().scrape());
    }

    private byte[] readBody(HttpServerExchange ex) throws IOException {
        int max = node.config().maxBodyBytes();
        long declared = ex.getRequestContentLength();
        if (declared > max) {
            throw new BadRequestException(413, "request body of " + declared + " bytes exceeds max_body_bytes " + max);
        }
        try (InputStream in = ex.getInputStream()) {
            byte[] b = in.readNBytes(max + 1);
            if (b.length > max) {
                throw new BadRequestException(413, "request body exceeds max_body_bytes " + max);
            }
            return b;
        }
    }

    /** The statements of a JSON body, or of a plain-text one (Content-Type text/plain). */
    private static List<Statement> parse(HttpServerExchange ex, byte[] body, boolean forWrite) {
        return isPlainText(ex) ? RqliteRequests.parsePlain(body, forWrite) : RqliteRequests.parse(body, forWrite);
    }

    private static boolean isPlainText(HttpServerExchange ex) {
        String ct = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        return ct != null && ct.toLowerCase(Locale.ROOT).startsWith("text/plain");
    }

    /** rqlite's flags count by presence: {@code ?transaction}, {@code ?transaction=true} alike. */
    static boolean flag(HttpServerExchange ex, String name) {
        return ex.getQueryParameters().containsKey(name);
    }

    static String param(HttpServerExchange ex, String name) {
        Deque<String> v = ex.getQueryParameters().get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    static void json(HttpServerExchange ex, int status, ObjectNode body) {
        ex.setStatusCode(status);
        ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json; charset=utf-8");
        ex.getResponseSender().send(body.toString());
    }

    static void error(HttpServerExchange ex, int status, String message) {
        ObjectNode out = NODES.objectNode();
        out.put("error", message);
        json(ex, status, out);
    }

    @Override
    public void close() {
        server.stop();
        pull.close();
        proxy.close();
    }
}
