package dev.edgelog.mirror;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.auth.Tls;
import dev.edgelog.sqllog.config.TlsSection;
import dev.edgelog.sqllog.follow.Follower;
import dev.edgelog.sqllog.pull.PullClient;
import dev.edgelog.sqllog.testing.Await;
import dev.edgelog.sqllog.testing.PullServer;
import dev.edgelog.sqllog.testing.TestCertificates;
import dev.edgelog.sqllog.testing.TestLogSource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A mirror serving HTTPS below: followers that trust its CA follow it, one trusting another CA cannot. */
class MirrorTlsIT {

    @TempDir
    Path dir;

    @Test
    void when_theMirrorServesHttps_then_onlyFollowersTrustingItsCaGetIn() throws Exception {
        TestCertificates.Pem mirrorCert = TestCertificates.selfSigned(dir, "mirror");
        TestCertificates.Pem otherCa = TestCertificates.selfSigned(dir, "other");
        try (TestLogSource source = TestLogSource.open(dir.resolve("primary"), "log-1");
             PullServer primary = PullServer.start(source, null, dir.resolve("primary-snaps"))) {
            source.appendRows(20);
            MirrorConfig config = MirrorIT.mirror(dir.resolve("a"), "mirror-a", primary.uri())
                    .withTls(new TlsSection.Files(mirrorCert.cert(), mirrorCert.key(), null));
            try (MirrorNode a = MirrorNode.start(config)) {
                URI https = URI.create("https://127.0.0.1:" + a.httpPort());
                Follower trusting = edge("edge-1", https, mirrorCert.cert());
                Follower wrong = edge("edge-2", https, otherCa.cert());
                try {
                    Await.until("the edge that trusts the mirror's CA follows", Duration.ofSeconds(30),
                            () -> trusting.status().appliedIndex() == 20);
                    Await.until("the edge with another CA fails the handshake", Duration.ofSeconds(30),
                            () -> wrong.status().lastError() != null);
                    assertEquals(0, wrong.status().appliedIndex());
                    assertTrue(wrong.status().lastError().matches("(?is).*(certificat|PKIX|handshake|SSL).*"),
                            wrong.status().lastError());
                } finally {
                    trusting.close();
                    wrong.close();
                }
            }
        }
    }

    private Follower edge(String name, URI upstream, Path ca) throws Exception {
        return MirrorIT.edge(dir.resolve(name), name, PullClient.Options.of(name).withSsl(Tls.client(ca)), upstream);
    }
}
