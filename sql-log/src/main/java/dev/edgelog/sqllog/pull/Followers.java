package dev.edgelog.sqllog.pull;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Who follows this node, directly or further down: each node's role, path, last position and
 * last-seen time, keyed by the name it sends in {@link PullProtocol#NODE_HEADER}. Direct pullers
 * are recorded on each pull; a mirror reports its own table upstream ({@code POST /v1/fleet}), so
 * the primary ends up knowing the whole tree. {@code /v1/status} shows the direct ones,
 * {@code /v1/fleet} all.
 */
public final class Followers {

    /**
     * One node as last seen.
     *
     * @param node           the name it gave
     * @param role           {@code mirror}, {@code edge}, or null when it did not say
     * @param address        its remote address as seen by the node it pulls from
     * @param path           the nodes it follows through, from the primary node down to its upstream
     * @param position       the {@code after} of its last pull: everything up to it is applied there
     * @param lastSeenMillis when it last pulled (this node's clock)
     * @param reportedBy     the mirror that reported it, or null for a direct puller
     */
    public record Follower(String node, String role, String address, List<String> path, long position,
                           long lastSeenMillis, String reportedBy) {

        public boolean direct() {
            return reportedBy == null;
        }
    }

    /** Nodes unseen for this long are forgotten, so a fleet's churn does not grow the table. */
    static final long FORGET_AFTER_MILLIS = 24 * 3600 * 1000L;
    static final int MAX_FOLLOWERS = 200_000;
    private static final int MAX_NAME = 200;

    private final ConcurrentMap<String, Follower> byNode = new ConcurrentHashMap<>();
    private final Clock clock;

    public Followers(Clock clock) {
        this.clock = clock;
    }

    /** A direct pull by {@code node}; {@code path} is this node's own path (its upstreams and itself). */
    void seen(String node, String role, String address, List<String> path, long position) {
        if (node == null || node.isBlank()) {
            return;
        }
        String name = clip(node);
        put(new Follower(name, role == null ? null : clip(role), address, path, position, clock.millis(), null));
    }

    /**
     * Merges what mirror {@code reporter} knows: each node as of {@code ageMillis} ago. A node seen
     * more recently (directly or through another report) keeps its newer record.
     */
    void reported(String reporter, String node, String role, String address, List<String> path, long position,
                  long ageMillis) {
        if (node == null || node.isBlank()) {
            return;
        }
        long seen = clock.millis() - Math.max(0, ageMillis);
        Follower f = new Follower(clip(node), role == null ? null : clip(role), address, List.copyOf(path), position,
                seen, clip(reporter));
        Follower old = byNode.get(f.node());
        if (old == null || old.lastSeenMillis() < seen) {
            put(f);
        }
    }

    private void put(Follower f) {
        if (byNode.size() >= MAX_FOLLOWERS && !byNode.containsKey(f.node())) {
            forgetOld();
            if (byNode.size() >= MAX_FOLLOWERS) {
                return;
            }
        }
        byNode.put(f.node(), f);
    }

    private static String clip(String s) {
        return s.length() > MAX_NAME ? s.substring(0, MAX_NAME) : s;
    }

    /** Every node seen within the last day, direct or reported, by name. */
    public List<Follower> list() {
        forgetOld();
        List<Follower> out = new ArrayList<>(byNode.values());
        out.sort(Comparator.comparing(Follower::node));
        return out;
    }

    /** The nodes that pull from this one, by name. */
    public List<Follower> direct() {
        List<Follower> out = new ArrayList<>();
        for (Follower f : list()) {
            if (f.direct()) {
                out.add(f);
            }
        }
        return out;
    }

    private void forgetOld() {
        long cutoff = clock.millis() - FORGET_AFTER_MILLIS;
        byNode.values().removeIf(f -> f.lastSeenMillis() < cutoff);
    }
}
