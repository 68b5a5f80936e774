package dev.edgelog.edge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.ChildJvm;
import dev.edgelog.sqllog.testing.PullServer;
import dev.edgelog.sqllog.testing.TestLogSource;
import dev.edgelog.sqllog.testing.TestPorts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge agent's local API with {@code auth}: every route refuses missing, wrong and
 * under-scoped credentials and serves status-scoped ones; without {@code auth} it is open on
 * loopback, and the packaged agent refuses to open it on every interface unless given
 * {@code --insecure}. A real upstream (segments and SQLite behind a pull server) and a real edge
 * database, on 127.0.0.1 and free ports.
 */
class EdgeAuthIT {

    private static final Path EDGE_JAR = Path.of("target", "edgelog-edge.jar");
    private static final List<String> ROUTES = List.of("/status", "/readyz", "/metrics");
    private static final String STATUS_TOKEN = "ops-secret";
    private static final String PULL_TOKEN = "pull-secret";
    private static final int ROWS = 20;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void when_credentialsAreMissingWrongOrUnderScoped_then_everyRouteOfTheLocalApiRefusesThem() throws Exception {
        try (TestLogSource source = TestLogSource.open(dir.resolve("upstream"), "log-1");
             PullServer upstream = PullServer.start(source, null, dir.resolve("upstream-snapshots"))) {
            source.appendRows(ROWS);
            Path config = edgeConfig("edge-auth", upstream, "127.0.0.1:" + TestPorts.free(), true);
            try (EdgeAgent agent = EdgeAgent.start(EdgeConfigFile.load(config, null, null))) {
                Await.until("the edge applied the upstream's log", Duration.ofSeconds(30),
                        () -> agent.status().appliedIndex() == ROWS);
                URI base = URI.create("http://127.0.0.1:" + agent.httpPort());
                for (String route : ROUTES) {
                    HttpResponse<String> none = get(base, route, null);
                    assertEquals(401, none.statusCode(), route + ": " + none.body());
                    assertTrue(none.headers().firstValue("WWW-Authenticate").isPresent(), route);
                    assertEquals("authentication required\n", none.body(), route + " gives nothing away");
                    for (String wrong : List.of("Bearer not-a-token", "Bearer " + STATUS_TOKEN + "x",
                            basic("prom", "wrong"), basic("nobody", "p"), "Token " + STATUS_TOKEN)) {
                        HttpResponse<String> r = get(base, route, wrong);
                        assertEquals(401, r.statusCode(), route + " with " + wrong + ": " + r.body());
                        assertTrue(r.headers().firstValue("WWW-Authenticate").isPresent(), route);
                    }
                    for (String underScoped : List.of("Bearer " + PULL_TOKEN, basic("writer", "w"))) {
                        HttpResponse<String> r = get(base, route, underScoped);
                        assertEquals(403, r.statusCode(), route + " with " + underScoped + ": " + r.body());
                        assertTrue(r.body().contains("status"), r.body());
                    }
                    for (String allowed : List.of("Bearer " + STATUS_TOKEN, basic("prom", "p"))) {
                        HttpResponse<String> r = get(base, route, allowed);
                        assertEquals(200, r.statusCode(), route + " with " + allowed + ": " + r.body());
                    }
                }
                assertTrue(get(base, "/status", "Bearer " + STATUS_TOKEN).body().contains("\"applied_index\" : " + ROWS));
                assertTrue(get(base, "/metrics", basic("prom", "p")).body().contains("edgelog_edge_applied_index"));
            }
        }
    }

    @Test
    void when_noAuthIsConfigured_then_theLoopbackApiIsOpen() throws Exception {
        try (TestLogSource source = TestLogSource.open(dir.resolve("upstream"), "log-1");
             PullServer upstream = PullServer.start(source, null, dir.resolve("upstream-snapshots"))) {
            source.appendRows(ROWS);
            Path config = edgeConfig("edge-open", upstream, "127.0.0.1:" + TestPorts.free(), false);
            try (EdgeAgent agent = EdgeAgent.start(EdgeConfigFile.load(config, null, null))) {
                Await.until("the edge applied the upstream's log", Duration.ofSeconds(30),
                        () -> agent.status().appliedIndex() == ROWS);
                URI base = URI.create("http://127.0.0.1:" + agent.httpPort());
                for (String route : ROUTES) {
                    assertEquals(200, get(base, route, null).statusCode(), route);
                }
            }
        }
    }

    @Test
    void when_theOpenApiWouldListenOnEveryInterface_then_thePackagedAgentStartsOnlyWithInsecureOrAuth()
            throws Exception {
        try (TestLogSource source = TestLogSource.open(dir.resolve("upstream"), "log-1");
             PullServer upstream = PullServer.start(source, null, dir.resolve("upstream-snapshots"))) {
            source.appendRows(ROWS);
            int port = TestPorts.free();
            URI local = URI.create("http://127.0.0.1:" + port);
            Path open = edgeConfig("edge-open", upstream, "0.0.0.0:" + port, false);

            Path refusedErr = dir.resolve("refused.stderr");
            try (ChildJvm refused = ChildJvm.startJar(EDGE_JAR, refusedErr, "edge", "--config", open.toString())) {
                assertEquals(2, refused.waitFor(Duration.ofSeconds(60)), "exit code");
                String err = Files.readString(refusedErr);
                assertTrue(err.contains("refusing to start an open listener on 0.0.0.0"), err);
                assertTrue(err.contains("--insecure"), err);
                assertTrue(refused.drain().stream().noneMatch(l -> l.startsWith("READY")), "it never served");
            }

            try (ChildJvm insecure = ChildJvm.startJar(EDGE_JAR, dir.resolve("insecure.stderr"), "edge", "--config",
                    open.toString(), "--insecure")) {
                insecure.awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
                assertEquals(200, get(local, "/status", null).statusCode(), "open, as asked");
                assertStoppedBySigterm(insecure);
            }

            int guardedPort = TestPorts.free();
            URI guardedLocal = URI.create("http://127.0.0.1:" + guardedPort);
            Path guarded = edgeConfig("edge-guarded", upstream, "0.0.0.0:" + guardedPort, true);
            try (ChildJvm withAuth = ChildJvm.startJar(EDGE_JAR, dir.resolve("auth.stderr"), "edge", "--config",
                    guarded.toString())) {
                withAuth.awaitLine(l -> l.startsWith("READY"), Duration.ofSeconds(60));
                assertEquals(401, get(guardedLocal, "/status", null).statusCode());
                assertEquals(403, get(guardedLocal, "/status", "Bearer " + PULL_TOKEN).statusCode());
                assertEquals(200, get(guardedLocal, "/status", "Bearer " + STATUS_TOKEN).statusCode());
                assertStoppedBySigterm(withAuth);
            }
        }
    }

    private static void assertStoppedBySigterm(ChildJvm child) throws InterruptedException {
        int code = child.terminate(Duration.ofSeconds(30));
        assertTrue(code == 0 || code == 143, "stopped by SIGTERM, exit code " + code);
    }

    /**
     * An edge config following {@code upstream}; with {@code auth}, tokens (status: {@code ops}, pull
     * only: {@code puller}) and users ({@code prom} may read status, {@code writer} only SQL).
     */
    private Path edgeConfig(String name, PullServer upstream, String httpAddress, boolean auth) throws Exception {
        StringBuilder yaml = new StringBuilder()
                .append("node_name: ").append(name).append('\n')
                .append("data_dir: ").append(dir.resolve(name)).append('\n')
                .append("upstreams: [\"").append(upstream.uri()).append("\"]\n")
                .append("http_address: ").append(httpAddress).append('\n')
                .append("poll_wait_ms: 1000\nbackoff: {initial_ms: 20, max_ms: 200}\n");
        if (auth) {
            Files.writeString(dir.resolve("tokens.json"), "["
                    + "{\"name\": \"ops\", \"sha256\": \"" + Credentials.sha256(STATUS_TOKEN) + "\", \"scopes\": [\"status\"]},"
                    + "{\"name\": \"puller\", \"sha256\": \"" + Credentials.sha256(PULL_TOKEN) + "\", \"scopes\": [\"pull\"]}]");
            Files.writeString(dir.resolve("users.json"), "["
                    + "{\"username\": \"prom\", \"password\": \"p\", \"perms\": [\"status\"]},"
                    + "{\"username\": \"writer\", \"password\": \"w\", \"perms\": [\"execute\", \"query\"]}]");
            yaml.append("auth: {tokens_file: tokens.json, users_file: users.json}\n");
        }
        return Files.writeString(dir.resolve(name + ".yaml"), yaml.toString());
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpResponse<String> get(URI base, String path, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
