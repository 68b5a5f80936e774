package dev.edgelog.primary.http;

import dev.edgelog.primary.PrimaryConfig;
import dev.edgelog.primary.PrimaryNode;
import dev.edgelog.sqllog.auth.Tls;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Forwards a request a follower received to the leader's HTTP API and relays the answer, so
 * writers may talk to any node. The leader does the work (validation, determinism against its
 * clock, group commit); the follower adds a hop.
 */
final class LeaderProxy implements AutoCloseable {

    /** Names the leader that answered a forwarded request. */
    static final HttpString SERVED_BY = new HttpString("X-Edgelog-Served-By");

    private final PrimaryNode node;
    private final HttpClient client;
    private final String scheme;

    LeaderProxy(PrimaryNode node) throws IOException {
        this.node = node;
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
                .version(HttpClient.Version.HTTP_1_1);
        PrimaryConfig.TlsFiles tls = node.config().tls();
        if (tls != null) {
            b.sslContext(Tls.client(tls.caFile())); // the leader's certificate must chain to ca_file
        }
        this.client = b.build();
        this.scheme = tls == null ? "http://" : "https://";
    }

    void forward(HttpServerExchange ex, byte[] body) throws IOException, InterruptedException {
        String leader = node.leaderId();
        String address = leader == null ? null : node.httpAddressOf(leader);
        if (address == null || leader.equals(node.config().nodeId())) {
            throw new BadRequestException(503, "leader not found");
        }
        String query = ex.getQueryString();
        URI uri = URI.create(scheme + address + ex.getRequestPath()
                + (query == null || query.isEmpty() ? "" : "?" + query));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(35));
        String ct = ex.getRequestHeaders().getFirst(Headers.CONTENT_TYPE);
        if (ct != null) {
            b.header("Content-Type", ct);
        }
        String auth = ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (auth != null) {
            b.header("Authorization", auth);
        }
        boolean noBody = ex.getRequestMethod().equalToString("GET") || ex.getRequestMethod().equalToString("DELETE");
        b.method(ex.getRequestMethod().toString(), body.length == 0 && noBody
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<byte[]> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new BadRequestException(503, "forwarding to the leader " + leader + " failed: " + e.getMessage());
        }
        ex.setStatusCode(r.statusCode());
        r.headers().firstValue("Content-Type").ifPresent(v -> ex.getResponseHeaders().put(Headers.CONTENT_TYPE, v));
        r.headers().firstValue("Retry-After").ifPresent(v -> ex.getResponseHeaders().put(Headers.RETRY_AFTER, v));
        ex.getResponseHeaders().put(SERVED_BY, leader);
        ex.getResponseSender().send(java.nio.ByteBuffer.wrap(r.body()));
    }

    @Override
    public void close() {
        // HttpClient on Java 17 has no close(); its threads are daemons
    }
}
