package dev.edgelog.primary;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/** An in-process cluster of primary nodes on 127.0.0.1 with free ports, and an HTTP client for it. */
final class TestCluster implements AutoCloseable {

    final List<PrimaryConfig> configs = new ArrayList<>();
    final PrimaryNode[] nodes;
    private final HttpClient http;
    private final String scheme;

    TestCluster(Path dir, int size) throws IOException {
        this(dir, size, null);
    }

    /** A cluster without credentials or TLS whose node configs {@code adjust} changes (e.g. max_body_bytes). */
    static TestCluster adjusted(Path dir, int size, UnaryOperator<PrimaryConfig> adjust) throws IOException {
        return new TestCluster(dir, size, null, null, i -> null, adjust);
    }

    TestCluster(Path dir, int size, dev.edgelog.sqllog.auth.Credentials credentials) throws IOException {
        this(dir, size, credentials, null);
    }

    TestCluster(Path dir, int size, dev.edgelog.sqllog.auth.Credentials credentials, PrimaryConfig.TlsFiles tls)
            throws IOException {
        this(dir, size, credentials, tls, i -> tls);
    }

    /** A cluster whose node {@code i} uses {@code tlsOf.apply(i)}; clients trust {@code tls}. */
    TestCluster(Path dir, int size, dev.edgelog.sqllog.auth.Credentials credentials, PrimaryConfig.TlsFiles tls,
                java.util.function.IntFunction<PrimaryConfig.TlsFiles> tlsOf) throws IOException {
        this(dir, size, credentials, tls, tlsOf, UnaryOperator.identity());
    }

    private TestCluster(Path dir, int size, dev.edgelog.sqllog.auth.Credentials credentials,
                        PrimaryConfig.TlsFiles tls, java.util.function.IntFunction<PrimaryConfig.TlsFiles> tlsOf,
                        UnaryOperator<PrimaryConfig> adjust) throws IOException {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(dev.edgelog.sqllog.auth.Tls.client(tls.caFile()));
        }
        http = b.build();
        scheme = tls == null ? "http://" : "https://";
        nodes = new PrimaryNode[size];
        for (int attempt = 1; ; attempt++) {
            try {
                start(dir.resolve("try" + attempt), size, credentials, tlsOf, adjust);
                return;
            } catch (IOException | RuntimeException e) {
                stopStarted();
                if (attempt == 3) {
                    throw e;
                }
                // a port was taken between choosing and binding it: choose again
            }
        }
    }

    private void start(Path dir, int size, dev.edgelog.sqllog.auth.Credentials credentials,
                       java.util.function.IntFunction<PrimaryConfig.TlsFiles> tlsOf,
                       UnaryOperator<PrimaryConfig> adjust) throws IOException {
        configs.clear();
        List<PrimaryConfig.Peer> peers = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            peers.add(new PrimaryConfig.Peer("n" + i, "127.0.0.1:" + freePort(), "127.0.0.1:" + freePort()));
        }
        for (int i = 0; i < size; i++) {
            configs.add(adjust.apply(PrimaryConfig.of("n" + i, dir.resolve("n" + i), peers)
                    .withCredentials(credentials).withTls(tlsOf.apply(i))));
        }
        for (int i = 0; i < size; i++) {
            nodes[i] = PrimaryNode.start(configs.get(i));
        }
    }

    private void stopStarted() {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                try {
                    nodes[i].close();
                } catch (Exception ignored) {
                    // best effort before retrying
                }
                nodes[i] = null;
            }
        }
    }

    static int freePort() throws IOException {
        return dev.edgelog.sqllog.testing.TestPorts.free();
    }

    /** Waits (polling status, bounded) until {@code condition} holds. */
    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        dev.edgelog.sqllog.testing.Await.until(what, timeout, condition);
    }

    void awaitReady() throws InterruptedException {
        await("a leader and a log id on every live node", Duration.ofSeconds(60), () -> {
            for (PrimaryNode n : nodes) {
                if (n != null && (n.leaderId() == null || n.stateMachine().logId() == null)) {
                    return false;
                }
            }
            return true;
        });
    }

    int leader() {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null && nodes[i].isLeader()) {
                return i;
            }
        }
        return -1;
    }

    int follower() {
        int leader = leader();
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null && i != leader) {
                return i;
            }
        }
        return -1;
    }

    HttpResponse<String> post(int node, String pathAndQuery, String body) throws IOException, InterruptedException {
        return post(node, pathAndQuery, body, null);
    }

    HttpResponse<String> post(int node, String pathAndQuery, String body, String authorization)
            throws IOException, InterruptedException {
        return post(node, pathAndQuery, body, "POST", authorization);
    }

    HttpResponse<String> get(int node, String pathAndQuery) throws IOException, InterruptedException {
        return get(node, pathAndQuery, null);
    }

    /** A request with any method, e.g. DELETE. */
    HttpResponse<String> post(int node, String pathAndQuery, String body, String method, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri(node, pathAndQuery)).timeout(Duration.ofSeconds(40))
                .header("Content-Type", "application/json")
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(int node, String pathAndQuery, String authorization)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri(node, pathAndQuery)).timeout(Duration.ofSeconds(40)).GET();
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    URI uri(int node, String pathAndQuery) {
        return URI.create(scheme + configs.get(node).self().httpAddress() + pathAndQuery);
    }

    void stop(int node) throws Exception {
        nodes[node].close();
        nodes[node] = null;
    }

    /** Starts a stopped node again from its data directory. */
    void restart(int node) throws IOException {
        nodes[node] = PrimaryNode.start(configs.get(node));
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] != null) {
                stop(i);
            }
        }
    }
}
