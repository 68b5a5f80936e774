package dev.edgelog.sqllog.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy on 127.0.0.1 between two components, whose link a test breaks on purpose: delay,
 * refuse new connections, cut open connections (at once, or after some bytes towards the client,
 * i.e. mid-answer), blackhole (connections stay open, nothing gets through: a partition), or
 * limit bandwidth. {@link #heal()} restores a clean link. Each connection is two pump threads; it
 * is a test fixture, built for clarity, not for thousands of connections.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the link does now. */
    public record Faults(Duration delay, boolean refuse, boolean blackhole, long cutAfterBytes, long bytesPerSecond) {
        static final Faults CLEAN = new Faults(Duration.ZERO, false, false, -1, 0);
    }

    private final InetSocketAddress target;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong connections = new AtomicLong();
    private final List<String> requestLines = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile Faults faults = Faults.CLEAN;
    private volatile boolean closed;

    private FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::accept, "fault-proxy-" + server.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    /** A clean proxy to {@code target}. */
    public static FaultProxy start(InetSocketAddress target) throws IOException {
        return new FaultProxy(target);
    }

    /** A clean proxy to the host and port of {@code target}. */
    public static FaultProxy start(URI target) throws IOException {
        return new FaultProxy(new InetSocketAddress(target.getHost(), target.getPort()));
    }

    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Connections accepted so far. */
    public long connections() {
        return connections.get();
    }

    /**
     * The HTTP request lines ({@code GET /v1/log?after=…}) clients sent through this link, in the
     * order they arrived (a request line is taken to start a read, as a client's small request does).
     */
    public List<String> requestLines() {
        synchronized (requestLines) {
            return List.copyOf(requestLines);
        }
    }

    public Faults faults() {
        return faults;
    }

    /** Each chunk waits this long before it is passed on (both directions). */
    public FaultProxy delay(Duration d) {
        faults = new Faults(d, faults.refuse(), faults.blackhole(), faults.cutAfterBytes(), faults.bytesPerSecond());
        return this;
    }

    /** New connections are closed at once (a crashed or firewalled peer); open ones are cut. */
    public FaultProxy refuse() {
        faults = new Faults(faults.delay(), true, faults.blackhole(), faults.cutAfterBytes(), faults.bytesPerSecond());
        cutAll();
        return this;
    }

    /** Nothing gets through either way, and nothing is closed: a network partition. */
    public FaultProxy blackhole() {
        faults = new Faults(faults.delay(), faults.refuse(), true, faults.cutAfterBytes(), faults.bytesPerSecond());
        return this;
    }

    /** Every connection is cut after passing {@code bytes} towards the client (mid-answer). */
    public FaultProxy cutAfter(long bytes) {
        faults = new Faults(faults.delay(), faults.refuse(), faults.blackhole(), bytes, faults.bytesPerSecond());
        return this;
    }

    /** At most {@code bytesPerSecond} each way per connection. */
    public FaultProxy bandwidth(long bytesPerSecond) {
        faults = new Faults(faults.delay(), faults.refuse(), faults.blackhole(), faults.cutAfterBytes(), bytesPerSecond);
        return this;
    }

    /** A clean link again (connections cut meanwhile stay cut). */
    public FaultProxy heal() {
        faults = Faults.CLEAN;
        return this;
    }

    /** Closes every open connection now (both sides see a reset or an end of stream). */
    public void cutAll() {
        for (Socket s : List.copyOf(open)) {
            closeQuietly(s);
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            connections.incrementAndGet();
            if (faults.refuse()) {
                closeQuietly(client);
                continue;
            }
            Socket upstream = new Socket();
            try {
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                upstream.connect(target, 2_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(upstream);
                continue;
            }
            open.add(client);
            open.add(upstream);
            pump(client, upstream, false);
            pump(upstream, client, true);
        }
    }

    private void pump(Socket from, Socket to, boolean towardsClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            long passed = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    Faults f = faults;
                    if (f.blackhole()) {
                        continue; // swallowed
                    }
                    if (!f.delay().isZero()) {
                        Thread.sleep(f.delay().toMillis());
                    }
                    if (f.bytesPerSecond() > 0) {
                        Thread.sleep(n * 1000L / f.bytesPerSecond());
                    }
                    if (!towardsClient) {
                        noteRequestLine(buf, n);
                    }
                    int pass = n;
                    boolean cut = false;
                    if (towardsClient && f.cutAfterBytes() >= 0 && passed + n >= f.cutAfterBytes()) {
                        pass = (int) Math.max(0, f.cutAfterBytes() - passed);
                        cut = true;
                    }
                    out.write(buf, 0, pass);
                    out.flush();
                    passed += pass;
                    if (cut) {
                        break;
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the other side or the test closed the connection
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        }, "fault-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private void noteRequestLine(byte[] buf, int n) {
        String text = new String(buf, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n");
        if (end > 0 && (text.startsWith("GET ") || text.startsWith("POST "))) {
            requestLines.add(text.substring(0, end));
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        cutAll();
        try {
            acceptor.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[:" + port() + " -> " + target + ", " + faults + "]";
    }
}
