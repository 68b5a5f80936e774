package dev.edgelog.benchmarks;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A closed-loop HTTP load: {@code writers} threads, each on its own keep-alive connection, POST a
 * body and wait for the answer, for a fixed time. The client is a minimal HTTP/1.1 over a blocking
 * socket, so the latency measured is the server's and not a client library's selector and
 * executor hand-offs; every system under test gets the same client.
 */
final class HttpLoad {

    /** What a run did; latencies are per request, sorted. */
    record Result(long requests, long errors, double seconds, int perRequest, long[] sortedNanos) {
        double statementsPerSec() {
            return requests * (double) perRequest / seconds;
        }

        double percentileMs(double p) {
            return sortedNanos.length == 0 ? 0 : sortedNanos[(int) Math.min(sortedNanos.length - 1, sortedNanos.length * p)] / 1e6;
        }

        String line(String name) {
            return String.format(Locale.ROOT, "%-44s %,10.0f statements/s  %,8.0f requests/s  p50 %6.2f ms  p99 %7.2f ms  errors %d",
                    name, statementsPerSec(), requests / seconds, percentileMs(0.5), percentileMs(0.99), errors);
        }
    }

    /** Decides whether an answer counts as a success. */
    @FunctionalInterface
    interface Check {
        boolean ok(int status, String body);
    }

    private HttpLoad() {
    }

    /**
     * Runs the load; {@code body} makes each request's body (it is called from every writer thread),
     * each carrying {@code perRequest} statements.
     */
    static Result run(InetSocketAddress server, String path, int writers, int perRequest, Duration duration,
                      Supplier<String> body, Check check) throws InterruptedException {
        long end = System.nanoTime() + duration.toNanos();
        long[][] latencies = new long[writers][];
        long[] counts = new long[writers * 2];
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int w = 0; w < writers; w++) {
            int slot = w;
            Thread t = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                Connection c = null;
                while (System.nanoTime() < end) {
                    long t0 = System.nanoTime();
                    boolean ok;
                    try {
                        if (c == null) {
                            c = new Connection(server);
                        }
                        ok = c.post(path, body.get(), check);
                    } catch (IOException e) {
                        ok = false;
                        c = close(c);
                    }
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = System.nanoTime() - t0;
                    counts[slot * 2 + (ok ? 0 : 1)]++;
                }
                close(c);
                latencies[slot] = Arrays.copyOf(lat, n);
            });
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long requests = 0;
        long errors = 0;
        for (int w = 0; w < writers; w++) {
            requests += counts[w * 2];
            errors += counts[w * 2 + 1];
        }
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        return new Result(requests, errors, seconds, perRequest, all);
    }

    private static Connection close(Connection c) {
        if (c != null) {
            try {
                c.socket.close();
            } catch (IOException ignored) {
                // closing a broken connection
            }
        }
        return null;
    }

    /** One keep-alive HTTP/1.1 connection. */
    static final class Connection implements AutoCloseable {
        private final Socket socket;
        private final String host;
        private final OutputStream out;
        private final InputStream in;

        Connection(InetSocketAddress server) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(server, 5_000);
            socket.setSoTimeout(60_000);
            host = server.getHostString() + ":" + server.getPort();
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        }

        boolean post(String path, String body, Check check) throws IOException {
            return send("POST", path, body, check);
        }

        boolean get(String path, Check check) throws IOException {
            return send("GET", path, "", check);
        }

        private boolean send(String method, String path, String body, Check check) throws IOException {
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            byte[] head = (method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + b.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            byte[] req = Arrays.copyOf(head, head.length + b.length);
            System.arraycopy(b, 0, req, head.length, b.length);
            out.write(req);
            out.flush();
            String status = line();
            int code = Integer.parseInt(status.substring(9, 12));
            long length = -1;
            boolean chunked = false;
            for (String h; !(h = line()).isEmpty(); ) {
                String lower = h.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            if (chunked) {
                for (long size; (size = Long.parseLong(line().trim(), 16)) > 0; ) {
                    answer.write(in.readNBytes((int) size));
                    line();
                }
                line();
            } else if (length >= 0) {
                answer.write(in.readNBytes((int) length));
            } else {
                throw new IOException("an answer without a length");
            }
            return check.ok(code, answer.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            for (int c; (c = in.read()) != '\n'; ) {
                if (c < 0) {
                    throw new IOException("connection closed");
                }
                if (c != '\r') {
                    s.append((char) c);
                }
            }
            return s.toString();
        }
    }
}
