package dev.edgelog.sqllog.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.edgelog.sqllog.testing.TestCertificates;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsTest {

    @TempDir
    Path dir;

    @Test
    void when_theClientTrustsTheServersCa_then_theHandshakeSucceedsAndOtherwiseFails() throws Exception {
        TestCertificates.Pem server = TestCertificates.selfSigned(dir, "server");
        TestCertificates.Pem other = TestCertificates.selfSigned(dir, "other");
        SSLContext serverCtx = Tls.server(server.cert(), server.key());
        try (SSLServerSocket ss = (SSLServerSocket) serverCtx.getServerSocketFactory().createServerSocket(0, 5,
                java.net.InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> {
                for (int i = 0; i < 2; i++) {
                    try (SSLSocket s = (SSLSocket) ss.accept(); InputStream in = s.getInputStream();
                         OutputStream out = s.getOutputStream()) {
                        out.write(in.read());
                    } catch (Exception ignored) {
                        // the second client fails its handshake
                    }
                }
            });
            echo.start();
            try (SSLSocket ok = (SSLSocket) Tls.client(server.cert()).getSocketFactory()
                    .createSocket("127.0.0.1", ss.getLocalPort())) {
                ok.getOutputStream().write(42);
                assertEquals(42, ok.getInputStream().read());
            }
            try (SSLSocket wrong = (SSLSocket) Tls.client(other.cert()).getSocketFactory()
                    .createSocket("127.0.0.1", ss.getLocalPort())) {
                assertThrows(SSLHandshakeException.class, wrong::startHandshake);
            }
            echo.join(10_000);
        }
    }

    @Test
    void when_theKeyIsNotPkcs8_then_theMessageSaysHowToConvertIt() throws Exception {
        TestCertificates.Pem server = TestCertificates.selfSigned(dir, "server");
        Path pkcs1 = Files.writeString(dir.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Tls.server(server.cert(), pkcs1));
        assertTrue(e.getMessage().contains("openssl pkcs8"), e.getMessage());
        IllegalArgumentException noCert = assertThrows(IllegalArgumentException.class,
                () -> Tls.server(server.key(), server.key()));
        assertTrue(noCert.getMessage().contains("cannot use") || noCert.getMessage().contains("no PEM"), noCert.getMessage());
    }
}
