package dev.edgelog.tools.demo;

import dev.edgelog.tools.Http;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's write stream: ad campaigns created, re-bid, paused and resumed, through a random
 * primary node each time (followers forward to the leader), at a steady rate. Uses rqlite's
 * parameterized statements and a non-deterministic function the primary makes deterministic.
 */
final class CampaignLoad implements AutoCloseable {

    static final String SCHEMA = "[\"CREATE TABLE IF NOT EXISTS campaigns(id INTEGER PRIMARY KEY, advertiser TEXT,"
            + " budget REAL, bid REAL, status TEXT, updated_at TEXT)\"]";
    private static final String[] ADVERTISERS = {"acme", "globex", "initech", "umbrella", "hooli", "stark"};

    private final Http http;
    private final List<String> primaries;
    private final int perSecond;
    private final Random random = new Random(42);
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;
    private long campaigns;

    CampaignLoad(Http http, List<String> primaryUrls, int perSecond) {
        this.http = http;
        this.primaries = primaryUrls;
        this.perSecond = perSecond;
        this.thread = new Thread(this::run, "campaign-load");
        this.thread.setDaemon(true);
    }

    /** Creates the table (through the first node) and starts writing. */
    void start() throws Exception {
        HttpResponse<String> r = http.post(primaries.get(0) + "/db/execute", SCHEMA);
        if (r.statusCode() != 200) {
            throw new IllegalStateException("creating the campaigns table failed: " + r.body());
        }
        thread.start();
    }

    long acknowledged() {
        return acknowledged.get();
    }

    long failed() {
        return failed.get();
    }

    private void run() {
        long interval = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        while (running) {
            try {
                HttpResponse<String> r = http.post(primaries.get(random.nextInt(primaries.size())) + "/db/execute",
                        nextWrite());
                if (r.statusCode() == 200 && !r.body().contains("\"error\"")) {
                    acknowledged.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failed.incrementAndGet(); // a node is down or restarting: the write is not acknowledged
            }
            next += interval;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            } else {
                next = System.nanoTime();
            }
        }
    }

    private String nextWrite() {
        int kind = campaigns < 10 ? 0 : random.nextInt(10);
        if (kind < 3) {
            campaigns++;
            return String.format(Locale.ROOT, "[[\"INSERT INTO campaigns(id, advertiser, budget, bid, status, updated_at)"
                            + " VALUES(?, ?, ?, ?, 'active', datetime('now'))\", %d, \"%s\", %.2f, %.2f]]", campaigns,
                    ADVERTISERS[random.nextInt(ADVERTISERS.length)], 1000 + random.nextInt(9000) * 1.0,
                    0.10 + random.nextInt(200) / 100.0);
        }
        long id = 1 + (long) random.nextInt((int) campaigns);
        if (kind < 9) {
            return String.format(Locale.ROOT, "[[\"UPDATE campaigns SET bid = ?, updated_at = datetime('now') WHERE id = ?\","
                    + " %.2f, %d]]", 0.10 + random.nextInt(200) / 100.0, id);
        }
        return String.format(Locale.ROOT, "[[\"UPDATE campaigns SET status = CASE status WHEN 'active' THEN 'paused'"
                + " ELSE 'active' END, updated_at = datetime('now') WHERE id = ?\", %d]]", id);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5_000);
    }
}
