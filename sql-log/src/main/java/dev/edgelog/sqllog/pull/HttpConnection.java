package dev.edgelog.sqllog.pull;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One keep-alive HTTP/1.1 connection (GET, and POST for fleet reports) on a blocking socket. The pull client uses
 * it instead of {@code java.net.http} because a stalled upstream must fail a read after a bounded
 * time: the socket's read timeout gives that for every byte of the body, where the JDK client's
 * body stream can block forever.
 */
final class HttpConnection implements AutoCloseable {

    /** An answer's status and headers; read the body from {@link #body()} before the next request. */
    record Answer(int status, Map<String, String> headers, InputStream body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private static final int MAX_LINE = 16 * 1024;

    private final URI base;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final int stallMillis;
    private boolean reusable;

    HttpConnection(URI base, SSLContext ssl, Duration connectTimeout, Duration stall) throws IOException {
        this.base = base;
        this.stallMillis = (int) stall.toMillis();
        boolean https = "https".equalsIgnoreCase(base.getScheme());
        int port = base.getPort() > 0 ? base.getPort() : https ? 443 : 80;
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(base.getHost(), port), (int) connectTimeout.toMillis());
            if (https) {
                SSLContext context = ssl != null ? ssl : defaultContext();
                SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(s, base.getHost(), port, true);
                SSLParameters params = tls.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(params);
                tls.setSoTimeout(stallMillis);
                tls.startHandshake();
                s = tls;
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        this.socket = s;
        this.in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
        this.out = s.getOutputStream();
    }

    private static SSLContext defaultContext() throws IOException {
        try {
            return SSLContext.getDefault();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException("no default TLS context", e);
        }
    }

    /** False once an answer was not read to its end, or the server asked to close. */
    boolean reusable() {
        return reusable;
    }

    /**
     * Sends a GET and reads the status and headers, allowing {@code headerWait} for the first byte
     * (a long poll) and the stall timeout for every read after it.
     */
    Answer get(String pathAndQuery, Map<String, String> headers, Duration headerWait) throws IOException {
        return send("GET", pathAndQuery, headers, null, headerWait);
    }

    /** Like {@link #get}, with {@code body} (sent with its Content-Length). */
    Answer post(String pathAndQuery, Map<String, String> headers, byte[] body) throws IOException {
        return send("POST", pathAndQuery, headers, body, Duration.ZERO);
    }

    private Answer send(String method, String pathAndQuery, Map<String, String> headers, byte[] requestBody,
                        Duration headerWait) throws IOException {
        reusable = false;
        StringBuilder req = new StringBuilder(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\nHost: ")
                .append(base.getHost()).append(base.getPort() > 0 ? ":" + base.getPort() : "").append("\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        if (requestBody != null) {
            req.append("Content-Length: ").append(requestBody.length).append("\r\n");
        }
        req.append("\r\n");
        out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (requestBody != null) {
            out.write(requestBody);
        }
        out.flush();
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, headerWait.toMillis() + stallMillis));
        String status = line();
        socket.setSoTimeout(stallMillis);
        if (!status.startsWith("HTTP/1.") || status.length() < 12) {
            throw malformed("not an HTTP answer: " + printable(status));
        }
        int code;
        try {
            code = Integer.parseInt(status.substring(9, 12));
        } catch (NumberFormatException e) {
            throw malformed("not an HTTP status line: " + printable(status));
        }
        Map<String, String> h = new TreeMap<>();
        for (String l; !(l = line()).isEmpty(); ) {
            int colon = l.indexOf(':');
            if (colon > 0) {
                h.put(l.substring(0, colon).trim().toLowerCase(Locale.ROOT), l.substring(colon + 1).trim());
            }
        }
        boolean close = "close".equalsIgnoreCase(h.get("connection"));
        InputStream body;
        String length = h.get("content-length");
        if ("chunked".equalsIgnoreCase(h.get("transfer-encoding"))) {
            body = new Chunked(close);
        } else if (length != null) {
            long n;
            try {
                n = Long.parseLong(length);
            } catch (NumberFormatException e) {
                throw malformed("bad Content-Length " + printable(length));
            }
            body = new Bounded(n, close);
        } else if (code == 204 || code == 304) {
            reusable = !close;
            body = InputStream.nullInputStream();
        } else {
            body = new FilterInputStream(in) { }; // until the server closes
        }
        return new Answer(code, h, body);
    }

    private String line() throws IOException {
        StringBuilder s = new StringBuilder();
        while (true) {
            int c = read();
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                s.append((char) c);
            }
            if (s.length() > MAX_LINE) {
                throw malformed("an HTTP line longer than " + MAX_LINE + " bytes");
            }
        }
        return s.toString();
    }

    private int read() throws IOException {
        try {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("the upstream closed the connection");
            }
            return c;
        } catch (SocketTimeoutException e) {
            throw stalled(e);
        }
    }

    /** Bytes that are not HTTP: the upstream is no pull API (a wrong port, a TLS port), not a network fault. */
    private UpstreamException malformed(String what) {
        return new UpstreamException(UpstreamException.Kind.BAD_RESPONSE, base + " answered malformed HTTP: " + what);
    }

    private IOException stalled(SocketTimeoutException e) {
        return new SocketTimeoutException("the upstream sent nothing for " + stallMillis + " ms");
    }

    static String printable(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "…" : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    /** A body of known length. */
    private final class Bounded extends InputStream {
        private long left;
        private final boolean close;

        Bounded(long length, boolean close) {
            this.left = length;
            this.close = close;
            done();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left == 0) {
                return -1;
            }
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, left));
            } catch (SocketTimeoutException e) {
                throw stalled(e);
            }
            if (n < 0) {
                throw new EOFException("the upstream closed the connection with " + left + " body bytes missing");
            }
            left -= n;
            done();
            return n;
        }

        private void done() {
            if (left == 0) {
                reusable = !close;
            }
        }
    }

    /** A chunked body. */
    private final class Chunked extends InputStream {
        private long chunkLeft;
        private boolean ended;
        private final boolean close;

        Chunked(boolean close) {
            this.close = close;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (ended) {
                return -1;
            }
            if (chunkLeft == 0) {
                String size = line();
                int semi = size.indexOf(';');
                try {
                    chunkLeft = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
                } catch (NumberFormatException e) {
                    throw malformed("bad chunk size " + printable(size));
                }
                if (chunkLeft == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    ended = true;
                    reusable = !close;
                    return -1;
                }
            }
            int n;
            try {
                n = in.read(b, off, (int) Math.min(len, chunkLeft));
            } catch (SocketTimeoutException e) {
                throw stalled(e);
            }
            if (n < 0) {
                throw new EOFException("the upstream closed the connection inside a chunk");
            }
            chunkLeft -= n;
            if (chunkLeft == 0) {
                line();
            }
            return n;
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do about a failed close
        }
    }
}
