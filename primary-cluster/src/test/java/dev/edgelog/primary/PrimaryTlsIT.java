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

    @Test
    void when_aNodesCertificateIsFromAnotherCa_then_theRaftPortShutsItOut() throws Exception {
        TestCertificates.Pem node = TestCertificates.selfSigned(dir, "node");
        TestCertificates.Pem rogue = TestCertificates.selfSigned(dir, "rogue");
        Path tokens = Files.writeString(dir.resolve("tokens.json"), "[{\"name\": \"svc\", \"sha256\": \""
                + Credentials.sha256("t") + "\", \"scopes\": [\"admin\"]}]");
        PrimaryConfig.TlsFiles trusted = new PrimaryConfig.TlsFiles(node.cert(), node.key(), node.cert());
        PrimaryConfig.TlsFiles other = new PrimaryConfig.TlsFiles(rogue.cert(), rogue.key(), rogue.cert());
        try (TestCluster c = new TestCluster(dir, 3, Credentials.load(null, tokens), trusted,
                i -> i == 2 ? other : trusted)) {
            TestCluster.await("a leader among the trusted nodes", Duration.ofSeconds(60),
                    () -> (c.nodes[0].isLeader() || c.nodes[1].isLeader()) && c.nodes[0].stateMachine().logId() != null
                            && c.nodes[1].stateMachine().logId() != null);
            int leader = c.nodes[0].isLeader() ? 0 : 1;
            for (int i = 0; i < 5; i++) {
                assertEquals(200, c.post(leader, "/db/execute", "[\"CREATE TABLE IF NOT EXISTS t(x)\", "
                        + "\"INSERT INTO t VALUES(" + i + ")\"]", "Bearer t").statusCode());
            }
            assertEquals(5, c.nodes[leader].stateMachine().appliedIndex());
            assertEquals(0, c.nodes[2].stateMachine().appliedIndex(), "the untrusted node received nothing");
            assertEquals(null, c.nodes[2].stateMachine().logId());
        }
    }
}
