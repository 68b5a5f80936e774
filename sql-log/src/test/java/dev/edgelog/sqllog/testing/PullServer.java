package dev.edgelog.sqllog.testing;

import dev.edgelog.sqllog.auth.Credentials;
import dev.edgelog.sqllog.pull.LogSource;
import dev.edgelog.sqllog.pull.PullService;
import io.undertow.Handlers;
import io.undertow.Undertow;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;

/** An Undertow server on 127.0.0.1 and a free port serving a {@link PullService}; close it in the test. */
public final class PullServer implements AutoCloseable {

    public static final String NODE = "upstream-1";
    public static final int WORKER_THREADS = 4;

    private final PullService service;
    private final Undertow undertow;
    private final URI uri;

    private PullServer(PullService service, Undertow undertow, int port) {
        this.service = service;
        this.undertow = undertow;
        this.uri = URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Serves {@code source}; {@code credentials} null serves everyone. Snapshots for download go to
     * {@code snapshotDir}.
     */
    public static PullServer start(LogSource source, Credentials credentials, Path snapshotDir) throws IOException {
        int port = TestPorts.free();
        PullService service = new PullService(NODE, source, credentials, snapshotDir, Clock.systemUTC());
        Undertow undertow = Undertow.builder()
                .addHttpListener(port, "127.0.0.1")
                // few workers, so that a test can park more pulls than there are threads
                .setIoThreads(2)
                .setWorkerThreads(WORKER_THREADS)
                .setHandler(service.addTo(Handlers.routing()))
                .build();
        try {
            undertow.start();
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        return new PullServer(service, undertow, port);
    }

    public URI uri() {
        return uri;
    }

    /** {@code uri()} with {@code pathAndQuery} appended. */
    public URI uri(String pathAndQuery) {
        return URI.create(uri + pathAndQuery);
    }

    public PullService service() {
        return service;
    }

    @Override
    public void close() {
        undertow.stop();
        service.close();
    }
}
