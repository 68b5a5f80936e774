package dev.edgelog.sqllog.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain socket on 127.0.0.1 that reads each request's head and answers it with whatever the
 * test's {@link Reply} writes, then closes the connection. Lets a test put any bytes on the wire —
 * malformed HTTP, cut bodies, stalls — where a real server would not.
 */
public final class FakeUpstream implements AutoCloseable {

    /** Writes one answer; the connection is closed when it returns. */
    @FunctionalInterface
    public interface Reply {
        void write(OutputStream out, FakeUpstream upstream) throws Exception;
    }

    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<String> requests = new LinkedBlockingQueue<>();
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Thread acceptor;
    private volatile Reply reply;

    private FakeUpstream(ServerSocket server, Reply reply) {
        this.server = server;
        this.reply = reply;
        this.acceptor = new Thread(this::acceptLoop, "fake-upstream-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static FakeUpstream start(Reply reply) throws IOException {
        return new FakeUpstream(new ServerSocket(TestPorts.free(), 50, InetAddress.getLoopbackAddress()), reply);
    }

    /** A reply that writes {@code bytes} as they are. */
    public static Reply bytes(byte[] bytes) {
        return (out, upstream) -> out.write(bytes);
    }

    /** An HTTP/1.1 answer: the status line, each header line, a blank line and the body. */
    public static byte[] http(String status, List<String> headers, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append("\r\n");
        headers.forEach(h -> head.append(h).append("\r\n"));
        head.append("Connection: close\r\n\r\n");
        out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(body);
        return out.toByteArray();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /** Answers the next requests with {@code next}. */
    public void answer(Reply next) {
        reply = next;
    }

    /** The request lines received so far, oldest first, without removing them. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    /** Blocks until {@link #close()} (at most a minute): a reply that stalls calls it. */
    public void awaitClose() throws InterruptedException {
        closing.await(60, TimeUnit.SECONDS);
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                open.add(s);
                Thread t = new Thread(() -> serve(s), "fake-upstream-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = new BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            String head = readHead(in);
            if (head == null) {
                return;
            }
            requests.add(head.lines().findFirst().orElse(""));
            reply.write(out, this);
            out.flush();
        } catch (Exception e) {
            // the client went away, or the test is over
        } finally {
            open.remove(s);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        for (int c; (c = in.read()) >= 0; ) {
            head.write(c);
            state = (c == '\r' && state % 2 == 0) || (c == '\n' && state % 2 == 1) ? state + 1 : c == '\r' ? 1 : 0;
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        closing.countDown();
        server.close();
        for (Socket s : open) {
            s.close();
        }
        acceptor.join(5_000);
    }
}
