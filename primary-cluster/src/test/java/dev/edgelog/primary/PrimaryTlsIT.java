package dev.edgelog.primary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.auth.Tls;
import dev.edgelog.sqllog.testing.TestCertificates;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrimaryTlsIT {

    @TempDir
    Path dir;

    @Test
    void when_nodesServeHttps_then_writesForwardOverTlsAndPlainOrUntrustedClientsFail() throws Exception {
        TestCertificates.Pem node = TestCertificates.selfSigned(dir, "node");
        TestCertificates.Pem other = TestCertificates.selfSigned(dir, "other");
        Path tokens = Files.writeString(dir.resolve("tokens.json"), "[{\"name\": \"svc\", \"sha256\": \""
                + Credentials.sha256("t") + "\", \"scopes\": [\"admin\"]}]");
        PrimaryConfig.TlsFiles tls = new PrimaryConfig.TlsFiles(node.cert(), node.key(), node.cert());
        try (TestCluster c = new TestCluster(dir, 3, Credentials.load(null, tokens), tls)) {
            c.awaitReady();
            int follower = c.follower();

            HttpResponse<String> w = c.post(follower, "/db/execute", "[\"CREATE TABLE t(x)\", \"INSERT INTO t VALUES(1)\"]",
                    "Bearer t");
            assertEquals(200, w.statusCode(), w.body());
            HttpResponse<String> q = c.get(follower, "/db/query?level=linearizable&q=SELECT%20x%20FROM%20t", "Bearer t");
            assertTrue(q.body().contains("[[1]]"), q.body());

            URI plain = URI.create(c.uri(follower, "/status").toString().replace("https://", "http://"));
            HttpClient plainClient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            assertThrows(IOException.class, () -> plainClient.send(HttpRequest.newBuilder(plain)
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));

            HttpClient wrongCa = HttpClient.newBuilder().sslContext(Tls.client(other.cert())).build();
            IOException handshake = assertThrows(IOException.class, () -> wrongCa.send(HttpRequest.newBuilder(
                    c.uri(follower, "/status")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
            assertTrue(handshake instanceof javax.net.ssl.SSLHandshakeException
                    || handshake.getCause() instanceof javax.net.ssl.SSLHandshakeException, handshake.toString());
        }
    }
}
