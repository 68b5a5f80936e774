package dev.edgelog.sqllog.pull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fleet view of one node: every node below it with role, path, position and lag, built from
 * its direct pullers and from the reports its mirrors send up ({@link Followers}). A mirror sends
 * {@link #report()} to its upstream every few seconds; a primary node answering
 * {@code GET /v1/fleet} also asks its cluster peers for their tables, since a mirror reports to
 * whichever primary node it pulls from. Nodes not seen for the stale threshold are marked stale.
 */
public final class Fleet {

    /** The other nodes of a primary cluster and how to reach them. */
    public record Peers(Supplier<List<URI>> uris, SSLContext ssl) {
    }

    /** A node silent for longer than this is shown as stale (a long poll returns within 60 s). */
    public static final long DEFAULT_STALE_MILLIS = 90_000;
    /** The largest fleet report accepted (uncompressed). */
    static final int MAX_REPORT_BYTES = 64 << 20;

    private static final Logger LOG = LoggerFactory.getLogger(Fleet.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PEER_TIMEOUT = Duration.ofSeconds(3);

    private final String node;
    private final LogSource source;
    private final Followers followers;
    private final Clock clock;
    private volatile Peers peers;

    Fleet(String node, LogSource source, Followers followers, Clock clock) {
        this.node = node;
        this.source = source;
        this.followers = followers;
        this.clock = clock;
    }

    void peers(Peers value) {
        this.peers = value;
    }

    /** What this node knows of its subtree, as a {@code POST /v1/fleet} body for its upstream. */
    public byte[] report() {
        long now = clock.millis();
        ObjectNode out = JSON.createObjectNode();
        out.put("reporter", node);
        ArrayNode nodes = out.putArray("nodes");
        for (Followers.Follower f : followers.list()) {
            ObjectNode n = nodes.addObject().put("node", f.node()).put("role", f.role()).put("address", f.address());
            f.path().forEach(n.putArray("path")::add);
            n.put("applied_index", f.position()).put("age_ms", Math.max(0, now - f.lastSeenMillis()));
        }
        try {
            return JSON.writeValueAsBytes(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Merges a report ({@link #report()}'s form) from a mirror below.
     *
     * @return how many nodes it named
     * @throws IllegalArgumentException when it is not a report
     */
    int merge(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_REPORT_BYTES + 1);
        if (bytes.length > MAX_REPORT_BYTES) {
            throw new IllegalArgumentException("larger than " + MAX_REPORT_BYTES + " bytes");
        }
        JsonNode root = JSON.readTree(bytes);
        String reporter = text(root, "reporter");
        if (reporter == null || reporter.isBlank()) {
            throw new IllegalArgumentException("reporter is missing");
        }
        JsonNode nodes = root.path("nodes");
        if (!nodes.isArray()) {
            throw new IllegalArgumentException("nodes must be an array");
        }
        int count = 0;
        for (JsonNode n : nodes) {
            String name = text(n, "node");
            if (name == null || name.equals(node) || !n.path("applied_index").canConvertToLong()
                    || !n.path("age_ms").canConvertToLong()) {
                continue; // a malformed element, or this node itself seen through a loop
            }
            followers.reported(reporter, name, text(n, "role"), text(n, "address"), strings(n.path("path")),
                    n.path("applied_index").asLong(), n.path("age_ms").asLong());
            count++;
        }
        return count;
    }

    /**
     * The fleet table as JSON: every node known here (and at the peers, unless {@code local}),
     * each with its lag behind this node's commit index and whether it is stale.
     */
    byte[] listJson(long staleMillis, boolean local, String authorization) throws IOException {
        long now = clock.millis();
        Map<String, ObjectNode> byNode = new LinkedHashMap<>();
        for (Followers.Follower f : followers.list()) {
            ObjectNode n = JSON.createObjectNode().put("node", f.node()).put("role", f.role());
            f.path().forEach(n.putArray("path")::add);
            n.put("upstream", f.path().isEmpty() ? null : f.path().get(f.path().size() - 1))
                    .put("applied_index", f.position()).put("age_ms", Math.max(0, now - f.lastSeenMillis()))
                    .put("address", f.address()).put("reported_by", f.reportedBy());
            byNode.put(f.node(), n);
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("node", node);
        List<String> unreachable = new ArrayList<>();
        Peers p = peers;
        if (!local && p != null) {
            for (URI peer : p.uris().get()) {
                try {
                    mergePeer(byNode, fetch(peer, p.ssl(), authorization));
                } catch (IOException | RuntimeException e) {
                    LOG.debug("{}: fleet from peer {} failed: {}", node, peer, e.toString());
                    unreachable.add(peer + ": " + e.getMessage());
                }
            }
        }
        long commit = source.commitIndex();
        out.put("commit_index", commit);
        out.put("stale_after_ms", staleMillis);
        ArrayNode list = out.putArray("nodes");
        byNode.values().stream().sorted((a, b) -> a.path("node").asText().compareTo(b.path("node").asText()))
                .forEach(n -> {
                    long age = n.path("age_ms").asLong();
                    n.put("lag_entries", Math.max(0, commit - n.path("applied_index").asLong()))
                            .put("last_seen", now - age).put("stale", age > staleMillis);
                    list.add(n);
                });
        if (!unreachable.isEmpty()) {
            unreachable.forEach(out.putArray("unreachable_peers")::add);
        }
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(out);
    }

    private static void mergePeer(Map<String, ObjectNode> byNode, JsonNode peer) {
        for (JsonNode n : peer.path("nodes")) {
            String name = text(n, "node");
            if (name == null || !n.path("age_ms").canConvertToLong()) {
                continue;
            }
            ObjectNode mine = byNode.get(name);
            if (mine == null || mine.path("age_ms").asLong() > n.path("age_ms").asLong()) {
                ObjectNode copy = ((ObjectNode) n).deepCopy();
                copy.remove(List.of("lag_entries", "last_seen", "stale"));
                byNode.put(name, copy);
            }
        }
    }

    private JsonNode fetch(URI peer, SSLContext ssl, String authorization) throws IOException {
        try (HttpConnection c = new HttpConnection(peer, ssl, PEER_TIMEOUT, PEER_TIMEOUT)) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Accept", "application/json");
            if (authorization != null) {
                headers.put("Authorization", authorization);
            }
            String base = peer.getRawPath() == null ? "" : peer.getRawPath().replaceAll("/$", "");
            HttpConnection.Answer a = c.get(base + PullProtocol.FLEET_PATH + "?local=true", headers, PEER_TIMEOUT);
            if (a.status() != 200) {
                throw new IOException("answered " + a.status());
            }
            return JSON.readTree(a.body().readNBytes(MAX_REPORT_BYTES));
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        if (array.isArray()) {
            for (JsonNode s : array) {
                out.add(s.asText());
            }
        }
        return out;
    }
}
