package dev.edgelog.sqllog.pull;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Who pulls from this node: each follower's last position, address and last-seen time, keyed by
 * the name it sends in {@link PullProtocol#NODE_HEADER}. Shown in {@code /v1/status}.
 */
public final class Followers {

    /**
     * One puller as last seen.
     *
     * @param node     the name it gave
     * @param address  its remote address
     * @param position the {@code after} of its last pull: everything up to it is applied there
     * @param lastSeenMillis when it last pulled
     */
    public record Follower(String node, String address, long position, long lastSeenMillis) {
    }

    /** Followers unseen for this long are forgotten, so a fleet's churn does not grow the table. */
    static final long FORGET_AFTER_MILLIS = 24 * 3600 * 1000L;
    private static final int MAX_FOLLOWERS = 100_000;

    private final ConcurrentMap<String, Follower> byNode = new ConcurrentHashMap<>();
    private final Clock clock;

    public Followers(Clock clock) {
        this.clock = clock;
    }

    void seen(String node, String address, long position) {
        if (node == null || node.isBlank()) {
            return;
        }
        String name = node.length() > 200 ? node.substring(0, 200) : node;
        if (byNode.size() >= MAX_FOLLOWERS && !byNode.containsKey(name)) {
            forgetOld();
            if (byNode.size() >= MAX_FOLLOWERS) {
                return;
            }
        }
        byNode.put(name, new Follower(name, address, position, clock.millis()));
    }

    /** Every follower seen within the last day, by name. */
    public List<Follower> list() {
        forgetOld();
        List<Follower> out = new ArrayList<>(byNode.values());
        out.sort(Comparator.comparing(Follower::node));
        return out;
    }

    private void forgetOld() {
        long cutoff = clock.millis() - FORGET_AFTER_MILLIS;
        byNode.values().removeIf(f -> f.lastSeenMillis() < cutoff);
    }
}
