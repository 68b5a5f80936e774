package dev.edgelog.sqllog.follow;

import dev.edgelog.sqllog.pull.PullClient;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The ordered upstreams, each with its pull client and circuit breaker. {@link #pick()} returns the
 * most preferred upstream whose breaker lets a call through, so the follower fails over down the
 * list when one fails and returns to a preferred one once its breaker half-opens and a trial pull
 * succeeds.
 */
public final class Upstreams implements AutoCloseable {

    /** One upstream. */
    public static final class Upstream {
        private final URI uri;
        private final PullClient client;
        private final CircuitBreaker breaker;

        Upstream(URI uri, PullClient client, CircuitBreaker breaker) {
            this.uri = uri;
            this.client = client;
            this.breaker = breaker;
        }

        public URI uri() {
            return uri;
        }

        public PullClient client() {
            return client;
        }

        public CircuitBreaker.State state() {
            return breaker.getState();
        }

        void succeeded(long startNanos) {
            breaker.onSuccess(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
        }

        void failed(long startNanos, Throwable cause) {
            breaker.onError(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS, cause);
        }

        /** After a trial call was granted but not made (another upstream was chosen). */
        void released() {
            breaker.releasePermission();
        }

        @Override
        public String toString() {
            return uri.toString();
        }
    }

    private final List<Upstream> list = new ArrayList<>();

    public Upstreams(List<URI> uris, PullClient.Options options, Duration openFor) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                // two failures in a row open it: a dead upstream is left after ~2 attempts
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(2)
                .minimumNumberOfCalls(2)
                .failureRateThreshold(100)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                .build();
        for (URI u : uris) {
            list.add(new Upstream(u, new PullClient(u, options), CircuitBreaker.of(u.toString(), config)));
        }
    }

    /**
     * The most preferred upstream that may be called now; when every breaker is open, the one that
     * opened first is tried anyway (the follower backs off between attempts, and giving up on all
     * upstreams helps nobody).
     */
    public Upstream pick() {
        for (Upstream u : list) {
            if (u.breaker.tryAcquirePermission()) {
                return u;
            }
        }
        return list.get(0);
    }

    public List<Upstream> all() {
        return List.copyOf(list);
    }

    @Override
    public void close() {
        for (Upstream u : list) {
            u.client.close();
        }
    }
}
