package dev.edgelog.mirror;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.edgelog.sqllog.Entry;
import dev.edgelog.sqllog.codec.FrameReader;
import dev.edgelog.sqllog.pull.PullClient;
import dev.edgelog.sqllog.pull.UpstreamException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tails the SQL log of several nodes at once, directly (not through the fault proxies), while a
 * scenario runs, so that entries are seen before retention drops them: every index one node serves
 * must be byte for byte what every other node served at that index, outcomes included. One thread
 * per node; a node that is down is retried, and one that no longer retains what the auditor has not
 * read yet is followed on from its first index (the other nodes cover the gap).
 */
final class LogAudit implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<Long, byte[]> frames = new ConcurrentHashMap<>();
    private final Map<Long, Entry> entries = new ConcurrentHashMap<>();
    private final Map<Long, String> servedBy = new ConcurrentHashMap<>();
    private final List<String> mismatches = new CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, AtomicLong> positions = new ConcurrentHashMap<>();

    LogAudit(Map<String, URI> nodes) {
        nodes.forEach((name, uri) -> {
            AtomicLong position = new AtomicLong();
            positions.put(name, position);
            Thread t = new Thread(() -> tail(name, uri, position), "audit-" + name);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        });
    }

    private void tail(String name, URI uri, AtomicLong position) {
        try (PullClient client = new PullClient(uri, PullClient.Options.of("audit-" + name)
                .withStallTimeout(Duration.ofSeconds(5)))) {
            String logId = null;
            while (running.get()) {
                try {
                    PullClient.Batch b = client.pull(position.get(), logId, 1 << 20, Duration.ofMillis(500));
                    logId = b.logId();
                    for (FrameReader.Frame f : b.frames()) {
                        record(name, f);
                        position.set(f.entry().index());
                    }
                } catch (UpstreamException e) {
                    if (e.kind() == UpstreamException.Kind.GONE) {
                        skipToFirst(client, position);
                    } else {
                        pause();
                    }
                } catch (IOException | RuntimeException e) {
                    pause(); // the node is down or restarting
                }
            }
        }
    }

    /** The node no longer retains the next entry (another tail has it): follow on from its first. */
    private void skipToFirst(PullClient client, AtomicLong position) {
        try {
            long first = JSON.readTree(client.status()).path("first_index").asLong();
            position.set(Math.max(position.get(), first - 1));
        } catch (IOException | RuntimeException e) {
            pause();
        }
    }

    private void record(String name, FrameReader.Frame f) {
        long index = f.entry().index();
        byte[] earlier = frames.putIfAbsent(index, f.bytes());
        if (earlier == null) {
            entries.put(index, f.entry());
            servedBy.put(index, name);
        } else if (!Arrays.equals(earlier, f.bytes())) {
            mismatches.add("entry " + index + ": " + name + " served " + f.entry() + ", " + servedBy.get(index)
                    + " served " + entries.get(index));
        }
    }

    private void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running.set(false);
        }
    }

    /** How far node {@code name}'s tail has read. */
    long position(String name) {
        return positions.get(name).get();
    }

    /** The entry at {@code index} as first served, or null when no node's tail saw it. */
    Entry entry(long index) {
        return entries.get(index);
    }

    /** Indices where two nodes served different bytes, described. */
    List<String> mismatches() {
        return mismatches;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
