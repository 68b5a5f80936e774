package dev.edgelog.edge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * An upstream that answers every request with bytes the test chooses (a whole HTTP answer, which
 * may be malformed on purpose), one request per connection. Counts the pulls it answered.
 */
final class FakeUpstream implements AutoCloseable {

    /** The answer to a request line (e.g. {@code GET /v1/log?after=10… HTTP/1.1}). */
    interface Script {
        /** Writes the answer; may stall or stop in the middle. */
        void answer(String requestLine, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final Thread thread;
    private final AtomicInteger pulls = new AtomicInteger();
    private volatile Script script;
    private volatile boolean closed;

    FakeUpstream(Script initial) throws IOException {
        this.script = initial;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.thread = new Thread(this::serve, "fake-upstream");
        thread.setDaemon(true);
        thread.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    void script(Script s) {
        script = s;
        pulls.set(0);
    }

    int pulls() {
        return pulls.get();
    }

    private void serve() {
        while (!closed) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(5_000);
                String line = requestLine(s.getInputStream());
                if (line.contains("/v1/log")) {
                    pulls.incrementAndGet();
                }
                script.answer(line, s.getOutputStream());
                s.getOutputStream().flush();
            } catch (IOException e) {
                // the client hung up, or the server closed
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String requestLine(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("request ended early");
            }
            head.write(c);
            matched = c == end[matched] ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1);
        return h.substring(0, h.indexOf('\r'));
    }

    /** A complete answer with the given status, headers and body. */
    static Script answer(int status, String headers, Function<String, byte[]> body) {
        return (line, out) -> {
            byte[] b = body.apply(line);
            out.write(("HTTP/1.1 " + status + " X\r\nConnection: close\r\n" + headers + "Content-Length: " + b.length
                    + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(b);
        };
    }

    @Override
    public void close() throws IOException, InterruptedException {
        closed = true;
        server.close();
        thread.interrupt();
        thread.join(5_000);
    }
}
