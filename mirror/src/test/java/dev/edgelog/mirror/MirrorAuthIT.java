package dev.edgelog.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.pull.PullClient;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.PullServer;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mirror between an upstream that wants a pull token and edges that must bring one: it presents
 * its own token upstream, and its listener refuses requests without the right scope.
 */
class MirrorAuthIT {

    private static final String MIRROR_TOKEN = "mirror-secret";
    private static final String EDGE_TOKEN = "edge-secret";
    private static final String STATUS_TOKEN = "ops-secret";

    @TempDir
    Path dir;

    private Credentials tokens(String file, String... nameTokenScope) throws Exception {
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < nameTokenScope.length; i += 3) {
            json.append(i == 0 ? "" : ",").append("{\"name\": \"").append(nameTokenScope[i]).append("\", \"sha256\": \"")
                    .append(Credentials.sha256(nameTokenScope[i + 1])).append("\", \"scopes\": [\"")
                    .append(nameTokenScope[i + 2]).append("\"]}");
        }
        return Credentials.load(null, Files.writeString(dir.resolve(file), json.append("]").toString()));
    }

    @Test
    void theMirrorPresentsItsTokenUpstreamAndChecksTokensBelow() throws Exception {
        Credentials upstreamAuth = tokens("upstream-tokens.json", "mirror-a", MIRROR_TOKEN, "pull");
        Credentials mirrorAuth = tokens("mirror-tokens.json", "edges", EDGE_TOKEN, "pull", "ops", STATUS_TOKEN, "status");
        try (TestLogSource source = TestLogSource.open(dir.resolve("primary"), "log-1");
             PullServer primary = PullServer.start(source, upstreamAuth, dir.resolve("primary-snaps"))) {
            source.appendRows(40);
            MirrorConfig config = MirrorIT.mirror(dir.resolve("a"), "mirror-a", primary.uri())
                    .with(f -> f.withUpstreamAuth(MIRROR_TOKEN, null).withCredentials(mirrorAuth));
            try (MirrorNode a = MirrorNode.start(config)) {
                Await.until("the mirror got in with its token", Duration.ofSeconds(30),
                        () -> a.status().appliedIndex() == 40);
                URI base = MirrorIT.uri(a);
                assertEquals(401, get(base, "/v1/log?after=40", null));
                assertEquals(401, get(base, "/v1/log?after=40", "wrong"));
                assertEquals(403, get(base, "/v1/log?after=40", STATUS_TOKEN), "the status scope cannot pull");
                assertEquals(204, get(base, "/v1/log?after=40", EDGE_TOKEN), "nothing new, and allowed");
                assertEquals(401, get(base, "/status", null));
                assertEquals(403, get(base, "/metrics", EDGE_TOKEN), "the pull scope cannot read metrics");
                assertEquals(200, get(base, "/readyz", STATUS_TOKEN));
                // every route of the listener, with no, wrong and under-scoped credentials
                for (String path : List.of("/v1/log?after=40", "/v1/snapshot", "/v1/status", "/v1/fleet")) {
                    assertEquals(401, get(base, path, null), path);
                    assertEquals(401, get(base, path, "wrong"), path);
                    assertEquals(403, get(base, path, STATUS_TOKEN), path);
                }
                for (String path : List.of("/status", "/readyz", "/metrics")) {
                    assertEquals(401, get(base, path, null), path);
                    assertEquals(401, get(base, path, "wrong"), path);
                    assertEquals(403, get(base, path, EDGE_TOKEN), path);
                }
                assertEquals(401, post(base, "/v1/fleet", null));
                assertEquals(403, post(base, "/v1/fleet", STATUS_TOKEN));

                Follower refused = edge("edge-refused", base, null);
                Follower allowed = edge("edge-1", base, EDGE_TOKEN);
                try {
                    source.appendRows(10);
                    Await.until("the edge with a token follows", Duration.ofSeconds(30),
                            () -> allowed.status().appliedIndex() == 50);
                    Await.until("the edge without one is told why", Duration.ofSeconds(30),
                            () -> String.valueOf(refused.status().lastError()).contains("401"));
                    assertEquals(0, refused.status().appliedIndex());
                } finally {
                    refused.close();
                    allowed.close();
                }
            }
        }
    }

    private Follower edge(String name, URI upstream, String token) throws Exception {
        return MirrorIT.edge(dir.resolve(name), name, PullClient.Options.of(name).withToken(token), upstream);
    }

    private static int post(URI base, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .POST(HttpRequest.BodyPublishers.ofString("{\"reporter\": \"x\", \"nodes\": []}"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int get(URI base, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
