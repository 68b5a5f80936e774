package dev.edgelog.tools.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.edgelog.reader.EdgeReader;
import dev.edgelog.reader.Lag;
import dev.edgelog.tools.Http;
import java.io.PrintStream;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws the demo's state once a second: every node's applied index and lag behind the leader, who
 * it follows, the write stream, and a read of the first edge's database through {@code edge-reader}
 * (JDBC, read-only), the way an ad server reads it.
 */
final class LiveView implements AutoCloseable {

    private final Topology topology;
    private final Http http;
    private final CampaignLoad load;
    private final PrintStream out;
    private final boolean ansi;
    private EdgeReader reader;
    private long lastAcked;
    private long lastNanos = System.nanoTime();

    LiveView(Topology topology, Http http, CampaignLoad load, PrintStream out, boolean ansi) {
        this.topology = topology;
        this.http = http;
        this.load = load;
        this.out = out;
        this.ansi = ansi;
    }

    /** One frame of the view. */
    void draw() {
        List<String[]> rows = new ArrayList<>();
        long top = 0;
        for (Topology.Node n : topology.primaries()) {
            long applied = -1;
            String state;
            try {
                applied = http.getJson(n.url() + "/v1/status").path("commit_index").asLong();
                state = http.getJson(n.url() + "/status").path("store").path("is_leader").asBoolean() ? "leader"
                        : "follower";
            } catch (Exception e) {
                state = "down";
            }
            top = Math.max(top, applied);
            rows.add(new String[] {n.name(), n.role(), n.url(), Long.toString(applied), "", state});
        }
        List<Topology.Node> followers = new ArrayList<>();
        followers.add(topology.mirror());
        followers.addAll(topology.edges());
        for (Topology.Node n : followers) {
            String applied = "-";
            String state;
            try {
                JsonNode s = http.getJson(n.url() + "/status");
                applied = s.path("applied_index").asText();
                state = s.path("last_error").isNull() || s.path("last_error").isMissingNode()
                        ? "following " + String.join(" → ", strings(s.path("upstream_path")))
                        : "retrying: " + s.path("last_error").asText();
            } catch (Exception e) {
                state = "down";
            }
            rows.add(new String[] {n.name(), n.role(), n.url(), applied, "", state});
        }
        for (String[] r : rows) {
            try {
                long a = Long.parseLong(r[3]);
                r[4] = a < 0 ? "-" : Long.toString(Math.max(0, top - a));
            } catch (NumberFormatException e) {
                r[4] = "-";
            }
        }
        StringBuilder b = new StringBuilder();
        if (ansi) {
            b.append("\033[H\033[2J");
        }
        b.append("edgelog demo: 3 primary nodes → 1 mirror → 2 edge agents, on 127.0.0.1   (Ctrl-C stops everything)\n");
        b.append("data and logs: ").append(topology.directory()).append("\n");
        if (load != null) {
            long now = System.nanoTime();
            long acked = load.acknowledged();
            double rate = (acked - lastAcked) / Math.max(1e-3, (now - lastNanos) / 1e9);
            lastAcked = acked;
            lastNanos = now;
            b.append(String.format(Locale.ROOT, "writes: %,d acknowledged (%.0f/s), %,d not acknowledged%n", acked, rate,
                    load.failed()));
        } else {
            b.append("writes: none (--no-load)\n");
        }
        b.append('\n').append(String.format(Locale.ROOT, "%-9s %-8s %-24s %9s %6s  %s%n", "node", "role", "url",
                "applied", "lag", "state"));
        for (String[] r : rows) {
            b.append(String.format(Locale.ROOT, "%-9s %-8s %-24s %9s %6s  %s%n", (Object[]) r));
        }
        b.append('\n').append(readEdge()).append('\n');
        out.print(b);
        out.flush();
    }

    /** A JDBC read from the first edge's database, as an ad server does it. */
    private String readEdge() {
        Topology.Node edge = topology.edges().get(0);
        try {
            if (reader == null) {
                if (!Files.exists(edge.database())) {
                    return edge.name() + "'s database: not there yet";
                }
                reader = EdgeReader.open(edge.database());
            }
            String content;
            try (Connection c = reader.dataSource().getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT count(*), coalesce(sum(status = 'active'), 0), coalesce(avg(bid), 0)"
                         + " FROM campaigns")) {
                rs.next();
                content = String.format(Locale.ROOT, "%d campaigns, %d active, average bid %.2f", rs.getLong(1),
                        rs.getLong(2), rs.getDouble(3));
            } catch (SQLException e) {
                content = "no campaigns table yet";
            }
            Lag lag = reader.lag();
            return String.format(Locale.ROOT, "%s's database over JDBC (edge-reader, read-only): %s; applied index %d, %s",
                    edge.name(), content, reader.appliedIndex(), lag.entriesBehind().isPresent()
                            ? lag.entriesBehind().getAsLong() + " entries behind its upstream" : "lag unknown");
        } catch (RuntimeException e) {
            return edge.name() + "'s database: " + e.getMessage();
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
    }
}
